// Activation math; exp comes from float_math.hpp so every target computes the same bits.
#include "fnn/activation.hpp"

#include "base/build_options.hpp"
#include "base/float_math.hpp"
#include "base/text_util.hpp"

namespace fnn {
namespace {

// Comparisons are written so that NaN passes through unchanged: divergence must stay visible.
inline float clamp_keep_nan(float x, float limit) {
    x = x > limit ? limit : x;
    return x < -limit ? -limit : x;
}

inline float sigmoid(float z) { return 1.0f / (1.0f + exp_f(-clamp_keep_nan(z, kSigmoidClamp))); }

inline float tanh_f(float z) {
    const float e = exp_f(2.0f * clamp_keep_nan(z, kTanhClamp));
    return (e - 1.0f) / (e + 1.0f);
}

}  // namespace

const char* activation_name(Activation f) {
    switch (f) {
        case Activation::Identity: return "identity";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Tanh: return "tanh";
        case Activation::Relu: return "relu";
        case Activation::Softmax: return "softmax";
    }
    return "?";
}

bool parse_hidden_activation(const char* text, Activation& out) {
    const Activation hidden[] = {Activation::Identity, Activation::Sigmoid, Activation::Tanh,
                                 Activation::Relu};
    for (Activation f : hidden) {
        if (equals_ignoring_case(text, activation_name(f))) {
            out = f;
            return true;
        }
    }
    return false;
}

void activation_forward(Activation f, MatView z) {
    const int n = z.cols;
    for (int i = 0; i < z.rows; ++i) {
        float* row = z.row(i);
        switch (f) {
            case Activation::Sigmoid:
                if (!kBuildSigmoidTanh) break;  // such builds refuse these models at load
                for (int j = 0; j < n; ++j) row[j] = sigmoid(row[j]);
                break;
            case Activation::Tanh:
                if (!kBuildSigmoidTanh) break;
                for (int j = 0; j < n; ++j) row[j] = tanh_f(row[j]);
                break;
            case Activation::Relu:
                for (int j = 0; j < n; ++j) row[j] = row[j] < 0.0f ? 0.0f : row[j];
                break;
            case Activation::Identity:
            case Activation::Softmax: break;
        }
    }
    if (f == Activation::Softmax) softmax_rows(z);
}

void bias_activation_forward(Activation f, const float* b, MatView z) {
    // A few thousand values at a time, so they are still in cache for the activation.
    const int block = z.cols >= 4096 ? 1 : 4096 / z.cols;
    for (int i0 = 0; i0 < z.rows; i0 += block) {
        const int rows = z.rows - i0 < block ? z.rows - i0 : block;
        for (int i = i0; i < i0 + rows; ++i) {
            float* row = z.row(i);
            for (int j = 0; j < z.cols; ++j) row[j] += b[j];
        }
        activation_forward(f, z.row_range(i0, rows));
    }
}

void activation_backward(Activation f, ConstMatView a, MatView da) {
    for (int i = 0; i < da.rows; ++i) {
        const float* out = a.row(i);
        float* g = da.row(i);
        switch (f) {
            case Activation::Sigmoid:
                for (int j = 0; j < da.cols; ++j) g[j] *= out[j] * (1.0f - out[j]);
                break;
            case Activation::Tanh:
                for (int j = 0; j < da.cols; ++j) g[j] *= 1.0f - out[j] * out[j];
                break;
            case Activation::Relu:
                for (int j = 0; j < da.cols; ++j) g[j] = out[j] > 0.0f ? g[j] : 0.0f;
                break;
            case Activation::Identity:
            case Activation::Softmax:  // fused into the loss gradient
                break;
        }
    }
}

void softmax_rows(MatView z) {
    for (int i = 0; i < z.rows; ++i) {
        float* row = z.row(i);
        float max = row[0];
        for (int j = 1; j < z.cols; ++j) max = row[j] > max ? row[j] : max;
        float sum = 0.0f;
        for (int j = 0; j < z.cols; ++j) {
            row[j] = exp_f(row[j] - max);
            sum += row[j];
        }
        for (int j = 0; j < z.cols; ++j) row[j] = row[j] / sum;
    }
}

}  // namespace fnn
