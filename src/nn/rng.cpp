// PCG32 generator and the distributions fnn draws from it.
#include "fnn/rng.hpp"

#include <math.h>

#include "base/float_math.hpp"

namespace fnn {

Rng::Rng(uint64_t seed, uint64_t stream) : state_(0), increment_((stream << 1u) | 1u) {
    next_u32();
    state_ += seed;
    next_u32();
}

void Rng::advance(uint64_t steps) {
    uint64_t mult = 1, plus = 0;                      // the whole jump so far: s -> mult s + plus
    uint64_t step_mult = kMultiplier, step_plus = increment_;  // 2^i draws at once
    for (; steps > 0; steps >>= 1) {
        if (steps & 1u) {
            mult *= step_mult;
            plus = plus * step_mult + step_plus;
        }
        step_plus = (step_mult + 1) * step_plus;  // doubling: a' = a^2, c' = (a + 1) c
        step_mult *= step_mult;
    }
    state_ = mult * state_ + plus;
}

uint32_t Rng::below(uint32_t n) {
    if (n == 0) return 0;
    uint64_t product = static_cast<uint64_t>(next_u32()) * n;
    uint32_t low = static_cast<uint32_t>(product);
    if (low < n) {
        const uint32_t threshold = (0u - n) % n;  // 2^32 mod n
        while (low < threshold) {
            product = static_cast<uint64_t>(next_u32()) * n;
            low = static_cast<uint32_t>(product);
        }
    }
    return static_cast<uint32_t>(product >> 32u);
}

float Rng::uniform01() { return static_cast<float>(next_u32() >> 8u) * (1.0f / 16777216.0f); }

float Rng::normal() {
    for (;;) {
        const double u = 2.0 * uniform01() - 1.0;
        const double v = 2.0 * uniform01() - 1.0;
        const double s = u * u + v * v;
        if (s > 0.0 && s < 1.0) return static_cast<float>(u * sqrt(-2.0 * log_d(s) / s));
    }
}

}  // namespace fnn
