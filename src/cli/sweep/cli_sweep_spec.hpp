// Sweep configuration: W&B's sweep YAML as course repositories write it, parsed here (no YAML
// library) and checked against fnn train's own flags. Every problem of a file is reported in one
// pass, each as "FILE:LINE: what is wrong".
//
//   method: grid | random | bayes
//   metric: {name: NAME, goal: maximize | minimize, target: X}
//     NAME is one of fnn's metrics or a usual spelling of one (metric_name() lists them):
//       val_acc    val_acc, val_accuracy, validation_accuracy, val/accuracy, valid_accuracy, val/acc
//       val_loss   val_loss, validation_loss, val/loss, valid_loss
//       val_f1     val_f1, validation_f1, val/f1, val_f1_macro, f1 (macro F1 on the validation set)
//       train_acc  train_acc, train_accuracy, train/accuracy, accuracy, acc (as Keras names it)
//       train_loss train_loss, train/loss, loss
//     Without goal fnn maximises accuracies and F1 and minimises losses (W&B would minimise
//     everything, and fnn says so). target: no new trials start once a finished trial reaches it.
//   run_cap: N
//   early_terminate: {type: hyperband, min_iter: N, eta: N}  brackets at min_iter * eta^k
//                    {type: hyperband, max_iter: N, s: N, eta: N}  brackets at
//                    floor(max_iter / eta^k) for k = 1 .. s (those >= 1), as W&B computes them
//   parameters:
//     NAME: fnn train setting, by its long or short flag name or a usual spelling
//           (setting_name() in cli_train_options.hpp lists them), or seed
//       value: V | values: [V, ...] | values + probabilities | min, max [, distribution] [, q]
//       | distribution: normal / q_normal / log_normal / q_log_normal with mu, sigma [, q]
//       A value may be a list (hidden_size: [128, 64] is one value: one width per layer).
//   command: W&B's launch command. Before ${args}: ${env}, ${interpreter}, ${program}, python,
//       the program's file name (fnn runs its own trainer); after it: fnn train flags, applied to
//       every trial. Anything else is an error, never dropped.
//   name, description, program, project, entity: accepted and ignored (W&B metadata)
//   device: fnn's extension, not W&B's: the chip every trial must fit (cli_device.hpp). Trials
//       over its budget are never trained, and the metric is the shipped variant's.
//
// YAML covered: block mappings by indentation (spaces), `- item` block sequences, flow
// collections nested to any depth and continued over several lines, plain and quoted scalars,
// `#` comments. Anything else is an error naming its line.
#pragma once

#include <math.h>

#include <string>
#include <vector>

#include "cli/sweep/cli_device.hpp"

namespace fnn {

enum class SweepMethod { Grid, Random, Bayes };
// How a parameter's values are drawn (W&B's names, distribution_name()). A *_values
// distribution has min and max as values; log_uniform and q_log_uniform take natural logs of
// them (stored here as values, exp(min) and exp(max)). normal and log_normal draws are kept
// within mu +- 4 sigma (of log values for log_normal), where fnn stores min and max.
enum class Distribution {
    Constant,
    Categorical,
    Uniform,
    IntUniform,
    QUniform,
    LogUniformValues,
    QLogUniformValues,
    InvLogUniformValues,
    LogUniform,
    QLogUniform,
    Normal,
    QNormal,
    LogNormal,
    QLogNormal
};

struct SweepParam {
    std::string name;  // an fnn train flag's long name without dashes, e.g. "learning_rate"
    Distribution distribution = Distribution::Constant;
    std::vector<std::string> values;  // Constant (one value) and Categorical
    std::vector<double> probabilities;  // Categorical: one weight per value (empty: uniform)
    double min = 0.0, max = 0.0, q = 0.0;  // q > 0 for the q_ distributions
    double mu = 0.0, sigma = 1.0;          // normal and log_normal
    bool integer = false;                  // values are whole numbers (int_uniform, integer q)
    int line = 0;                          // where the parameter is defined

    bool discrete() const {
        return distribution == Distribution::Constant || distribution == Distribution::Categorical;
    }
    bool log_scale() const;  // drawn uniformly in log space (or log-normal)
};

struct SweepSpec {
    SweepMethod method = SweepMethod::Random;
    std::string metric = "val_acc";  // fnn's name for the file's metric
    std::string metric_written;      // the name as the file gave it
    bool maximize = true;
    double target = NAN;  // metric.target, when given
    int run_cap = 0;      // 0: not set
    bool hyperband = false;
    int min_iter = 1;                // hyperband's first bracket, in epochs
    int eta = 3;                     // keep the best 1/eta at each bracket
    std::vector<int> brackets;       // the bracket epochs, ascending
    std::vector<SweepParam> params;  // in file order
    std::vector<std::string> fixed;  // fnn train flags from command: after ${args}
    std::vector<std::string> notes;  // one-line remarks for the user (defaults W&B differs on)
    DeviceBudget device;             // the device section (device.enabled() when present)

    const SweepParam* find(const std::string& name) const;
    bool is_bracket(int epoch) const;
};

const char* sweep_method_name(SweepMethod m);
bool parse_sweep_method(const std::string& name, SweepMethod& out);  // "grid", "random", "bayes"
const char* distribution_name(Distribution d);

// fnn's metric for a metric name or one of its usual spellings (table above), "" when unknown.
std::string metric_name(const std::string& written);
bool metric_is_loss(const std::string& metric);

// Parses and validates `text` (from `file`, for messages). Values are checked against fnn train's
// own flag rules. On failure `error` holds one line per problem, each "FILE:LINE: ...".
bool parse_sweep_spec(const std::string& text, const std::string& file, SweepSpec& out,
                      std::string& error);

// Fixes parameter `name` (any accepted spelling) to `value` for every trial: a swept parameter
// becomes that one value. `note` says what changed ("" when `name` is not a parameter). False,
// with `error`, for a value fnn train refuses.
bool narrow_parameter(SweepSpec& spec, const std::string& name, const std::string& value,
                      std::string& note, std::string& error);

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
