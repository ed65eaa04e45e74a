// Model blobs: round trips for each weight type, every truncated prefix and every single-byte
// change rejected, and hostile fields (re-sealed with a valid CRC) caught by the field checks.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "blob_edits.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

struct Model {
    NetworkShape shape;
    std::vector<float> params;
    ModelMeta meta;
    Model() {
        NetworkSpec spec;
        spec.n_in = 6;
        spec.n_classes = 3;
        spec.n_hidden = 2;
        spec.hidden_widths[0] = 5;
        spec.hidden_widths[1] = 4;
        spec.hidden_act = Activation::Tanh;
        ErrorText err;
        REQUIRE(plan_network(spec, shape, &err) == Status::Ok);
        params.resize(shape.n_params);
        Rng rng(4);
        init_parameters(shape, Init::Xavier, params.data(), nullptr, rng);
        for (int l = 0; l < shape.n_layers; ++l) {
            for (int j = 0; j < shape.layers[l].n_out; ++j)
                params[shape.layers[l].b_offset + j] = rng.uniform(-1, 1);
        }
        meta.rows = 2;
        meta.cols = 3;
        meta.channels = 1;
        meta.loss = Loss::MeanSquaredError;
    }
    std::vector<uint8_t> blob(WeightType type) const {
        std::vector<uint8_t> out(model_blob_bytes(shape, type));
        ErrorText err;
        REQUIRE(write_model_blob(shape, params.data(), nullptr, meta, type, nullptr, out.data(), out.size(),
                                 &err) == Status::Ok);
        return out;
    }
};


// The same dense-only model in the 32-byte layer entries of versions 1 and 2: sections keep
// their offsets (the shrunk table leaves padding before them), the header only changes version.
std::vector<uint8_t> as_version(const std::vector<uint8_t>& v3, uint16_t version) {
    std::vector<uint8_t> out = v3;
    const uint32_t layers = load_u32le(v3.data() + 12);
    memset(out.data() + kModelHeaderBytes, 0, kModelLayerBytes * layers);
    for (uint32_t l = 0; l < layers; ++l) {
        const uint8_t* from = v3.data() + kModelHeaderBytes + kModelLayerBytes * l;
        uint8_t* to = out.data() + kModelHeaderBytes + kModelLayerBytesV2 * l;
        to[0] = from[0];
        to[1] = from[1];
        memcpy(to + 4, from + 4, 8);    // n_in, n_out
        memcpy(to + 12, from + 32, 16);  // weights, bias, scales offsets; input scale
    }
    store_u16le(out.data() + 4, version);
    reseal(out);
    return out;
}


}  // namespace

TEST_CASE("blob: fp32 round trip is bit-exact and keeps the metadata") {
    const Model model;
    const std::vector<uint8_t> blob = model.blob(WeightType::F32);
    CHECK(blob.size() % 4 == 0);
    ModelBlob m;
    ErrorText err;
    REQUIRE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok);
    CHECK(m.header.n_layers == 3);
    CHECK(m.header.meta.loss == Loss::MeanSquaredError);
    CHECK(m.header.meta.rows == 2);
    CHECK(m.layers[1].act == Activation::Tanh);
    CHECK(m.layers[2].act == Activation::Softmax);
    for (int l = 0; l < m.header.n_layers; ++l) {
        CHECK((m.layers[l].weights - blob.data()) % 16 == 0);
        CHECK((m.layers[l].bias - blob.data()) % 16 == 0);
    }
    NetworkSpec spec;
    REQUIRE(network_spec_from_blob(m, spec, &err) == Status::Ok);
    NetworkShape shape;
    REQUIRE(plan_network(spec, shape, &err) == Status::Ok);
    std::vector<float> back(shape.n_params);
    params_from_blob(m, shape, back.data(), nullptr);
    CHECK(memcmp(back.data(), model.params.data(), back.size() * sizeof(float)) == 0);
}

