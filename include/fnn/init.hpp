// Weight initialisation schemes. Biases always start at zero.
#pragma once

#include "fnn/matrix.hpp"
#include "fnn/rng.hpp"

namespace fnn {

enum class Init : unsigned char {
    Random,  // N(0, 0.01^2): small random weights, the course's "random" baseline
    Xavier,  // U(-l, l), l = sqrt(6 / (n_in + n_out))   (Glorot & Bengio 2010)
    He,      // N(0, 2 / n_in)                            (He et al. 2015, for ReLU)
};

const char* init_name(Init init);              // "random", "xavier", "he"
bool parse_init(const char* text, Init& out);  // case-insensitive ("Xavier" works)

constexpr float kRandomInitStd = 0.01f;

// w: (n_in, n_out); fills it from `rng` in row-major order.
void init_weights(Init init, MatView w, Rng& rng);

}  // namespace fnn
