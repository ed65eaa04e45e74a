// Trainer end to end on a slice of the real Fashion-MNIST (made by `make data`), determinism,
// and divergence: a NaN/Inf loss stops training, names epoch and step, keeps the last good model.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "fnn/trainer.hpp"

using namespace fnn;

namespace {

// The real training and test sets, loaded once for all tests in this file.
struct FashionMnist {
    LoadedDataset train, test;
    std::string error;
    bool ok;
    FashionMnist() {
        ok = load_dataset("data", "fashion_mnist", "train", train, error) &&
             load_dataset("data", "fashion_mnist", "test", test, error);
    }
};

const FashionMnist& fashion() {
    static const FashionMnist data;
    return data;
}

// The first `count` samples of a dataset, as a view.
Dataset slice(const Dataset& d, int count) {
    Dataset s = d;
    s.header.count = static_cast<uint32_t>(count);
    s.labels = d.labels;
    return s;
}

TrainConfig small_config() {
    TrainConfig c;
    c.net.n_hidden = 1;
    c.net.hidden_widths[0] = 64;
    c.epochs = 2;
    c.batch_size = 32;
    c.opt.kind = OptimizerKind::Adam;
    c.opt.learning_rate = 2e-3f;
    return c;
}

}  // namespace

TEST_CASE("trainer: a Fashion-MNIST slice trains far above chance") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    const Dataset train = slice(data.train.view, 6000);
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(small_config(), train, &err) == Status::Ok);
    CHECK(trainer.train_count() == 5400);
    CHECK(trainer.val_count() == 600);
    REQUIRE(trainer.run(nullptr, &err) == Status::Ok);
    REQUIRE(trainer.history().size() == 2);
    CHECK(trainer.history()[1].train_loss < trainer.history()[0].train_loss);
    CHECK(trainer.history()[1].val_acc > 0.7);
    const EvalResult test = trainer.evaluate(data.test.view, 0, 2000);
    CHECK(test.acc > 0.72);  // chance is 0.10
    CHECK(test.count == 2000);
}

TEST_CASE("trainer: the same seed gives the same run, another seed a different one") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    const Dataset train = slice(data.train.view, 1000);
    auto final_params = [&](uint64_t seed) {
        TrainConfig c = small_config();
        c.seed = seed;
        Trainer t;
        ErrorText err;
        REQUIRE(t.setup(c, train, &err) == Status::Ok);
        REQUIRE(t.run(nullptr, &err) == Status::Ok);
        return std::vector<float>(t.params(), t.params() + t.shape().n_params);
    };
    CHECK(final_params(5) == final_params(5));
    CHECK(final_params(5) != final_params(6));
}

TEST_CASE("trainer: predict gives probability rows that sum to one") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(small_config(), slice(data.train.view, 500), &err) == Status::Ok);
    const ConstMatView p = trainer.predict(data.test.view, 0, 10);
    CHECK(p.rows == 10);
    for (int i = 0; i < 10; ++i) {
        double sum = 0;
        for (int j = 0; j < 10; ++j) sum += p.at(i, j);
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    }
}

TEST_CASE("trainer: a diverging run stops, names epoch and step, and keeps the last good model") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    TrainConfig c = small_config();
    c.opt.kind = OptimizerKind::Sgd;
    c.opt.learning_rate = 1e30f;  // the first step pushes the logits past float's range
    c.loss = Loss::CrossEntropy;
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(c, slice(data.train.view, 2000), &err) == Status::Ok);
    const std::vector<float> initial(trainer.params(), trainer.params() + trainer.shape().n_params);
    CHECK(trainer.run(nullptr, &err) == Status::Diverged);
    CHECK(std::string(err.text).find("epoch 1, step") != std::string::npos);
    CHECK(std::string(err.text).find("initialisation") != std::string::npos);
    CHECK(std::vector<float>(trainer.params(), trainer.params() + trainer.shape().n_params) ==
          initial);
    CHECK(trainer.history().empty());
}

TEST_CASE("trainer: divergence after a good epoch keeps that epoch's parameters") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    TrainConfig c = small_config();
    c.epochs = 1;
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(c, slice(data.train.view, 2000), &err) == Status::Ok);
    REQUIRE(trainer.run(nullptr, &err) == Status::Ok);
    const std::vector<float> good(trainer.params(), trainer.params() + trainer.shape().n_params);
    const NetworkShape& shape = trainer.shape();
    // Poison the output bias: every logit is NaN, so the next epoch's first step fails.
    trainer.params()[shape.layers[shape.n_layers - 1].b_offset] = NAN;
    CHECK(trainer.run(nullptr, &err) == Status::Diverged);
    CHECK(std::string(err.text).find("step 1 of") != std::string::npos);
    CHECK(std::string(err.text).find("last finished epoch") != std::string::npos);
    CHECK(std::vector<float>(trainer.params(), trainer.params() + trainer.shape().n_params) ==
          good);
}

TEST_CASE("trainer: a non-finite weight that only meets zero inputs is caught at the epoch's end") {
    // 8x8 images whose first two rows are always zero: the GEMM skips every product with those
    // pixels, so a poisoned weight there never reaches the loss.
    const int n = 400;
    std::vector<uint8_t> pixels(n * 64, 0), labels(n);
    Rng rng(12);
    for (int i = 0; i < n; ++i) {
        labels[i] = static_cast<uint8_t>(rng.below(2));
        for (int p = 16; p < 64; ++p)
            pixels[i * 64 + p] = static_cast<uint8_t>(rng.below(256) / (labels[i] + 1));
    }
    Dataset d;
    d.header = DatasetHeader{static_cast<uint32_t>(n), 8, 8, 1, 2, 0};
    d.pixels = pixels.data();
    d.labels = labels.data();
    TrainConfig c = small_config();
    c.epochs = 1;
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(c, d, &err) == Status::Ok);
    REQUIRE(trainer.run(nullptr, &err) == Status::Ok);
    const std::vector<float> good(trainer.params(), trainer.params() + trainer.shape().n_params);
    trainer.params()[0] = INFINITY;  // weight from pixel 0 to hidden unit 0
    CHECK(trainer.run(nullptr, &err) == Status::Diverged);
    CHECK(std::string(err.text).find("parameter became NaN or infinite") != std::string::npos);
    CHECK(std::vector<float>(trainer.params(), trainer.params() + trainer.shape().n_params) ==
          good);
}

TEST_CASE("trainer: invalid settings are rejected before anything is allocated") {
    const FashionMnist& data = fashion();
    REQUIRE_MESSAGE(data.ok, data.error);
    ErrorText err;
    Trainer trainer;
    TrainConfig c = small_config();
    c.batch_size = 0;
    CHECK(trainer.setup(c, data.train.view, &err) == Status::Arg);
    c = small_config();
    c.val_fraction = 0.9;
    CHECK(trainer.setup(c, data.train.view, &err) == Status::Arg);
    c = small_config();
    c.opt.learning_rate = -1;
    CHECK(trainer.setup(c, data.train.view, &err) == Status::Arg);
    CHECK(std::string(err.text).find("learning_rate") != std::string::npos);
}
