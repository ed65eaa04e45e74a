// Model blobs of convolutional networks (format version 3): every layer kind round-trips with its
// geometry, parameters and batch norm statistics; every truncation and flipped byte is refused;
// hostile geometry with a valid CRC is caught by the field checks; the inference library refuses
// what it does not run yet with a clear status.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "blob_edits.hpp"
#include "fnn/activation.hpp"
#include "fnn/fnn.h"
#include "layer_specs.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

// A 3-channel 7x6 image through every kind: conv (padding 1), batch norm + relu, max pool, a
// rectangular strided 'same' conv, average pool, dropout, dense, batch norm + tanh, output.
struct CnnModel {
    NetworkShape shape;
    std::vector<float> params, state;
    ModelMeta meta;
    CnnModel() {
        NetworkSpec spec;
        spec.input = Shape3{3, 7, 6};
        spec.n_in = 3 * 7 * 6;
        spec.n_classes = 3;
        const LayerSpec specs[] = {conv(4, 3, 3, 1, Padding::Explicit, 1),
                                   simple(LayerKind::BatchNorm), activation(Activation::Relu),
                                   pool(LayerKind::MaxPool, 2), conv(5, 2, 3, 2, Padding::Same),
                                   pool(LayerKind::AvgPool, 2, 1), dropout(0.3f), dense(6),
                                   simple(LayerKind::BatchNorm), activation(Activation::Tanh)};
        for (const LayerSpec& s : specs) spec.specs[spec.n_specs++] = s;
        ErrorText err;
        REQUIRE_MESSAGE(plan_network(spec, shape, &err) == Status::Ok, err.text);
        params.assign(shape.n_params, 0.0f);
        state.assign(shape.n_state, 0.0f);
        Rng rng(9);
        init_parameters(shape, Init::He, params.data(), state.data(), rng);
        // Every value distinct from its initial one, variances positive.
        for (float& p : params) p += rng.uniform(-0.5f, 0.5f);
        for (size_t i = 0; i < state.size(); ++i) state[i] = rng.uniform(0.1f, 2.0f);
        meta.rows = 7;
        meta.cols = 6;
        meta.channels = 3;
    }
    std::vector<uint8_t> blob(WeightType type) const {
        std::vector<uint8_t> out(model_blob_bytes(shape, type));
        ErrorText err;
        REQUIRE(write_model_blob(shape, params.data(), state.data(), meta, type, nullptr,
                                 out.data(), out.size(), &err) == Status::Ok);
        return out;
    }
};



// Decodes a blob back into a planned network with parameters and state.
void decode(const std::vector<uint8_t>& blob, NetworkShape& shape, std::vector<float>& params,
            std::vector<float>& state) {
    ModelBlob m;
    ErrorText err;
    REQUIRE_MESSAGE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok, err.text);
    REQUIRE_MESSAGE(network_from_blob(m, shape, &err) == Status::Ok, err.text);
    params.assign(shape.n_params, 0.0f);
    state.assign(shape.n_state, 0.0f);
    params_from_blob(m, shape, params.data(), state.data());
}

// Logits of the planned network for a fixed input, evaluation mode, reproducible arithmetic.
std::vector<float> logits(const NetworkShape& shape, const std::vector<float>& params,
                          const std::vector<float>& state) {
    const int batch = 2;
    std::vector<unsigned char> memory(arena_buffer_bytes(Network::bytes(shape, batch, batch)) +
                                      arena_buffer_bytes(Network::scratch_bytes(shape, batch)));
    Arena persistent(memory.data(), arena_buffer_bytes(Network::bytes(shape, batch, batch)));
    Arena scratch(memory.data() + persistent.capacity(), memory.size() - persistent.capacity());
    Network net;
    ErrorText err;
    REQUIRE(net.init(shape, batch, batch, persistent, &err) == Status::Ok);
    memcpy(net.params(), params.data(), params.size() * sizeof(float));
    if (!state.empty()) memcpy(net.state(), state.data(), state.size() * sizeof(float));
    std::vector<float> x(static_cast<size_t>(batch) * shape.n_in());
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 11) / 10.0f - 0.3f;
    const ConstMatView out =
        net.forward(ConstMatView{x.data(), batch, shape.n_in(), shape.n_in()}, scratch);
    std::vector<float> v;
    for (int i = 0; i < batch; ++i)
        for (int j = 0; j < out.cols; ++j) v.push_back(out.at(i, j));
    return v;
}

