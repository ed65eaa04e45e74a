// Sweep files: the course's space parses; every kind of mistake is reported with its line.
#include <doctest/doctest.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../src/cli_forest.hpp"
#include "../src/cli_sweep_search.hpp"
#include "../src/cli_sweep_spec.hpp"
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
