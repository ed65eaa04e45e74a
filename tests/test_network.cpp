// Network: parameter layout, forward against hand-set weights, and backprop against finite
// differences for every hidden activation x loss pair, on each layer's W, b and the input x.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <vector>

#include "fnn/loss.hpp"
#include "fnn/network.hpp"
#include "gradcheck.hpp"

using namespace fnn;

namespace {

struct Net {
    NetworkShape shape;
    std::vector<unsigned char> persistent, scratch_bytes;
    Arena arena, scratch;
    Network net;
    Net(const NetworkSpec& spec, int batch) {
        ErrorText err;
        REQUIRE(plan_network(spec, shape, &err) == Status::Ok);
        persistent.resize(arena_buffer_bytes(Network::bytes(shape, batch, batch)));
        scratch_bytes.resize(arena_buffer_bytes(Network::scratch_bytes(shape, batch)));
        arena = Arena(persistent.data(), persistent.size());
        scratch = Arena(scratch_bytes.data(), scratch_bytes.size());
        REQUIRE(net.init(shape, batch, batch, arena, &err) == Status::Ok);
    }
};

NetworkSpec small_spec(Activation act) {
    NetworkSpec spec;
    spec.n_in = 5;
    spec.n_classes = 4;
    spec.n_hidden = 2;
    spec.hidden_widths[0] = 7;
    spec.hidden_widths[1] = 6;
    spec.hidden_act = act;
    return spec;
}

// Sign pattern of every hidden unit: a ReLU check is only valid while it does not change.
std::vector<bool> relu_pattern(Network& net, int batch) {
    std::vector<bool> pattern;
    for (int l = 0; l + 1 < net.shape().n_layers; ++l) {
        const ConstMatView a = net.layer_output(l, batch);
        for (int i = 0; i < a.rows; ++i)
            for (int j = 0; j < a.cols; ++j) pattern.push_back(a.at(i, j) > 0.0f);
    }
    return pattern;
}

}  // namespace

TEST_CASE("network: plan lays out 16-float-aligned W then b per layer") {
    ErrorText err;
    NetworkShape shape;
    REQUIRE(plan_network(small_spec(Activation::Relu), shape, &err) == Status::Ok);
    CHECK(shape.n_layers == 3);
    CHECK(shape.layers[0].w_offset == 0);
    CHECK(shape.layers[0].b_offset == 48);  // 5*7 = 35 -> 48
    CHECK(shape.layers[1].w_offset == 64);  // 7 biases -> 16
    CHECK(shape.layers[2].n_in == 6);
    CHECK(shape.layers[2].act == Activation::Softmax);
    CHECK(shape.weight_count() == 5 * 7 + 7 + 7 * 6 + 6 + 6 * 4 + 4);
    CHECK(shape.n_params % 16 == 0);
}

TEST_CASE("network: bad specs are rejected with a message") {
    ErrorText err;
    NetworkShape shape;
    NetworkSpec spec = small_spec(Activation::Relu);
    spec.n_classes = 1;
    CHECK(plan_network(spec, shape, &err) == Status::Arg);
    CHECK(strstr(err.text, "classes") != nullptr);
    spec = small_spec(Activation::Relu);
    spec.hidden_widths[1] = 0;
    CHECK(plan_network(spec, shape, &err) == Status::Arg);
    CHECK(strstr(err.text, "hidden layer 2") != nullptr);
    spec.hidden_widths[1] = kMaxUnits + 1;
    CHECK(plan_network(spec, shape, &err) == Status::Arg);
    spec = small_spec(Activation::Softmax);
    CHECK(plan_network(spec, shape, &err) == Status::Arg);
    spec = small_spec(Activation::Relu);
    spec.n_hidden = kMaxLayers;
    CHECK(plan_network(spec, shape, &err) == Status::Arg);
}

