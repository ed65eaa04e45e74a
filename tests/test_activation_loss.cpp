// Activations and fused softmax losses: values, stability on extreme logits, NaN visibility.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <vector>

#include "fnn/activation.hpp"
#include "fnn/loss.hpp"

using namespace fnn;

TEST_CASE("activation: forward values, with bias") {
    float z[4] = {-1.0f, 0.0f, 1.0f, 2.0f};
    const float b[4] = {0.0f, 0.0f, 0.0f, -2.0f};
    float r[4];
    memcpy(r, z, sizeof z);
    bias_activation_forward(Activation::Relu, b, MatView{r, 1, 4, 4});
    CHECK(r[0] == 0.0f);
    CHECK(r[2] == 1.0f);
    CHECK(r[3] == 0.0f);
    memcpy(r, z, sizeof z);
    bias_activation_forward(Activation::Sigmoid, b, MatView{r, 1, 4, 4});
    CHECK(r[1] == 0.5f);
    CHECK(r[2] == doctest::Approx(1.0 / (1.0 + exp(-1.0))).epsilon(1e-6));
    memcpy(r, z, sizeof z);
    bias_activation_forward(Activation::Tanh, b, MatView{r, 1, 4, 4});
    CHECK(r[0] == doctest::Approx(tanh(-1.0)).epsilon(1e-6));
    CHECK(r[1] == 0.0f);
    memcpy(r, z, sizeof z);
    bias_activation_forward(Activation::Identity, b, MatView{r, 1, 4, 4});
    CHECK(r[3] == 0.0f);
}

TEST_CASE("activation: sigmoid and tanh clamp without overflow, NaN stays NaN") {
    float z[5] = {-1e30f, 1e30f, NAN, -100.0f, 100.0f};
    const float b[5] = {};
    float s[5], t[5], r[5];
    memcpy(s, z, sizeof z);
    memcpy(t, z, sizeof z);
    memcpy(r, z, sizeof z);
    bias_activation_forward(Activation::Sigmoid, b, MatView{s, 1, 5, 5});
    bias_activation_forward(Activation::Tanh, b, MatView{t, 1, 5, 5});
    bias_activation_forward(Activation::Relu, b, MatView{r, 1, 5, 5});
    CHECK(s[0] >= 0.0f);
    CHECK(s[0] < 1e-12f);
    CHECK(s[1] == 1.0f);
    CHECK(t[0] == -1.0f);
    CHECK(t[1] == 1.0f);
    CHECK(isnan(s[2]));
    CHECK(isnan(t[2]));
    CHECK(isnan(r[2]));
}

TEST_CASE("activation: names parse, including the course's spelling") {
    Activation a = Activation::Identity;
    CHECK(parse_hidden_activation("ReLU", a));
    CHECK(a == Activation::Relu);
    CHECK(parse_hidden_activation("sigmoid", a));
    CHECK(a == Activation::Sigmoid);
    CHECK_FALSE(parse_hidden_activation("softmax", a));
    CHECK_FALSE(parse_hidden_activation("gelu", a));
}

TEST_CASE("softmax: stable for huge logits, rows sum to one") {
    float z[6] = {1000.0f, 1001.0f, 999.0f, -1000.0f, 0.0f, 1000.0f};
    softmax_rows(MatView{z, 2, 3, 3});
    for (int i = 0; i < 2; ++i) {
        double sum = 0;
        for (int j = 0; j < 3; ++j) {
            REQUIRE(isfinite(z[3 * i + j]));
            sum += z[3 * i + j];
        }
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
    }
    CHECK(z[1] == doctest::Approx(exp(1.0) / (1 + exp(1.0) + exp(-1.0))).epsilon(1e-6));
}

TEST_CASE("loss: cross-entropy equals log-sum-exp minus the label's logit, even for huge logits") {
    const float logits[2 * 3] = {1.0f, 2.0f, 3.0f, 500.0f, -500.0f, 0.0f};
    const uint8_t labels[2] = {0, 1};
    const BatchScore s = loss_score(Loss::CrossEntropy, ConstMatView{logits, 2, 3, 3}, labels);
    const double first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 1.0;
    const double second = 1000.0;  // log-sum-exp is 500, minus -500
    CHECK(s.loss_sum == doctest::Approx(first + second).epsilon(1e-6));
    CHECK(s.correct == 0);
}

TEST_CASE("loss: gradients are (p - y) / batch for cross-entropy and vanish at the optimum") {
    const float logits[3] = {0.0f, 0.0f, 0.0f};
    const uint8_t label = 2;
    float grad[3];
    const BatchScore s = loss_forward_backward(Loss::CrossEntropy, ConstMatView{logits, 1, 3, 3},
                                               &label, MatView{grad, 1, 3, 3});
    CHECK(s.loss_sum == doctest::Approx(log(3.0)));
    CHECK(grad[0] == doctest::Approx(1.0 / 3));
    CHECK(grad[2] == doctest::Approx(1.0 / 3 - 1));
    // Squared error of a uniform prediction: (1/3)^2 * 2 + (2/3)^2 = 2/3.
    const BatchScore m = loss_forward_backward(
        Loss::MeanSquaredError, ConstMatView{logits, 1, 3, 3}, &label, MatView{grad, 1, 3, 3});
    CHECK(m.loss_sum == doctest::Approx(2.0 / 3));
    const float sure[3] = {-100.0f, -100.0f, 100.0f};
    loss_forward_backward(Loss::MeanSquaredError, ConstMatView{sure, 1, 3, 3}, &label,
                          MatView{grad, 1, 3, 3});
    for (float g : grad) CHECK(fabs(g) < 1e-30);
}

TEST_CASE("loss: NaN logits give a NaN loss so divergence is seen") {
    const float logits[3] = {NAN, 0.0f, 1.0f};
    const uint8_t label = 1;
    CHECK(isnan(loss_score(Loss::CrossEntropy, ConstMatView{logits, 1, 3, 3}, &label).loss_sum));
    CHECK(
        isnan(loss_score(Loss::MeanSquaredError, ConstMatView{logits, 1, 3, 3}, &label).loss_sum));
    const float late_nan[3] = {0.0f, 1.0f, NAN};
    CHECK(isnan(loss_score(Loss::CrossEntropy, ConstMatView{late_nan, 1, 3, 3}, &label).loss_sum));
}
