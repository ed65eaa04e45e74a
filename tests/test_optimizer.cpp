// Optimizers: the first two steps of each rule on L = (w0^2 + 4 w1^2) / 2 from w = (1, -2) with
// lr 0.1, against values derived by hand from the formulas in optimizer.hpp (momentum 0.5,
// beta 0.9, betas 0.9/0.999, epsilon 0 so the arithmetic stays exact); weight decay; validation;
// and XOR learned by a small network with every rule.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <vector>

#include "fnn/loss.hpp"
#include "fnn/network.hpp"
#include "fnn/optimizer.hpp"

using namespace fnn;

namespace {

struct Quadratic {
    std::vector<unsigned char> bytes;
    Arena arena;
    Optimizer opt;
    float w[2] = {1.0f, -2.0f};
    explicit Quadratic(OptimizerConfig c) : bytes(arena_buffer_bytes(Optimizer::bytes(c.kind, 2))) {
        arena = Arena(bytes.data(), bytes.size());
        ErrorText err;
        REQUIRE(opt.init(c, 2, arena, &err) == Status::Ok);
    }
    void step() {
        const float g[2] = {w[0], 4.0f * w[1]};  // dL/dw
        opt.step(w, g);
    }
};

OptimizerConfig config(OptimizerKind kind) {
    OptimizerConfig c;
    c.kind = kind;
    c.learning_rate = 0.1f;
    c.momentum = 0.5f;
    c.beta = 0.9f;
    c.beta1 = 0.9f;
    c.beta2 = 0.999f;
    c.epsilon = 1e-30f;  // fnn refuses 0; this small it changes no bit of the hand-derived values
    return c;
}

void expect_two_steps(OptimizerKind kind, float w1_0, float w1_1, float w2_0, float w2_1) {
    CAPTURE(optimizer_name(kind));
    Quadratic q(config(kind));
    q.step();
    CHECK(q.w[0] == doctest::Approx(w1_0).epsilon(2e-6));
    CHECK(q.w[1] == doctest::Approx(w1_1).epsilon(2e-6));
    q.step();
    CHECK(q.w[0] == doctest::Approx(w2_0).epsilon(2e-6));
    CHECK(q.w[1] == doctest::Approx(w2_1).epsilon(2e-6));
    CHECK(q.opt.steps_taken() == 2);
}

}  // namespace

TEST_CASE("optimizer: sgd, two steps by hand") {
    // g1 = (1, -8): w1 = w - 0.1 g1 = (0.9, -1.2); g2 = (0.9, -4.8): w2 = (0.81, -0.72)
    expect_two_steps(OptimizerKind::Sgd, 0.9f, -1.2f, 0.81f, -0.72f);
}

TEST_CASE("optimizer: momentum, two steps by hand") {
    // u1 = 0.1 g1 = (0.1, -0.8), w1 = (0.9, -1.2); g2 = (0.9, -4.8)
    // u2 = 0.5 u1 + 0.1 g2 = (0.14, -0.88), w2 = (0.76, -0.32)
    expect_two_steps(OptimizerKind::Momentum, 0.9f, -1.2f, 0.76f, -0.32f);
}

TEST_CASE("optimizer: nag, two steps by hand") {
    // u1 = 0.1 g1 = (0.1, -0.8); w1 = w - (0.5 u1 + 0.1 g1) = (0.85, -0.8); g2 = (0.85, -3.2)
    // u2 = 0.5 u1 + 0.1 g2 = (0.135, -0.72); w2 = w1 - (0.5 u2 + 0.1 g2) = (0.6975, -0.12)
    expect_two_steps(OptimizerKind::Nag, 0.85f, -0.8f, 0.6975f, -0.12f);
}

TEST_CASE("optimizer: rmsprop, two steps by hand") {
    // s1 = 0.1 g1^2 so g1 / sqrt(s1) = sign(g1) / sqrt(0.1): w1 = w -+ 0.316228 = (0.683772,
    // -1.683772) g2 = (0.683772, -6.735089); s2 = 0.9 s1 + 0.1 g2^2 = (0.136754, 10.296142) w2 = w1
    // - 0.1 g2 / sqrt(s2) = (0.683772 - 0.184902, -1.683772 + 0.209897)
    expect_two_steps(OptimizerKind::Rmsprop, 0.683772f, -1.683772f, 0.498871f, -1.473875f);
}

TEST_CASE("optimizer: adam, two steps by hand") {
    // Step 1: m_hat = g1, v_hat = g1^2, so w1 = w - 0.1 sign(g1) = (0.9, -1.9); g2 = (0.9, -7.6)
    // m2 = 0.9*0.1*g1 + 0.1*g2 = (0.18, -1.48), m_hat = m2 / 0.19 = (0.947368, -7.789474)
    // v2 = 0.999*0.001*g1^2 + 0.001*g2^2 = (0.001809, 0.121696), v_hat = v2 / 0.001999
    //    = (0.904952, 60.878439), sqrt = (0.951290, 7.802464)
    // w2 = w1 - 0.1 m_hat / sqrt(v_hat) = (0.9 - 0.099588, -1.9 + 0.099834)
    expect_two_steps(OptimizerKind::Adam, 0.9f, -1.9f, 0.800412f, -1.800166f);
}