TEST_CASE("network: forward with hand-set weights gives hand-computed logits") {
    // 2 inputs -> 2 ReLU units -> 2 classes.
    // W1 = [[1, -1], [2, 1]] (n_in x n_out), b1 = [0.5, -3]; x = [1, 2]:
    //   z1 = [1*1 + 2*2 + 0.5, 1*-1 + 2*1 - 3] = [5.5, -2] -> a1 = [5.5, 0]
    // W2 = [[1, 0], [3, 1]], b2 = [0, 1]: logits = [5.5, 0 + 1] = [5.5, 1]
    NetworkSpec spec;
    spec.n_in = 2;
    spec.n_classes = 2;
    spec.n_hidden = 1;
    spec.hidden_widths[0] = 2;
    Net n(spec, 1);
    float* p = n.net.params();
    const float w1[] = {1, -1, 2, 1}, b1[] = {0.5f, -3}, w2[] = {1, 0, 3, 1}, b2[] = {0, 1};
    memcpy(p + n.shape.layers[0].w_offset, w1, sizeof w1);
    memcpy(p + n.shape.layers[0].b_offset, b1, sizeof b1);
    memcpy(p + n.shape.layers[1].w_offset, w2, sizeof w2);
    memcpy(p + n.shape.layers[1].b_offset, b2, sizeof b2);
    const float x[] = {1, 2};
    const ConstMatView logits = n.net.forward(ConstMatView{x, 1, 2, 2}, n.scratch);
    CHECK(logits.at(0, 0) == 5.5f);
    CHECK(logits.at(0, 1) == 1.0f);
    CHECK(n.net.layer_output(0, 1).at(0, 1) == 0.0f);
}

TEST_CASE("network: backprop matches finite differences for every activation and loss") {
    const Activation acts[] = {Activation::Identity, Activation::Sigmoid, Activation::Tanh,
                               Activation::Relu};
    const Loss losses[] = {Loss::CrossEntropy, Loss::MeanSquaredError};
    const int batch = 3;
    for (Activation act : acts) {
        for (Loss loss : losses) {
            CAPTURE(activation_name(act));
            CAPTURE(loss_name(loss));
            Net n(small_spec(act), batch);
            Rng rng(17);
            float* params = n.net.params();
            for (size_t i = 0; i < n.shape.n_params; ++i) params[i] = rng.uniform(-0.9f, 0.9f);
            std::vector<float> x(batch * 5);
            for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
            const uint8_t labels[batch] = {2, 0, 3};
            const ConstMatView xv{x.data(), batch, 5, 5};

            auto mean_loss = [&]() {
                return loss_score(loss, n.net.forward(xv, n.scratch), labels).loss_sum / batch;
            };
            loss_forward_backward(loss, n.net.forward(xv, n.scratch), labels,
                                  n.net.logits_grad(batch));
            std::vector<float> dx(batch * 5);
            MatView dxv{dx.data(), batch, 5, 5};
            n.net.backward(xv, n.scratch, &dxv);
            const std::vector<float> grads(n.net.grads(), n.net.grads() + n.shape.n_params);
            n.net.forward(xv, n.scratch);
            const std::vector<bool> pattern = relu_pattern(n.net, batch);

            const float h = 1e-3f;
            int checked = 0, skipped = 0;
            double worst = 0.0;
            auto check = [&](float& variable, double analytic) {
                const double numeric = fnn_test::central_difference(variable, h, mean_loss);
                // Skip coordinates whose perturbation moves a ReLU across its kink.
                bool kink = false;
                if (act == Activation::Relu) {
                    const float saved = variable;
                    for (float delta : {h, -h}) {
                        variable = saved + delta;
                        n.net.forward(xv, n.scratch);
                        kink = kink || relu_pattern(n.net, batch) != pattern;
                    }
                    variable = saved;
                }
                if (kink) {
                    ++skipped;
                    return;
                }
                ++checked;
                const double err = fnn_test::relative_error(analytic, numeric);
                // Float forward passes: differences below 2e-4 are rounding, not backprop.
                if (fabs(analytic - numeric) > 2e-4) worst = std::max(worst, err);
            };
            for (int l = 0; l < n.shape.n_layers; ++l) {
                const LayerShape& layer = n.shape.layers[l];
                for (int k = 0; k < layer.n_in * layer.n_out; ++k)
                    check(params[layer.w_offset + k], grads[layer.w_offset + k]);
                for (int j = 0; j < layer.n_out; ++j)
                    check(params[layer.b_offset + j], grads[layer.b_offset + j]);
            }
            for (size_t k = 0; k < x.size(); ++k) check(x[k], dx[k]);
            CHECK(checked > 9 * (checked + skipped) / 10);
            CHECK_MESSAGE(worst < 1e-2, "worst relative error ", worst, " over ", checked,
                          " coordinates");
        }
    }
}
