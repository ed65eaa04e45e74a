// Rng: a small seeded generator (PCG32: 64-bit LCG state, permuted 32-bit output; O'Neill 2014)
// that yields the same stream on every platform and standard library. Passed by reference to
// whoever needs randomness; there is no global generator.
#pragma once

#include <stdint.h>

namespace fnn {

class Rng {
public:
    // Different streams with one seed are independent sequences (the LCG increment differs).
    explicit Rng(uint64_t seed, uint64_t stream = 0);

    uint32_t next_u32() {  // inline: dropout draws one per value
        const uint64_t old = state_;
        state_ = old * kMultiplier + increment_;
        const uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
        const uint32_t rot = static_cast<uint32_t>(old >> 59u);
        return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
    }
    // Moves the stream on by `steps` draws of next_u32() in O(log steps): the LCG step
    // s -> a s + c applied n times is s -> A s + C with A = a^n, C = c (a^(n-1) + ... + 1),
    // built by squaring. Lets threads start their part of one stream where it falls.
    void advance(uint64_t steps);
    // Uniform integer in [0, n) without modulo bias (rejection on the low product, Lemire 2019).
    uint32_t below(uint32_t n);
    // Uniform float in [0, 1) with 24 random bits (every value a multiple of 2^-24).
    float uniform01();
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform01(); }
    // Standard normal by Marsaglia's polar method, with fnn's own log so the values are the
    // same on every target.
    float normal();

private:
    static constexpr uint64_t kMultiplier = 6364136223846793005ull;  // Knuth's MMIX LCG
    uint64_t state_;
    uint64_t increment_;
};

}  // namespace fnn
