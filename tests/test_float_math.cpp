// fnn's own exp and log against the C library in double precision, and their edge cases.
#include <doctest/doctest.h>

#include <math.h>

#include "base/float_math.hpp"
#include "base/half.hpp"
#include "fnn/rng.hpp"

using namespace fnn;

TEST_CASE("float math: exp_f is within 2 ulp of exp over its range") {
    double worst_ulps = 0;
    for (double x = -87.0; x <= 88.0; x += 0.00731) {
        const float xf = static_cast<float>(x);
        const double exact = exp(static_cast<double>(xf));
        const double ulp = ldexp(1.0, ilogb(exact) - 23);
        worst_ulps = fmax(worst_ulps, fabs(exp_f(xf) - exact) / ulp);
    }
    CHECK(worst_ulps <= 2.0);
    CHECK(exp_f(0.0f) == 1.0f);
}

TEST_CASE("float math: exp_f clamps large inputs and keeps NaN") {
    CHECK(isfinite(exp_f(1000.0f)));
    CHECK(exp_f(1000.0f) == exp_f(88.0f));
    CHECK(exp_f(-1000.0f) > 0.0f);
    CHECK(exp_f(-1000.0f) < 2e-38f);
    CHECK(isnan(exp_f(NAN)));
}

TEST_CASE("float math: log_d matches log to a few ulp, with the edge values") {
    double worst = 0;
    for (double x = 1e-300; x < 1e300; x *= 1.37)
        worst = fmax(worst, fabs(log_d(x) - log(x)) / fmax(fabs(log(x)), 1e-300));
    for (double x = 0.5; x < 2.0; x += 0.001)
        worst = fmax(worst, fabs(log_d(x) - log(x)) / fmax(fabs(log(x)), 1e-300));
    CHECK(worst < 1e-15);
    CHECK(log_d(1.0) == 0.0);
    CHECK(log_d(4.9e-324) == doctest::Approx(log(4.9e-324)));
    CHECK(isinf(log_d(0.0)));
    CHECK(log_d(0.0) < 0);
    CHECK(isnan(log_d(-1.0)));
    CHECK(isnan(log_d(NAN)));
    CHECK(isinf(log_d(INFINITY)));
}

TEST_CASE("float math: fp16 conversion rounds to nearest even and round-trips") {
    CHECK(float_to_half(1.0f) == 0x3C00);
    CHECK(float_to_half(-2.0f) == 0xC000);
    CHECK(float_to_half(65504.0f) == 0x7BFF);
    CHECK(float_to_half(65520.0f) == 0x7C00);  // halfway to 65536 rounds up to infinity
    CHECK(float_to_half(1e-8f) == 0x0000);
    CHECK(float_to_half(5.9604645e-8f) == 0x0001);       // smallest subnormal
    CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3C00);  // tie: stays even
    CHECK(float_to_half(1.0f + 3.0f / 2048) == 0x3C02);  // tie: rounds up to even
    CHECK(float_to_half(INFINITY) == 0x7C00);
    CHECK(isnan(half_to_float(float_to_half(NAN))));
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const uint16_t bits = static_cast<uint16_t>(h);
        const float f = half_to_float(bits);
        if (isnan(f)) continue;
        REQUIRE(float_to_half(f) == bits);  // every half value survives a round trip
    }
}

TEST_CASE("float math: sqrt_f is the correctly rounded square root, as IEEE sqrt") {
    // Every float in [1, 4) (two binades: both exponent parities), then random bit patterns over
    // the whole range, subnormals included, against the hardware's IEEE sqrt.
    int mismatches = 0;
    for (uint32_t bits = 0x3F800000u; bits < 0x40800000u; ++bits) {
        const float x = fnn::bits_to_float(bits);
        mismatches += fnn::float_to_bits(fnn::sqrt_f(x)) != fnn::float_to_bits(sqrtf(x));
    }
    fnn::Rng rng(5);
    for (int i = 0; i < 2000000; ++i) {
        const float x = fnn::bits_to_float(rng.next_u32() & 0x7FFFFFFFu);
        if (!isfinite(x)) continue;
        mismatches += fnn::float_to_bits(fnn::sqrt_f(x)) != fnn::float_to_bits(sqrtf(x));
    }
    CHECK(mismatches == 0);
    CHECK(fnn::float_to_bits(fnn::sqrt_f(-0.0f)) == 0x80000000u);
    CHECK(fnn::sqrt_f(INFINITY) == INFINITY);
    CHECK(isnan(fnn::sqrt_f(-1.0f)));
    CHECK(isnan(fnn::sqrt_f(NAN)));
    CHECK(fnn::sqrt_f(1e-45f) == sqrtf(1e-45f));  // the smallest subnormal
}
