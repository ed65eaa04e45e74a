// fnn as people coming from the course's NumPy + W&B scripts type it: choices in any case and
// under their usual aliases, suggestions for typos, W&B's flags, settings in a YAML file,
// --version, and the messages and outputs around a run (long paths, empty files, predicted
// probabilities and class names, comparing runs).
#include <doctest/doctest.h>

#include <string>

#include "command.hpp"
#include "fnn/file_io.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

const std::string kQuick = "-q -e 1 --limit_train 1000 -sz 16";

std::string config_of(const std::string& dir) { return read_text(dir + "/config.json"); }

}  // namespace

TEST_CASE("habits: choices ignore case and accept the usual aliases") {
    const struct {
        const char* flags;
        const char* setting;
    } cases[] = {
        {"-o Adam", "\"optimizer\": \"adam\""},
        {"-o nesterov", "\"optimizer\": \"nag\""},
        {"-o SGD", "\"optimizer\": \"sgd\""},
        {"-a ReLU", "\"activation\": \"relu\""},
        {"-a Sigmoid", "\"activation\": \"sigmoid\""},
        {"-w_i He", "\"weight_init\": \"he\""},
        {"-w_i normal", "\"weight_init\": \"random\""},
        {"-w_i glorot_uniform", "\"weight_init\": \"xavier\""},
        {"-l mse", "\"loss\": \"mean_squared_error\""},
        {"-l squared_error", "\"loss\": \"mean_squared_error\""},
        {"-l cross_entropy_loss", "\"loss\": \"cross_entropy\""},
        {"-d fashion-mnist", "\"dataset\": \"fashion_mnist\""},
        {"--learning-rate 0.002", "\"learning_rate\": 0.002"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.flags);
        const std::string dir = temp_dir() + "/run";
        const CommandResult r = run("./fnn train " + kQuick + " " + c.flags + " --out " + dir);
        REQUIRE_MESSAGE(r.exit_code == 0, r.output);
        CHECK_MESSAGE(contains(config_of(dir), c.setting), config_of(dir));
    }
}

