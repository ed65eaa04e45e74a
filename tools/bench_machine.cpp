// fma_peak and core_round_trip_ns (see bench_machine.hpp). The second thread is a POSIX
// thread, as in gemm_threads.hpp: a failed start is a return value, not an abort under
// -fno-exceptions.
#include "bench_machine.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

constexpr long kPeakSteps = 20000000;  // 12 FMAs each: about 0.1 s at AVX-512 rates
constexpr int kChains = 12;            // more than FMA latency x FMA units on current cores

#if defined(__x86_64__)
// Each returns the sum of its chains' first lanes, so that the compiler keeps them; x * 1 + 0
// never overflows or turns denormal. The two differ only in register width.
__attribute__((target("avx512f"))) float chains512(long steps) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(1.0f + static_cast<float>(i));
    const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    for (long s = 0; s < steps; ++s) {
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], one, zero);
    }
    float sum = 0.0f;
    for (int i = 0; i < kChains; ++i) sum += _mm512_cvtss_f32(acc[i]);
    return sum;
}

__attribute__((target("avx,fma"))) float chains256(long steps) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(1.0f + static_cast<float>(i));
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (long s = 0; s < steps; ++s) {
#pragma GCC unroll 12
        for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], one, zero);
    }
    float sum = 0.0f;
    for (int i = 0; i < kChains; ++i) sum += _mm256_cvtss_f32(acc[i]);
    return sum;
}
#endif

}  // namespace

FmaPeak fma_peak(bool allow_avx512) {
#if defined(__x86_64__)
    const bool wide = allow_avx512 && __builtin_cpu_supports("avx512f");
    if (!wide && !__builtin_cpu_supports("fma")) return {0.0, 0};
    const int lanes = wide ? 16 : 8;
    double best = 1e30;
    volatile float sink = 0.0f;
    for (int run = 0; run < 5; ++run) {
        const auto start = std::chrono::steady_clock::now();
        sink = sink + (wide ? chains512(kPeakSteps) : chains256(kPeakSteps));
        best = std::min(best, seconds_since(start));
    }
    return {2.0 * lanes * kChains * static_cast<double>(kPeakSteps) / best / 1e9, 32 * lanes};
#else
    (void)allow_avx512;
    return {0.0, 0};
#endif
}

namespace {

constexpr int kTrips = 20000;

struct PingPong {
    alignas(64) std::atomic<int> turn{0};
};

// Trip 0 waits for the thread to start and is not timed.
void* answer(void* arg) {
    PingPong& p = *static_cast<PingPong*>(arg);
    for (int i = 0; i <= kTrips; ++i) {
        while (p.turn.load(std::memory_order_acquire) != 2 * i + 1) {
        }
        p.turn.store(2 * i + 2, std::memory_order_release);
    }
    return nullptr;
}

}  // namespace

double core_round_trip_ns() {
    double runs[5];
    for (double& run : runs) {
        PingPong p;
        pthread_t other;
        if (pthread_create(&other, nullptr, answer, &p) != 0) return -1.0;
        auto trip = [&p](int i) {
            p.turn.store(2 * i + 1, std::memory_order_release);
            while (p.turn.load(std::memory_order_acquire) != 2 * i + 2) {
            }
        };
        trip(0);
        const auto start = std::chrono::steady_clock::now();
        for (int i = 1; i <= kTrips; ++i) trip(i);
        run = seconds_since(start) / kTrips * 1e9;
        pthread_join(other, nullptr);
    }
    std::sort(runs, runs + 5);
    return runs[2];
}
