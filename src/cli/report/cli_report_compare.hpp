// `fnn report RUN_A RUN_B ...`: several runs side by side from their run directories (no model
// is evaluated again): the final and best metrics, the settings that differ, and the curves of
// every run overlaid. As text, or as one self-contained HTML page.
#pragma once

#include <string>
#include <vector>

namespace fnn {

// Prints the comparison (output empty) or writes its page to `output`. Returns the exit status.
int compare_runs(const std::vector<std::string>& dirs, const std::string& output);

}  // namespace fnn