TEST_CASE("habits: an unknown flag or value gets the nearest valid one") {
    const struct {
        const char* args;
        const char* suggestion;
    } cases[] = {
        {"--learnin_rate 0.1", "did you mean --learning_rate?"},
        {"--epohcs 3", "did you mean --epochs?"},
        {"-o adamm", "did you mean adam?"},
        {"-o nesterv", "did you mean nag?"},
        {"-a rleu", "did you mean relu?"},
        {"-w_i xavir", "did you mean xavier?"},
        {"-l cross_entropi", "did you mean cross_entropy?"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const CommandResult r = run(std::string("./fnn train ") + c.args);
        CHECK(r.exit_code == 2);
        CHECK_MESSAGE(contains(r.output, c.suggestion), r.output);
    }
    // Nothing near: no guess, but the full list.
    const CommandResult r = run("./fnn train -o zzzzzzzz");
    CHECK(r.exit_code == 2);
    CHECK_FALSE(contains(r.output, "did you mean"));
    CHECK(contains(r.output, "valid choices: sgd, momentum, nag, rmsprop, adam, nadam"));
}

TEST_CASE("habits: W&B's -wp and -we are accepted, ignored, and said so once") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = run("./fnn train -e 1 --limit_train 1000 -sz 16 -wp myproject -we me "
                                "--out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "ignored: fnn logs to the run directory"));
    size_t notices = 0;
    for (size_t at = r.output.find("ignored:"); at != std::string::npos;
         at = r.output.find("ignored:", at + 1))
        ++notices;
    CHECK(notices == 1);
}

TEST_CASE("habits: --config reads fnn train settings from YAML; later flags override it") {
    const std::string dir = temp_dir();
    REQUIRE(write_file_atomic(dir + "/plain.yaml",
                              std::string("# my settings\nepochs: 1\nlimit_train: 1000\n"
                                          "hidden_size: [24, 12]\noptimizer: Nesterov\nlr: 0.01\n"
                                          "quiet: true\n"),
                              nullptr) == Status::Ok);
    CommandResult r = run("./fnn train --config " + dir + "/plain.yaml -lr 0.02 --out " + dir + "/a");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(config_of(dir + "/a"), "\"hidden_sizes\": [24, 12]"));
    CHECK(contains(config_of(dir + "/a"), "\"optimizer\": \"nag\""));
    CHECK(contains(config_of(dir + "/a"), "\"learning_rate\": 0.02"));
    CHECK_FALSE(contains(r.output, "epoch   1/1"));  // quiet: true
    // A sweep file's `value:` entries are settings too; the search keys are ignored.
    REQUIRE(write_file_atomic(dir + "/sweep.yaml",
                              std::string("method: random\nmetric:\n  name: val_acc\n"
                                          "parameters:\n  epochs:\n    value: 1\n"
                                          "  limit_train:\n    value: 1000\n"
                                          "  hidden_size:\n    value: 20\n"),
                              nullptr) == Status::Ok);
    r = run("./fnn train -q --config " + dir + "/sweep.yaml --out " + dir + "/b");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(config_of(dir + "/b"), "\"hidden_size\": 20"));
    // Errors name the file and line.
    const struct {
        const char* text;
        const char* part;
    } bad[] = {
        {"epochs: 1\nlearnig_rate: 0.1\n", "bad.yaml:2: 'learnig_rate' is not an fnn train setting; did you mean --learning_rate?"},
        {"epochs: zero\n", "bad.yaml:1: --epochs: 'zero' is not an integer"},
        {"parameters:\n  epochs:\n    values: [1, 2]\n", "bad.yaml:2: epochs: is searched over"},
        {"config: other.yaml\n", "bad.yaml:1: a settings file cannot name another one"},
        {"quiet: maybe\n", "bad.yaml:1: quiet: expected true or false"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.text);
        REQUIRE(write_file_atomic(dir + "/bad.yaml", std::string(b.text), nullptr) == Status::Ok);
        r = run("./fnn train --config " + dir + "/bad.yaml --out " + dir + "/x");
        CHECK(r.exit_code == 2);
        CHECK_MESSAGE(contains(r.output, b.part), r.output);
    }
    r = run("./fnn train --config " + dir + "/missing.yaml");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "missing.yaml: cannot open"));
}

TEST_CASE("habits: fnn --version") {
    const CommandResult r = run("./fnn --version");
    CHECK(r.exit_code == 0);
    CHECK(r.output.rfind("fnn 0.", 0) == 0);
    CHECK(contains(r.output, "model files version 3"));
}

TEST_CASE("habits: messages keep the problem and the whole file name at any length") {
    const std::string deep = "/tmp/" + std::string(150, 'd') + "/" + std::string(200, 'e');
    CommandResult r = run("./fnn eval --model " + deep + "/model.fnn");
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.output, deep + "/model.fnn: cannot open: No such file"), r.output);
    r = run("./fnn train --data_dir " + deep + " -e 1 --out " + temp_dir() + "/x");
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.output, deep + "/fashion_mnist-train.fnnd not found"), r.output);
    // A path near Linux's limit of 4096 bytes.
    std::string longest = "/tmp";
    while (longest.size() < 4000) longest += "/" + std::string(200, 'f');
    r = run("./fnn eval --model " + longest + "/model.fnn");
    CHECK_MESSAGE(contains(r.output, longest + "/model.fnn: cannot open"), r.output.substr(0, 300));
    // Empty files say so.
    const std::string dir = temp_dir();
    REQUIRE(write_file_atomic(dir + "/empty.fnn", std::string(), nullptr) == Status::Ok);
    r = run("./fnn eval --model " + dir + "/empty.fnn");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "empty (0 bytes)"));
    CHECK_FALSE(contains(r.output, "null"));
    REQUIRE(write_file_atomic(dir + "/fashion_mnist-train.fnnd", std::string(), nullptr) ==
            Status::Ok);
    r = run("./fnn train --data_dir " + dir + " --out " + dir + "/run");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "fashion_mnist-train.fnnd: empty (0 bytes)"));
}

