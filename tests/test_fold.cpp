// Folding for inference (fnn/fold.hpp): dropouts go, batch norms merge into the dense or conv2d
// layer before them with the documented formula, and the folded network computes what the
// trained one does (same argmax, probabilities within float rounding) through the inference
// library.
#include <doctest/doctest.h>

#include <math.h>

#include <string>
#include <vector>

#include "cli/cli_deploy.hpp"
#include "fnn/fold.hpp"
#include "kernels/batchnorm.hpp"
#include "trained_arch.hpp"

using namespace fnn;

namespace {

std::string kinds(const NetworkShape& s) {
    std::string text;
    for (int l = 0; l < s.n_layers; ++l) {
        text += layer_kind_name(s.layers[l].kind);
        text += s.layers[l].act == Activation::Relu ? "+relu " : " ";
    }
    return text;
}

// The fp32 blobs of the trained and the folded network through the inference library on 500
// test images: the same argmax everywhere, probabilities within 1e-4.
void check_same_function(const fnn_test::TrainedArch& t, const FoldedNetwork& f) {
    const Trainer& trainer = t.trainer;
    const ModelMeta meta = model_meta(Loss::CrossEntropy, t.slice);
    const std::vector<uint8_t> trained = encode_blob(
        trainer.shape(), trainer.params(), trainer.state(), meta, WeightType::F32, nullptr);
    const std::vector<uint8_t> folded = encode_blob(f.shape, f.params.data(), f.state.data(), meta,
                                                    WeightType::F32, nullptr);
    std::vector<unsigned char> arena_a, arena_b;
    fnn_model* a = fnn_test::load_exact(trained, arena_a);
    fnn_model* b = fnn_test::load_exact(folded, arena_b);
    int argmax_differs = 0;
    float worst = 0.0f;
    for (int i = 0; i < 500; ++i) {
        float pa[10], pb[10];
        REQUIRE(fnn_run_u8(a, t.test.view.sample(i), 784, pa, 10) == FNN_OK);
        REQUIRE(fnn_run_u8(b, t.test.view.sample(i), 784, pb, 10) == FNN_OK);
        argmax_differs += fnn_argmax(pa, 10) != fnn_argmax(pb, 10);
        for (int j = 0; j < 10; ++j) worst = fmaxf(worst, fabsf(pa[j] - pb[j]));
    }
    CHECK(argmax_differs == 0);
    CHECK(worst < 1e-4f);
}

}  // namespace

TEST_CASE("fold: batch norm merges into the conv2d and dense before it, dropouts go") {
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(
        t, "conv6k3psame,bn,relu,pool2,dropout0.2,dense24,bn,relu,dropout0.3", 2e-3f, 2000);
    const NetworkShape& shape = t.trainer.shape();
    const float* params = t.trainer.params();
    const float* state = t.trainer.state();
    REQUIRE(has_foldable_layers(shape));
    const FoldedNetwork f = fold_for_inference(shape, params, state);
    CHECK(kinds(f.shape) == "conv2d+relu maxpool dense+relu dense ");
    CHECK(f.shape.n_state == 0);
    CHECK(!has_foldable_layers(f.shape));

    // The formula in fold.hpp, value by value: w' = w * s[j], bias' = bias * s[j] + t[j].
    const LayerDesc& conv = shape.layers[0];
    const LayerDesc& bn = shape.layers[1];
    REQUIRE(bn.kind == LayerKind::BatchNorm);
    const int C = conv.out.c;
    std::vector<float> s(C), sh(C);
    batchnorm_fold(params + bn.gamma_offset, params + bn.b_offset, state + bn.state_offset,
                   state + bn.state_offset + C, bn.bn_eps, C, s.data(), sh.data());
    const LayerDesc& to = f.shape.layers[0];
    int differ = 0;
    for (int k = 0; k < conv.w_rows; ++k) {
        for (int j = 0; j < C; ++j) {
            const size_t at = static_cast<size_t>(k) * C + j;
            differ += f.params[to.w_offset + at] != params[conv.w_offset + at] * s[j];
        }
    }
    for (int j = 0; j < C; ++j) {
        const float scaled = params[conv.b_offset + j] * s[j];
        differ += f.params[to.b_offset + j] != scaled + sh[j];
    }
    CHECK(differ == 0);
    // The output layer is copied as it is.
    const LayerDesc& out_from = shape.layers[shape.n_layers - 1];
    const LayerDesc& out_to = f.shape.layers[f.shape.n_layers - 1];
    for (int k = 0; k < out_from.w_rows * out_from.w_cols; ++k)
        differ += f.params[out_to.w_offset + k] != params[out_from.w_offset + k];
    CHECK(differ == 0);
    check_same_function(t, f);
}