size_t entry(int l) { return kModelHeaderBytes + kModelLayerBytes * static_cast<size_t>(l); }

}  // namespace

TEST_CASE("cnn blob: every layer kind round-trips: geometry, parameters, statistics, outputs") {
    const CnnModel model;
    const std::vector<uint8_t> blob = model.blob(WeightType::F32);
    ModelBlob m;
    ErrorText err;
    REQUIRE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok);
    CHECK(m.header.version == 3);
    REQUIRE(m.header.n_layers == model.shape.n_layers);
    CHECK(m.layers[0].desc.planar_in);  // the 3-channel image input
    NetworkShape shape;
    std::vector<float> params, state;
    decode(blob, shape, params, state);
    REQUIRE(shape.n_layers == model.shape.n_layers);
    CHECK(shape.n_params == model.shape.n_params);
    CHECK(shape.n_state == model.shape.n_state);
    for (int l = 0; l < shape.n_layers; ++l) {
        CAPTURE(l);
        const LayerDesc& a = shape.layers[l];
        const LayerDesc& b = model.shape.layers[l];
        CHECK(a.kind == b.kind);
        CHECK(a.act == b.act);
        CHECK((a.out.c == b.out.c && a.out.h == b.out.h && a.out.w == b.out.w));
        CHECK((a.kh == b.kh && a.kw == b.kw && a.sh == b.sh && a.sw == b.sw));
        CHECK((a.pad_top == b.pad_top && a.pad_left == b.pad_left &&
               a.pad_bottom == b.pad_bottom && a.pad_right == b.pad_right));
        CHECK(a.rate == b.rate);
        CHECK(a.bn_eps == b.bn_eps);
        CHECK((a.w_offset == b.w_offset && a.b_offset == b.b_offset &&
               a.gamma_offset == b.gamma_offset && a.state_offset == b.state_offset));
    }
    // The rectangular strided same conv pads rows unequally: the planner chose it, the file keeps it.
    const LayerDesc& rect = model.shape.layers[3];
    REQUIRE(rect.kind == LayerKind::Conv2d);
    CHECK(rect.pad_top + rect.pad_bottom == 1);  // rows: 0 above, 1 below
    // Parameters outside the padding, and the statistics, come back bit for bit; so do outputs.
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        if (d.has_weights()) {
            CHECK(memcmp(&params[d.w_offset], &model.params[d.w_offset],
                         sizeof(float) * d.w_rows * d.w_cols) == 0);
        }
        if (d.has_bias())
            CHECK(memcmp(&params[d.b_offset], &model.params[d.b_offset], sizeof(float) * d.out.c) == 0);
        if (d.kind == LayerKind::BatchNorm)
            CHECK(memcmp(&params[d.gamma_offset], &model.params[d.gamma_offset], sizeof(float) * d.out.c) == 0);
    }
    CHECK(state == model.state);
    CHECK(logits(shape, params, state) == logits(model.shape, model.params, model.state));
}

TEST_CASE("cnn blob: fp16 and int8 weights stay within their precision; statistics stay fp32") {
    const CnnModel model;
    for (WeightType type : {WeightType::F16, WeightType::Int8}) {
        CAPTURE(weight_type_name(type));
        NetworkShape shape;
        std::vector<float> params, state;
        decode(model.blob(type), shape, params, state);
        CHECK(state == model.state);
        for (int l = 0; l < shape.n_layers; ++l) {
            const LayerDesc& d = shape.layers[l];
            if (!d.has_weights()) continue;
            for (int j = 0; j < d.w_cols; ++j) {
                float max_abs = 0;
                for (int k = 0; k < d.w_rows; ++k)
                    max_abs = fmaxf(max_abs, fabsf(model.params[d.w_offset + k * d.w_cols + j]));
                for (int k = 0; k < d.w_rows; ++k) {
                    const size_t i = d.w_offset + static_cast<size_t>(k) * d.w_cols + j;
                    const float tol = type == WeightType::F16 ? fabsf(model.params[i]) * 4.9e-4f + 6e-8f
                                                              : max_abs / 254.0f * 1.0001f;
                    REQUIRE(fabsf(params[i] - model.params[i]) <= tol);
                }
            }
        }
    }
}