TEST_CASE("optimizer: nadam, two steps by hand") {
    // Step 1: 0.9 m_hat + 0.1 g1 / 0.1 = 1.9 g1 over |g1|: w1 = w - 0.19 sign(g1) = (0.81, -1.81)
    // g2 = (0.81, -7.24); m2 = 0.09 g1 + 0.1 g2 = (0.171, -1.444), m_hat = (0.9, -7.6)
    // v2 = (0.0016551, 0.1163536), sqrt(v_hat) = (0.909925, 7.629282)
    // look-ahead = 0.9 m_hat + 0.1 g2 / 0.19 = (1.236316, -10.650526)
    // w2 = w1 - 0.1 look-ahead / sqrt(v_hat) = (0.81 - 0.135870, -1.81 + 0.139601)
    expect_two_steps(OptimizerKind::Nadam, 0.81f, -1.81f, 0.674130f, -1.670399f);
}

TEST_CASE("optimizer: weight decay adds decay * w to the gradient") {
    OptimizerConfig c = config(OptimizerKind::Sgd);
    c.weight_decay = 0.5f;
    Quadratic q(c);
    q.step();  // g = (1, -8) + 0.5 (1, -2) = (1.5, -9): w = (1 - 0.15, -2 + 0.9)
    CHECK(q.w[0] == doctest::Approx(0.85f));
    CHECK(q.w[1] == doctest::Approx(-1.1f));
}

TEST_CASE("optimizer: invalid hyperparameters are rejected with the field's name") {
    ErrorText err;
    OptimizerConfig c;
    c.learning_rate = 0.0f;
    CHECK(validate_optimizer(c, &err) == Status::Arg);
    CHECK(strstr(err.text, "learning_rate") != nullptr);
    c = OptimizerConfig{};
    c.beta2 = 1.0f;
    CHECK(validate_optimizer(c, &err) == Status::Arg);
    CHECK(strstr(err.text, "beta2") != nullptr);
    c = OptimizerConfig{};
    c.momentum = NAN;
    CHECK(validate_optimizer(c, &err) == Status::Arg);
    c = OptimizerConfig{};
    c.weight_decay = -1.0f;
    CHECK(validate_optimizer(c, &err) == Status::Arg);
    c = OptimizerConfig{};
    c.epsilon = INFINITY;
    CHECK(validate_optimizer(c, &err) == Status::Arg);
    CHECK(validate_optimizer(OptimizerConfig{}, &err) == Status::Ok);
}

TEST_CASE("optimizer: names parse both ways") {
    const OptimizerKind all[] = {OptimizerKind::Sgd,  OptimizerKind::Momentum,
                                 OptimizerKind::Nag,  OptimizerKind::Rmsprop,
                                 OptimizerKind::Adam, OptimizerKind::Nadam};
    for (OptimizerKind k : all) {
        OptimizerKind parsed = OptimizerKind::Sgd;
        CHECK(parse_optimizer(optimizer_name(k), parsed));
        CHECK(parsed == k);
    }
    OptimizerKind parsed;
    CHECK_FALSE(parse_optimizer("adamw", parsed));
    CHECK(optimizer_state_arrays(OptimizerKind::Sgd) == 0);
    CHECK(optimizer_state_arrays(OptimizerKind::Adam) == 2);
}

TEST_CASE("optimizer: every rule learns XOR with a fixed seed") {
    struct Case {
        OptimizerKind kind;
        float lr;
    };
    const Case cases[] = {{OptimizerKind::Sgd, 0.5f},   {OptimizerKind::Momentum, 0.1f},
                          {OptimizerKind::Nag, 0.1f},   {OptimizerKind::Rmsprop, 0.01f},
                          {OptimizerKind::Adam, 0.02f}, {OptimizerKind::Nadam, 0.02f}};
    const float x[] = {0, 0, 0, 1, 1, 0, 1, 1};
    const uint8_t y[] = {0, 1, 1, 0};
    for (const Case& tc : cases) {
        CAPTURE(optimizer_name(tc.kind));
        NetworkSpec spec;
        spec.n_in = 2;
        spec.n_classes = 2;
        spec.n_hidden = 1;
        spec.hidden_widths[0] = 8;
        spec.hidden_act = Activation::Tanh;
        NetworkShape shape;
        ErrorText err;
        REQUIRE(plan_network(spec, shape, &err) == Status::Ok);
        OptimizerConfig c;
        c.kind = tc.kind;
        c.learning_rate = tc.lr;
        std::vector<unsigned char> bytes(
            arena_buffer_bytes(Network::bytes(shape, 4, 4) + Optimizer::bytes(c.kind, shape.n_params) +
                               Network::scratch_bytes(shape, 4)));
        Arena arena(bytes.data(), bytes.size());
        Network net;
        Optimizer opt;
        REQUIRE(net.init(shape, 4, 4, arena, &err) == Status::Ok);
        REQUIRE(opt.init(c, shape.n_params, arena, &err) == Status::Ok);
        Rng rng(3);
        init_parameters(shape, Init::Xavier, net.params(), net.state(), rng);
        const ConstMatView xv{x, 4, 2, 2};
        BatchScore score;
        for (int step = 0; step < 2000; ++step) {
            score = loss_forward_backward(Loss::CrossEntropy, net.forward(xv, arena), y,
                                          net.logits_grad(4));
            net.backward(xv, arena);
            opt.step(net.params(), net.grads());
        }
        score = loss_score(Loss::CrossEntropy, net.forward(xv, arena), y);
        CHECK(score.correct == 4);
        CHECK(score.loss_sum / 4 < 0.1);
    }
}