TEST_CASE("fold: a batch norm after a pool or an activation stays, with its statistics") {
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, "conv6k3,relu,pool2,bn,dropout0.1,dense16,bn,relu", 2e-3f,
                                 2000);
    const NetworkShape& shape = t.trainer.shape();
    const FoldedNetwork f = fold_for_inference(shape, t.trainer.params(), t.trainer.state());
    CHECK(kinds(f.shape) == "conv2d+relu maxpool batchnorm dense+relu dense ");
    const LayerDesc& from = shape.layers[2];
    const LayerDesc& to = f.shape.layers[2];
    REQUIRE(from.kind == LayerKind::BatchNorm);
    int differ = 0;
    for (int c = 0; c < to.out.c; ++c) {
        differ += f.params[to.gamma_offset + c] != t.trainer.params()[from.gamma_offset + c];
        differ += f.params[to.b_offset + c] != t.trainer.params()[from.b_offset + c];
        for (int k : {c, to.out.c + c})
            differ += f.state[to.state_offset + k] != t.trainer.state()[from.state_offset + k];
    }
    CHECK(differ == 0);
    check_same_function(t, f);
}

TEST_CASE("fold: a network with nothing to fold comes back unchanged") {
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, "conv4k3,relu,bn,pool2,dense16,relu", 2e-3f, 500);
    const NetworkShape& shape = t.trainer.shape();
    CHECK(!has_foldable_layers(shape));  // the batch norm follows an activation
    const FoldedNetwork f = fold_for_inference(shape, t.trainer.params(), t.trainer.state());
    REQUIRE(f.shape.n_layers == shape.n_layers);
    CHECK(f.params == std::vector<float>(t.trainer.params(), t.trainer.params() + shape.n_params));
    CHECK(f.state == std::vector<float>(t.trainer.state(), t.trainer.state() + shape.n_state));
}

TEST_CASE("fold: int8 files of folded networks run on the int8-only build, others do not") {
    // (make cross runs that build and checks its refusals; this is the host's rule for it.)
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, "conv4k3,bn,relu,pool2,dropout0.1,dense8,relu", 2e-3f, 500);
    const Trainer& trainer = t.trainer;
    const ModelMeta meta = model_meta(Loss::CrossEntropy, t.slice);
    const std::vector<uint8_t> folded = deploy_blob(trainer.shape(), trainer.params(),
                                                    trainer.state(), meta, DeployVariant::Int8, t.slice);
    CHECK(runs_on_int8_only_build(folded));
    const std::vector<float> scales =
        calibrate_activations(trainer.shape(), trainer.params(), trainer.state(),
                              meta.input_divisor, t.slice, 500);
    CHECK(!runs_on_int8_only_build(encode_blob(trainer.shape(), trainer.params(), trainer.state(),
                                               meta, WeightType::Int8, scales.data())));
    CHECK(!runs_on_int8_only_build(encode_blob(trainer.shape(), trainer.params(), trainer.state(),
                                               meta, WeightType::Int8, nullptr)));
    CHECK(!runs_on_int8_only_build(deploy_blob(trainer.shape(), trainer.params(), trainer.state(),
                                               meta, DeployVariant::Fp32, t.slice)));
    for (const char* arch : {"conv4k3,relu,avgpool2,dense8,relu", "dense8,tanh"}) {
        CAPTURE(arch);
        fnn_test::TrainedArch other;
        fnn_test::train_architecture(other, arch, 2e-3f, 300);
        CHECK(!runs_on_int8_only_build(deploy_blob(other.trainer.shape(), other.trainer.params(),
                                                   other.trainer.state(), meta,
                                                   DeployVariant::Int8, other.slice)));
    }
    std::vector<uint8_t> broken = folded;
    broken[20] ^= 1;  // a header field (and the CRC no longer matches)
    CHECK(!runs_on_int8_only_build(broken));
}
