// Which configurations a sweep tries: grid (every combination, in a seeded shuffled order),
// random (seeded; distinct configurations when every parameter is discrete) and bayes (a
// tree-structured Parzen estimator, TPE: Bergstra et al. 2011, proposing each round from the
// results of earlier rounds only, so the same seed gives the same trials with any number of
// workers).
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "cli/sweep/cli_sweep_spec.hpp"

namespace fnn {

// One trial's parameter values, aligned with SweepSpec::params, as the text given to fnn train.
using Assignment = std::vector<std::string>;

// A finished trial, for bayes: `score` is the metric oriented so that larger is better.
struct Observation {
    Assignment values;
    double score = 0.0;
};

// Whether a configuration fits the sweep's device (cli_device.hpp); an empty function accepts
// everything. The searches below only return configurations it accepts.
using Feasible = std::function<bool(const Assignment&)>;

// How many trials a sweep runs: run_cap when set (capped by the number of distinct
// configurations for a discrete space), the whole grid for grid search, else 0 (unbounded).
long sweep_trial_count(const SweepSpec& spec);

// Every assignment of a grid or random sweep, trial id = index. Deterministic from `seed`.
// With `feasible`, fewer than `count` when fewer feasible configurations were found (a grid or
// a discrete space holds fewer; otherwise after kFeasibleAttempts draws per trial).
std::vector<Assignment> planned_assignments(const SweepSpec& spec, long count, uint64_t seed,
                                            const Feasible& feasible = nullptr);
constexpr int kFeasibleAttempts = 1000;

// `count` new assignments for round `round` of a bayes sweep, given the earlier trials (in any
// order: they are sorted first) and every assignment already tried or proposed.
// Empty when no feasible configuration turns up.
std::vector<Assignment> propose_bayes(const SweepSpec& spec, std::vector<Observation> history,
                                      const std::vector<Assignment>& taken, int count,
                                      uint64_t seed, int round, const Feasible& feasible = nullptr);

// The seed of trial `trial` (initialisation and shuffling), derived from the sweep's seed.
uint64_t trial_seed(uint64_t sweep_seed, long trial);

// fnn train flags for an assignment, its seed and fixed settings ("--name", "value" pairs).
std::vector<std::string> assignment_args(const SweepSpec& spec, const Assignment& a, uint64_t seed,
                                         const std::vector<std::string>& fixed);

// "optimizer=adam learning_rate=0.001 ..." for progress lines and tables.
std::string assignment_text(const SweepSpec& spec, const Assignment& a);

}  // namespace fnn
