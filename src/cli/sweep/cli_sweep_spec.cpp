// Sweep files: the YAML tree (cli_yaml) interpreted into a SweepSpec, checked against fnn
// train's own flags and the W&B keys fnn supports. Problems are collected, not fatal, so one run
// reports every one of them with its line.
#include "cli/sweep/cli_sweep_spec.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

#include "cli/cli_flags.hpp"
#include "cli/cli_train_options.hpp"
#include "cli/cli_yaml.hpp"

namespace fnn {
namespace {

const struct {
    const char* metric;
    std::vector<std::string> spellings;
} kMetricNames[] = {
    {"val_acc",
     {"val_acc", "val_accuracy", "validation_accuracy", "val/accuracy", "valid_accuracy",
      "val/acc", "validation_acc"}},
    {"val_loss", {"val_loss", "validation_loss", "val/loss", "valid_loss"}},
    {"val_f1", {"val_f1", "validation_f1", "val/f1", "val_f1_macro", "f1", "macro_f1"}},
    {"train_acc", {"train_acc", "train_accuracy", "train/accuracy", "accuracy", "acc"}},
    {"train_loss", {"train_loss", "train/loss", "loss"}},
};

bool parse_number(const std::string& text, double& out) {
    char* end = nullptr;
    out = strtod(text.c_str(), &end);
    return !text.empty() && *end == '\0' && isfinite(out);
}

bool is_integer(double x) { return x == floor(x) && fabs(x) < 1e15; }

std::string number_text(double v, bool integer) {
    char text[40];
    if (integer) snprintf(text, sizeof text, "%.0f", round(v));
    else snprintf(text, sizeof text, "%.9g", v);
    return text;
}

// Whether fnn train reads this setting as a whole number (epochs, batch_size, ...).
bool takes_integers(const std::string& name) {
    TrainOptions o;
    std::string error;
    return !train_options_from_args({"--" + name, "1.5"}, o, error) &&
           train_options_from_args({"--" + name, "2"}, o, error);
}

class SpecBuilder {
public:
    explicit SpecBuilder(const std::string& file) : file_(file) {}

    bool build(const YamlNode& root, SweepSpec& out, std::string& error) {
        build_spec(root, out);
        if (problems_.empty()) return true;
        error.clear();
        for (const std::string& p : problems_) error += (error.empty() ? "" : "\n") + p;
        return false;
    }

private:
    // Records a problem and returns false, so checks read "if (...) return problem(...)".
    bool problem(int line, const std::string& what) {
        problems_.push_back(file_ + ":" + std::to_string(line) + ": " + what);
        return false;
    }
    bool expect(const YamlNode& n, YamlNode::Kind kind, const std::string& what) {
        if (n.kind == kind) return true;
        const char* want = kind == YamlNode::Kind::Map    ? "a mapping"
                           : kind == YamlNode::Kind::List ? "a list"
                                                          : "a single value";
        return problem(n.line, what + " must be " + want);
    }
    bool number(const YamlNode& n, const std::string& what, double& out) {
        if (!expect(n, YamlNode::Kind::Scalar, what)) return false;
        if (!parse_number(n.scalar, out))
            return problem(n.line, what + ": expected a number, got '" + n.scalar + "'");
        return true;
    }
    bool integer(const YamlNode& n, const std::string& what, long lo, long hi, int& out) {
        double v = 0;
        if (!expect(n, YamlNode::Kind::Scalar, what)) return false;
        if (!parse_number(n.scalar, v) || !is_integer(v) || v < lo || v > hi) {
            return problem(n.line, what + ": expected an integer in " + std::to_string(lo) + ".." +
                                       std::to_string(hi) + ", got '" + n.scalar + "'");
        }
        out = static_cast<int>(v);
        return true;
    }
    // One value as fnn train takes it: a scalar, or a list joined by commas (one width per
    // layer for hidden_size).
    bool value_text(const YamlNode& n, const std::string& what, std::string& out) {
        if (n.kind == YamlNode::Kind::Scalar) {
            out = n.scalar;
            return true;
        }
        if (n.kind == YamlNode::Kind::List && !n.list.empty()) {
            out.clear();
            for (const YamlNode& item : n.list) {
                if (item.kind != YamlNode::Kind::Scalar)
                    return problem(item.line, what + ": expected a value or a list of values");
                out += (out.empty() ? "" : ",") + item.scalar;
            }
            return true;
        }
        return problem(n.line, what + ": expected a value or a list of values");
    }

