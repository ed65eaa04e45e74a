// The embeddable inference library (fnn.h): bit-for-bit agreement with the trainer's forward
// pass on the whole Fashion-MNIST test set, exact arena planning, re-entrancy, hostile blobs,
// argument checks, and the fp16/int8 paths.
#include <doctest/doctest.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <thread>
#include <vector>

#include "base/byte_cursor.hpp"
#include "command.hpp"
#include "cli/cli_data.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "fnn/file_io.hpp"
#include "fnn/fnn.h"
#include "fnn/trainer.hpp"

using namespace fnn;

namespace {

struct Data {
    LoadedDataset train, test;
    bool ok;
    std::string error;
    Data() {
        ok = load_dataset("data", "fashion_mnist", "train", train, error) &&
             load_dataset("data", "fashion_mnist", "test", test, error);
    }
};

const Data& data() {
    static const Data d;
    return d;
}

// A trained reference-shaped network (784-128-128-128-10, ReLU), one epoch on 10,000 images.
struct Trained {
    Trainer trainer;
    std::vector<uint8_t> blob;
    Trained() {
        REQUIRE_MESSAGE(data().ok, data().error);
        Dataset slice = data().train.view;
        slice.header.count = 10000;
        TrainConfig c;
        c.net.n_hidden = 3;
        for (int l = 0; l < 3; ++l) c.net.hidden_widths[l] = 128;
        c.epochs = 1;
        ErrorText err;
        REQUIRE(trainer.setup(c, slice, &err) == Status::Ok);
        REQUIRE(trainer.run(nullptr, &err) == Status::Ok);
        blob = encode(WeightType::F32);
    }
    std::vector<uint8_t> encode(WeightType type, const float* qscales = nullptr) const {
        ModelMeta meta;
        meta.rows = 28;
        meta.cols = 28;
        std::vector<uint8_t> out(model_blob_bytes(trainer.shape(), type));
        ErrorText err;
        REQUIRE(write_model_blob(trainer.shape(), trainer.params(), nullptr, meta, type, qscales, out.data(),
                                 out.size(), &err) == Status::Ok);
        return out;
    }
};

Trained& trained() {
    static Trained t;
    return t;
}

struct Loaded {
    std::vector<unsigned char> arena;
    fnn_model* model = nullptr;
    explicit Loaded(const std::vector<uint8_t>& blob, size_t offset = 0) {
        size_t need = 0;
        REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &need) == FNN_OK);
        arena.resize(need + offset);
        REQUIRE(fnn_load(blob.data(), blob.size(), arena.data() + offset, need, &model) == FNN_OK);
    }
};

void reseal(std::vector<uint8_t>& blob) {
    store_u32le(blob.data() + blob.size() - 4, crc32(0, blob.data(), blob.size() - 4));
}

}  // namespace

TEST_CASE(
    "infer: fp32 outputs equal the trainer's forward pass bit for bit on all 10,000 test images") {
    Trained& t = trained();
    Loaded m(t.blob);
    const Dataset& test = data().test.view;
    REQUIRE(fnn_input_size(m.model) == 784);
    REQUIRE(fnn_output_size(m.model) == 10);
    CHECK(fnn_macs(m.model) == 784 * 128 + 128 * 128 * 2 + 128 * 10);
    int differing = 0, agree_argmax = 0;
    float out_u8[10], out_f[10], x[784];
    for (int first = 0; first < test.count(); first += t.trainer.eval_batch()) {
        const int n = std::min(t.trainer.eval_batch(), test.count() - first);
        const ConstMatView probs = t.trainer.predict(test, first, n);
        for (int i = 0; i < n; ++i) {
            const uint8_t* pixels = test.sample(first + i);
            REQUIRE(fnn_run_u8(m.model, pixels, 784, out_u8, 10) == FNN_OK);
            for (int f = 0; f < 784; ++f) x[f] = static_cast<float>(pixels[f]) / 255.0f;
            REQUIRE(fnn_run(m.model, x, 784, out_f, 10) == FNN_OK);
            differing += memcmp(out_u8, probs.row(i), sizeof out_u8) != 0 ||
                         memcmp(out_f, out_u8, sizeof out_f) != 0;
            agree_argmax += static_cast<int>(fnn_argmax(out_u8, 10)) == argmax_row(probs, i);
        }
    }
    CHECK(differing == 0);
    CHECK(agree_argmax == test.count());
}

