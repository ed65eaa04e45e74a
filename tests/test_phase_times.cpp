// Phase timing (make bench's breakdown): exclusive accounting of nested scopes, evaluation kept
// whole, other threads and the stopped state never measured.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "fnn/phase_times.hpp"

using namespace fnn;

namespace {

// Busy for about `ms` milliseconds of wall time.
void busy(int ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
    }
}

}  // namespace

TEST_CASE("phase times: nested scopes are exclusive; evaluation counts whole; others unmeasured") {
    {
        const PhaseScope before(Phase::Gemm);  // not measuring yet: no effect
        busy(2);
    }
    const auto start = std::chrono::steady_clock::now();
    phase_times_start();
    {
        const PhaseScope gemm(Phase::Gemm);
        busy(10);
        {
            const PhaseScope pack(Phase::Pack);
            busy(60);
        }
        busy(10);
    }
    {
        const PhaseScope eval(Phase::Evaluation);
        busy(10);
        const PhaseScope inner(Phase::Optimizer);  // inside evaluation: not split out
        busy(10);
    }
    std::thread other([] {
        const PhaseScope data(Phase::Data);  // another thread: not measured
        busy(10);
    });
    other.join();
    phase_times_stop();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    {
        const PhaseScope after(Phase::Gemm);  // stopped: no effect
        busy(2);
    }
    CHECK(phase_seconds(Phase::Gemm) >= 0.020);
    CHECK(phase_seconds(Phase::Gemm) < 0.070);  // without the packing's 60 ms
    CHECK(phase_seconds(Phase::Pack) >= 0.060);
    CHECK(phase_seconds(Phase::Evaluation) >= 0.020);
    CHECK(phase_seconds(Phase::Optimizer) == 0.0);
    CHECK(phase_seconds(Phase::Data) == 0.0);
    double sum = 0;
    for (int p = 0; p < static_cast<int>(Phase::Count); ++p) sum += phase_seconds(static_cast<Phase>(p));
    CHECK(sum <= wall);
    phase_times_start();  // starts again from zero
    phase_times_stop();
    CHECK(phase_seconds(Phase::Pack) == 0.0);
}