    // Checks one value with fnn train's own flag parser.
    bool check_value(const std::string& name, const std::string& value, int line) {
        if (value.empty()) return problem(line, "parameters." + name + ": an empty value");
        TrainOptions o;
        std::string error;
        std::vector<std::string> args{"--" + name, value};
        if (name == "dropout") {
            // Rates need an architecture: one with a dropout layer per rate (the trial's own
            // --arch is checked when the trial runs).
            std::string arch;
            for (char c : value + ",") arch += c == ',' ? "dropout0," : "";
            args.insert(args.end(), {"--arch", arch + "dense2"});
        }
        if (!train_options_from_args(args, o, error))
            return problem(line, "parameters." + name + ": " + error.substr(error.find(' ') + 1));
        return true;
    }

    void build_spec(const YamlNode& root, SweepSpec& spec) {
        if (!expect(root, YamlNode::Kind::Map, "the sweep file")) return;
        bool have_method = false, have_parameters = false;
        std::string program;
        const YamlNode* command_node = nullptr;
        for (const auto& [key, node] : root.map) {
            if (key == "program" && node.kind == YamlNode::Kind::Scalar) program = node.scalar;
        }
        for (const auto& [key, node] : root.map) {
            if (key == "method") {
                if (!expect(node, YamlNode::Kind::Scalar, "method")) continue;
                if (!parse_sweep_method(node.scalar, spec.method))
                    problem(node.line, "method: '" + node.scalar + "' is not one of grid, random, bayes");
                else have_method = true;
            } else if (key == "metric") {
                metric(node, spec);
            } else if (key == "run_cap") {
                integer(node, "run_cap", 1, kMaxSweepTrials, spec.run_cap);
            } else if (key == "early_terminate") {
                early_terminate(node, spec);
            } else if (key == "parameters") {
                parameters(node, spec);
                have_parameters = true;
            } else if (key == "command") {
                command_node = &node;
            } else if (key == "device") {
                std::vector<std::pair<int, std::string>> found;
                parse_device(node, spec.device, found);
                for (const auto& [line, what] : found) problem(line, what);
            } else if (key == "name" || key == "description" || key == "program" ||
                       key == "project" || key == "entity") {
                continue;  // W&B metadata: no effect on the search
            } else {
                problem(node.line,
                        "unknown key '" + key +
                            "'; fnn reads method, metric, parameters, early_terminate, run_cap, "
                            "command and device (fnn's own)");
            }
        }
        if (!have_method && problems_.empty())
            problem(root.line, "missing 'method: grid | random | bayes'");
        if (!have_parameters || (spec.params.empty() && problems_.empty()))
            problem(root.line, "missing 'parameters'");
        if (command_node != nullptr) command(*command_node, program, spec);
        if (spec.method == SweepMethod::Grid) {
            for (const SweepParam& p : spec.params) {
                if (!p.discrete())
                    problem(p.line, "grid search needs 'values' (or 'value'), " + p.name +
                                        " has a distribution");
            }
            std::string why;
            if (!grid_size_ok(spec, why)) problem(root.line, why);
        }
    }

    void metric(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "metric")) return;
        bool goal_set = false;
        for (const auto& [key, value] : node.map) {
            if (!expect(value, YamlNode::Kind::Scalar, "metric." + key)) continue;
            if (key == "name") {
                spec.metric_written = value.scalar;
                spec.metric = metric_name(value.scalar);
                if (spec.metric.empty()) {
                    std::vector<std::string> all;
                    for (const auto& m : kMetricNames)
                        all.insert(all.end(), m.spellings.begin(), m.spellings.end());
                    const std::string guess = nearest(value.scalar, all);
                    const bool test = value.scalar.find("test") != std::string::npos;
                    problem(value.line,
                            "metric.name: '" + value.scalar + "' is not a metric fnn records" +
                                (test ? " (a sweep never tunes on the test set)" : "") +
                                (guess.empty() ? "" : "; did you mean " + guess + "?") +
                                " (val_acc, val_loss, val_f1, train_acc, train_loss or their "
                                "usual spellings)");
                }
            } else if (key == "goal") {
                if (value.scalar != "maximize" && value.scalar != "minimize") {
                    problem(value.line,
                            "metric.goal: '" + value.scalar + "' is not maximize or minimize");
                    continue;
                }
                spec.maximize = value.scalar == "maximize";
                goal_set = true;
            } else if (key == "target") {
                number(value, "metric.target", spec.target);
            } else if (key == "impute") {
                if (value.scalar != "worst")
                    problem(value.line, "metric.impute: fnn scores failed trials as the worst "
                                        "(impute: worst); '" + value.scalar + "' is not supported");
            } else {
                problem(value.line, "metric: unknown key '" + key + "' (name, goal, target, impute)");
            }
        }
        if (spec.metric.empty()) spec.metric = "val_acc";
        if (spec.metric_written.empty()) spec.metric_written = spec.metric;
        if (!goal_set) {
            spec.maximize = !metric_is_loss(spec.metric);
            if (spec.maximize) {
                spec.notes.push_back("metric " + spec.metric_written +
                                     " has no goal: fnn maximizes it (W&B would minimize; add "
                                     "goal: maximize to say so)");
            }
        }
    }