TEST_CASE(
    "infer: the planned arena is exact, from any alignment, and two models run side by side") {
    Trained& t = trained();
    size_t need = 0;
    REQUIRE(fnn_arena_bytes(t.blob.data(), t.blob.size(), &need) == FNN_OK);
    CHECK(need < 4096);  // the reference network runs in under 4 KB besides its input
    std::vector<unsigned char> arena(need + 64);
    fnn_model* m = nullptr;
    for (size_t offset = 0; offset < 64; offset += 7) {
        CHECK(fnn_load(t.blob.data(), t.blob.size(), arena.data() + offset, need, &m) == FNN_OK);
        CHECK(fnn_load(t.blob.data(), t.blob.size(), arena.data() + offset, need - 1, &m) ==
              FNN_E_NOMEM);
        CHECK(m == nullptr);
    }
    // What each layer uses: layer 1 reads the caller's input in place and writes 128 floats
    // with 128 partial sums; the middle layers also hold their 128 inputs; the last layer
    // writes the caller's buffer, its scratch 10 partial sums. Each is below the whole arena.
    const size_t expect_layer[4] = {4 * (128 + 128), 4 * (128 + 128 + 128), 4 * (128 + 128 + 128),
                                    4 * (128 + 10)};
    for (size_t l = 0; l < 4; ++l) {
        size_t live = 0;
        REQUIRE(fnn_layer_bytes(t.blob.data(), t.blob.size(), l, &live) == FNN_OK);
        CHECK(live == expect_layer[l]);
        CHECK(live < need);
    }
    size_t live = 0;
    CHECK(fnn_layer_bytes(t.blob.data(), t.blob.size(), 4, &live) == FNN_E_ARG);
    CHECK(fnn_layer_bytes(t.blob.data(), t.blob.size(), 0, nullptr) == FNN_E_ARG);
    // Two models (here: two copies of one blob) interleaved give the same answers as one alone.
    Loaded a(t.blob), b(t.blob, 3);
    const Dataset& test = data().test.view;
    float pa[10], pb[10], alone[10];
    for (int i = 0; i < 50; ++i) {
        REQUIRE(fnn_run_u8(a.model, test.sample(i), 784, pa, 10) == FNN_OK);
        REQUIRE(fnn_run_u8(b.model, test.sample(i + 1), 784, pb, 10) == FNN_OK);
        REQUIRE(fnn_run_u8(b.model, test.sample(i), 784, alone, 10) == FNN_OK);
        CHECK(memcmp(pa, alone, sizeof pa) == 0);
    }
}

TEST_CASE("infer: batches equal single runs") {
    Trained& t = trained();
    Loaded m(t.blob);
    const Dataset& test = data().test.view;
    std::vector<float> in(5 * 784), out(5 * 10);
    for (int i = 0; i < 5 * 784; ++i) in[i] = static_cast<float>(test.sample(0)[i]) / 255.0f;
    REQUIRE(fnn_run_batch(m.model, in.data(), 784, 5, out.data(), 10) == FNN_OK);
    float one[10];
    for (int i = 0; i < 5; ++i) {
        REQUIRE(fnn_run(m.model, in.data() + i * 784, 784, one, 10) == FNN_OK);
        CHECK(memcmp(one, out.data() + i * 10, sizeof one) == 0);
    }
}

