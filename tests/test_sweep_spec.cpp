// Sweep files: the course's space parses; every kind of mistake is reported with its line.
#include <doctest/doctest.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/sweep/cli_forest.hpp"
#include "cli/sweep/cli_sweep_search.hpp"
#include "cli/sweep/cli_sweep_spec.hpp"
#include "fnn/file_io.hpp"
#include "fnn/rng.hpp"

using namespace fnn;

namespace {

SweepSpec parse_ok(const std::string& text) {
    SweepSpec spec;
    std::string error;
    REQUIRE_MESSAGE(parse_sweep_spec(text, "s.yaml", spec, error), error);
    return spec;
}

std::string parse_error(const std::string& text) {
    SweepSpec spec;
    std::string error;
    CHECK_FALSE(parse_sweep_spec(text, "s.yaml", spec, error));
    return error;
}

}  // namespace

TEST_CASE("sweep spec: data/sweeps/course.yaml is the course's 11,664-configuration space") {
    std::vector<uint8_t> bytes;
    REQUIRE(read_file("data/sweeps/course.yaml", bytes, nullptr) == Status::Ok);
    const SweepSpec spec = parse_ok(std::string(bytes.begin(), bytes.end()));
    CHECK(spec.method == SweepMethod::Random);
    CHECK(spec.metric == "val_acc");
    CHECK(spec.maximize);
    CHECK(spec.run_cap == 100);
    CHECK(spec.params.size() == 9);
    CHECK(discrete_space_size(spec) == 11664);
    REQUIRE(spec.find("optimizer") != nullptr);
    CHECK(spec.find("optimizer")->values.size() == 6);
    CHECK(spec.find("weight_decay")->values == std::vector<std::string>{"0", "0.0005", "0.5"});
}

TEST_CASE("sweep spec: data/sweeps/course-corner.yaml is a 96-trial grid inside the course space") {
    std::vector<uint8_t> course_bytes, corner_bytes;
    REQUIRE(read_file("data/sweeps/course.yaml", course_bytes, nullptr) == Status::Ok);
    REQUIRE(read_file("data/sweeps/course-corner.yaml", corner_bytes, nullptr) == Status::Ok);
    const SweepSpec course = parse_ok(std::string(course_bytes.begin(), course_bytes.end()));
    const SweepSpec corner = parse_ok(std::string(corner_bytes.begin(), corner_bytes.end()));
    CHECK(corner.method == SweepMethod::Grid);
    CHECK(corner.metric == "val_acc");
    CHECK(discrete_space_size(corner) == 96);
    REQUIRE(corner.params.size() == course.params.size());
    for (const SweepParam& param : corner.params) {
        CAPTURE(param.name);
        const SweepParam* whole = course.find(param.name);
        REQUIRE(whole != nullptr);
        for (const std::string& value : param.values)
            CHECK(std::find(whole->values.begin(), whole->values.end(), value) !=
                  whole->values.end());
    }
}

TEST_CASE("sweep spec: the YAML subset: flow and block lists, quotes, comments, ranges, metadata") {
    const SweepSpec spec = parse_ok(
        "# a comment\n"
        "program: train.py   # W&B metadata is accepted and ignored\n"
        "method: bayes\n"
        "metric: {name: val_loss, goal: minimize}\n"
        "run_cap: 20\n"
        "early_terminate:\n"
        "  type: hyperband\n"
        "  min_iter: 2\n"
        "  eta: 2\n"
        "parameters:\n"
        "  optimizer:\n"
        "    values:\n"
        "      - adam\n"
        "      - \"nadam\"\n"
        "  learning_rate:\n"
        "    min: 0.0001\n"
        "    max: 0.01\n"
        "    distribution: log_uniform_values\n"
        "  hidden_size:\n"
        "    min: 16\n"
        "    max: 128\n"
        "  weight_decay:\n"
        "    min: 0\n"
        "    max: 0.001\n"
        "    distribution: q_uniform\n"
        "    q: 0.0001\n"
        "  epochs:\n"
        "    value: 3\n");
    CHECK(spec.method == SweepMethod::Bayes);
    CHECK(spec.metric == "val_loss");
    CHECK_FALSE(spec.maximize);
    CHECK(spec.hyperband);
    CHECK(spec.min_iter == 2);
    CHECK(spec.eta == 2);
    CHECK(spec.find("optimizer")->values == std::vector<std::string>{"adam", "nadam"});
    CHECK(spec.find("learning_rate")->distribution == Distribution::LogUniformValues);
    CHECK(spec.find("hidden_size")->distribution == Distribution::IntUniform);  // integer bounds
    CHECK(spec.find("weight_decay")->q == doctest::Approx(0.0001));
    CHECK(spec.find("epochs")->distribution == Distribution::Constant);
}

