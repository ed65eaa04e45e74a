// The HTML page of a sweep directory: leaderboard, parallel coordinates, importance and
// correlation, the metric against each hyperparameter, and either a second sweep side by side
// or, when the sweep varied the loss, cross-entropy against squared error.
#pragma once

#include <string>

#include "cli/sweep/cli_sweep_summary.hpp"

namespace fnn {

// `other` (may be null) is a second sweep, loaded from `other_dir`, to compare with.
std::string sweep_page(const std::string& dir, const SweepData& s, const SweepData* other,
                       const std::string& other_dir);

}  // namespace fnn
