// Activations: the hidden-layer nonlinearities and softmax, forward and backward, on batches
// stored as (batch, units) matrices. Derivatives are written in terms of the output a = f(z),
// which is all the backward pass keeps.
#pragma once

#include "fnn/matrix.hpp"

namespace fnn {

// Numbering is the model blob's activation code (blob.hpp).
enum class Activation : unsigned char {
    Identity = 0,
    Sigmoid = 1,
    Tanh = 2,
    Relu = 3,
    Softmax = 4
};

// Lower-case name ("identity", "sigmoid", "tanh", "relu", "softmax").
const char* activation_name(Activation f);
// Parses a hidden activation name: identity, sigmoid, tanh or relu (case-insensitive, so the
// course's "ReLU" works).
bool parse_hidden_activation(const char* text, Activation& out);

// z: (batch, n) pre-activations, in place: z[i][j] = f(z[i][j]); softmax normalises each row.
// Shared by the trainer and the inference library, so both compute the same bits.
void activation_forward(Activation f, MatView z);

// z: (batch, n), b: (n). The dense layer's epilogue: z[i][j] = f(z[i][j] + b[j]).
void bias_activation_forward(Activation f, const float* b, MatView z);

// a: (batch, n) outputs f(z); da: (batch, n) dL/da. In place: da becomes dL/dz = da * f'(z).
// Not for softmax, whose gradient is fused with the loss (loss.hpp).
void activation_backward(Activation f, ConstMatView a, MatView da);

// Stable softmax of each row in place: subtracts the row max before exponentiating.
void softmax_rows(MatView z);

// Sigmoid clamps its input to [-kSigmoidClamp, kSigmoidClamp]: beyond it the float result is
// already 0 or 1, and e^-z cannot overflow.
constexpr float kSigmoidClamp = 30.0f;
// tanh(9) rounds to 1 in float; clamping keeps e^(2z) finite.
constexpr float kTanhClamp = 9.0f;

}  // namespace fnn
