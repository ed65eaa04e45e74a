// Layers one kind at a time: finite-difference gradient checks on inputs, weights and biases
// over odd shapes (stride 2, padding 1, 3 channel-planar input channels, batch 3); conv2d's
// forward against a naive direct convolution; hand-worked examples; batch norm's training and
// evaluation semantics and running statistics; dropout's expectation and reproducibility.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "fnn/loss.hpp"
#include "fnn/network.hpp"
#include "gradcheck.hpp"
#include "layer_specs.hpp"
#include "nn/layers/layers.hpp"

using namespace fnn;
using namespace fnn_test;
using namespace fnn_test;

namespace {


// A network from an input shape and layer specs (fnn adds the dense output layer), with its
// parameters initialised, the biases and batch-norm parameters set away from their defaults,
// and a random input batch.
struct Built {
    NetworkShape shape;
    std::vector<unsigned char> persistent, scratch_bytes;
    Arena arena, scratch;
    Network net;
    Rng dropout_rng{7, 4};
    std::vector<float> x;
    std::vector<uint8_t> labels;
    int batch;

    Built(Shape3 input, const std::vector<LayerSpec>& specs, int classes, int batch_size)
        : batch(batch_size) {
        NetworkSpec spec;
        spec.n_in = static_cast<int>(input.size());
        spec.n_classes = classes;
        spec.input = input;
        spec.n_specs = static_cast<int>(specs.size());
        for (size_t i = 0; i < specs.size(); ++i) spec.specs[i] = specs[i];
        ErrorText err;
        REQUIRE_MESSAGE(plan_network(spec, shape, &err) == Status::Ok, err.text);
        persistent.resize(arena_buffer_bytes(Network::bytes(shape, batch, batch)));
        scratch_bytes.resize(arena_buffer_bytes(Network::scratch_bytes(shape, batch)));
        arena = Arena(persistent.data(), persistent.size());
        scratch = Arena(scratch_bytes.data(), scratch_bytes.size());
        REQUIRE(net.init(shape, batch, batch, arena, &err) == Status::Ok);
        Rng rng(3);
        init_parameters(shape, Init::Xavier, net.params(), net.state(), rng);
        for (int l = 0; l < shape.n_layers; ++l) {
            const LayerDesc& d = shape.layers[l];
            if (d.has_bias())
                for (int c = 0; c < d.out.c; ++c) net.params()[d.b_offset + c] = rng.uniform(-0.3f, 0.3f);
            if (d.kind == LayerKind::BatchNorm)
                for (int c = 0; c < d.out.c; ++c) net.params()[d.gamma_offset + c] = rng.uniform(0.5f, 1.5f);
        }
        net.set_dropout_rng(&dropout_rng);
        x.resize(static_cast<size_t>(batch) * spec.n_in);
        for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
        for (int i = 0; i < batch; ++i) labels.push_back(static_cast<uint8_t>(i % classes));
    }
    ConstMatView input() const { return ConstMatView{x.data(), batch, shape.n_in(), shape.n_in()}; }

