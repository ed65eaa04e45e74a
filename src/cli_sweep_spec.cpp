// Sweep files: the YAML tree (cli_yaml) interpreted into a SweepSpec, checked against fnn
// train's own flags and the W&B keys fnn supports, every error naming its line.
#include "cli_sweep_spec.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

#include "cli_train_options.hpp"
#include "cli_yaml.hpp"

namespace fnn {
namespace {

const char* const kParamNames[] = {
    "dataset",     "epochs",     "batch_size",  "loss",       "optimizer",    "learning_rate",
    "momentum",    "beta",       "beta1",       "beta2",      "epsilon",      "weight_decay",
    "weight_init", "num_layers", "hidden_size", "activation", "val_fraction", "limit_train"};

std::string joined_param_names() {
    std::string out;
    for (const char* n : kParamNames) out += std::string(out.empty() ? "" : ", ") + n;
    return out;
}

bool parse_number(const std::string& text, double& out) {
    char* end = nullptr;
    out = strtod(text.c_str(), &end);
    return !text.empty() && *end == '\0' && isfinite(out);
}

bool is_integer(double x) { return x == floor(x) && fabs(x) < 1e15; }

class SpecBuilder {
public:
    SpecBuilder(const std::string& file) : file_(file) {}

    bool build(const YamlNode& root, SweepSpec& out, std::string& error) {
        if (!build_spec(root, out)) {
            error = error_;
            return false;
        }
        return true;
    }

private:
    bool fail(int line, const std::string& what) {
        error_ = file_ + ":" + std::to_string(line) + ": " + what;
        return false;
    }
    bool expect(const YamlNode& n, YamlNode::Kind kind, const std::string& what) {
        if (n.kind == kind) return true;
        const char* want = kind == YamlNode::Kind::Map    ? "a mapping"
                           : kind == YamlNode::Kind::List ? "a list"
                                                          : "a single value";
        return fail(n.line, what + " must be " + want);
    }
    bool integer(const YamlNode& n, const std::string& what, long lo, long hi, int& out) {
        double v = 0;
        if (!expect(n, YamlNode::Kind::Scalar, what)) return false;
        if (!parse_number(n.scalar, v) || !is_integer(v) || v < lo || v > hi) {
            return fail(n.line, what + ": expected an integer in " + std::to_string(lo) + ".." +
                                    std::to_string(hi) + ", got '" + n.scalar + "'");
        }
        out = static_cast<int>(v);
        return true;
    }

    // Checks one value with fnn train's own flag parser.
    bool check_value(const SweepParam& p, const std::string& value, int line) {
        TrainOptions o;
        std::string error;
        if (!train_options_from_args({"--" + p.name, value}, o, error)) {
            return fail(line, "parameters." + p.name + ": " + error.substr(error.find(' ') + 1));
        }
        return true;
    }

    bool build_spec(const YamlNode& root, SweepSpec& spec) {
        if (!expect(root, YamlNode::Kind::Map, "the sweep file")) return false;
        bool have_method = false, have_parameters = false;
        for (const auto& [key, node] : root.map) {
            if (key == "method") {
                if (!expect(node, YamlNode::Kind::Scalar, "method")) return false;
                if (!parse_sweep_method(node.scalar, spec.method))
                    return fail(node.line,
                                "method: '" + node.scalar + "' is not one of grid, random, bayes");
                have_method = true;
            } else if (key == "metric") {
                if (!metric(node, spec)) return false;
            } else if (key == "run_cap") {
                if (!integer(node, "run_cap", 1, kMaxSweepTrials, spec.run_cap)) return false;
            } else if (key == "early_terminate") {
                if (!early_terminate(node, spec)) return false;
            } else if (key == "parameters") {
                if (!parameters(node, spec)) return false;
                have_parameters = true;
            } else if (key == "name" || key == "description" || key == "program" ||
                       key == "project" || key == "entity" || key == "command") {
                continue;  // W&B metadata: no effect on the search
            } else {
                return fail(
                    node.line,
                    "unknown key '" + key +
                        "'; fnn reads method, metric, parameters, early_terminate and run_cap");
            }
        }
        if (!have_method) return fail(root.line, "missing 'method: grid | random | bayes'");
        if (!have_parameters || spec.params.empty()) return fail(root.line, "missing 'parameters'");
        if (spec.method == SweepMethod::Grid) {
            for (const SweepParam& p : spec.params) {
                if (!p.discrete())
                    return fail(p.line, "grid search needs 'values' (or 'value'), " + p.name +
                                            " has a range");
            }
            std::string why;
            if (!grid_size_ok(spec, why)) return fail(root.line, why);
        }
        return true;
    }