TEST_CASE("infer: fnn_class_name gives the names the blob carries, cut to fit") {
    NetworkSpec spec;
    spec.n_in = 4;
    spec.n_classes = 3;
    NetworkShape shape;
    REQUIRE(plan_network(spec, shape, nullptr) == Status::Ok);
    std::vector<float> params(shape.n_params, 0.5f);
    ModelMeta meta;
    meta.rows = 2;
    meta.cols = 2;
    const char names[] = "T-shirt/top\nTrouser\nAnkle boot\n";
    for (bool named : {true, false}) {
        meta.names = named ? names : nullptr;
        meta.names_bytes = named ? sizeof names - 1 : 0;
        std::vector<uint8_t> blob(model_blob_bytes(shape, WeightType::F32, meta.names_bytes));
        REQUIRE(write_model_blob(shape, params.data(), nullptr, meta, WeightType::F32, nullptr, blob.data(),
                                 blob.size(), nullptr) == Status::Ok);
        Loaded m(blob);
        char out[32] = "junk";
        if (named) {
            REQUIRE(fnn_class_name(m.model, 2, out, sizeof out) == FNN_OK);
            CHECK(std::string(out) == "Ankle boot");
            REQUIRE(fnn_class_name(m.model, 0, out, 4) == FNN_OK);
            CHECK(std::string(out) == "T-s");  // 3 bytes and the terminator
        } else {
            CHECK(fnn_class_name(m.model, 0, out, sizeof out) == FNN_E_UNSUPPORTED);
            CHECK(out[0] == '\0');
        }
        CHECK(fnn_class_name(m.model, 3, out, sizeof out) == FNN_E_ARG);
        CHECK(fnn_class_name(m.model, 0, out, 0) == FNN_E_ARG);
        CHECK(fnn_class_name(nullptr, 0, out, sizeof out) == FNN_E_ARG);
    }
}

TEST_CASE("infer: bad arguments are refused") {
    Trained& t = trained();
    Loaded m(t.blob);
    float x[784] = {}, out[10];
    size_t need;
    fnn_model* model;
    CHECK(fnn_run(m.model, x, 783, out, 10) == FNN_E_ARG);
    CHECK(fnn_run(m.model, x, 784, out, 11) == FNN_E_ARG);
    CHECK(fnn_run(nullptr, x, 784, out, 10) == FNN_E_ARG);
    CHECK(fnn_run(m.model, nullptr, 784, out, 10) == FNN_E_ARG);
    CHECK(fnn_run(m.model, x, 784, nullptr, 10) == FNN_E_ARG);
    CHECK(fnn_arena_bytes(t.blob.data(), t.blob.size(), nullptr) == FNN_E_ARG);
    CHECK(fnn_arena_bytes(nullptr, 100, &need) == FNN_E_ARG);
    CHECK(fnn_load(t.blob.data(), t.blob.size(), nullptr, 100, &model) == FNN_E_ARG);
    CHECK(fnn_argmax(nullptr, 3) == 0);
    CHECK(std::string(fnn_status_str(FNN_E_CHECKSUM)) == "checksum mismatch");
    CHECK(fnn_input_size(nullptr) == 0);
}

TEST_CASE("infer: every truncated prefix and every single-byte change of a blob is rejected") {
    // A small model keeps this quick: 12 inputs, 5 hidden units, 3 classes.
    NetworkSpec spec;
    spec.n_in = 12;
    spec.n_classes = 3;
    spec.n_hidden = 1;
    spec.hidden_widths[0] = 5;
    NetworkShape shape;
    REQUIRE(plan_network(spec, shape, nullptr) == Status::Ok);
    std::vector<float> params(shape.n_params);
    Rng rng(1);
    init_parameters(shape, Init::He, params.data(), nullptr, rng);
    ModelMeta meta;
    meta.rows = 3;
    meta.cols = 4;
    const char names[] = "cat\ndog\nbird\n";  // the names section gets the same treatment
    meta.names = names;
    meta.names_bytes = sizeof names - 1;
    for (WeightType type : {WeightType::F32, WeightType::F16, WeightType::Int8}) {
        std::vector<uint8_t> blob(model_blob_bytes(shape, type, meta.names_bytes));
        REQUIRE(write_model_blob(shape, params.data(), nullptr, meta, type, nullptr, blob.data(),
                                 blob.size(), nullptr) == Status::Ok);
        size_t need = 0;
        REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &need) == FNN_OK);
        for (size_t n = 0; n < blob.size(); ++n)
            REQUIRE(fnn_arena_bytes(blob.data(), n, &need) != FNN_OK);
        for (size_t i = 0; i < blob.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                std::vector<uint8_t> bad = blob;
                bad[i] ^= static_cast<uint8_t>(1u << bit);
                REQUIRE(fnn_arena_bytes(bad.data(), bad.size(), &need) != FNN_OK);
            }
        }
    }
}

