// The inference library on the course's CNNs: the cnn1 and cnn2 presets, trained briefly on
// real Fashion-MNIST, give the trainer's evaluation outputs bit for bit on all 10,000 test
// images, in exactly the arena fnn_arena_bytes() plans.
#include <doctest/doctest.h>

#include <string.h>

#include <string>
#include <vector>

#include "fnn/blob.hpp"
#include "fnn/fnn.h"
#include "fnn/trainer.hpp"
#include "trained_arch.hpp"

using namespace fnn;

namespace {

// The trained network as an fp32 model blob.
std::vector<uint8_t> fp32_blob(const Trainer& trainer) {
    ErrorText err;
    ModelMeta meta;
    meta.rows = 28;
    meta.cols = 28;
    std::vector<uint8_t> blob(model_blob_bytes(trainer.shape(), WeightType::F32));
    REQUIRE(write_model_blob(trainer.shape(), trainer.params(), trainer.state(), meta,
                             WeightType::F32, nullptr, blob.data(), blob.size(), &err) == Status::Ok);
    return blob;
}

// Runs the first `count` test images through the model and the trainer's evaluation: how many
// outputs differ in any bit; *correct counts the model's right answers.
int differing_outputs(fnn_test::TrainedArch& t, fnn_model* m, int count, int* correct) {
    int differ = 0;
    std::vector<float> probs(10);
    const int batch = t.trainer.eval_batch();
    for (int first = 0; first < count; first += batch) {
        const int n = count - first < batch ? count - first : batch;
        const ConstMatView expect = t.trainer.predict(t.test.view, first, n);
        for (int i = 0; i < n; ++i) {
            REQUIRE(fnn_run_u8(m, t.test.view.sample(first + i), 784, probs.data(), 10) == FNN_OK);
            differ += memcmp(probs.data(), expect.row(i), 10 * sizeof(float)) != 0;
            *correct += fnn_argmax(probs.data(), 10) == t.test.view.labels[first + i];
        }
    }
    return differ;
}

// The preset trained for one epoch on the first 1,280 training images (the weights only need
// to be a trained network's, not a good one's), then compared image by image.
void check_preset(const char* preset) {
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, preset, 1e-3f, 1280);
    const std::vector<uint8_t> blob = fp32_blob(t.trainer);
    std::vector<unsigned char> arena;
    fnn_model* m = fnn_test::load_exact(blob, arena);
    const size_t bytes = arena.size();
    // Each layer's own use fits the arena, and the largest comes close to it: the buffers are
    // the layers' needs, not a sum of whole feature maps.
    size_t largest = 0, layers = 0, live = 0;
    for (; fnn_layer_bytes(blob.data(), blob.size(), layers, &live) == FNN_OK; ++layers) {
        CHECK(live > 0);
        CHECK(live < bytes);
        largest = live > largest ? live : largest;
    }
    CHECK(layers >= 6);  // cnn1: conv, pool, conv, pool, dense, dense (activations folded in)
    CHECK(largest > bytes / 2);
    fnn_model* too_small = nullptr;
    std::vector<unsigned char> short_arena(bytes - 1);
    CHECK(fnn_load(blob.data(), blob.size(), short_arena.data(), bytes - 1, &too_small) == FNN_E_NOMEM);
    CHECK(fnn_macs(m) == t.trainer.shape().macs());
    int correct = 0;
    CHECK(differing_outputs(t, m, t.test.view.count(), &correct) == 0);
    CHECK(correct > 6000);  // a trained network: far above the 1,000 of chance
}

// An architecture trained briefly; its fp32 outputs on the first 1,000 test images.
void check_outputs(const char* arch) {
    CAPTURE(arch);
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, arch, 1e-3f, 1280);
    const std::vector<uint8_t> blob = fp32_blob(t.trainer);  // read in place: must outlive m
    std::vector<unsigned char> arena;
    fnn_model* m = fnn_test::load_exact(blob, arena);
    int correct = 0;
    CHECK(differing_outputs(t, m, 1000, &correct) == 0);
}

}  // namespace

TEST_CASE("infer cnn: cnn1 gives the trainer's bits on all 10,000 test images") { check_preset("cnn1"); }

TEST_CASE("infer cnn: cnn2 gives the trainer's bits on all 10,000 test images") { check_preset("cnn2"); }

// Chains of fused groups (a group's pooled rows streamed through a ring into the next group's
// conv): three groups with a dropout between two, a strided conv, an average pool, and pools
// that leave conv rows and columns no window reads; and a conv whose output is not pooled.
TEST_CASE("infer cnn: chains of conv-pool groups give the trainer's bits") {
    check_outputs("conv6k3psame,relu,pool2,dropout0.1,conv8k3s2,bn,relu,avgpool2,conv8k3p1,relu,pool2,dense16,relu");
    check_outputs("conv6k3,relu,pool2,conv8k3,bn,relu,pool2,conv4k2,relu,pool2");
    check_outputs("conv4k3,relu,conv6k3s2,relu,pool2,conv6k3psame,relu,pool3");
}
