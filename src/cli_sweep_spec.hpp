// Sweep configuration: the subset of W&B's sweep YAML fnn reads, parsed here (no YAML library).
//
//   method: grid | random | bayes
//   metric: {name: val_acc | val_loss | train_acc | train_loss, goal: maximize | minimize}
//   run_cap: N
//   early_terminate: {type: hyperband, min_iter: N, eta: N}
//   parameters:
//     <fnn train flag>:  value: V | values: [V, ...] | min: A, max: B [, distribution: D] [, q: Q]
//       D: constant, categorical, uniform, int_uniform, log_uniform_values, q_uniform
//   name, description, program, project, entity, command: accepted and ignored (W&B metadata)
//
// YAML covered: block mappings by indentation (spaces), `- item` block sequences, `[a, b]` flow
// sequences, plain and quoted scalars, `#` comments. Anything else is an error naming its line.
#pragma once

#include <string>
#include <vector>

namespace fnn {

enum class SweepMethod { Grid, Random, Bayes };
enum class Distribution { Constant, Categorical, Uniform, IntUniform, LogUniformValues, QUniform };

struct SweepParam {
    std::string name;  // an fnn train flag without dashes, e.g. "learning_rate"
    Distribution distribution = Distribution::Constant;
    std::vector<std::string> values;  // Constant (one value) and Categorical
    double min = 0.0, max = 0.0, q = 1.0;
    int line = 0;  // where the parameter is defined

    bool discrete() const {
        return distribution == Distribution::Constant || distribution == Distribution::Categorical;
    }
};

struct SweepSpec {
    SweepMethod method = SweepMethod::Random;
    std::string metric = "val_acc";
    bool maximize = true;
    int run_cap = 0;  // 0: not set
    bool hyperband = false;
    int min_iter = 1;                // first hyperband bracket, in epochs
    int eta = 3;                     // brackets at min_iter * eta^k; keep the best 1/eta
    std::vector<SweepParam> params;  // in file order

    const SweepParam* find(const std::string& name) const;
};

const char* sweep_method_name(SweepMethod m);
bool parse_sweep_method(const std::string& name, SweepMethod& out);  // "grid", "random", "bayes"
const char* distribution_name(Distribution d);

// Parses and validates `text` (from `file`, for messages). Values are checked against fnn train's
// own flag rules. On failure `error` reads "FILE:LINE: what is wrong".
bool parse_sweep_spec(const std::string& text, const std::string& file, SweepSpec& out,
                      std::string& error);

// Number of distinct configurations when every parameter is discrete, else 0.
double discrete_space_size(const SweepSpec& spec);

// Most trials one sweep runs: run_cap's limit, and the largest grid (a grid runs every
// configuration, and its shuffled order is held in memory).
constexpr long kMaxSweepTrials = 1000000;
// Largest sweep seed (--seed); trial seeds are derived from it.
constexpr long kMaxSweepSeed = 1L << 40;
// False, saying why, for a grid search over more than kMaxSweepTrials configurations.
bool grid_size_ok(const SweepSpec& spec, std::string& why);

}  // namespace fnn