TEST_CASE("habits: predict prints every probability and class names; the model carries the names") {
    const std::string run_dir = trained_run("-e 2 --limit_train 3000 -sz 32 -lr 0.003");
    // Away from its dataset (a copy of the model alone, an IDX file as input) it still labels.
    const std::string dir = temp_dir();
    REQUIRE(run("cp " + run_dir + "/model.fnn " + dir + "/alone.fnn").exit_code == 0);
    REQUIRE(run("gzip -dc /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz > " + dir +
                "/images.idx 2>/dev/null || cp .cache/fashion-mnist/t10k-images-idx3-ubyte " + dir +
                "/images.idx")
                .exit_code == 0);
    CommandResult r =
        run("./fnn predict " + dir + "/alone.fnn --idx " + dir + "/images.idx --names --probs");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output.substr(0, 500));
    const std::string header = r.output.substr(0, r.output.find('\n'));
    CHECK(header ==
          "index,label,predicted,confidence,p_T-shirt/top,p_Trouser,p_Pullover,p_Dress,p_Coat,"
          "p_Sandal,p_Shirt,p_Sneaker,p_Bag,p_Ankle boot");
    // Each row: 4 fields and 10 probabilities that sum to 1, the largest being the confidence.
    const size_t first_end = r.output.find('\n', header.size() + 1);
    const std::string row = r.output.substr(header.size() + 1, first_end - header.size() - 1);
    std::vector<std::string> fields;
    for (size_t at = 0;;) {
        const size_t comma = row.find(',', at);
        fields.push_back(row.substr(at, comma == std::string::npos ? comma : comma - at));
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    REQUIRE(fields.size() == 14);
    CHECK(fields[1].empty());  // an IDX file has no labels
    double sum = 0, largest = 0;
    for (size_t k = 4; k < 14; ++k) sum += atof(fields[k].c_str()), largest = std::max(largest, atof(fields[k].c_str()));
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-4));
    CHECK(atof(fields[3].c_str()) == doctest::Approx(largest));
    CHECK(contains(header + " " + fields[2], fields[2]));
    CHECK(contains("T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag Ankle boot",
                   fields[2]));
    // With a run directory and a dataset: labels named too.
    r = run("./fnn predict " + run_dir + " -d fashion_mnist --names");
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "\n0,Ankle boot,"));
}

TEST_CASE("habits: fnn report A B compares runs: results, differing settings, curves") {
    const std::string a = trained_run("-e 2 --limit_train 3000 -sz 32 -lr 0.003");
    const std::string b = trained_run("-e 3 --limit_train 3000 -sz 32 -lr 0.001");
    CommandResult r = run("./fnn report " + a + " " + b);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "best val acc"));
    CHECK(contains(r.output, "settings that differ"));
    CHECK(contains(r.output, "epochs"));
    CHECK(contains(r.output, "learning_rate"));
    CHECK_FALSE(contains(r.output, "\nhidden_size "));  // the same in both
    CHECK(contains(r.output, "validation accuracy"));
    const std::string page = temp_dir() + "/compare.html";
    r = run("./fnn report " + a + " " + b + " -o " + page);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string html = read_text(page);
    CHECK(contains(html, "Settings that differ"));
    CHECK(contains(html, "<svg"));
    r = run("./fnn report " + a + " /nonexistent");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "/nonexistent/config.json"));
}

TEST_CASE("habits: make test's first step stops with the one command to run when it cannot install") {
    // A user without root or sudo, on a machine without GNU parallel or Chromium: a PATH holding
    // only `id` (answering uid 1000) and the shell's builtins.
    const std::string bin = temp_dir();
    REQUIRE(write_file_atomic(bin + "/id", std::string("#!/bin/sh\necho 1000\n"), nullptr) ==
            Status::Ok);
    REQUIRE(run("chmod +x " + bin + "/id").exit_code == 0);
    const CommandResult r = run("PATH=" + bin + " /bin/sh tools/test_deps.sh");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "sudo apt-get install -y --no-install-recommends parallel chromium"));
}
