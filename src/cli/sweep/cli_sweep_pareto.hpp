// A device sweep's trade-off: the trials on the front of accuracy (the shipped variant's
// validation accuracy) against flash, RAM and multiply-adds, for fnn sweep --summary and the
// sweep's report page.
#pragma once

#include <string>
#include <vector>

#include "cli/sweep/cli_sweep_summary.hpp"

namespace fnn {

// Trials with a shipped model that no other trial beats: none is at least as accurate with no
// more flash, RAM and MACs, and strictly better in one. Ordered by flash, smallest first.
std::vector<const SweepRow*> pareto_front(const SweepData& data);

// The --summary section: budget, infeasible candidates, and the front with the chosen trial.
std::string device_summary_text(const SweepData& data);

}  // namespace fnn
