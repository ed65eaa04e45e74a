// A network given as an --arch string, trained briefly on the first training images of the real
// Fashion-MNIST (the tests that use it need a trained network's weights and batch norm
// statistics, not a good model).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/cli_arch.hpp"
#include "cli/cli_data.hpp"
#include "fnn/fnn.h"
#include "fnn/trainer.hpp"

namespace fnn_test {

struct TrainedArch {
    fnn::LoadedDataset train, test;
    fnn::Dataset slice;  // the training images it saw
    fnn::Trainer trainer;
};

// One epoch with the default optimizer, He initialisation and learning rate `lr`, on `count` images.
inline void train_architecture(TrainedArch& t, const std::string& arch, float lr, int count) {
    std::string error;
    const bool loaded = fnn::load_dataset("data", "fashion_mnist", "train", t.train, error) &&
                        fnn::load_dataset("data", "fashion_mnist", "test", t.test, error);
    REQUIRE_MESSAGE(loaded, error);
    std::vector<fnn::LayerSpec> specs;
    REQUIRE_MESSAGE(fnn::parse_architecture(arch, specs, error), error);
    fnn::TrainConfig c;
    c.net.n_specs = static_cast<int>(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) c.net.specs[i] = specs[i];
    c.init = fnn::Init::He;
    c.opt.learning_rate = lr;
    c.epochs = 1;
    t.slice = t.train.view;
    t.slice.header.count = static_cast<uint32_t>(count);
    fnn::ErrorText err;
    REQUIRE(t.trainer.setup(c, t.slice, &err) == fnn::Status::Ok);
    REQUIRE(t.trainer.run(nullptr, &err) == fnn::Status::Ok);
}

// Loads `blob` into `arena`, sized exactly as fnn_arena_bytes() says. The model reads the blob
// in place: both must outlive it.
inline fnn_model* load_exact(const std::vector<uint8_t>& blob, std::vector<unsigned char>& arena) {
    size_t bytes = 0;
    REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &bytes) == FNN_OK);
    arena.assign(bytes, 0);
    fnn_model* m = nullptr;
    REQUIRE(fnn_load(blob.data(), blob.size(), arena.data(), arena.size(), &m) == FNN_OK);
    return m;
}

}  // namespace fnn_test