TEST_CASE(
    "infer: a finite but overflowing model reports FNN_E_NUMERIC, and messages name the problem") {
    NetworkSpec spec;
    spec.n_in = 4;
    spec.n_classes = 2;
    spec.n_hidden = 2;
    spec.hidden_widths[0] = 4;
    spec.hidden_widths[1] = 4;
    spec.hidden_act = Activation::Identity;
    NetworkShape shape;
    REQUIRE(plan_network(spec, shape, nullptr) == Status::Ok);
    std::vector<float> params(shape.n_params, 0.0f);
    for (int l = 0; l < shape.n_layers; ++l) {
        for (int k = 0; k < shape.layers[l].n_in * shape.layers[l].n_out; ++k)
            params[shape.layers[l].w_offset + k] = 3e37f;
    }
    ModelMeta meta;
    meta.rows = 2;
    meta.cols = 2;
    std::vector<uint8_t> blob(model_blob_bytes(shape, WeightType::F32));
    REQUIRE(write_model_blob(shape, params.data(), nullptr, meta, WeightType::F32, nullptr, blob.data(),
                             blob.size(), nullptr) == Status::Ok);
    Loaded m(blob);
    const float x[4] = {1, 1, 1, 1};
    float out[2];
    CHECK(fnn_run(m.model, x, 4, out, 2) == FNN_E_NUMERIC);
    // The same blob with a NaN weight is refused at load, with a message saying where.
    store_f32le(blob.data() + 16 * ((kModelHeaderBytes + 3 * kModelLayerBytes + 15) / 16) + 4, NAN);
    reseal(blob);
    char message[128];
    CHECK(fnn_check_blob(blob.data(), blob.size(), message, sizeof message) == FNN_E_FORMAT);
    CHECK(std::string(message).find("layer 0 weight 1 is not a finite number") !=
          std::string::npos);
}

TEST_CASE("infer: fp16 and int8 weights give the fp32 model's predictions on most images") {
    Trained& t = trained();
    Loaded f32(t.blob);
    const std::vector<uint8_t> f16_blob = t.encode(WeightType::F16),
                               i8_blob = t.encode(WeightType::Int8);
    Loaded f16(f16_blob), i8(i8_blob);
    const Dataset& test = data().test.view;
    int same16 = 0, same8 = 0;
    float p32[10], p16[10], p8[10];
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(fnn_run_u8(f32.model, test.sample(i), 784, p32, 10) == FNN_OK);
        REQUIRE(fnn_run_u8(f16.model, test.sample(i), 784, p16, 10) == FNN_OK);
        REQUIRE(fnn_run_u8(i8.model, test.sample(i), 784, p8, 10) == FNN_OK);
        same16 += fnn_argmax(p16, 10) == fnn_argmax(p32, 10);
        same8 += fnn_argmax(p8, 10) == fnn_argmax(p32, 10);
        for (int j = 0; j < 10; ++j) REQUIRE(fabsf(p16[j] - p32[j]) < 0.02f);
    }
    CHECK(same16 >= 995);
    CHECK(same8 >= 970);
    CHECK(i8_blob.size() * 10 < t.blob.size() * 3);  // int8 blob under 30 % of fp32
}

