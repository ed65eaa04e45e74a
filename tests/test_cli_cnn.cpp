// Convolutional networks through the command line: a small CNN learns a slice of real
// Fashion-MNIST far above chance, and every command works on its run (eval, predict, report,
// fnnpack info, --init); --arch and --dropout errors name what is wrong; CIFAR-10 batches in the
// real format train a CNN on channel-planar colour images.
#include <doctest/doctest.h>
#include <cmath>

#include <stdlib.h>

#include <string>
#include <vector>

#include "cli/cli_json.hpp"
#include "command.hpp"
#include "fnn/file_io.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

const std::string kSmallCnn =
    "--arch conv8k3,relu,pool2,conv16k3psame,bn,relu,pool2,dropout0.2,dense32,relu "
    "--optimizer adam -lr 0.003 --limit_train 3000";

JsonValue json_file(const std::string& path) {
    JsonValue v;
    std::string error;
    REQUIRE_MESSAGE(parse_json(read_text(path), v, error), path << ": " << error);
    return v;
}

}  // namespace

TEST_CASE("cnn cli: a small CNN learns real Fashion-MNIST; eval, predict, report and info use it") {
    const std::string dir = temp_dir() + "/run";
    CommandResult r = run("./fnn train -e 2 " + kSmallCnn + " --out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    // The start-up summary: one row per layer with shapes, parameters and multiply-adds.
    CHECK(contains(r.output, "multiply-adds"));
    CHECK(contains(r.output, "conv2d 3x3 + relu"));
    CHECK(contains(r.output, "8x26x26"));
    CHECK(contains(r.output, "batchnorm + relu"));
    CHECK(contains(r.output, "batch norm running statistics"));
    const JsonValue summary = json_file(dir + "/summary.json");
    const double test_acc = summary.number_or("test_acc", 0);
    CHECK(test_acc > 0.70);  // chance is 0.10; 3,000 images and two epochs
    const JsonValue config = json_file(dir + "/config.json");
    CHECK(config.text_or("arch", "") == "conv8k3,relu,pool2,conv16k3psame,bn,relu,pool2,dropout0.2,dense32,relu");
    CHECK(config.find("hidden_sizes") == nullptr);
    // eval gives the accuracy training reported (the same network, the same arithmetic).
    r = run("./fnn eval " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    char expected[32];
    snprintf(expected, sizeof expected, "%.4f", test_acc);
    CHECK_MESSAGE(contains(r.output, expected), r.output);
    r = run("./fnn predict " + dir + " -d fashion_mnist --names -o " + dir + "/p.csv");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(read_text(dir + "/p.csv"), "Ankle boot"));
    r = run("./fnn report " + dir + " -o " + dir + "/report.html");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string html = read_text(dir + "/report.html");
    CHECK(contains(html, "id=\"network\""));
    CHECK(contains(html, "id=\"filters\""));
    CHECK(contains(html, "filter 8"));
    CHECK(contains(html, "id=\"feature-maps\""));
    CHECK(contains(html, "16 maps of 13x13"));
    r = run("./fnnpack info " + dir + "/model.fnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "model blob v3"));
    CHECK(contains(r.output, "dropout 0.2"));
    CHECK(contains(r.output, "inference library arena:"));
    // --init continues from the model (batch norm statistics included); another arch is named.
    r = run("./fnn train -q -e 1 " + kSmallCnn + " --init " + dir + "/model.fnn --out " + dir + "2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(json_file(dir + "2/summary.json").number_or("test_acc", 0) > test_acc - 0.05);
    r = run("./fnn train -q -e 1 --arch conv8k3,relu,pool2,dense32,relu --limit_train 3000 --init " +
            dir + "/model.fnn --out " + dir + "3");
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.output, "layer 3 is conv2d there, dense here"), r.output);
    // fp16 weights: converted by fnnpack, evaluated by fnn eval within a hair of fp32.
    r = run("./fnnpack model " + dir + "/model.fnn --to fp16 -o " + dir + "/half.fnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn eval --model " + dir + "/half.fnn -d fashion_mnist");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnnpack model " + dir + "/model.fnn --to int8 --int8_activations --calibrate "
            "data/fashion_mnist-train.fnnd -o " + dir + "/q.fnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK_MESSAGE(contains(r.output, "int8 weights, int8 activations"), r.output);
    // The int8 file holds the folded network; --no_fold keeps the batch norm and dropout layers.
    const std::string folded = run("./fnnpack info " + dir + "/q.fnn").output;
    CHECK_MESSAGE(contains(folded, "conv2d 3x3 p1 + relu"), folded);
    CHECK(!contains(folded, "batchnorm"));
    CHECK(!contains(folded, "dropout"));
    r = run("./fnnpack model " + dir + "/model.fnn --to int8 --int8_activations --no_fold "
            "--calibrate data/fashion_mnist-train.fnnd -o " + dir + "/q_kept.fnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string kept = run("./fnnpack info " + dir + "/q_kept.fnn").output;
    CHECK_MESSAGE(contains(kept, "batchnorm + relu"), kept);
    CHECK(contains(kept, "dropout 0.2"));
    r = run("./fnnpack model " + dir + "/model.fnn --to fp16 --no_fold -o " + dir + "/x.fnn");
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.output, "--no_fold needs --to int8"), r.output);
    CHECK(!file_exists(dir + "/x.fnn"));
    // The integer CNN keeps the float one's accuracy to within a point.
    r = run("./fnn eval --model " + dir + "/q.fnn -d fashion_mnist");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const size_t at = r.output.find("accuracy ");
    REQUIRE_MESSAGE(at != std::string::npos, r.output);
    CHECK(std::abs(std::atof(r.output.c_str() + at + 9) / 100 - test_acc) < 0.01);
    // --threads shares the samples among copies of the model: the same output for any count,
    // on the trainer's network (fp32 CNN) and in the inference library (int8).
    for (const std::string& model : {dir + "/model.fnn", dir + "/q.fnn"}) {
        for (const char* command : {"eval --json", "predict -d fashion_mnist --probs"}) {
            const std::string base = std::string("./fnn ") + command + " --model " + model;
            const CommandResult one = run(base + " --threads 1");
            const CommandResult three = run(base + " --threads 3");
            REQUIRE_MESSAGE(one.exit_code == 0, one.output);
            CHECK_MESSAGE(one.output == three.output, base);
            CHECK(one.output.size() > 1000);
        }
    }
}