TEST_CASE("sweep spec: mistakes are rejected with the file, the line and what is wrong") {
    const std::string head = "method: random\nrun_cap: 5\nparameters:\n";
    std::string many = "1";  // 1000 widths or batch sizes
    for (int v = 2; v <= 1000; ++v) many += ", " + std::to_string(v);
    const struct {
        std::string text;
        const char* part;
    } cases[] = {
        {head + "  optimizer:\n    values: [adam, adamw]\n",
         "s.yaml:5: parameters.optimizer: 'adamw' is not a valid choice"},
        {head + "  optimiser:\n    values: [adam]\n",
         "s.yaml:4: parameters: 'optimiser' is not an fnn train setting"},
        {head + "  epochs:\n    values: [5]\n    min: 1\n",
         "s.yaml:4: parameters.epochs: 'values' goes with nothing but probabilities"},
        {head + "  learning_rate:\n    min: 0.1\n    max: 0.01\n", "min must be below max"},
        {head +
             "  learning_rate:\n    min: 0\n    max: 0.1\n    distribution: log_uniform_values\n",
         "log_uniform_values needs min > 0"},
        {head + "  learning_rate:\n    min: 0.001\n    max: 0.1\n    distribution: normal\n",
         "min and max do not go with distribution normal"},
        {head + "  learning_rate:\n    min: 0.001\n    max: 0.1\n    distribution: beta\n",
         "distribution 'beta' is not one fnn draws from"},
        {head + "  epochs:\n\tvalues: [5]\n", "s.yaml:5: tab character"},
        {head + "  epochs:\n    values: &a [5]\n", "outside the YAML subset"},
        {head + "  epochs:\n    values: [5, 5]\n", "'5' is listed twice"},
        {head + "  epochs:\n    values: [5]\n  epochs:\n    values: [6]\n",
         "s.yaml:6: duplicate key 'epochs'"},
        {head + "  epochs:\n    values: [0]\n", "not an integer in 1..100000"},
        {"method: random\nparameters:\n  epochs:\n    values: [5]\nstrategy: fast\n",
         "s.yaml:5: unknown key 'strategy'"},
        {"method: annealing\nparameters:\n  epochs:\n    values: [5]\n",
         "s.yaml:1: method: 'annealing' is not one of grid, random, bayes"},
        {"method: grid\nparameters:\n  learning_rate:\n    min: 0.001\n    max: 0.01\n",
         "grid search needs 'values'"},
        {"method: random\nmetric:\n  name: top5_accuracy\nparameters:\n  epochs:\n    values: [5]\n",
         "s.yaml:3: metric.name: 'top5_accuracy' is not a metric fnn records"},
        {"method: random\nmetric:\n  name: test_acc\nparameters:\n  epochs:\n    values: [5]\n",
         "a sweep never tunes on the test set"},
        {"method: random\nearly_terminate:\n  type: median\n  min_iter: 2\nparameters:\n  "
         "epochs:\n    values: [5]\n",
         "only hyperband"},
        {"parameters:\n  epochs:\n    values: [5]\n", "missing 'method"},
        {"method: random\n", "missing 'parameters'"},
        {"", "the file is empty"},
        {"method: random\n  parameters: x\n", "unexpected indentation"},
        {"method: grid\nparameters:\n  hidden_size:\n    values: [" + many +
             "]\n  batch_size:\n"
             "    values: [" +
             many + "]\n  epochs:\n    values: [1, 2]\n",
         "s.yaml:1: a grid search runs every configuration, and this space has 2e+06 (at most "
         "1000000)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string error = parse_error(c.text);
        CHECK_MESSAGE(error.find(c.part) != std::string::npos, error);
    }
}

TEST_CASE("sweep search: seeded, distinct, and grid covers the whole space") {
    const SweepSpec grid = parse_ok(
        "method: grid\nparameters:\n  epochs:\n    values: [1, 2, 3]\n  optimizer:\n    values: "
        "[sgd, adam]\n");
    CHECK(sweep_trial_count(grid) == 6);
    const std::vector<Assignment> all = planned_assignments(grid, 6, 4);
    std::vector<Assignment> sorted = all;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::unique(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(planned_assignments(grid, 6, 4) == all);
    CHECK(planned_assignments(grid, 6, 5) != all);  // another seed, another order

    const SweepSpec random = parse_ok(
        "method: random\nrun_cap: 50\nparameters:\n  epochs:\n    values: [1, 2, 3, 4, 5]\n"
        "  batch_size:\n    values: [16, 32, 64, 128, 256, 512]\n"
        "  optimizer:\n    values: [sgd, adam]\n");
    const std::vector<Assignment> draws = planned_assignments(random, 50, 9);
    sorted = draws;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::unique(sorted.begin(), sorted.end()) == sorted.end());  // without replacement
    CHECK(sweep_trial_count(parse_ok(
              "method: random\nrun_cap: 500\nparameters:\n  epochs:\n    values: [1, 2]\n")) == 2);

    const SweepSpec ranges = parse_ok(
        "method: random\nrun_cap: 9\nparameters:\n  learning_rate:\n    min: 0.0001\n    max: 0.1\n"
        "    distribution: log_uniform_values\n  hidden_size:\n    min: 8\n    max: 12\n");
    for (const Assignment& a : planned_assignments(ranges, 200, 1)) {
        const double lr = strtod(a[0].c_str(), nullptr);
        const long h = strtol(a[1].c_str(), nullptr, 10);
        CHECK(lr >= 0.0001);
        CHECK(lr <= 0.1);
        CHECK(h >= 8);
        CHECK(h <= 12);
    }
    CHECK(trial_seed(1, 0) != trial_seed(1, 1));
    CHECK(trial_seed(1, 7) == trial_seed(1, 7));
}

TEST_CASE("sweep search: TPE proposals are deterministic, fresh, and lean towards good regions") {
    const SweepSpec spec = parse_ok(
        "method: bayes\nrun_cap: 40\nparameters:\n  optimizer:\n    values: [sgd, momentum, nag, "
        "adam]\n"
        "  learning_rate:\n    min: 0.0001\n    max: 0.1\n    distribution: log_uniform_values\n");
    // A grid of results: every optimizer at ten learning rates from 1e-4 to 1e-1; adam near 1e-3
    // scores best, so the best quarter sits around adam and 1e-3.
    std::vector<Observation> history;
    std::vector<Assignment> taken;
    for (const std::string& opt : spec.params[0].values) {
        for (int k = 0; k < 10; ++k) {
            const double log_lr = -4.0 + k / 3.0;
            char text[32];
            snprintf(text, sizeof text, "%.6g", pow(10.0, log_lr));
            history.push_back({{opt, text}, (opt == "adam" ? 1.0 : 0.0) - fabs(log_lr + 3.0)});
            taken.push_back(history.back().values);
        }
    }
    const std::vector<Assignment> a = propose_bayes(spec, history, taken, 8, 1, 4);
    CHECK(a == propose_bayes(spec, history, taken, 8, 1, 4));
    std::vector<Observation> shuffled = history;
    std::reverse(shuffled.begin(), shuffled.end());
    CHECK(a == propose_bayes(spec, shuffled, taken, 8, 1, 4));  // order of results does not matter
    int adam = 0, near = 0;
    for (const Assignment& x : a) {
        adam += x[0] == "adam";
        near += fabs(log10(strtod(x[1].c_str(), nullptr)) + 3.0) < 1.0;
    }
    CHECK(adam >= 5);
    CHECK(near >= 5);
}

TEST_CASE("random forest: importance finds the feature the target depends on") {
    Rng rng(2);
    std::vector<std::vector<double>> rows;
    std::vector<double> y;
    for (int i = 0; i < 200; ++i) {
        rows.push_back({rng.uniform01(), rng.uniform01(), static_cast<double>(rng.below(3))});
        y.push_back(3.0 * rows.back()[1] + 0.05 * rng.uniform01());
    }
    const std::vector<double> importance = forest_importance(rows, y, ForestOptions{});
    REQUIRE(importance.size() == 3);
    CHECK(importance[1] > 0.8);
    CHECK(importance[0] + importance[1] + importance[2] == doctest::Approx(1.0));
    CHECK(forest_importance(rows, std::vector<double>(200, 1.0), ForestOptions{})[1] == 0.0);
}

TEST_CASE("sweep spec: W&B files as their authors wrote them: names, metrics, values") {
    // Parameter names: fnn's own, its short flags, and the course files' spellings.
    const struct {
        const char* written;
        const char* setting;
    } names[] = {{"learning_rate", "learning_rate"}, {"eta", "learning_rate"}, {"lr", "learning_rate"},
                 {"num_layers", "num_layers"},      {"hidden_layers", "num_layers"},
                 {"n_hidden", "num_layers"},        {"nhl", "num_layers"},
                 {"hidden_size", "hidden_size"},    {"hidden_layer_size", "hidden_size"},
                 {"sz", "hidden_size"},             {"weight_decay", "weight_decay"},
                 {"wd", "weight_decay"},            {"alpha", "weight_decay"},
                 {"w_d", "weight_decay"},           {"activation", "activation"},
                 {"activation_function", "activation"}, {"a", "activation"},
                 {"optimizer", "optimizer"},        {"opt", "optimizer"},
                 {"o", "optimizer"},                {"weight_init", "weight_init"},
                 {"init", "weight_init"},           {"w_i", "weight_init"},
                 {"batch_size", "batch_size"},      {"bs", "batch_size"},
                 {"b", "batch_size"},               {"epochs", "epochs"},
                 {"e", "epochs"},                   {"l", "loss"},
                 {"seed", "seed"}};
    for (const auto& n : names) {
        CAPTURE(n.written);
        const std::string value = std::string(n.setting) == "optimizer"     ? "adam"
                                  : std::string(n.setting) == "activation"  ? "relu"
                                  : std::string(n.setting) == "weight_init" ? "xavier"
                                  : std::string(n.setting) == "loss"        ? "mse"
                                                                            : "1";
        const SweepSpec spec = parse_ok(std::string("method: random\nrun_cap: 2\nparameters:\n  ") +
                                        n.written + ":\n    values: [" + value + "]\n");
        REQUIRE(spec.params.size() == 1);
        CHECK(spec.params[0].name == n.setting);
    }
    // Metric names, and goals: accuracies and F1 maximised, losses minimised, unless given.
    const struct {
        const char* written;
        const char* metric;
        bool maximize;
    } metrics[] = {{"val_accuracy", "val_acc", true},      {"validation_accuracy", "val_acc", true},
                   {"val/accuracy", "val_acc", true},      {"val_loss", "val_loss", false},
                   {"validation_loss", "val_loss", false}, {"val/loss", "val_loss", false},
                   {"val_f1", "val_f1", true},             {"accuracy", "train_acc", true},
                   {"loss", "train_loss", false}};
    for (const auto& m : metrics) {
        CAPTURE(m.written);
        const SweepSpec spec =
            parse_ok(std::string("method: random\nrun_cap: 2\nmetric:\n  name: ") + m.written +
                     "\nparameters:\n  epochs:\n    values: [1]\n");
        CHECK(spec.metric == m.metric);
        CHECK(spec.maximize == m.maximize);
        // W&B would minimise without a goal: fnn says so when it maximises.
        CHECK(spec.notes.empty() == !m.maximize);
    }
    CHECK_FALSE(parse_ok("method: random\nrun_cap: 2\nmetric:\n  name: val_acc\n  goal: minimize\n"
                         "parameters:\n  epochs:\n    values: [1]\n")
                    .maximize);
    // Values in any case and under their aliases come out canonical; a duplicate in disguise is
    // refused.
    const SweepSpec spec = parse_ok(
        "method: random\nrun_cap: 2\nparameters:\n  a:\n    values: [ReLu, Tanh, Sigmoid]\n"
        "  o:\n    values: [Adam, SGD, nesterov]\n  l:\n    values: [mse, cross_entropy_loss]\n"
        "  init:\n    values: [normal, Xavier]\n");
    CHECK(spec.params[0].values == std::vector<std::string>{"relu", "tanh", "sigmoid"});
    CHECK(spec.params[1].values == std::vector<std::string>{"adam", "sgd", "nag"});
    CHECK(spec.params[2].values == std::vector<std::string>{"mean_squared_error", "cross_entropy"});
    CHECK(spec.params[3].values == std::vector<std::string>{"random", "xavier"});
    CHECK(parse_error("method: random\nrun_cap: 2\nparameters:\n  a:\n    values: [relu, ReLU]\n")
              .find("'relu' is listed twice") != std::string::npos);
}

TEST_CASE("sweep spec: nested and multi-line flow collections; lists of widths") {
    const SweepSpec spec = parse_ok(
        "method: random\nrun_cap: 2\nmetric: {name: val_loss, goal: minimize}\nparameters:\n"
        "  learning_rate: {values: [0.001, 0.0001]}\n"
        "  hidden_size: {values: [[128, 64], [256], [64, 64, 64]]}\n"
        "  epochs: {values: [1,\n                    2]}\n"
        "  batch_size:\n    values:\n      - 16\n      - 32\n"
        "  weight_decay: {value: 0}\n");
    REQUIRE(spec.params.size() == 5);
    CHECK(spec.params[0].values == std::vector<std::string>{"0.001", "0.0001"});
    CHECK(spec.params[1].values == std::vector<std::string>{"128,64", "256", "64,64,64"});
    CHECK(spec.params[2].values == std::vector<std::string>{"1", "2"});
    CHECK(spec.params[3].values == std::vector<std::string>{"16", "32"});
    CHECK(spec.params[4].distribution == Distribution::Constant);
    CHECK(parse_error("method: random\nrun_cap: 2\nparameters:\n  epochs: {values: [1, 2}\n")
              .find("expected ',' or ']'") != std::string::npos);
}

TEST_CASE("sweep spec: every problem of a file is reported in one pass, each with its line") {
    const std::string error = parse_error(
        "method: random\n"                    // 1
        "run_cap: 5\n"                        // 2
        "metric:\n"                           // 3
        "  name: top5\n"                      // 4  unknown metric
        "parameters:\n"                       // 5
        "  optimiser:\n"                      // 6  unknown parameter
        "    values: [adam]\n"                // 7
        "  epochs:\n"                         // 8
        "    values: [0]\n"                   // 9  out of range
        "  activation:\n"                     // 10
        "    values: [relu, gelu]\n"          // 11 not a choice
        "  learning_rate:\n"                  // 12
        "    min: 0.1\n"                      // 13 min above max
        "    max: 0.01\n");                   // 14
    std::vector<std::string> lines;
    for (size_t at = 0; at <= error.size();) {
        const size_t end = error.find('\n', at);
        lines.push_back(error.substr(at, end == std::string::npos ? end : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    REQUIRE_MESSAGE(lines.size() == 5, error);
    CHECK(lines[0].rfind("s.yaml:4: metric.name: 'top5'", 0) == 0);
    CHECK(lines[1].rfind("s.yaml:6: parameters: 'optimiser' is not an fnn train setting; did you "
                         "mean optimizer?",
                         0) == 0);
    CHECK(lines[2].rfind("s.yaml:9: parameters.epochs:", 0) == 0);
    CHECK(lines[3].rfind("s.yaml:11: parameters.activation: 'gelu' is not a valid choice", 0) == 0);
    CHECK(lines[4].rfind("s.yaml:13: parameters.learning_rate: min must be below max", 0) == 0);
}

TEST_CASE("sweep spec: command: fixes flags after ${args}; anything it cannot honour is refused") {
    const std::string params = "parameters:\n  epochs:\n    values: [1, 2]\n";
    const SweepSpec spec = parse_ok(
        "method: random\nrun_cap: 2\nprogram: train.py\n" + params +
        "command:\n  - ${env}\n  - python\n  - ${program}\n  - ${args}\n  - --dataset\n"
        "  - fashion-mnist\n  - --hidden_layer_size=32\n  - -wp\n  - myproject\n  - --epochs\n"
        "  - '3'\n");
    CHECK(spec.fixed == std::vector<std::string>{"--dataset", "fashion-mnist", "--hidden_size", "32"});
    // The flag after ${args} wins over the swept epochs, as argparse makes it in W&B: narrowed.
    REQUIRE(spec.params.size() == 1);
    CHECK(spec.params[0].values == std::vector<std::string>{"3"});
    bool narrowed = false, ignored = false;
    for (const std::string& n : spec.notes) {
        narrowed = narrowed || n.find("narrows the swept parameter epochs") != std::string::npos;
        ignored = ignored || n.find("-wp ignored") != std::string::npos;
    }
    CHECK(narrowed);
    CHECK(ignored);
    const struct {
        const char* command;
        const char* part;
    } bad[] = {
        {"  - ${env}\n  - python\n  - ${program}\n", "no ${args}"},
        {"  - bash\n  - run.sh\n  - ${args}\n", "'bash' before ${args} would be lost"},
        {"  - ${program}\n  - ${args}\n  - --frobnicate\n  - 1\n", "'--frobnicate' is not an fnn train setting"},
        {"  - ${program}\n  - ${args}\n  - --epochs\n", "--epochs needs a value"},
        {"  - ${program}\n  - ${args}\n  - --optimizer\n  - adamw\n", "'adamw' is not a valid choice"},
        {"  - ${program}\n  - ${args_grid}\n", "unknown macro"},
        {"  - ${program}\n  - ${args}\n  - ${env}\n", "after ${args} cannot be honoured"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.command);
        const std::string error =
            parse_error("method: random\nrun_cap: 2\n" + params + "command:\n" + b.command);
        CHECK_MESSAGE(error.find(b.part) != std::string::npos, error);
    }
}

TEST_CASE("sweep spec: W&B distributions, target, and hyperband's max_iter with s") {
    const SweepSpec spec = parse_ok(
        "method: random\nrun_cap: 400\nmetric: {name: val_acc, goal: maximize, target: 0.9}\n"
        "early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\nparameters:\n"
        "  hidden_size: {distribution: q_log_uniform_values, min: 32, max: 512, q: 32}\n"
        "  learning_rate: {distribution: log_uniform, min: -9.2, max: -4.6}\n"
        "  weight_decay: {distribution: q_normal, mu: 0.001, sigma: 0.0001, q: 0.0001}\n"
        "  epsilon: {distribution: log_normal, mu: -18, sigma: 1}\n"
        "  beta2: {distribution: inv_log_uniform_values, min: 0.9, max: 0.999}\n"
        "  optimizer: {values: [adam, nadam], probabilities: [3, 1]}\n");
    CHECK(spec.target == 0.9);
    CHECK(spec.brackets == std::vector<int>{3, 9});  // floor(27/9), floor(27/3)
    CHECK(spec.is_bracket(9));
    CHECK_FALSE(spec.is_bracket(27));
    const SweepParam& hidden = spec.params[0];
    CHECK(hidden.integer);
    CHECK(spec.params[1].min == doctest::Approx(exp(-9.2)));  // log_uniform takes logs
    CHECK(spec.params[5].probabilities == std::vector<double>{0.75, 0.25});
    // Draws follow the distributions: multiples of 32 within range, log-normal around e^-18,
    // normal around 0.001 on a 0.0001 grid, adam three times as often as nadam.
    const std::vector<Assignment> draws = planned_assignments(spec, 400, 7);
    int adam = 0;
    double log_eps = 0;
    for (const Assignment& a : draws) {
        const long h = atol(a[0].c_str());
        CHECK(h % 32 == 0);
        CHECK(h >= 32);
        CHECK(h <= 512);
        const double lr = atof(a[1].c_str());
        CHECK(lr >= exp(-9.2) * 0.999);
        CHECK(lr <= exp(-4.6) * 1.001);
        const double wd = atof(a[2].c_str());
        CHECK(fabs(wd / 0.0001 - round(wd / 0.0001)) < 1e-6);
        log_eps += log(atof(a[3].c_str())) / 400;
        adam += a[5] == "adam";
    }
    CHECK(log_eps == doctest::Approx(-18).epsilon(0.01));
    CHECK(adam > 260);
    CHECK(adam < 340);
    // A seed can be swept (no derived --seed then), and a trial's args never repeat a setting.
    const SweepSpec seeded = parse_ok(
        "method: grid\nparameters:\n  seed: {values: [5, 6]}\n  epochs: {value: 1}\n");
    const std::vector<std::string> args =
        assignment_args(seeded, {"5", "1"}, 123, {"--limit_train", "1000"});
    CHECK(args == std::vector<std::string>{"--limit_train", "1000", "--seed", "5", "--epochs", "1"});
}