    // The training loss (the batch mean, as the loss gradient is), with the same dropout masks
    // every time.
    double loss() {
        dropout_rng = Rng(7, 4);
        const ConstMatView logits = net.forward(input(), scratch, GemmArithmetic::Reproducible, true);
        return loss_score(Loss::CrossEntropy, logits, labels.data()).loss_sum / batch;
    }
    // Backprop into the network's gradients; returns dL/dx.
    std::vector<float> backprop() {
        dropout_rng = Rng(7, 4);
        const ConstMatView logits = net.forward(input(), scratch, GemmArithmetic::Reproducible, true);
        loss_forward_backward(Loss::CrossEntropy, logits, labels.data(), net.logits_grad(batch));
        std::vector<float> dx(x.size());
        MatView dxv{dx.data(), batch, shape.n_in(), shape.n_in()};
        net.backward(input(), scratch, &dxv);
        return dx;
    }
};

// Compares backprop with central differences on up to `samples` entries of each parameter
// tensor and of the input.
void check_gradients(Built& b, int samples = 12) {
    const std::vector<float> dx = b.backprop();
    std::vector<float> grads(b.net.grads(), b.net.grads() + b.shape.n_params);
    const float h = 1e-3f;
    auto check = [&](float& v, double analytic, const std::string& what) {
        const double numeric = central_difference(v, h, [&] { return b.loss(); });
        CAPTURE(what);
        CAPTURE(analytic);
        CAPTURE(numeric);
        // Absolute slack for entries whose gradient is ~0 (float noise in the difference).
        CHECK((relative_error(analytic, numeric) < 2e-2 || fabs(analytic - numeric) < 2e-3));
    };
    for (int l = 0; l < b.shape.n_layers; ++l) {
        const LayerDesc& d = b.shape.layers[l];
        const std::string name = std::string(layer_kind_name(d.kind)) + " " + std::to_string(l);
        struct Tensor {
            const char* what;
            size_t offset, count;
        };
        std::vector<Tensor> tensors;
        if (d.has_weights()) tensors.push_back({"weights", d.w_offset, static_cast<size_t>(d.w_rows) * d.w_cols});
        if (d.has_bias()) tensors.push_back({"bias", d.b_offset, static_cast<size_t>(d.out.c)});
        if (d.kind == LayerKind::BatchNorm) tensors.push_back({"gamma", d.gamma_offset, static_cast<size_t>(d.out.c)});
        for (const Tensor& t : tensors) {
            for (int k = 0; k < samples; ++k) {
                const size_t i = t.offset + (static_cast<size_t>(k) * 7919) % t.count;
                check(b.net.params()[i], grads[i], name + " " + t.what + " " + std::to_string(i - t.offset));
            }
        }
    }
    for (int k = 0; k < samples; ++k) {
        const size_t i = (static_cast<size_t>(k) * 104729) % b.x.size();
        check(b.x[i], dx[i], "input " + std::to_string(i));
    }
}

}  // namespace