TEST_CASE("cnn cli: --arch and --dropout errors name what is wrong; presets bring their recipe") {
    const std::string out = " --out " + temp_dir() + "/x";
    const struct {
        const char* args;
        const char* message;
    } cases[] = {
        {"--arch conv32k,relu", "token 1 'conv32k' is not a layer; valid: conv<channels>k<kernel>"},
        {"--arch conv8k3,rleu", "token 2 'rleu' is not a layer"},
        {"--arch cnn1 -nhl 2", "--arch gives the layers; --num_layers is for the default MLP"},
        {"--arch conv8k30", "layer 1 (conv2d): a 30x30 kernel does not fit the 28x28 input"},
        {"--arch dense16 --dropout 0.3", "no dropout layer"},
        {"--arch cnn2 --dropout 0.1,0.2,0.3", "3 rates for 2 dropout layers"},
        {"--arch cnn2 --dropout 1", "'1' is not a rate in [0, 1)"},
        {"--dropout 0.3", "give --arch"},
        {"--arch dropout1.5", "token 1 'dropout1.5' is not a layer"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const CommandResult r = run(std::string("./fnn train -e 1 --limit_train 500 ") + c.args + out);
        CHECK(r.exit_code == 2);
        CHECK_MESSAGE(contains(r.output, c.message), r.output);
    }
    // A preset fills what the flags leave alone; flags win.
    const std::string dir = temp_dir() + "/preset";
    const CommandResult r = run("./fnn train -e 1 --limit_train 600 --arch CNN2 -lr 0.001 --dropout 0.1 --out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const JsonValue config = json_file(dir + "/config.json");
    CHECK(config.text_or("optimizer", "") == "adam");
    CHECK(config.text_or("lr_schedule", "") == "cosine");
    CHECK(config.number_or("learning_rate", 0) == doctest::Approx(0.001));
    CHECK(config.number_or("epochs", 0) == 1);
    CHECK(contains(r.output, "dropout 0.1"));
    CHECK(contains(r.output, "422,090"));  // cnn2's parameters, as the README states
}

TEST_CASE("cnn cli: CIFAR-10 batches in the real format train a CNN on planar colour images") {
    // 600 training and 200 test images of 32x32x3 whose class is the brightest colour plane (0
    // red, 1 green, 2 blue), with noise; written as CIFAR-10 binary batches (label byte, then the
    // 1024 red, 1024 green and 1024 blue bytes) and converted by fnnpack.
    const std::string dir = temp_dir();
    ErrorText err;
    auto batch = [](int records, uint32_t seed) {
        std::vector<uint8_t> b;
        uint32_t state = seed;
        auto next = [&state]() { return state = state * 1664525u + 1013904223u; };
        for (int r = 0; r < records; ++r) {
            const int label = static_cast<int>(next() >> 8) % 3;
            b.push_back(static_cast<uint8_t>(label));
            for (int c = 0; c < 3; ++c)
                for (int i = 0; i < 1024; ++i)
                    b.push_back(static_cast<uint8_t>((next() >> 24) % 120 + (c == label ? 100 : 0)));
        }
        return b;
    };
    const std::vector<uint8_t> train = batch(600, 1), test = batch(200, 2);
    REQUIRE(write_file_atomic(dir + "/data_batch_1.bin", train.data(), train.size(), &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/test_batch.bin", test.data(), test.size(), &err) == Status::Ok);
    REQUIRE(run("./fnnpack cifar10 " + dir + "/data_batch_1.bin -o " + dir + "/cifar10-train.fnnd").exit_code == 0);
    REQUIRE(run("./fnnpack cifar10 " + dir + "/test_batch.bin -o " + dir + "/cifar10-test.fnnd").exit_code == 0);
    const std::string run_dir = dir + "/run";
    CommandResult r = run("./fnn train -d cifar10 --data_dir " + dir +
                          " --arch conv4k3s2,relu,pool2,dense8,relu --optimizer adam -lr 0.01 -e 4 "
                          "-b 32 --out " + run_dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "3x32x32 > conv4k3s2,relu,pool2,dense8,relu > 10"));
    CHECK(json_file(run_dir + "/summary.json").number_or("test_acc", 0) > 0.9);
    r = run("./fnn eval " + run_dir + " --data_dir " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn report " + run_dir + " --data_dir " + dir + " -o " + dir + "/r.html");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(read_text(dir + "/r.html"), "Layer 1 filters"));
}
