// Phase timing for make bench (see phase_times.hpp).
#include "fnn/phase_times.hpp"

#include <chrono>

namespace fnn {
namespace {

using Clock = std::chrono::steady_clock;

// Only the measuring thread touches these.
thread_local bool t_measuring = false;
thread_local int t_current = -1;           // the phase being timed, -1: none
thread_local Clock::time_point t_since;    // when t_current last started
thread_local double t_sums[static_cast<int>(Phase::Count)] = {};

// Charges the time since the last switch to the current phase and makes `next` current.
void switch_to(int next) {
    const Clock::time_point now = Clock::now();
    if (t_current >= 0) t_sums[t_current] += std::chrono::duration<double>(now - t_since).count();
    t_current = next;
    t_since = now;
}

}  // namespace

const char* phase_name(Phase p) {
    switch (p) {
        case Phase::Gemm: return "GEMM kernels";
        case Phase::Pack: return "packing";
        case Phase::Optimizer: return "optimizer";
        case Phase::Data: return "batch loading";
        case Phase::Evaluation: return "validation pass";
        case Phase::Count: break;
    }
    return "?";
}

void phase_times_start() {
    for (double& s : t_sums) s = 0.0;
    t_current = -1;
    t_measuring = true;
}

void phase_times_stop() {
    if (t_measuring) switch_to(-1);
    t_measuring = false;
}

double phase_seconds(Phase p) { return t_sums[static_cast<int>(p)]; }

PhaseScope::PhaseScope(Phase p) {
    if (!t_measuring || t_current == static_cast<int>(Phase::Evaluation)) return;
    outer_ = t_current;
    switch_to(static_cast<int>(p));
}

PhaseScope::~PhaseScope() {
    if (outer_ != -2) switch_to(outer_);
}

}  // namespace fnn
