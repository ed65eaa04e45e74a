// Rng: the PCG32 stream, bounded integers and the distributions.
#include <doctest/doctest.h>

#include <math.h>

#include <vector>

#include "fnn/rng.hpp"

using namespace fnn;

TEST_CASE("rng: PCG32 reproduces the reference generator's published stream") {
    // pcg32_srandom(42, 54) in O'Neill's pcg-c-basic demo prints these first outputs.
    Rng rng(42, 54);
    const uint32_t expected[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    for (uint32_t e : expected) CHECK(rng.next_u32() == e);
}

TEST_CASE("rng: same seed, same stream; different streams differ") {
    Rng a(7), b(7), c(7, 1);
    int same = 0;
    for (int i = 0; i < 100; ++i) {
        const uint32_t x = a.next_u32();
        CHECK(x == b.next_u32());
        same += x == c.next_u32();
    }
    CHECK(same < 3);
}

TEST_CASE("rng: below(n) stays in range and covers it evenly") {
    Rng rng(1);
    std::vector<int> counts(7, 0);
    for (int i = 0; i < 70000; ++i) {
        const uint32_t v = rng.below(7);
        REQUIRE(v < 7);
        ++counts[v];
    }
    for (int c : counts) CHECK(abs(c - 10000) < 400);  // > 4 standard deviations
    CHECK(rng.below(1) == 0);
    CHECK(rng.below(0) == 0);
    for (int i = 0; i < 1000; ++i) CHECK(rng.below(0x80000001u) < 0x80000001u);
}

TEST_CASE("rng: uniform and normal have the right moments") {
    Rng rng(9);
    double sum = 0, sum_sq = 0, nsum = 0, nsum_sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const float u = rng.uniform01();
        REQUIRE(u >= 0.0f);
        REQUIRE(u < 1.0f);
        sum += u;
        sum_sq += u * u;
        const float z = rng.normal();
        REQUIRE(isfinite(z));
        nsum += z;
        nsum_sq += z * z;
    }
    CHECK(sum / n == doctest::Approx(0.5).epsilon(0.01));
    CHECK(sum_sq / n - (sum / n) * (sum / n) == doctest::Approx(1.0 / 12).epsilon(0.02));
    CHECK(fabs(nsum / n) < 0.01);
    CHECK(nsum_sq / n == doctest::Approx(1.0).epsilon(0.02));
}

TEST_CASE("rng: advance(n) lands where n draws do") {
    for (uint64_t stream : {0ull, 4ull, 12345ull}) {
        for (uint64_t n : {0ull, 1ull, 2ull, 3ull, 64ull, 1000ull, 123457ull}) {
            CAPTURE(stream);
            CAPTURE(n);
            Rng drawn(99, stream), jumped(99, stream);
            for (uint64_t i = 0; i < n; ++i) drawn.next_u32();
            jumped.advance(n);
            for (int i = 0; i < 5; ++i) CHECK(jumped.next_u32() == drawn.next_u32());
        }
    }
    // Two jumps add up.
    Rng a(7, 1), b(7, 1);
    a.advance(300);
    a.advance(77);
    b.advance(377);
    CHECK(a.next_u32() == b.next_u32());
}