TEST_CASE("blob: fp16 and int8 round trips stay within their precision, and are smaller") {
    const Model model;
    const size_t f32_bytes = model.blob(WeightType::F32).size();
    for (WeightType type : {WeightType::F16, WeightType::Int8}) {
        CAPTURE(weight_type_name(type));
        const std::vector<uint8_t> blob = model.blob(type);
        CHECK(blob.size() < f32_bytes);
        ModelBlob m;
        ErrorText err;
        REQUIRE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok);
        std::vector<float> back(model.shape.n_params);
        params_from_blob(m, model.shape, back.data(), nullptr);
        for (int l = 0; l < model.shape.n_layers; ++l) {
            const LayerShape& layer = model.shape.layers[l];
            float max_abs = 0;
            for (int k = 0; k < layer.n_in * layer.n_out; ++k)
                max_abs = fmaxf(max_abs, fabsf(model.params[layer.w_offset + k]));
            for (int k = 0; k < layer.n_in * layer.n_out; ++k) {
                const float w = model.params[layer.w_offset + k], r = back[layer.w_offset + k];
                // fp16: relative 2^-11; int8: half a step of the column's scale (<= max|w| / 254)
                const float tol = type == WeightType::F16 ? fabsf(w) * 4.9e-4f + 6e-8f
                                                          : max_abs / 254.0f * 1.0001f;
                REQUIRE(fabsf(w - r) <= tol);
            }
            for (int j = 0; j < layer.n_out; ++j)
                CHECK(back[layer.b_offset + j] == model.params[layer.b_offset + j]);
        }
    }
}

TEST_CASE("blob: every truncated prefix is rejected") {
    const Model model;
    for (WeightType type : {WeightType::F32, WeightType::Int8}) {
        const std::vector<uint8_t> blob = model.blob(type);
        for (size_t n = 0; n < blob.size(); ++n) {
            const std::vector<uint8_t> prefix(blob.begin(), blob.begin() + static_cast<long>(n));
            REQUIRE(parse(prefix) != Status::Ok);
        }
        std::vector<uint8_t> longer = blob;
        longer.push_back(0);
        CHECK(parse(longer) == Status::Format);
    }
}

TEST_CASE("blob: every single-byte change is rejected") {
    const Model model;
    const std::vector<uint8_t> blob = model.blob(WeightType::F32);
    for (size_t i = 0; i < blob.size(); ++i) {
        for (uint8_t flip : {0x01, 0x80, 0xFF}) {
            std::vector<uint8_t> bad = blob;
            bad[i] ^= flip;
            REQUIRE(parse(bad) != Status::Ok);
        }
    }
}

TEST_CASE("blob: hostile fields with a valid CRC are caught by the field checks") {
    const Model model;
    const std::vector<uint8_t> good = model.blob(WeightType::F32);
    const size_t layer0 = kModelHeaderBytes, layer2 = kModelHeaderBytes + 2 * kModelLayerBytes;
    struct Edit {
        const char* what;
        size_t offset;
        uint32_t value;
        int width;
        Status expected;
        const char* message_part;
    };
    const Edit edits[] = {
        {"magic", 0, 0x4D4E4E46u ^ 1u, 4, Status::Format, "magic"},
        {"version", 4, 4, 2, Status::Version, "version 4"},
        {"weight type", 6, 7, 1, Status::Format, "weight type"},
        {"loss", 7, 9, 1, Status::Format, "loss"},
        {"layer count 0", 12, 0, 4, Status::Format, "layers"},
        {"layer count huge", 12, 0xFFFFFFFFu, 4, Status::Format, "layers"},
        {"features", 16, 7, 4, Status::Format, "input shape"},
        {"classes", 26, 4, 2, Status::Format, "classes"},
        {"input divisor", 28, 0x7FC00000u, 4, Status::Format, "input divisor"},
        {"reserved header", 40, 1, 1, Status::Format, "zero"},
        {"layer kind", layer0 + 0, 9, 1, Status::Format, "kind"},
        {"a dense layer called conv2d", layer0 + 0, 2, 1, Status::Format, "input is 0x0x0"},
        {"activation code", layer0 + 1, 9, 1, Status::Format, "activation"},
        {"softmax on a hidden layer", layer0 + 1, 4, 1, Status::Format, "activation"},
        {"identity output", layer2 + 1, 0, 1, Status::Format, "softmax"},
        {"planar input on dense", layer0 + 2, 1, 1, Status::Format, "input order"},
        {"reserved entry byte 3", layer0 + 3, 1, 1, Status::Format, "reserved"},
        {"n_out huge", layer0 + 8, 65536, 4, Status::Format, "before the CRC"},
        {"n_out too big", layer0 + 8, 70000, 4, Status::Format, "1..65536"},
        {"n_in mismatch", layer0 + 4 + kModelLayerBytes, 4, 4, Status::Format, "inputs"},
        {"a shape on a dense layer", layer0 + 12, 1, 2, Status::Format, "shapes must be 0"},
        {"weights misaligned", layer0 + 32, 0, 4, Status::Format, "offset"},
        {"weights past the end", layer0 + 32, 0xFFFFFFF0u, 4, Status::Format, "offset"},
        {"bias into the CRC", layer0 + 36, 0, 4, Status::Format, "offset"},
        {"scales on fp32", layer0 + 40, 16, 4, Status::Format, "scales"},
        {"int8 activations on fp32", layer0 + 44, 0x3F800000u, 4, Status::Format, "int8"},
        {"epsilon on a dense layer", layer0 + 48, 0x3F800000u, 4, Status::Format, "48..51"},
        {"reserved layer field", layer0 + 52, 1, 4, Status::Format, "reserved"},
        {"reserved layer end", layer0 + 60, 1, 4, Status::Format, "reserved"},
    };
    for (const Edit& e : edits) {
        CAPTURE(e.what);
        const bool into_crc = std::string(e.what) == "bias into the CRC";
        // 16-aligned, and runs into the CRC
        const std::vector<uint8_t> bad =
            edited(good, e.offset, into_crc ? static_cast<uint32_t>(good.size() - 4 - 16) : e.value,
                   e.width);
        std::string message;
        CHECK(parse(bad, &message) == e.expected);
        CHECK_MESSAGE(message.find(e.message_part) != std::string::npos, message);
    }
    // Non-finite numbers stored in the sections (the CRC is valid, the values are not).
    ModelBlob parsed;
    REQUIRE(parse_model_blob(good.data(), good.size(), parsed, nullptr) == Status::Ok);
    const struct {
        const char* what;
        size_t offset;
        const char* part;
    } values[] = {{"NaN weight", static_cast<size_t>(parsed.layers[1].weights - good.data()) + 8,
                   "weight 2 is not a finite"},
                  {"infinite bias", static_cast<size_t>(parsed.layers[2].bias - good.data()),
                   "bias 0 is not a finite"}};
    for (const auto& v : values) {
        CAPTURE(v.what);
        std::vector<uint8_t> bad = good;
        store_u32le(bad.data() + v.offset,
                    std::string(v.what) == "NaN weight" ? 0x7FC00001u : 0x7F800000u);
        reseal(bad);
        std::string message;
        CHECK(parse(bad, &message) == Status::Format);
        CHECK_MESSAGE(message.find(v.part) != std::string::npos, message);
    }
    // A header that claims more bytes than the blob has.
    std::vector<uint8_t> bad = good;
    store_u32le(bad.data() + 8, static_cast<uint32_t>(bad.size() + 100));
    reseal(bad);
    CHECK(parse(bad) == Status::Truncated);
    CHECK(parse(good) == Status::Ok);
    ModelBlob m;
    CHECK(parse_model_blob(nullptr, 10, m, nullptr) == Status::Arg);
}

