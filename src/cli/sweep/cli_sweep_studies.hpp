// The course's follow-up studies on finished sweeps: comparing two sweeps, and retraining the
// best configurations on another dataset.
#pragma once

#include <string>

namespace fnn {

// Two sweeps side by side (e.g. the same search with cross-entropy and with squared error, or
// bayes against random search): metrics, importances, best configurations, and how many
// trials each needed to reach the other's best.
int compare_sweeps(const std::string& dir_a, const std::string& dir_b);

// Retrains the `top` best configurations of `dir` on `dataset` (same settings and seeds),
// prints their test accuracies and appends them to dir/transfer-<dataset>.jsonl.
int transfer_sweep(const std::string& dir, const std::string& dataset, int top, const char* argv0);

}  // namespace fnn