    void early_terminate(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "early_terminate")) return;
        bool typed = false, min_set = false, max_set = false, s_set = false;
        int max_iter = 0, s = 0;
        for (const auto& [key, value] : node.map) {
            if (key == "type") {
                if (!expect(value, YamlNode::Kind::Scalar, "early_terminate.type")) continue;
                if (value.scalar != "hyperband") {
                    problem(value.line, "early_terminate.type: only hyperband is supported");
                    continue;
                }
                typed = true;
            } else if (key == "min_iter") {
                min_set = integer(value, "early_terminate.min_iter", 1, 100000, spec.min_iter);
            } else if (key == "max_iter") {
                max_set = integer(value, "early_terminate.max_iter", 1, 100000, max_iter);
            } else if (key == "s") {
                s_set = integer(value, "early_terminate.s", 1, 100, s);
            } else if (key == "eta") {
                integer(value, "early_terminate.eta", 2, 100, spec.eta);
            } else if (key == "strict") {
                spec.notes.push_back("early_terminate.strict has no effect (W&B's hyperband does "
                                     "not read it either)");
            } else {
                problem(value.line, "early_terminate: unknown key '" + key +
                                        "' (type, min_iter, max_iter, s, eta, strict)");
            }
        }
        if (!typed) {
            problem(node.line, "early_terminate needs type: hyperband");
            return;
        }
        spec.brackets.clear();
        if (max_set) {
            // W&B: floor(max_iter / eta^k) for k = 1 .. s, keeping those >= 1.
            if (!s_set) {
                problem(node.line, "early_terminate: max_iter goes with s (how many brackets)");
                return;
            }
            double band = max_iter;
            for (int k = 0; k < s; ++k) {
                band /= spec.eta;
                if (band < 1) break;
                spec.brackets.push_back(static_cast<int>(band));
            }
            std::sort(spec.brackets.begin(), spec.brackets.end());
            spec.brackets.erase(std::unique(spec.brackets.begin(), spec.brackets.end()),
                                spec.brackets.end());
            if (spec.brackets.empty()) {
                problem(node.line, "early_terminate: max_iter / eta is below 1: no bracket");
                return;
            }
            if (min_set) spec.notes.push_back("early_terminate: max_iter and s set the brackets; "
                                              "min_iter is not used (as in W&B)");
            spec.min_iter = spec.brackets.front();
        } else if (min_set) {
            for (long b = spec.min_iter; b <= 100000; b *= spec.eta) spec.brackets.push_back(static_cast<int>(b));
        } else {
            problem(node.line, "early_terminate needs min_iter, or max_iter and s");
            return;
        }
        spec.hyperband = true;
    }

    void parameters(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "parameters")) return;
        for (const auto& [written, body] : node.map) {
            const std::string name = setting_name(written);
            if (name.empty()) {
                const std::string guess = nearest(written, setting_names());
                problem(body.line, "parameters: '" + written + "' is not an fnn train setting" +
                                       (guess.empty() ? "" : "; did you mean " + guess + "?") +
                                       " (fnn train --help lists them)");
                continue;
            }
            if (spec.find(name) != nullptr) {
                problem(body.line, "parameters: '" + written + "' is " + name +
                                       ", which is already a parameter");
                continue;
            }
            if (!expect(body, YamlNode::Kind::Map, "parameters." + written)) continue;
            SweepParam p;
            p.name = name;
            p.line = body.line;
            if (parameter(body, p)) spec.params.push_back(p);
        }
    }

    bool parameter(const YamlNode& body, SweepParam& p) {
        const std::string where = "parameters." + p.name;
        const YamlNode *value = nullptr, *values = nullptr, *probabilities = nullptr,
                       *min = nullptr, *max = nullptr, *dist = nullptr, *q = nullptr,
                       *mu = nullptr, *sigma = nullptr;
        bool ok = true;
        for (const auto& [key, node] : body.map) {
            const YamlNode** slot = key == "value"           ? &value
                                    : key == "values"        ? &values
                                    : key == "probabilities" ? &probabilities
                                    : key == "min"           ? &min
                                    : key == "max"           ? &max
                                    : key == "distribution"  ? &dist
                                    : key == "q"             ? &q
                                    : key == "mu"            ? &mu
                                    : key == "sigma"         ? &sigma
                                                             : nullptr;
            if (slot == nullptr) {
                ok = problem(node.line, where + ": unknown key '" + key +
                                            "' (value, values, probabilities, min, max, "
                                            "distribution, q, mu, sigma)");
            } else {
                *slot = &node;
            }
        }
        if (!ok) return false;
        std::string d;
        if (dist != nullptr) {
            if (!expect(*dist, YamlNode::Kind::Scalar, where + ".distribution")) return false;
            d = dist->scalar;
        }
        p.integer = takes_integers(p.name);
        if (value != nullptr) {
            if (values || min || max || mu || sigma || q || probabilities)
                return problem(body.line, where + ": 'value' stands alone");
            if (!d.empty() && d != "constant")
                return problem(dist->line, where + ": 'value' goes with distribution constant");
            std::string v;
            if (!value_text(*value, where + ".value", v)) return false;
            p.distribution = Distribution::Constant;
            p.values = {canonical_value(p.name, v)};
            return check_value(p.name, v, value->line);
        }
        if (values != nullptr) {
            if (min || max || mu || sigma || q)
                return problem(body.line, where + ": 'values' goes with nothing but probabilities");
            if (!expect(*values, YamlNode::Kind::List, where + ".values")) return false;
            if (values->list.empty()) return problem(values->line, where + ": 'values' is empty");
            if (!d.empty() && d != "categorical" && d != "categorical_w_probabilities")
                return problem(dist->line, where + ": 'values' goes with distribution categorical");
            p.distribution = Distribution::Categorical;
            for (const YamlNode& item : values->list) {
                std::string v;
                if (!value_text(item, where + ".values", v)) {
                    ok = false;
                    continue;
                }
                v = canonical_value(p.name, v);  // "ReLU" is relu: listed twice with "relu"
                if (std::find(p.values.begin(), p.values.end(), v) != p.values.end()) {
                    ok = problem(item.line, where + ": '" + v + "' is listed twice");
                    continue;
                }
                ok = check_value(p.name, v, item.line) && ok;
                p.values.push_back(v);
            }
            if (probabilities != nullptr) ok = weights(*probabilities, where, p) && ok;
            return ok;
        }
        if (probabilities != nullptr)
            return problem(probabilities->line, where + ": probabilities go with values");
        if (mu != nullptr || sigma != nullptr || d == "normal" || d == "q_normal" ||
            d == "log_normal" || d == "q_log_normal") {
            if (min != nullptr || max != nullptr)
                return problem(body.line, where + ": min and max do not go with distribution " + d +
                                              " (it takes mu and sigma)");
            return gaussian(body, d, mu, sigma, q, p);
        }
        if (min == nullptr || max == nullptr)
            return problem(body.line, where + ": give value, values, min and max, or "
                                              "distribution: normal with mu and sigma");
        return range(body, d, *min, *max, q, p);
    }

    bool weights(const YamlNode& node, const std::string& where, SweepParam& p) {
        if (!expect(node, YamlNode::Kind::List, where + ".probabilities")) return false;
        if (node.list.size() != p.values.size())
            return problem(node.line, where + ": " + std::to_string(node.list.size()) +
                                          " probabilities for " + std::to_string(p.values.size()) +
                                          " values");
        double total = 0;
        for (const YamlNode& item : node.list) {
            double w = 0;
            if (!number(item, where + ".probabilities", w)) return false;
            if (w < 0) return problem(item.line, where + ": probabilities must be >= 0");
            p.probabilities.push_back(w);
            total += w;
        }
        if (!(total > 0)) return problem(node.line, where + ": probabilities sum to 0");
        for (double& w : p.probabilities) w /= total;
        return true;
    }

    bool quantum(const YamlNode* q, const std::string& where, SweepParam& p) {
        p.q = 1.0;
        if (q != nullptr) {
            if (!number(*q, where + ".q", p.q)) return false;
            if (!(p.q > 0)) return problem(q->line, where + ": q must be > 0");
        }
        // W&B gives whole numbers when q is an integer.
        p.integer = p.integer || (is_integer(p.q) && (q == nullptr || q->scalar.find('.') == std::string::npos));
        return true;
    }

    bool range(const YamlNode& body, std::string d, const YamlNode& min, const YamlNode& max,
               const YamlNode* q, SweepParam& p) {
        const std::string where = "parameters." + p.name;
        if (!number(min, where + ".min", p.min) || !number(max, where + ".max", p.max))
            return false;
        if (!(p.min < p.max)) return problem(min.line, where + ": min must be below max");
        if (d.empty()) d = is_integer(p.min) && is_integer(p.max) ? "int_uniform" : "uniform";
        const struct {
            const char* name;
            Distribution d;
        } kinds[] = {{"uniform", Distribution::Uniform},
                     {"int_uniform", Distribution::IntUniform},
                     {"q_uniform", Distribution::QUniform},
                     {"log_uniform_values", Distribution::LogUniformValues},
                     {"q_log_uniform_values", Distribution::QLogUniformValues},
                     {"inv_log_uniform_values", Distribution::InvLogUniformValues},
                     {"log_uniform", Distribution::LogUniform},
                     {"q_log_uniform", Distribution::QLogUniform}};
        bool known = false;
        for (const auto& k : kinds) {
            if (d == k.name) p.distribution = k.d, known = true;
        }
        if (!known) {
            return problem(body.line,
                           where + ": distribution '" + d +
                               "' is not one fnn draws from (constant, categorical, "
                               "categorical_w_probabilities, uniform, int_uniform, q_uniform, "
                               "log_uniform, q_log_uniform, log_uniform_values, "
                               "q_log_uniform_values, inv_log_uniform_values, normal, q_normal, "
                               "log_normal, q_log_normal)");
        }
        const bool quantized = p.distribution == Distribution::QUniform ||
                               p.distribution == Distribution::QLogUniformValues ||
                               p.distribution == Distribution::QLogUniform;
        if (q != nullptr && !quantized)
            return problem(q->line, where + ": q goes with the q_ distributions");
        if (quantized && !quantum(q, where, p)) return false;
        if (p.distribution == Distribution::IntUniform) {
            if (!is_integer(p.min) || !is_integer(p.max))
                return problem(min.line, where + ": int_uniform needs integer min and max");
            p.integer = true;
        }
        if (p.distribution == Distribution::LogUniform || p.distribution == Distribution::QLogUniform) {
            // W&B's log_uniform bounds are natural logs of the values.
            p.min = exp(p.min);
            p.max = exp(p.max);
        } else if (p.log_scale() && !(p.min > 0)) {
            return problem(min.line, where + ": " + distribution_name(p.distribution) +
                                         " needs min > 0");
        }
        return check_value(p.name, number_text(p.min, p.integer), min.line) &&
               check_value(p.name, number_text(p.max, p.integer), max.line);
    }

    bool gaussian(const YamlNode& body, const std::string& d, const YamlNode* mu,
                  const YamlNode* sigma, const YamlNode* q, SweepParam& p) {
        const std::string where = "parameters." + p.name;
        if (d.empty()) return problem(body.line, where + ": mu and sigma need distribution: normal "
                                                         "(or q_normal, log_normal, q_log_normal)");
        p.distribution = d == "normal"       ? Distribution::Normal
                         : d == "q_normal"   ? Distribution::QNormal
                         : d == "log_normal" ? Distribution::LogNormal
                         : d == "q_log_normal" ? Distribution::QLogNormal
                                               : Distribution::Constant;
        if (p.distribution == Distribution::Constant)
            return problem(body.line, where + ": mu and sigma go with normal, q_normal, "
                                              "log_normal or q_log_normal, not " + d);
        if (mu != nullptr && !number(*mu, where + ".mu", p.mu)) return false;
        if (sigma != nullptr && !number(*sigma, where + ".sigma", p.sigma)) return false;
        if (!(p.sigma > 0)) return problem(body.line, where + ": sigma must be > 0");
        const bool quantized =
            p.distribution == Distribution::QNormal || p.distribution == Distribution::QLogNormal;
        if (q != nullptr && !quantized)
            return problem(q->line, where + ": q goes with q_normal and q_log_normal");
        if (quantized && !quantum(q, where, p)) return false;
        // Draws are kept within mu +- 4 sigma (in log space for log_normal): 99.994 % of them.
        p.min = p.mu - 4 * p.sigma;
        p.max = p.mu + 4 * p.sigma;
        if (p.log_scale()) p.min = exp(p.min), p.max = exp(p.max);
        const int line = body.line;
        if (!check_value(p.name, number_text(p.min, p.integer), line) ||
            !check_value(p.name, number_text(p.max, p.integer), line)) {
            problems_.back() += " (mu +- 4 sigma must be valid values)";
            return false;
        }
        return true;
    }

    // W&B's command: how it launches the program. fnn runs its own trainer, so what comes before
    // ${args} must only name the program; flags after ${args} apply to every trial.
    void command(const YamlNode& node, const std::string& program, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::List, "command")) return;
        const std::string program_base = program.substr(program.find_last_of('/') + 1);
        size_t i = 0;
        bool have_args = false;
        for (; i < node.list.size(); ++i) {
            const YamlNode& item = node.list[i];
            if (!expect(item, YamlNode::Kind::Scalar, "command")) return;
            const std::string& t = item.scalar;
            if (t.rfind("${args", 0) == 0) {
                if (t != "${args}" && t != "${args_no_hyphens}" && t != "${args_json}" &&
                    t != "${args_json_file}") {
                    problem(item.line, "command: unknown macro " + t);
                    return;
                }
                have_args = true;
                ++i;
                break;
            }
            const bool launcher = t == "${env}" || t == "${interpreter}" || t == "${program}" ||
                                  t == "env" || t == "/usr/bin/env" || t == "-u" ||
                                  t.rfind("python", 0) == 0 ||
                                  (!program.empty() && (t == program || t == program_base));
            if (!launcher) {
                problem(item.line, "command: '" + t +
                                       "' before ${args} would be lost: fnn runs its own "
                                       "trainer (only ${env}, ${interpreter}, ${program}, python "
                                       "and the program's name may come first)");
            }
        }
        if (!have_args) {
            problem(node.line, "command: no ${args}, so W&B would not pass the sweep's "
                               "parameters to the program; fnn always does, so this file's "
                               "meaning would change (add ${args})");
            return;
        }
        for (; i < node.list.size(); ++i) {
            const YamlNode& item = node.list[i];
            if (!expect(item, YamlNode::Kind::Scalar, "command")) return;
            std::string t = item.scalar, value;
            bool inline_value = false;
            const size_t eq = t.find('=');
            if (eq != std::string::npos) value = t.substr(eq + 1), t = t.substr(0, eq), inline_value = true;
            if (t.rfind("$", 0) == 0) {
                problem(item.line, "command: " + t + " after ${args} cannot be honoured");
                continue;
            }
            const std::string written = t.substr(t.find_first_not_of('-') == std::string::npos ? 0 : t.find_first_not_of('-'));
            if (written == "wandb_project" || written == "wandb_entity" || written == "wp" ||
                written == "we") {
                if (!inline_value) ++i;  // its value
                spec.notes.push_back("command: " + t + " ignored: fnn logs to the sweep directory");
                continue;
            }
            const std::string name = setting_name(written);
            if (name.empty()) {
                problem(item.line, "command: '" + t + "' is not an fnn train setting");
                continue;
            }
            if (!inline_value) {
                if (i + 1 >= node.list.size() || node.list[i + 1].kind != YamlNode::Kind::Scalar) {
                    problem(item.line, "command: " + t + " needs a value");
                    continue;
                }
                value = node.list[++i].scalar;
            }
            if (!check_value(name, value, item.line)) continue;
            std::string note, error;
            if (!narrow_parameter(spec, name, value, note, error)) {
                problem(item.line, error);
                continue;
            }
            if (!note.empty()) {
                spec.notes.push_back("command: " + note);
            } else {
                spec.fixed.push_back("--" + name);
                spec.fixed.push_back(value);
            }
        }
    }

    std::string file_;
    std::vector<std::string> problems_;
};

}  // namespace

