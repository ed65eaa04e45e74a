// Reading a finished (or running) sweep: the leaderboard, each hyperparameter's correlation
// with the metric and its importance (random forest), two sweeps side by side, and retraining
// the best configurations on another dataset.
#pragma once

#include <string>

namespace fnn {

// Prints the summary of the sweep in `dir` and writes dir/leaderboard.csv and dir/importance.csv.
int summarize_sweep(const std::string& dir, int top);

// Two sweeps side by side (e.g. the same search with cross-entropy and with squared error).
int compare_sweeps(const std::string& dir_a, const std::string& dir_b, int top);

// Retrains the `top` best configurations of `dir` on `dataset` (same settings and seeds),
// prints their test accuracies and appends them to dir/transfer-<dataset>.jsonl.
int transfer_sweep(const std::string& dir, const std::string& dataset, int top, const char* argv0);

}  // namespace fnn
