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

// The square root of x correctly rounded to nearest, as IEEE sqrt is, from integer arithmetic
// alone: microcontrollers without a C library have no sqrtf. x = mant * 2^e with e even; the
// root of mant * 2^38 (bit by bit) keeps 31 or 32 bits; they are rounded to 24, up when the
// first dropped bit is 1 (a tie cannot happen: a float's root is never exactly
// halfway between two floats). sqrt(-0) = -0, negatives and NaN give NaN, +inf stays.
// (mant * 2^38: mant has at most 25 bits, so the product stays below 2^63.)
// 32-bit Arm with a single-precision FPU (Cortex-M4F, armhf) uses its VSQRT.F32 instead, an
// IEEE square root with the same result in less code (the FPU's flush-to-zero is off there).
inline float sqrt_f(float x) {
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4)
    float hw;
    __asm__("vsqrt.f32 %0, %1" : "=t"(hw) : "t"(x));
    return hw;
#else
    uint32_t bits = float_to_bits(x);
    if ((bits & 0x7FFFFFFFu) == 0 || bits == 0x7F800000u) return x;  // +-0, +inf
    if (bits >> 31 || (bits & 0x7F800000u) == 0x7F800000u) return (x - x) / (x - x);  // NaN
    int e = static_cast<int>(bits >> 23) - 150;  // x = mant * 2^e
    uint64_t mant = bits & 0x7FFFFFu;
    if ((bits >> 23) == 0) {  // subnormal: mant * 2^-149
        e = -149;
        while (mant < 0x800000u) mant <<= 1, --e;
    } else {
        mant |= 0x800000u;
    }
    if (e & 1) mant <<= 1, --e;
    uint64_t m = mant << 38, root = 0;
    e -= 38;
    for (uint64_t bit = uint64_t(1) << 62; bit != 0; bit >>= 2) {  // floor(sqrt(m)), bit by bit
        if (m >= root + bit) {
            m -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
    }
    e /= 2;  // sqrt(x) = root * 2^e, root in [2^31.5, 2^32.5)
    int drop = 0;
    while ((root >> drop) >= (uint64_t(1) << 25)) ++drop;  // keep 25 bits: 24 and a rounding bit
    uint64_t q = root >> drop;
    q = (q + 1) >> 1;  // round to 24 bits (the rest, and the remainder, only break no ties)
    e += drop + 1;
    if (q == (uint64_t(1) << 24)) q >>= 1, ++e;
    // q * 2^e with q in [2^23, 2^24): the result is normal (roots of floats always are).
    return bits_to_float(static_cast<uint32_t>(e + 150) << 23 | (static_cast<uint32_t>(q) & 0x7FFFFFu));
#endif
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
