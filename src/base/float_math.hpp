// fnn's own exp and log, so that activations, softmax and random initialisation give the same
// bits on every target and C library (libm implementations differ in the last place). Plain
// IEEE arithmetic in a fixed order; build with -ffp-contract=off to keep it that way.
#pragma once

#include <stdint.h>

namespace fnn {

inline float bits_to_float(uint32_t u) {
    float f;
    __builtin_memcpy(&f, &u, sizeof f);
    return f;
}
inline uint32_t float_to_bits(float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, sizeof u);
    return u;
}

// e^x for float, within 2 ulp (tests/test_float_math.cpp measures it). Inputs are clamped to [-87,
// 88] (results stay normal and finite); NaN stays NaN. Branch-free apart from the clamps so loops
// over it vectorise.
inline float exp_f(float x) {
    x = x > 88.0f ? 88.0f : x;
    x = x < -87.0f ? -87.0f : x;
    // n = round(x * log2(e)): adding 1.5 * 2^23 leaves n in the low mantissa bits of t.
    const float t = x * 1.44269504f + 12582912.0f;
    const float n = t - 12582912.0f;
    // r = x - n*ln2 with ln2 split in a 9-bit head (n*head is exact) and a tail (Cody-Waite).
    const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
    // e^r by its Taylor series to degree 7: on |r| <= 0.347 the truncation error is below
    // 0.347^8 / 8! = 5e-9, a twentieth of a float ulp.
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    // 2^n built directly in the exponent field.
    const uint32_t scale_bits = (float_to_bits(t) - 0x4B400000u + 127u) << 23;
    return p * bits_to_float(scale_bits);
}

// Natural log for double, accurate to a few ulp: x = m * 2^e with m in [sqrt(1/2), sqrt(2)),
// log(m) = 2 atanh(s), s = (m-1)/(m+1), summed as an odd series (|s| <= 0.172, 11 terms).
inline double log_d(double x) {
    if (!(x > 0.0)) return x == 0.0 ? -1.0 / 0.0 : (x - x) / 0.0;  // -inf, or NaN for x < 0
    uint64_t bits;
    __builtin_memcpy(&bits, &x, sizeof bits);
    int exponent = static_cast<int>((bits >> 52) & 0x7FF);
    if (exponent == 0x7FF) return x;  // +inf
    if (exponent == 0) {              // subnormal: scale into the normal range first
        x *= 18014398509481984.0;     // 2^54
        __builtin_memcpy(&bits, &x, sizeof bits);
        exponent = static_cast<int>((bits >> 52) & 0x7FF) - 54;
    }
    int e = exponent - 1023;
    bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;  // m in [1, 2)
    double m;
    __builtin_memcpy(&m, &bits, sizeof m);
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double series = 1.0 / 21.0;
    for (int k = 19; k >= 1; k -= 2) series = series * s2 + 1.0 / k;
    const double ln2_hi = 0.693147180369123816490;  // ln 2 split so e*ln2_hi is exact
    const double ln2_lo = 1.90821492927058770002e-10;
    return e * ln2_hi + (e * ln2_lo + 2.0 * s * series);
}

}  // namespace fnn
