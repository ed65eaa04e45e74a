// Weight initialisation schemes. Biases always start at zero.
#pragma once

#include "fnn/matrix.hpp"
#include "fnn/rng.hpp"

namespace fnn {

enum class Init : unsigned char {
    Random,  // N(0, 0.01^2): small random weights, the course's "random" baseline
    Xavier,  // U(-l, l), l = sqrt(6 / (fan_in + fan_out))  (Glorot & Bengio 2010)
    He,      // N(0, 2 / fan_in)                            (He et al. 2015, for ReLU)
};
// fan_in and fan_out: a dense layer's inputs and outputs; a convolution's kh * kw * in channels
// and kh * kw * out channels (as PyTorch counts them).

const char* init_name(Init init);              // "random", "xavier", "he"
bool parse_init(const char* text, Init& out);  // case-insensitive ("Xavier" works)

constexpr float kRandomInitStd = 0.01f;

// w: any shape; fills it from `rng` in row-major order.
void init_weights(Init init, MatView w, int fan_in, int fan_out, Rng& rng);

}  // namespace fnn
