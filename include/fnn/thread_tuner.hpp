// ThreadTuner: how many of its threads a training run shares each step among.
//
// More threads are not always faster. Measured on a 2-core Zen 5 VM (fnn_bench, reference MLP,
// 2026-12-01): with the two virtual CPUs placed close together two threads ran an epoch 1.5
// times as fast as one; when the host placed them about 450 ns apart (a cache line's round
// trip) two threads were slower than one (0.92-0.96x), and with another busy process on the
// machine they took 4.4 times as long (0.927 s against 0.210 s). A step's result does not depend
// on the thread count (GemmThreads), so the count may change between any two steps, and the
// tuner picks it from the steps' own times:
//
//   probe:   each candidate (all threads, then half as many, ..., one) runs kSettleSteps untimed
//            steps and then kProbeSteps timed ones; its time is their median.
//   exploit: the fastest candidate runs, preferring more threads when within kTie of the
//            fastest. After kExploitSteps steps, or as soon as the median of kWatchSteps steps
//            is kSlowdown times the probed time (the machine got busier), it probes again.
//
// No allocation, no clock of its own: the caller times each step and reports it.
#pragma once

namespace fnn {

class ThreadTuner {
public:
    static constexpr int kMaxCandidates = 8;  // 64, 32, ..., 1
    static constexpr int kSettleSteps = 2;
    static constexpr int kProbeSteps = 7;
    static constexpr int kExploitSteps = 1000;
    static constexpr int kWatchSteps = 31;
    static constexpr double kTie = 1.03;
    static constexpr double kSlowdown = 1.25;

    // Candidates max_threads, max_threads / 2, ..., 1 (1: nothing to tune).
    explicit ThreadTuner(int max_threads = 1);

    // Threads the next step should use.
    int threads() const { return candidates_[current_]; }
    // The step just run with threads() took `seconds`.
    void record(double seconds);

    // Last choice of a probe (0 before the first probe ends) and how many probes have ended.
    int chosen() const { return chosen_ < 0 ? 0 : candidates_[chosen_]; }
    int probes() const { return probes_; }

private:
    void start_probe();
    void end_probe();

    int candidates_[kMaxCandidates] = {1};
    int n_candidates_ = 1;
    bool probing_ = false;
    int current_ = 0;       // candidate the next step uses
    int chosen_ = -1;       // candidate the last probe chose
    int probes_ = 0;
    int steps_ = 0;         // steps of the current candidate (probe) or of exploiting
    int timed_ = 0;         // times collected in times_
    double times_[kWatchSteps] = {};
    double probed_[kMaxCandidates] = {};  // median step time of each candidate, last probe
};

}  // namespace fnn