TEST_CASE("cnn blob: every truncated prefix and every flipped byte is refused") {
    const CnnModel model;
    for (WeightType type : {WeightType::F32, WeightType::Int8}) {
        const std::vector<uint8_t> blob = model.blob(type);
        for (size_t n = 0; n < blob.size(); ++n) {
            const std::vector<uint8_t> prefix(blob.begin(), blob.begin() + static_cast<long>(n));
            REQUIRE(parse(prefix) != Status::Ok);
        }
        for (size_t i = 0; i < blob.size(); ++i) {
            for (uint8_t flip : {0x01, 0x80}) {
                std::vector<uint8_t> bad = blob;
                bad[i] ^= flip;
                REQUIRE(parse(bad) != Status::Ok);
            }
        }
    }
}

TEST_CASE("cnn blob: hostile geometry and values with a valid CRC are caught by the field checks") {
    const CnnModel model;
    const std::vector<uint8_t> good = model.blob(WeightType::F32);
    REQUIRE(parse(good) == Status::Ok);
    // Layers: 0 conv (pad 1, relu fused into bn), 1 batchnorm, 2 maxpool, 3 conv, 4 avgpool,
    // 5 dropout, 6 dense, 7 batchnorm, 8 output.
    REQUIRE(model.shape.layers[1].kind == LayerKind::BatchNorm);
    REQUIRE(model.shape.layers[2].kind == LayerKind::MaxPool);
    REQUIRE(model.shape.layers[5].kind == LayerKind::Dropout);
    ModelBlob parsed;
    REQUIRE(parse_model_blob(good.data(), good.size(), parsed, nullptr) == Status::Ok);
    const size_t bn1_values = static_cast<size_t>(parsed.layers[1].bias - good.data());
    const int bn1_channels = model.shape.layers[1].out.c;
    const struct {
        const char* what;
        size_t offset;
        uint32_t value;
        int width;
        const char* part;
    } edits[] = {
        {"channel-last order for the planar image", entry(0) + 2, 0, 1, "input order"},
        {"planar order on a later layer", entry(2) + 2, 1, 1, "input order"},
        {"input shape that is not the image", entry(0) + 12, 2, 2, "input is"},
        {"conv output channels off", entry(0) + 18, 5, 2, "writes 168 values"},
        {"conv output rows off", entry(0) + 20, 6, 2, "output is"},
        {"kernel 0", entry(0) + 24, 0, 1, "kernel and stride >= 1"},
        {"stride 0", entry(3) + 27, 0, 1, "kernel and stride >= 1"},
        {"padding that changes the output", entry(0) + 28, 0, 1, "output is"},
        {"padding on a pool", entry(2) + 28, 1, 1, "no padding"},
        {"kernel on batch norm", entry(1) + 24, 3, 1, "no kernel"},
        {"activation on a pool", entry(2) + 1, 3, 1, "activation code"},
        {"weights offset on a pool", entry(2) + 32, 16, 4, "offsets must be 0"},
        {"weights offset on batch norm", entry(1) + 32, 16, 4, "no weights"},
        {"int8 activations on conv", entry(0) + 44, 0x3F800000u, 4, "int8"},
        {"batch norm epsilon 0", entry(1) + 48, 0, 4, "epsilon"},
        {"batch norm epsilon NaN", entry(1) + 48, 0x7FC00000u, 4, "epsilon"},
        {"dropout rate 1", entry(5) + 48, 0x3F800000u, 4, "dropout rate"},
        {"n_out that is not the shape", entry(2) + 8, 7, 4, "writes 7 values"},
        {"batch norm values misaligned", entry(1) + 36, static_cast<uint32_t>(bn1_values + 4), 4,
         "batch norm values"},
        {"negative running variance",
         bn1_values + 4 * static_cast<size_t>(3 * bn1_channels), 0xBF800000u, 4, ">= 0"},
        {"NaN running mean", bn1_values + 4 * static_cast<size_t>(2 * bn1_channels), 0x7FC00000u,
         4, "batch norm value"},
        {"kind 8 (flatten is never stored)", entry(5), 8, 1, "unknown kind"},
    };
    for (const auto& e : edits) {
        CAPTURE(e.what);
        std::string message;
        CHECK(parse(edited(good, e.offset, e.value, e.width), &message) == Status::Format);
        CHECK_MESSAGE(message.find(e.part) != std::string::npos, message);
    }
}