TEST_CASE("layers: finite-difference gradient checks per kind, odd shapes, batch 3") {
    const Shape3 rgb{3, 7, 6};  // channel-planar, as CIFAR-10 arrives
    const struct {
        const char* name;
        Shape3 input;
        std::vector<LayerSpec> specs;
    } cases[] = {
        {"conv2d stride 2, padding 1, 3 channels", rgb, {conv(4, 3, 3, 2, Padding::Explicit, 1), activation(Activation::Tanh)}},
        {"conv2d rectangular kernel, same padding", rgb, {conv(3, 2, 3, 1, Padding::Same), activation(Activation::Sigmoid)}},
        {"conv2d after conv2d (channels-last input)", rgb,
         {conv(4, 3, 3, 1, Padding::Valid), activation(Activation::Tanh), conv(5, 2, 2, 2, Padding::Valid)}},
        {"maxpool", rgb, {conv(4, 3, 3, 1, Padding::Same), pool(LayerKind::MaxPool, 2)}},
        {"maxpool on the planar input, stride 1", rgb, {pool(LayerKind::MaxPool, 3, 1)}},
        {"avgpool, stride 2 over 3", rgb, {conv(4, 3, 3, 1, Padding::Valid), pool(LayerKind::AvgPool, 3, 2)}},
        {"batchnorm after conv2d", rgb, {conv(4, 3, 3, 1, Padding::Valid), simple(LayerKind::BatchNorm), activation(Activation::Tanh)}},
        {"batchnorm after dense", Shape3{10, 1, 1}, {dense(6), simple(LayerKind::BatchNorm), activation(Activation::Tanh)}},
        {"dropout", rgb, {conv(4, 3, 3, 2, Padding::Valid), dropout(0.3f)}},
        {"standalone activation after pool", rgb, {conv(4, 3, 3, 1, Padding::Same), pool(LayerKind::AvgPool, 2), activation(Activation::Tanh)}},
        {"flatten then dense", rgb, {conv(3, 3, 3, 2, Padding::Same), simple(LayerKind::Flatten), dense(5), activation(Activation::Tanh)}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Built b(c.input, c.specs, 4, 3);
        check_gradients(b);
    }
}

TEST_CASE("layers: conv2d forward equals a naive direct convolution") {
    // Planar 3-channel input, stride 2, padding 1; then channels-last input, rectangular kernel.
    for (int variant = 0; variant < 2; ++variant) {
        CAPTURE(variant);
        const Shape3 input{3, 9, 8};
        std::vector<LayerSpec> specs = {conv(5, 3, 3, 2, Padding::Explicit, 1)};
        if (variant == 1) specs.push_back(conv(4, 2, 3, 1, Padding::Same));
        Built b(input, specs, 3, 2);
        b.net.forward(b.input(), b.scratch);
        const LayerDesc& d = b.shape.layers[variant];
        const ConstMatView in = variant == 0 ? b.input() : b.net.layer_output(0, 2);
        const ConstMatView out = b.net.layer_output(variant, 2);
        const float* w = b.net.params() + d.w_offset;
        const float* bias = b.net.params() + d.b_offset;
        double worst = 0;
        for (int s = 0; s < 2; ++s) {
            for (int oc = 0; oc < d.out.c; ++oc) {
                for (int oy = 0; oy < d.out.h; ++oy) {
                    for (int ox = 0; ox < d.out.w; ++ox) {
                        double sum = bias[oc];
                        for (int ky = 0; ky < d.kh; ++ky)
                            for (int kx = 0; kx < d.kw; ++kx)
                                for (int c = 0; c < d.in.c; ++c) {
                                    const int iy = oy * d.sh + ky - d.pad_top, ix = ox * d.sw + kx - d.pad_left;
                                    if (iy < 0 || iy >= d.in.h || ix < 0 || ix >= d.in.w) continue;
                                    const size_t at = d.planar_in ? (static_cast<size_t>(c) * d.in.h + iy) * d.in.w + ix
                                                                  : (static_cast<size_t>(iy) * d.in.w + ix) * d.in.c + c;
                                    sum += static_cast<double>(in.row(s)[at]) *
                                           w[static_cast<size_t>((ky * d.kw + kx) * d.in.c + c) * d.out.c + oc];
                                }
                        const double got = out.row(s)[(static_cast<size_t>(oy) * d.out.w + ox) * d.out.c + oc];
                        worst = fmax(worst, fabs(got - sum));
                    }
                }
            }
        }
        CHECK(worst < 1e-5);
    }
}

TEST_CASE("layers: im2col writes each window as (ky, kx, c) rows, zeros outside the input") {
    // Both ways of building columns: short or planar windows one window column at a time
    // (one channel, planar channels, 5 channels x 3 wide), long runs copied whole (8 and 32
    // channels); strides, explicit and same padding, rectangular kernels.
    struct Case {
        Shape3 input;
        std::vector<LayerSpec> specs;
    };
    const Case cases[] = {
        {{1, 28, 28}, {conv(4, 3, 3, 1, Padding::Same)}},
        {{3, 9, 8}, {conv(5, 3, 3, 2, Padding::Explicit, 1)}},
        {{1, 7, 6}, {conv(5, 1, 1, 1, Padding::Valid), conv(3, 2, 3, 1, Padding::Same)}},
        {{1, 9, 9}, {conv(8, 1, 1, 1, Padding::Valid), conv(3, 3, 3, 2, Padding::Valid)}},
        {{1, 10, 10}, {conv(32, 3, 3, 1, Padding::Same), conv(4, 3, 3, 1, Padding::Same)}},
    };
    Rng rng(41);
    for (const Case& c : cases) {
        NetworkSpec spec;
        spec.n_in = static_cast<int>(c.input.size());
        spec.n_classes = 3;
        spec.input = c.input;
        spec.n_specs = static_cast<int>(c.specs.size());
        for (size_t i = 0; i < c.specs.size(); ++i) spec.specs[i] = c.specs[i];
        NetworkShape shape;
        ErrorText err;
        REQUIRE_MESSAGE(plan_network(spec, shape, &err) == Status::Ok, err.text);
        const LayerDesc* last = nullptr;  // the last convolution
        for (int l = 0; l < shape.n_layers; ++l)
            if (shape.layers[l].kind == LayerKind::Conv2d) last = &shape.layers[l];
        REQUIRE(last != nullptr);
        const LayerDesc& d = *last;
        CAPTURE(d.in.c);
        CAPTURE(d.kw);
        CAPTURE(d.planar_in);
        std::vector<float> x(static_cast<size_t>(d.n_in));
        for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
        const int K = d.w_rows, P = d.out.h * d.out.w;
        std::vector<float> got(static_cast<size_t>(P) * K, NAN), want(got.size());
        im2col(d, x.data(), got.data());
        for (int oy = 0; oy < d.out.h; ++oy)
            for (int ox = 0; ox < d.out.w; ++ox)
                for (int ky = 0; ky < d.kh; ++ky)
                    for (int kx = 0; kx < d.kw; ++kx)
                        for (int ch = 0; ch < d.in.c; ++ch) {
                            const int iy = oy * d.sh + ky - d.pad_top, ix = ox * d.sw + kx - d.pad_left;
                            const bool inside = iy >= 0 && iy < d.in.h && ix >= 0 && ix < d.in.w;
                            const size_t at = d.planar_in ? (static_cast<size_t>(ch) * d.in.h + iy) * d.in.w + ix
                                                          : (static_cast<size_t>(iy) * d.in.w + ix) * d.in.c + ch;
                            want[(static_cast<size_t>(oy) * d.out.w + ox) * K + (ky * d.kw + kx) * d.in.c + ch] =
                                inside ? x[at] : 0.0f;
                        }
        CHECK(memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("layers: hand-worked conv2d, maxpool and avgpool") {
    // One 3x3 channel, x = 1..9 row by row; a 2x2 kernel [[1, 0], [0, -1]], bias 0.5, valid:
    // out(y, x) = x(y, x) - x(y + 1, x + 1) + 0.5 = -4 + 0.5 everywhere.
    Built b(Shape3{1, 3, 3}, {conv(1, 2, 2, 1, Padding::Valid)}, 2, 1);
    const LayerDesc& d = b.shape.layers[0];
    float* w = b.net.params() + d.w_offset;  // rows (ky, kx, c): (0,0) (0,1) (1,0) (1,1)
    w[0] = 1, w[1] = 0, w[2] = 0, w[3] = -1;
    b.net.params()[d.b_offset] = 0.5f;
    for (int i = 0; i < 9; ++i) b.x[static_cast<size_t>(i)] = static_cast<float>(i + 1);
    b.net.forward(b.input(), b.scratch);
    const ConstMatView y = b.net.layer_output(0, 1);
    REQUIRE(y.cols == 4);
    for (int i = 0; i < 4; ++i) CHECK(y.row(0)[i] == -3.5f);
    // Pools over the 4x4 input 0..15: max 2x2 gives 5, 7, 13, 15; average 2x2 gives
    // (0+1+4+5)/4 = 2.5, 4.5, 10.5, 12.5.
    for (LayerKind kind : {LayerKind::MaxPool, LayerKind::AvgPool}) {
        Built p(Shape3{1, 4, 4}, {pool(kind, 2)}, 2, 1);
        for (int i = 0; i < 16; ++i) p.x[static_cast<size_t>(i)] = static_cast<float>(i);
        p.net.forward(p.input(), p.scratch);
        const ConstMatView z = p.net.layer_output(0, 1);
        const float expected[2][4] = {{5, 7, 13, 15}, {2.5f, 4.5f, 10.5f, 12.5f}};
        for (int i = 0; i < 4; ++i) CHECK(z.row(0)[i] == expected[kind == LayerKind::AvgPool][i]);
    }
}

TEST_CASE("layers: batch norm uses batch statistics in training and running ones in evaluation") {
    // Dense input of 2 values, 4 samples; batch norm directly on it (after a 2-unit dense layer
    // with identity weights and zero bias).
    Built b(Shape3{2, 1, 1}, {dense(2), simple(LayerKind::BatchNorm)}, 2, 4);
    const LayerDesc& dl = b.shape.layers[0];
    const LayerDesc& bn = b.shape.layers[1];
    float* p = b.net.params();
    p[dl.w_offset] = 1, p[dl.w_offset + 1] = 0, p[dl.w_offset + 2] = 0, p[dl.w_offset + 3] = 1;
    p[dl.b_offset] = p[dl.b_offset + 1] = 0;
    p[bn.gamma_offset] = 2, p[bn.gamma_offset + 1] = 1;
    p[bn.b_offset] = 1, p[bn.b_offset + 1] = 0;
    const float xs[4][2] = {{1, 10}, {2, 20}, {3, 30}, {6, 40}};  // means 3 and 25
    for (int i = 0; i < 4; ++i) b.x[2 * i] = xs[i][0], b.x[2 * i + 1] = xs[i][1];
    b.net.forward(b.input(), b.scratch, GemmArithmetic::Reproducible, /*training=*/true);
    const ConstMatView y = b.net.layer_output(1, 4);
    // Channel 0: mean 3, biased variance (4+1+0+9)/4 = 3.5: y = 2 (x - 3) / sqrt(3.5 + 1e-5) + 1.
    for (int i = 0; i < 4; ++i)
        CHECK(y.row(i)[0] == doctest::Approx(2 * (xs[i][0] - 3) / sqrt(3.5 + 1e-5) + 1).epsilon(1e-5));
    // Running statistics: 0.9 * (0, 1) + 0.1 * (mean, unbiased variance 14/3 and 500/3).
    const float* state = b.net.state() + bn.state_offset;
    CHECK(state[0] == doctest::Approx(0.3));
    CHECK(state[1] == doctest::Approx(2.5));
    CHECK(state[2] == doctest::Approx(0.9 + 0.1 * 14.0 / 3).epsilon(1e-6));
    CHECK(state[3] == doctest::Approx(0.9 + 0.1 * 500.0 / 3).epsilon(1e-6));
    // Evaluation: y = (x - running mean) / sqrt(running var + eps) * gamma + beta, per sample.
    b.net.forward(b.input(), b.scratch);
    const ConstMatView e = b.net.layer_output(1, 4);
    for (int i = 0; i < 4; ++i) {
        CHECK(e.row(i)[0] == doctest::Approx((xs[i][0] - state[0]) / sqrt(state[2] + 1e-5) * 2 + 1).epsilon(1e-5));
        CHECK(e.row(i)[1] == doctest::Approx((xs[i][1] - state[1]) / sqrt(state[3] + 1e-5)).epsilon(1e-5));
    }
}

TEST_CASE("layers: dropout keeps 1 - rate of the values scaled by 1 / (1 - rate), reproducibly") {
    Built b(Shape3{400, 1, 1}, {dropout(0.25f)}, 2, 8);
    for (float& v : b.x) v = 1.0f;
    b.dropout_rng = Rng(11, 4);
    b.net.forward(b.input(), b.scratch, GemmArithmetic::Reproducible, true);
    const ConstMatView y = b.net.layer_output(0, 8);
    std::vector<float> first(y.data, y.data + 8 * 400);
    int kept = 0;
    double mean = 0;
    for (float v : first) {
        CHECK((v == 0.0f || v == doctest::Approx(1 / 0.75f)));
        kept += v != 0.0f;
        mean += v / first.size();
    }
    CHECK(kept == doctest::Approx(0.75 * 3200).epsilon(0.05));  // within 5 %: 3 sigma is 2.7 %
    CHECK(mean == doctest::Approx(1.0).epsilon(0.05));          // expectation preserved
    // The same generator state gives the same masks; evaluation passes values through.
    b.dropout_rng = Rng(11, 4);
    b.net.forward(b.input(), b.scratch, GemmArithmetic::Reproducible, true);
    CHECK(memcmp(first.data(), b.net.layer_output(0, 8).data, first.size() * sizeof(float)) == 0);
    b.net.forward(b.input(), b.scratch);
    for (int i = 0; i < 8 * 400; ++i) CHECK(b.net.layer_output(0, 8).data[i] == 1.0f);
}

TEST_CASE("layers: planning refuses what does not fit, naming the layer") {
    const struct {
        std::vector<LayerSpec> specs;
        const char* part;
    } cases[] = {
        {{conv(4, 9, 9, 1, Padding::Valid)}, "layer 1 (conv2d): a 9x9 kernel does not fit the 7x6 input"},
        {{conv(4, 3, 3, 1, Padding::Valid), pool(LayerKind::MaxPool, 8)}, "layer 2 (maxpool): a 8x8 window"},
        {{simple(LayerKind::BatchNorm)}, "layer 1 (batchnorm): normalises a layer's output"},
        {{dropout(1.0f)}, "layer 1 (dropout): expected a rate in [0, 1)"},
        {{conv(0, 3, 3, 1, Padding::Valid)}, "layer 1 (conv2d): expected 1..4096 channels"},
    };
    for (const auto& c : cases) {
        NetworkSpec spec;
        spec.n_in = 3 * 7 * 6;
        spec.n_classes = 2;
        spec.input = Shape3{3, 7, 6};
        spec.n_specs = static_cast<int>(c.specs.size());
        for (size_t i = 0; i < c.specs.size(); ++i) spec.specs[i] = c.specs[i];
        NetworkShape shape;
        ErrorText err;
        CHECK(plan_network(spec, shape, &err) == Status::Arg);
        CHECK_MESSAGE(strstr(err.text, c.part) != nullptr, err.text);
    }
}

TEST_CASE("layers: backward hands over each layer's parameters once their gradients are final") {
    // The trainer updates a layer inside this call: its gradients must not change afterwards,
    // backward must not read its parameters again, and the ranges must cover every parameter.
    const Shape3 rgb{3, 6, 6};
    Built b(rgb,
            {conv(4, 3, 3, 1, Padding::Same), simple(LayerKind::BatchNorm),
             activation(Activation::Relu), pool(LayerKind::MaxPool, 2), dropout(0.25f),
             dense(5), simple(LayerKind::BatchNorm), activation(Activation::Tanh)},
            3, 4);
    struct Seen {
        Built* b;
        std::vector<int> order;                // the layers handed over, by first parameter
        std::vector<std::vector<float>> grads;  // each one's gradients at hand-over
        static void layer(void* ctx, const LayerDesc& d) {
            Seen& s = *static_cast<Seen*>(ctx);
            const ParamRange r = layer_params(d);
            s.order.push_back(static_cast<int>(r.begin));
            s.grads.emplace_back(s.b->net.grads() + r.begin, s.b->net.grads() + r.end);
            // Backward must not read these again: poison them.
            for (size_t i = r.begin; i < r.end; ++i) s.b->net.params()[i] = NAN;
        }
    } seen{&b, {}, {}};
    b.backprop();
    const std::vector<float> expected(b.net.grads(), b.net.grads() + b.shape.n_params);
    b.dropout_rng = Rng(7, 4);
    const ConstMatView logits = b.net.forward(b.input(), b.scratch, GemmArithmetic::Reproducible, true);
    loss_forward_backward(Loss::CrossEntropy, logits, b.labels.data(), b.net.logits_grad(b.batch));
    const Network::LayerReady ready{Seen::layer, &seen};
    b.net.backward(b.input(), b.scratch, nullptr, &ready);
    CHECK(memcmp(expected.data(), b.net.grads(), expected.size() * sizeof(float)) == 0);
    // Every layer with parameters once, last first; their ranges tile the parameter array.
    size_t covered = 0, next_end = b.shape.n_params;
    int handed = 0;
    for (int l = b.shape.n_layers - 1; l >= 0; --l) {
        const LayerDesc& d = b.shape.layers[l];
        if (!d.has_weights() && !d.has_bias()) continue;
        const ParamRange r = layer_params(d);
        REQUIRE(handed < static_cast<int>(seen.order.size()));
        CHECK(seen.order[handed] == static_cast<int>(r.begin));
        CHECK(r.end == next_end);
        CHECK(memcmp(seen.grads[handed].data(), expected.data() + r.begin,
                     (r.end - r.begin) * sizeof(float)) == 0);
        next_end = r.begin;
        covered += r.end - r.begin;
        ++handed;
    }
    CHECK(handed == static_cast<int>(seen.order.size()));
    CHECK(handed == 5);  // conv, batch norm, dense, batch norm, the output layer
    CHECK(next_end == 0);
    CHECK(covered == b.shape.n_params);
}
