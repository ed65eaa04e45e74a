// IEEE binary16 <-> binary32 conversion in plain integer code (no F16C needed), used for fp16
// model weights on every target.
#pragma once

#include <stdint.h>

#include "base/float_math.hpp"

namespace fnn {

inline float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    const uint32_t mantissa = h & 0x3FFu;
    if (exponent == 0x1F) return bits_to_float(sign | 0x7F800000u | (mantissa << 13));  // inf, NaN
    if (exponent != 0) return bits_to_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    // Subnormal half: mantissa * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
}

// Round to nearest, ties to even; overflow goes to infinity, NaN stays NaN.
inline uint16_t float_to_half(float f) {
    const uint32_t x = float_to_bits(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    const uint32_t abs = x & 0x7FFFFFFFu;
    if (abs >= 0x7F800000u)
        return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));
    if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504
    if (abs < 0x38800000u) {
        // Result is subnormal (or zero): value / 2^-24 rounded to an integer, ties to even.
        if (abs < 0x33000000u) return sign;  // below half the smallest subnormal
        const uint32_t mantissa = (abs & 0x7FFFFFu) | 0x800000u;
        const uint32_t shift = 126u - (abs >> 23);  // 14 .. 24
        const uint32_t value = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1u);
        const uint32_t half = 1u << (shift - 1u);
        const uint32_t rounded =
            value + ((rest > half || (rest == half && (value & 1u))) ? 1u : 0u);
        return static_cast<uint16_t>(sign | rounded);
    }
    // Normal: rebias the exponent and round the 13 dropped mantissa bits.
    const uint32_t rebased = abs - (112u << 23);
    const uint32_t value = rebased >> 13;
    const uint32_t rest = rebased & 0x1FFFu;
    const uint32_t rounded =
        value + ((rest > 0x1000u || (rest == 0x1000u && (value & 1u))) ? 1u : 0u);
    return static_cast<uint16_t>(sign | rounded);
}

}  // namespace fnn
