// Reading a finished (or running) sweep: the leaderboard, each hyperparameter's correlation
// with the metric and its importance (random forest).
#pragma once

#include <string>
#include <vector>

#include "cli/sweep/cli_sweep_run.hpp"
#include "cli/cli_trial.hpp"

namespace fnn {

// One trial as summaries see it: the metric and the sweep parameters' values as text.
struct SweepRow {
    TrialResult result;
    double metric = 0.0;              // NaN when the trial has none
    std::vector<std::string> values;  // aligned with spec.params
};

// A sweep loaded for summarising: rows sorted best first (trials without a finite metric last).
struct SweepData {
    SweepSettings settings;
    std::vector<SweepRow> rows;
    int ok = 0, stopped = 0, diverged = 0, failed = 0;
    std::vector<TrialResult> infeasible;  // a device sweep's candidates over budget
    std::vector<std::string> warnings;  // journal lines skipped or repeated (cli_journal.hpp)
};
bool load_sweep(const std::string& dir, SweepData& out, std::string& error);

// Per parameter, over the trials with a finite metric: importance (random forest; categorical
// parameters as one indicator per value, their importances summed) and Pearson correlation with
// the metric (for a categorical parameter, that of its most correlated value). Most important
// first.
struct ParamStats {
    std::string name;
    double importance = 0.0;
    double correlation = 0.0;
    std::string strongest;  // categorical: "value +0.31"
    bool categorical = false;
};
std::vector<ParamStats> parameter_stats(const SweepData& data);

// The best metric among the first n trials in trial-id order, for n = 1 .. trials (NaN until a
// trial has a finite metric): how fast a search finds good settings.
std::vector<double> best_so_far(const SweepData& data);

// The loss a sweep's trials used (from the best trial's settings), "?" if unknown.
std::string sweep_loss(const SweepData& data);

// The fnn train command that trains this trial again: its recorded flags (settings, seed and the
// sweep's --set values).
std::string reproduce_command(const SweepSettings& settings, const TrialResult& trial);

// The non-constant parameters of a trial as "name=value ..." for one-line listings.
std::string sweep_config_text(const SweepSpec& spec, const SweepRow& row);

// Prints the summary of the sweep in `dir` and writes dir/leaderboard.csv and dir/importance.csv.
int summarize_sweep(const std::string& dir, int top);

}  // namespace fnn
