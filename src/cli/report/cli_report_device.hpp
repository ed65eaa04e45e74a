// The device part of a sweep's report page: the budget, the front of accuracy against flash and
// RAM (every shipped trial, the front, the chosen model and the budget line), and the candidates
// that were over budget.
#pragma once

#include <string>

#include "cli/sweep/cli_sweep_summary.hpp"

namespace fnn {

// HTML for the section body; "" for a sweep without a device.
std::string device_section_html(const SweepData& data);

}  // namespace fnn
