// Where training time goes, for `make bench`: wall time on the one thread that turned the
// measurement on, split by phase. Off by default; a scope then costs a call and a test of a
// thread-local flag. Accounting is exclusive: a scope inside another (packing inside a
// product) pauses the outer one, so the phases add up to the measured time. Inside an
// Evaluation scope, inner scopes are not split out: the whole evaluation counts as one phase.
// Worker threads (GemmThreads) are never measured; the caller's wait for them is GEMM time.
#pragma once

namespace fnn {

enum class Phase : int { Gemm, Pack, Optimizer, Data, Evaluation, Count };

const char* phase_name(Phase p);  // "GEMM kernels", "packing", ...

// Starts measuring on the calling thread with every sum at zero, or stops.
void phase_times_start();
void phase_times_stop();
// Seconds spent in phase p (exclusive of the scopes nested in it) since start.
double phase_seconds(Phase p);

class PhaseScope {
public:
    explicit PhaseScope(Phase p);
    ~PhaseScope();
    PhaseScope(const PhaseScope&) = delete;
    PhaseScope& operator=(const PhaseScope&) = delete;

private:
    int outer_ = -2;  // the phase this scope interrupted (-1: none); -2: not measuring
};

}  // namespace fnn