TEST_CASE("infer: a C99 program linked by gcc against libfnn_infer.a gives the same bits") {
    Trained& t = trained();
    const std::string dir = fnn_test::temp_dir();
    ErrorText err;
    REQUIRE(write_file_atomic(dir + "/model.fnn", t.blob.data(), t.blob.size(), &err) ==
            Status::Ok);
    const Dataset& test = data().test.view;
    const int count = 25;
    REQUIRE(write_file_atomic(dir + "/images.raw", test.sample(0), static_cast<size_t>(count) * 784,
                              &err) == Status::Ok);
    FILE* pipe =
        popen(("build/test_infer_c " + dir + "/model.fnn " + dir + "/images.raw 25").c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
    REQUIRE(pclose(pipe) == 0);
    Loaded m(t.blob);
    std::string expected;
    for (int i = 0; i < count; ++i) {
        float p[10];
        REQUIRE(fnn_run_u8(m.model, test.sample(i), 784, p, 10) == FNN_OK);
        char line[160];
        int used = snprintf(line, sizeof line, "%zu", fnn_argmax(p, 10));
        for (float v : p) {
            uint32_t bits;
            memcpy(&bits, &v, 4);
            used += snprintf(line + used, sizeof line - used, " %08x", bits);
        }
        expected += std::string(line) + "\n";
    }
    CHECK(output == expected);
}

TEST_CASE("infer: two models run in two threads at once and give the single-threaded results") {
    Trained& t = trained();
    const std::vector<uint8_t> int8_blob = t.encode(WeightType::Int8);
    const Dataset& test = data().test.view;
    const int count = 400;
    // Expected outputs, one model at a time.
    auto run_all = [&](const std::vector<uint8_t>& blob, std::vector<float>& out) {
        Loaded m(blob);
        out.resize(static_cast<size_t>(count) * 10);
        for (int i = 0; i < count; ++i) {
            if (fnn_run_u8(m.model, test.sample(i), 784, out.data() + i * 10, 10) != FNN_OK)
                out[i * 10] = -1.0f;
        }
    };
    std::vector<float> alone_f32, alone_i8, threaded_f32, threaded_i8;
    run_all(t.blob, alone_f32);
    run_all(int8_blob, alone_i8);
    std::thread a([&] { run_all(t.blob, threaded_f32); });
    std::thread b([&] { run_all(int8_blob, threaded_i8); });
    a.join();
    b.join();
    CHECK(memcmp(alone_f32.data(), threaded_f32.data(), alone_f32.size() * sizeof(float)) == 0);
    CHECK(memcmp(alone_i8.data(), threaded_i8.data(), alone_i8.size() * sizeof(float)) == 0);
}

TEST_CASE("infer: regression: a layer overflowing into an int8 layer is reported, not undefined") {
    // Found by make fuzz: a CRC-resealed blob whose int8 model overflows in a hidden layer; the
    // NaN then reached the next layer's quantization (a NaN-to-int conversion). The fuzzer had
    // put layer 0's scales inside its weights, which format version 2's reader refuses; the
    // same 12 scale bytes were moved to the first free aligned offset (2512) and the CRC redone.
    std::vector<uint8_t> blob;
    ErrorText err;
    REQUIRE(read_file("tests/fixtures/fuzz_int8_nan_between_layers.bin", blob, &err) == Status::Ok);
    reseal(blob);
    size_t need = 0;
    REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &need) == FNN_OK);
    std::vector<unsigned char> arena(need);
    fnn_model* m = nullptr;
    REQUIRE(fnn_load(blob.data(), blob.size(), arena.data(), need, &m) == FNN_OK);
    std::vector<uint8_t> pixels(fnn_input_size(m), 255);
    std::vector<float> probs(fnn_output_size(m));
    CHECK(fnn_run_u8(m, pixels.data(), pixels.size(), probs.data(), probs.size()) == FNN_E_NUMERIC);
    std::vector<float> x(fnn_input_size(m), 0.0f);
    x[3] = INFINITY;
    CHECK(fnn_run(m, x.data(), x.size(), probs.data(), probs.size()) == FNN_E_ARG);
}