    bool metric(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "metric")) return false;
        bool goal_set = false;
        for (const auto& [key, value] : node.map) {
            if (!expect(value, YamlNode::Kind::Scalar, "metric." + key)) return false;
            if (key == "name") {
                const std::string& n = value.scalar;
                if (n != "val_acc" && n != "val_loss" && n != "train_acc" && n != "train_loss") {
                    return fail(value.line,
                                "metric.name: '" + n +
                                    "' is not one of val_acc, val_loss, train_acc, train_loss");
                }
                spec.metric = n;
            } else if (key == "goal") {
                if (value.scalar != "maximize" && value.scalar != "minimize") {
                    return fail(value.line,
                                "metric.goal: '" + value.scalar + "' is not maximize or minimize");
                }
                spec.maximize = value.scalar == "maximize";
                goal_set = true;
            } else {
                return fail(value.line, "metric: unknown key '" + key + "' (name, goal)");
            }
        }
        if (!goal_set) spec.maximize = spec.metric.find("_acc") != std::string::npos;
        return true;
    }

    bool early_terminate(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "early_terminate")) return false;
        bool typed = false, min_set = false;
        for (const auto& [key, value] : node.map) {
            if (key == "type") {
                if (!expect(value, YamlNode::Kind::Scalar, "early_terminate.type")) return false;
                if (value.scalar != "hyperband")
                    return fail(value.line, "early_terminate.type: only hyperband is supported");
                typed = true;
            } else if (key == "min_iter") {
                if (!integer(value, "early_terminate.min_iter", 1, 100000, spec.min_iter))
                    return false;
                min_set = true;
            } else if (key == "eta") {
                if (!integer(value, "early_terminate.eta", 2, 100, spec.eta)) return false;
            } else {
                return fail(value.line,
                            "early_terminate: unknown key '" + key + "' (type, min_iter, eta)");
            }
        }
        if (!typed || !min_set)
            return fail(node.line, "early_terminate needs type: hyperband and min_iter");
        spec.hyperband = true;
        return true;
    }

    bool parameters(const YamlNode& node, SweepSpec& spec) {
        if (!expect(node, YamlNode::Kind::Map, "parameters")) return false;
        for (const auto& [name, body] : node.map) {
            if (std::find(std::begin(kParamNames), std::end(kParamNames), name) ==
                std::end(kParamNames)) {
                return fail(body.line,
                            "parameters: '" + name +
                                "' is not an fnn train setting; valid: " + joined_param_names());
            }
            if (!expect(body, YamlNode::Kind::Map, "parameters." + name)) return false;
            SweepParam p;
            p.name = name;
            p.line = body.line;
            if (!parameter(body, p)) return false;
            spec.params.push_back(p);
        }
        return true;
    }

    bool parameter(const YamlNode& body, SweepParam& p) {
        const YamlNode *value = nullptr, *values = nullptr, *min = nullptr, *max = nullptr,
                       *dist = nullptr, *q = nullptr;
        for (const auto& [key, node] : body.map) {
            if (key == "value") value = &node;
            else if (key == "values") values = &node;
            else if (key == "min") min = &node;
            else if (key == "max") max = &node;
            else if (key == "distribution") dist = &node;
            else if (key == "q") q = &node;
            else
                return fail(node.line, "parameters." + p.name + ": unknown key '" + key +
                                           "' (value, values, min, max, distribution, q)");
        }
        const int kinds =
            (value != nullptr) + (values != nullptr) + (min != nullptr || max != nullptr);
        if (kinds != 1)
            return fail(body.line, "parameters." + p.name +
                                       ": give exactly one of value, values, or min and max");
        std::string d = dist != nullptr ? dist->scalar : "";
        if (value != nullptr) {
            if (!expect(*value, YamlNode::Kind::Scalar, "parameters." + p.name + ".value"))
                return false;
            p.distribution = Distribution::Constant;
            p.values = {value->scalar};
            if (!d.empty() && d != "constant")
                return fail(dist->line,
                            "parameters." + p.name + ": 'value' goes with distribution constant");
            return check_value(p, value->scalar, value->line);
        }
        if (values != nullptr) {
            if (!expect(*values, YamlNode::Kind::List, "parameters." + p.name + ".values"))
                return false;
            if (values->list.empty())
                return fail(values->line, "parameters." + p.name + ": 'values' is empty");
            if (!d.empty() && d != "categorical")
                return fail(dist->line, "parameters." + p.name +
                                            ": 'values' goes with distribution categorical");
            p.distribution = Distribution::Categorical;
            for (const YamlNode& v : values->list) {
                if (std::find(p.values.begin(), p.values.end(), v.scalar) != p.values.end()) {
                    return fail(v.line,
                                "parameters." + p.name + ": '" + v.scalar + "' is listed twice");
                }
                if (!check_value(p, v.scalar, v.line)) return false;
                p.values.push_back(v.scalar);
            }
            return true;
        }
        if (min == nullptr || max == nullptr)
            return fail(body.line, "parameters." + p.name + ": a range needs both min and max");
        if (!expect(*min, YamlNode::Kind::Scalar, "min") ||
            !expect(*max, YamlNode::Kind::Scalar, "max"))
            return false;
        if (!parse_number(min->scalar, p.min) || !parse_number(max->scalar, p.max) ||
            !(p.min < p.max)) {
            return fail(min->line,
                        "parameters." + p.name + ": min and max must be numbers with min < max");
        }
        if (d.empty()) d = is_integer(p.min) && is_integer(p.max) ? "int_uniform" : "uniform";
        if (d == "uniform") p.distribution = Distribution::Uniform;
        else if (d == "int_uniform") p.distribution = Distribution::IntUniform;
        else if (d == "log_uniform_values") p.distribution = Distribution::LogUniformValues;
        else if (d == "q_uniform") p.distribution = Distribution::QUniform;
        else {
            return fail(dist->line, "parameters." + p.name + ": distribution '" + d +
                                        "' is not one of constant, categorical, uniform, "
                                        "int_uniform, log_uniform_values, q_uniform");
        }
        if (p.distribution == Distribution::IntUniform &&
            (!is_integer(p.min) || !is_integer(p.max))) {
            return fail(min->line,
                        "parameters." + p.name + ": int_uniform needs integer min and max");
        }
        if (p.distribution == Distribution::LogUniformValues && !(p.min > 0)) {
            return fail(min->line, "parameters." + p.name + ": log_uniform_values needs min > 0");
        }
        if (q != nullptr) {
            if (p.distribution != Distribution::QUniform)
                return fail(q->line, "parameters." + p.name + ": q goes with q_uniform");
            if (!parse_number(q->scalar, p.q) || !(p.q > 0))
                return fail(q->line, "parameters." + p.name + ": q must be > 0");
        }
        char text[32];
        snprintf(text, sizeof text, "%.9g", p.min);
        if (!check_value(p,
                         p.distribution == Distribution::IntUniform
                             ? std::to_string(static_cast<long>(p.min))
                             : text,
                         min->line))
            return false;
        snprintf(text, sizeof text, "%.9g", p.max);
        return check_value(p,
                           p.distribution == Distribution::IntUniform
                               ? std::to_string(static_cast<long>(p.max))
                               : text,
                           max->line);
    }

    std::string file_;
    std::string error_;
};

}  // namespace

const SweepParam* SweepSpec::find(const std::string& name) const {
    for (const SweepParam& p : params) {
        if (p.name == name) return &p;
    }
    return nullptr;
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
        case Distribution::LogUniformValues: return "log_uniform_values";
        case Distribution::QUniform: return "q_uniform";
    }
    return "?";
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
