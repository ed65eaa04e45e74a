// ThreadTuner (see fnn/thread_tuner.hpp): probe every candidate, run the fastest, probe again.
#include "fnn/thread_tuner.hpp"

#include <algorithm>

namespace fnn {
namespace {

static_assert(ThreadTuner::kProbeSteps <= ThreadTuner::kWatchSteps, "times_ holds either");

// Median of v[0..n) (reorders v); the upper one of the middle two for even n.
double median_of(double* v, int n) {
    std::nth_element(v, v + n / 2, v + n);
    return v[n / 2];
}

}  // namespace

ThreadTuner::ThreadTuner(int max_threads) {
    // At most 2^(kMaxCandidates - 1), so halving reaches 1 within kMaxCandidates counts.
    constexpr int kMost = 1 << (kMaxCandidates - 1);
    n_candidates_ = 0;
    for (int t = max_threads < 1 ? 1 : max_threads > kMost ? kMost : max_threads; t >= 1; t /= 2)
        candidates_[n_candidates_++] = t;
    if (n_candidates_ > 1) start_probe();
}

void ThreadTuner::start_probe() {
    probing_ = true;
    current_ = 0;
    steps_ = 0;
    timed_ = 0;
}

void ThreadTuner::end_probe() {
    double fastest = probed_[0];
    for (int i = 1; i < n_candidates_; ++i) fastest = std::min(fastest, probed_[i]);
    chosen_ = 0;  // the most threads within kTie of the fastest
    while (probed_[chosen_] > fastest * kTie) ++chosen_;
    ++probes_;
    probing_ = false;
    current_ = chosen_;
    steps_ = 0;
    timed_ = 0;
}

void ThreadTuner::record(double seconds) {
    if (n_candidates_ < 2) return;
    ++steps_;
    if (probing_) {
        if (steps_ <= kSettleSteps) return;  // caches and parked threads settle after a switch
        times_[timed_++] = seconds;
        if (timed_ < kProbeSteps) return;
        probed_[current_] = median_of(times_, timed_);
        steps_ = 0;
        timed_ = 0;
        if (++current_ == n_candidates_) end_probe();
        return;
    }
    times_[timed_++] = seconds;
    if (timed_ == kWatchSteps) {
        const bool slower = median_of(times_, timed_) > probed_[current_] * kSlowdown;
        timed_ = 0;
        if (slower) {
            start_probe();
            return;
        }
    }
    if (steps_ >= kExploitSteps) start_probe();
}

}  // namespace fnn