TEST_CASE("blob: write refuses a small buffer and a mismatched input shape") {
    Model model;
    std::vector<uint8_t> out(model_blob_bytes(model.shape, WeightType::F32) - 1);
    ErrorText err;
    CHECK(write_model_blob(model.shape, model.params.data(), nullptr, model.meta, WeightType::F32, nullptr,
                           out.data(), out.size(), &err) == Status::NoMem);
    model.meta.rows = 3;
    out.resize(out.size() + 1);
    CHECK(write_model_blob(model.shape, model.params.data(), nullptr, model.meta, WeightType::F32, nullptr,
                           out.data(), out.size(), &err) == Status::Arg);
}

TEST_CASE("blob: sections must come in order and never overlap") {
    const Model model;
    const std::vector<uint8_t> good = model.blob(WeightType::Int8);
    const size_t layer0 = kModelHeaderBytes, layer1 = kModelHeaderBytes + kModelLayerBytes;
    const uint32_t w0 = load_u32le(good.data() + layer0 + 32);
    const uint32_t s0 = load_u32le(good.data() + layer0 + 40);
    const uint32_t b0 = load_u32le(good.data() + layer0 + 36);
    const struct {
        const char* what;
        size_t field;
        uint32_t value;
    } edits[] = {
        {"layer 1 weights on layer 0's weights", layer1 + 32, w0},
        {"layer 0 bias on its weights", layer0 + 36, w0},
        {"layer 0 scales inside its weights", layer0 + 40, w0 + 16},
        {"layer 0 bias before its scales", layer0 + 36, s0 - 16},
        {"layer 1 weights before layer 0's bias", layer1 + 32, b0 - 16},
    };
    for (const auto& e : edits) {
        CAPTURE(e.what);
        std::vector<uint8_t> bad = good;
        store_u32le(bad.data() + e.field, e.value);
        reseal(bad);
        std::string message;
        CHECK(parse(bad, &message) == Status::Format);
        CHECK_MESSAGE(message.find("after the previous section") != std::string::npos, message);
    }
}