bool SweepParam::log_scale() const {
    switch (distribution) {
        case Distribution::LogUniformValues:
        case Distribution::QLogUniformValues:
        case Distribution::InvLogUniformValues:
        case Distribution::LogUniform:
        case Distribution::QLogUniform:
        case Distribution::LogNormal:
        case Distribution::QLogNormal: return true;
        default: return false;
    }
}

const SweepParam* SweepSpec::find(const std::string& name) const {
    for (const SweepParam& p : params) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

bool SweepSpec::is_bracket(int epoch) const {
    return hyperband && std::binary_search(brackets.begin(), brackets.end(), epoch);
}

const char* sweep_method_name(SweepMethod m) {
    return m == SweepMethod::Grid ? "grid" : m == SweepMethod::Random ? "random" : "bayes";
}

const char* distribution_name(Distribution d) {
    switch (d) {
        case Distribution::Constant: return "constant";
        case Distribution::Categorical: return "categorical";
        case Distribution::Uniform: return "uniform";
        case Distribution::IntUniform: return "int_uniform";
        case Distribution::QUniform: return "q_uniform";
        case Distribution::LogUniformValues: return "log_uniform_values";
        case Distribution::QLogUniformValues: return "q_log_uniform_values";
        case Distribution::InvLogUniformValues: return "inv_log_uniform_values";
        case Distribution::LogUniform: return "log_uniform";
        case Distribution::QLogUniform: return "q_log_uniform";
        case Distribution::Normal: return "normal";
        case Distribution::QNormal: return "q_normal";
        case Distribution::LogNormal: return "log_normal";
        case Distribution::QLogNormal: return "q_log_normal";
    }
    return "?";
}

std::string metric_name(const std::string& written) {
    for (const auto& m : kMetricNames) {
        for (const std::string& s : m.spellings) {
            if (s == written) return m.metric;
        }
    }
    return "";
}

bool metric_is_loss(const std::string& metric) {
    return metric.find("loss") != std::string::npos;
}

bool parse_sweep_spec(const std::string& text, const std::string& file, SweepSpec& out,
                      std::string& error) {
    YamlNode root;
    if (!read_yaml(text, file, root, error)) return false;
    SweepSpec spec;
    if (!SpecBuilder(file).build(root, spec, error)) return false;
    out = spec;
    return true;
}

bool narrow_parameter(SweepSpec& spec, const std::string& written, const std::string& value,
                      std::string& note, std::string& error) {
    note.clear();
    const std::string name = setting_name(written);
    TrainOptions o;
    if (name.empty() || !train_options_from_args({"--" + name, value}, o, error)) {
        if (name.empty()) error = "'" + written + "' is not an fnn train setting";
        return false;
    }
    for (SweepParam& p : spec.params) {
        if (p.name != name) continue;
        std::string before;
        if (p.discrete()) {
            for (const std::string& v : p.values) before += (before.empty() ? "" : ", ") + v;
        } else {
            char text[96];
            snprintf(text, sizeof text, "%s %g..%g", distribution_name(p.distribution), p.min, p.max);
            before = text;
        }
        note = p.distribution == Distribution::Constant
                   ? name + "=" + value + " replaces the file's " + name + ": " + before
                   : name + "=" + value + " narrows the swept parameter " + name + " (" + before +
                         ") to " + value;
        const int line = p.line;
        p = SweepParam{};
        p.name = name;
        p.line = line;
        p.values = {canonical_value(name, value)};
        return true;
    }
    return true;
}

double discrete_space_size(const SweepSpec& spec) {
    double size = 1;
    for (const SweepParam& p : spec.params) {
        if (!p.discrete()) return 0;
        size *= static_cast<double>(p.values.size());
    }
    return size;
}

bool parse_sweep_method(const std::string& name, SweepMethod& out) {
    for (SweepMethod m : {SweepMethod::Grid, SweepMethod::Random, SweepMethod::Bayes}) {
        if (name == sweep_method_name(m)) {
            out = m;
            return true;
        }
    }
    return false;
}

bool grid_size_ok(const SweepSpec& spec, std::string& why) {
    const double size = discrete_space_size(spec);
    if (spec.method != SweepMethod::Grid || size <= static_cast<double>(kMaxSweepTrials))
        return true;
    char text[160];
    snprintf(text, sizeof text,
             "a grid search runs every configuration, and this space has %.3g (at most %ld); "
             "use method random or bayes with run_cap",
             size, kMaxSweepTrials);
    why = text;
    return false;
}

}  // namespace fnn
