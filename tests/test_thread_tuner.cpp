// ThreadTuner: which thread count it probes, which it keeps, and when it probes again, fed with
// made-up step times.
#include <doctest/doctest.h>

#include <vector>

#include "fnn/thread_tuner.hpp"

using namespace fnn;

namespace {

// Runs one whole probe in which a step on t threads takes seconds_for(t); returns the counts
// the probe's steps used, in order.
template <typename F>
std::vector<int> run_probe(ThreadTuner& tuner, F seconds_for) {
    std::vector<int> used;
    const int before = tuner.probes();
    for (int step = 0; step < 1000 && tuner.probes() == before; ++step) {
        used.push_back(tuner.threads());
        tuner.record(seconds_for(tuner.threads()));
    }
    return used;
}

// The distinct counts of `used`, in the order they first appear.
std::vector<int> distinct(const std::vector<int>& used) {
    std::vector<int> out;
    for (int t : used)
        if (out.empty() || out.back() != t) out.push_back(t);
    return out;
}

}  // namespace

TEST_CASE("thread tuner: one thread has nothing to tune") {
    ThreadTuner tuner(1);
    for (int step = 0; step < 3000; ++step) {
        CHECK(tuner.threads() == 1);
        tuner.record(1.0);
    }
    CHECK(tuner.probes() == 0);
    CHECK(tuner.chosen() == 0);
}

TEST_CASE("thread tuner: probes all threads, then half as many, down to one") {
    ThreadTuner six(6);
    const std::vector<int> used = run_probe(six, [](int) { return 1.0; });
    CHECK(distinct(used) == std::vector<int>{6, 3, 1});
    // Each candidate: the settling steps, then the timed ones.
    CHECK(used.size() == 3u * (ThreadTuner::kSettleSteps + ThreadTuner::kProbeSteps));
    ThreadTuner many(64);
    CHECK(distinct(run_probe(many, [](int) { return 1.0; })) ==
          std::vector<int>{64, 32, 16, 8, 4, 2, 1});
}

TEST_CASE("thread tuner: keeps the fastest count, and the most threads on a near tie") {
    ThreadTuner slow_pair(2);
    run_probe(slow_pair, [](int t) { return t == 2 ? 0.93 : 0.21; });  // a busy machine
    CHECK(slow_pair.chosen() == 1);
    CHECK(slow_pair.threads() == 1);

    ThreadTuner fast_pair(2);
    run_probe(fast_pair, [](int t) { return t == 2 ? 0.14 : 0.21; });
    CHECK(fast_pair.chosen() == 2);
    CHECK(fast_pair.threads() == 2);

    ThreadTuner tie(4);  // 4 threads within kTie of the fastest (2): 4 is kept
    run_probe(tie, [](int t) { return t == 4 ? 1.02 : t == 2 ? 1.0 : 1.5; });
    CHECK(tie.chosen() == 4);
    ThreadTuner no_tie(4);
    run_probe(no_tie, [](int t) { return t == 4 ? 1.05 : t == 2 ? 1.0 : 1.5; });
    CHECK(no_tie.chosen() == 2);
}

TEST_CASE("thread tuner: a probe's time is a median, so one slow step does not decide") {
    ThreadTuner tuner(2);
    int timed_two = 0;
    run_probe(tuner, [&](int t) {
        if (t != 2) return 0.30;
        return ++timed_two == ThreadTuner::kSettleSteps + 3 ? 50.0 : 0.20;  // one descheduled step
    });
    CHECK(tuner.chosen() == 2);
}

TEST_CASE("thread tuner: probes again after kExploitSteps, or as soon as steps slow down") {
    ThreadTuner tuner(2);
    run_probe(tuner, [](int t) { return t == 2 ? 0.1 : 0.2; });
    REQUIRE(tuner.chosen() == 2);
    // Steady: the next probe starts after kExploitSteps steps, not before.
    for (int step = 0; step < ThreadTuner::kExploitSteps; ++step) {
        CHECK(tuner.threads() == 2);
        tuner.record(0.1);
    }
    CHECK(tuner.probes() == 1);
    run_probe(tuner, [](int t) { return t == 2 ? 0.1 : 0.2; });
    CHECK(tuner.probes() == 2);
    // Another process takes the second core: two threads slow down by half. Within one watch
    // window the tuner probes again and moves to one thread.
    int steps = 0;
    while (tuner.probes() == 2 && steps < ThreadTuner::kExploitSteps) {
        const int t = tuner.threads();
        tuner.record(t == 2 ? 0.15 : 0.12);
        ++steps;
    }
    CHECK(tuner.chosen() == 1);
    CHECK(steps <= ThreadTuner::kWatchSteps + 2 * (ThreadTuner::kSettleSteps + ThreadTuner::kProbeSteps));
    // A slowdown of less than kSlowdown does not trigger a probe.
    ThreadTuner calm(2);
    run_probe(calm, [](int t) { return t == 2 ? 0.1 : 0.2; });
    for (int step = 0; step < ThreadTuner::kExploitSteps - 1; ++step) calm.record(0.12);
    CHECK(calm.probes() == 1);
    CHECK(calm.threads() == 2);
}