TEST_CASE("blob: class names are stored, checked, and optional; versions 1 and 2 still load") {
    Model model;
    const char names[] = "zero\none, two\nthree \"3\"\n";
    model.meta.names = names;
    model.meta.names_bytes = sizeof names - 1;
    std::vector<uint8_t> blob(model_blob_bytes(model.shape, WeightType::F32, model.meta.names_bytes));
    ErrorText err;
    REQUIRE(write_model_blob(model.shape, model.params.data(), nullptr, model.meta, WeightType::F32, nullptr,
                             blob.data(), blob.size(), &err) == Status::Ok);
    ModelBlob m;
    REQUIRE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok);
    CHECK(m.header.version == 3);
    REQUIRE(m.header.meta.names_bytes == sizeof names - 1);
    CHECK(std::string(m.header.meta.names, m.header.meta.names_bytes) == names);
    // The names section sits right after the layer table, before layer 0's weights.
    CHECK(load_u32le(blob.data() + 32) == kModelHeaderBytes + 3 * kModelLayerBytes);
    // Hostile names: wrong count, control characters, both-or-neither, into the weights.
    const struct {
        const char* what;
        size_t at;
        uint32_t value;
        int width;
        const char* part;
    } edits[] = {
        {"names size cut", 36, sizeof names - 2, 4, "newline-terminated class names"},
        {"a tab in a name", kModelHeaderBytes + 3 * kModelLayerBytes + 1, '\t', 1, "printable"},
        {"size without offset", 32, 0, 4, "both or neither"},
        {"offset without size", 36, 0, 4, "both or neither"},
        {"weights over the names", kModelHeaderBytes + 32, kModelHeaderBytes + 3 * kModelLayerBytes,
         4, "after the previous section"},
    };
    for (const auto& e : edits) {
        CAPTURE(e.what);
        std::vector<uint8_t> bad = blob;
        if (e.width == 1) bad[e.at] = static_cast<uint8_t>(e.value);
        else store_u32le(bad.data() + e.at, e.value);
        reseal(bad);
        std::string message;
        CHECK(parse(bad, &message) == Status::Format);
        CHECK_MESSAGE(message.find(e.part) != std::string::npos, message);
    }
    // Versions 1 and 2: 32-byte dense entries; the same parameters come back. Version 2 carries
    // names, version 1 has none (header bytes 32..63 zero) and refuses them.
    const std::vector<uint8_t> v2 = as_version(blob, 2);
    REQUIRE(parse_model_blob(v2.data(), v2.size(), m, &err) == Status::Ok);
    CHECK(m.header.version == 2);
    CHECK(m.header.layer_bytes == kModelLayerBytesV2);
    CHECK(std::string(m.header.meta.names, m.header.meta.names_bytes) == names);
    std::vector<float> back(model.shape.n_params);
    params_from_blob(m, model.shape, back.data(), nullptr);
    CHECK(memcmp(back.data(), model.params.data(), back.size() * sizeof(float)) == 0);
    const std::vector<uint8_t> v1 = as_version(Model().blob(WeightType::F32), 1);
    REQUIRE(parse_model_blob(v1.data(), v1.size(), m, &err) == Status::Ok);
    CHECK(m.header.version == 1);
    CHECK(m.header.meta.names == nullptr);
    std::string message;
    CHECK(parse(as_version(blob, 1), &message) == Status::Format);
    CHECK(message.find("version 1 has no class names") != std::string::npos);
    // Old entries hold dense layers only, with zero reserved bytes.
    std::vector<uint8_t> v2_conv = v2;
    v2_conv[kModelHeaderBytes] = 2;
    reseal(v2_conv);
    CHECK(parse(v2_conv, &message) == Status::Format);
    CHECK(message.find("unknown kind 2") != std::string::npos);
    std::vector<uint8_t> v2_reserved = v2;
    v2_reserved[kModelHeaderBytes + 2] = 1;
    reseal(v2_reserved);
    CHECK(parse(v2_reserved, &message) == Status::Format);
    // Writing refuses names that break the format.
    Model bad_names;
    const char three_lines_for_two[] = "a\nb\n";
    bad_names.meta.names = three_lines_for_two;
    bad_names.meta.names_bytes = 4;
    std::vector<uint8_t> out(model_blob_bytes(bad_names.shape, WeightType::F32, 4));
    CHECK(write_model_blob(bad_names.shape, bad_names.params.data(), nullptr, bad_names.meta,
                           WeightType::F32, nullptr, out.data(), out.size(), &err) == Status::Format);
}