TEST_CASE("cnn blob: layers the planner would lay out differently are refused when decoding") {
    // dense 6, dropout, output: the dropout entry turned into a relu layer is a valid blob the
    // library runs, but fnn train would have fused that relu into the dense layer.
    NetworkSpec spec;
    spec.input = Shape3{1, 2, 3};
    spec.n_in = 6;
    spec.n_classes = 3;
    spec.specs[spec.n_specs++] = dense(6);
    spec.specs[spec.n_specs++] = dropout(0.0f);
    NetworkShape shape;
    ErrorText err;
    REQUIRE(plan_network(spec, shape, &err) == Status::Ok);
    std::vector<float> params(shape.n_params, 0.25f);
    ModelMeta meta;
    meta.rows = 2;
    meta.cols = 3;
    std::vector<uint8_t> blob(model_blob_bytes(shape, WeightType::F32));
    REQUIRE(write_model_blob(shape, params.data(), nullptr, meta, WeightType::F32, nullptr,
                             blob.data(), blob.size(), &err) == Status::Ok);
    std::vector<uint8_t> relu = edited(blob, entry(1), static_cast<uint8_t>(LayerKind::Activation), 1);
    relu = edited(relu, entry(1) + 1, static_cast<uint8_t>(Activation::Relu), 1);
    ModelBlob m;
    REQUIRE(parse_model_blob(relu.data(), relu.size(), m, &err) == Status::Ok);
    NetworkShape decoded;
    CHECK(network_from_blob(m, decoded, &err) == Status::Unsupported);
    CHECK(std::string(err.text).find("not a network fnn plans") != std::string::npos);
    char message[256];
    CHECK(fnn_check_blob(relu.data(), relu.size(), message, sizeof message) == FNN_OK);
}

TEST_CASE("cnn blob: writing refuses batch norm without its statistics") {
    const CnnModel model;
    std::vector<uint8_t> out(model_blob_bytes(model.shape, WeightType::F32));
    ErrorText err;
    CHECK(write_model_blob(model.shape, model.params.data(), nullptr, model.meta, WeightType::F32,
                           nullptr, out.data(), out.size(), &err) == Status::Arg);
    CHECK(std::string(err.text).find("running statistics") != std::string::npos);
}

TEST_CASE("cnn blob: the inference library runs every layer kind with the trainer's bits") {
    // fp32 and fp16 weights: the library's outputs equal the trainer's evaluation forward pass
    // (on the weights the blob holds) followed by softmax, bit for bit, for several inputs.
    const CnnModel model;
    for (WeightType type : {WeightType::F32, WeightType::F16}) {
        CAPTURE(weight_type_name(type));
        const std::vector<uint8_t> blob = model.blob(type);
        NetworkShape shape;
        std::vector<float> params, state;
        decode(blob, shape, params, state);
        const std::vector<float> expect = logits(shape, params, state);  // 2 inputs x 3 classes
        char message[256];
        REQUIRE_MESSAGE(fnn_check_blob(blob.data(), blob.size(), message, sizeof message) == FNN_OK,
                        message);
        size_t bytes = 0;
        REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &bytes) == FNN_OK);
        std::vector<unsigned char> arena(bytes);
        fnn_model* m = nullptr;
        REQUIRE(fnn_load(blob.data(), blob.size(), arena.data(), arena.size(), &m) == FNN_OK);
        CHECK(fnn_macs(m) == shape.macs());
        const int n = shape.n_in();
        for (int i = 0; i < 2; ++i) {
            std::vector<float> x(static_cast<size_t>(n)), probs(3);
            for (int k = 0; k < n; ++k)
                x[static_cast<size_t>(k)] = static_cast<float>(((i * n + k) * 37) % 11) / 10.0f - 0.3f;
            REQUIRE(fnn_run(m, x.data(), x.size(), probs.data(), probs.size()) == FNN_OK);
            float z[3] = {expect[3 * i], expect[3 * i + 1], expect[3 * i + 2]};
            softmax_rows(MatView{z, 1, 3, 3});
            CHECK(memcmp(z, probs.data(), sizeof z) == 0);
        }
        // One byte less than the plan: refused cleanly.
        fnn_model* small = nullptr;
        CHECK(fnn_load(blob.data(), blob.size(), arena.data(), bytes - 1, &small) == FNN_E_NOMEM);
        CHECK(small == nullptr);
    }
}
