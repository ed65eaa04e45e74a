// Worker threads for gemm() (see gemm_threads.hpp): start and stop, the hand-over of one
// product, and how it is cut into parts.
#include "fnn/gemm_threads.hpp"

#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <thread>

#include "gemm/gemm_internal.hpp"

#if defined(__SSE__)
#include <immintrin.h>
#endif

namespace fnn {
namespace {

thread_local GemmThreads* t_current = nullptr;

// A waiting thread first spins (pause instructions: the next product is usually microseconds
// away), then yields its core (another thread may need it: more threads than cores, a second
// process), and a worker finally sleeps until woken.
constexpr int kSpins = 256;
constexpr int kYields = 2000;  // about a millisecond when nothing else wants the core

void cpu_relax() {
#if defined(__SSE__)
    _mm_pause();
#endif
}

// One round of waiting: returns false once the thread should sleep instead.
bool wait_a_little(int& round) {
    ++round;
    if (round < kSpins) cpu_relax();
    else if (round < kSpins + kYields) std::this_thread::yield();
    else return false;
    return true;
}

unsigned read_control() {
#if defined(__SSE__)
    return _mm_getcsr();
#else
    return 0;
#endif
}

void write_control(unsigned control) {
#if defined(__SSE__)
    if (_mm_getcsr() != control) _mm_setcsr(control);
#else
    (void)control;
#endif
}

}  // namespace

GemmThreads::Use::Use(GemmThreads* pool) : previous_(t_current) { t_current = pool; }
GemmThreads::Use::~Use() { t_current = previous_; }
GemmThreads* GemmThreads::current() { return t_current; }

int GemmThreads::available_cores() {
    long cores = 0;
#if defined(__linux__)
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0) cores = CPU_COUNT(&mask);
#endif
    if (cores < 1) cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > kMaxThreads ? kMaxThreads : static_cast<int>(cores);
}

size_t GemmThreads::bytes(int threads) {
    // Every part is at most one MC x KC block of A and one KC x NC panel of B at a time.
    const size_t one = gemm_bytes(kGemmMC, kGemmNC, kGemmKC);
    return threads > 1 ? static_cast<size_t>(threads - 1) * one + arena_floats(kSplitSumFloats)
                       : 0;
}

Status GemmThreads::start(int threads, Arena& arena, ErrorText* err) {
    FNN_ASSERT(n_workers_ == 0);
    if (threads < 1 || threads > kMaxThreads)
        return fail(err, Status::Arg, "threads must be 1 to %d, not %d", kMaxThreads,
                    threads);
    scratch_bytes_ = gemm_bytes(kGemmMC, kGemmNC, kGemmKC);
    if (threads > 1) {
        split_sums_ = arena.alloc_floats(kSplitSumFloats);
        if (split_sums_ == nullptr)
            return fail(err, Status::NoMem, "no arena left for the threads' partial sums");
    }
    for (int i = 1; i < threads; ++i) {
        scratch_[i] = static_cast<unsigned char*>(arena.alloc(scratch_bytes_));
        if (scratch_[i] == nullptr)
            return fail(err, Status::NoMem, "no arena left for thread %d's GEMM buffers", i);
    }
    for (int i = 1; i < threads; ++i) {
        starts_[i] = {this, i};
        const int code = pthread_create(&handles_[i], nullptr, worker_main, &starts_[i]);
        if (code != 0)
            return fail(err, Status::Unsupported, "cannot start GEMM thread %d of %d: %s", i,
                        threads, strerror(code));
        n_workers_ = i;
    }
    // Return with every worker running: a thread's start-up (the C library's, a sanitizer's)
    // may allocate, and that belongs to start(), not to the first training step.
    while (started_.load(std::memory_order_acquire) < n_workers_) std::this_thread::yield();
    active_.store(threads, std::memory_order_relaxed);
    return Status::Ok;
}

GemmThreads::~GemmThreads() {
    if (n_workers_ == 0) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true, std::memory_order_release);
    }
    wake_.notify_all();
    parked_.notify_all();
    for (int i = 1; i <= n_workers_; ++i) pthread_join(handles_[i], nullptr);
}

void GemmThreads::set_active_threads(int n) {
    n = n < 1 ? 1 : n > threads() ? threads() : n;
    if (n == active_threads()) return;
    // Under the mutex, so a worker that has just seen itself left out cannot miss the wake-up.
    std::lock_guard<std::mutex> lock(mutex_);
    active_.store(n, std::memory_order_relaxed);
    parked_.notify_all();
}

void* GemmThreads::worker_main(void* start) {
    const Start* s = static_cast<const Start*>(start);
    s->pool->started_.fetch_add(1, std::memory_order_acq_rel);
    s->pool->work(s->index);
    return nullptr;
}

void GemmThreads::work(int index) {
    Arena scratch(scratch_[index], scratch_bytes_);
    unsigned seen = 0;
    while (wait_for_task(index, seen)) run_parts(scratch);
}

bool GemmThreads::wait_for_task(int index, unsigned& seen) {
    auto stopped = [this] { return stop_.load(std::memory_order_acquire); };
    auto left_out = [this, index] { return index >= active_threads(); };
    int round = 0;
    for (;;) {
        if (stopped()) return false;
        if (left_out()) {
            // Parked on its own condition variable, so that sharing a task (which wakes the
            // active workers) never wakes it for nothing.
            std::unique_lock<std::mutex> lock(mutex_);
            parked_.wait(lock, [&] { return !left_out() || stopped(); });
            round = 0;
            continue;
        }
        const unsigned now = generation_.load(std::memory_order_acquire);
        if (now != seen) {
            seen = now;
            return true;
        }
        if (wait_a_little(round)) continue;
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] {
            return generation_.load(std::memory_order_acquire) != seen || stopped() || left_out();
        });
    }
}

void GemmThreads::run_parts(Arena& scratch) {
    for (;;) {
        uint64_t c = claim_.load(std::memory_order_acquire);
        int part;
        do {
            part = static_cast<int>(c & 0xffff);
            if (part >= static_cast<int>((c >> 16) & 0xffff)) return;  // all taken
        } while (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel,
                                               std::memory_order_acquire));
        run_part(part, scratch);
        done_.fetch_add(1, std::memory_order_release);
    }
}

void GemmThreads::run_part(int index, Arena& scratch) {
    const Task& t = task_;
    write_control(t.control);
    if (t.range != nullptr) {
        const size_t begin = static_cast<size_t>(index) * t.range_unit;
        const size_t end = index == t.parts - 1 ? t.range_n : begin + t.range_unit;
        t.range(t.range_ctx, begin, end);
        return;
    }
    if (t.k_blocks > 0) {
        run_split_part(index, scratch);
        return;
    }
    const int total = t.by_rows ? t.c.rows : t.c.cols;
    const int begin = index * t.unit;
    const int count = index == t.parts - 1 ? total - begin : t.unit;
    MatView c = t.c;
    ConstMatView a = t.a, b = t.b;
    if (t.by_rows) {
        // Rows [begin, begin + count) of C and of op(A).
        c = MatView{t.c.row(begin), count, t.c.cols, t.c.stride};
        a = t.ta == Trans::No ? ConstMatView{t.a.row(begin), count, t.a.cols, t.a.stride}
                              : ConstMatView{t.a.data + begin, t.a.rows, count, t.a.stride};
    } else {
        // Columns [begin, begin + count) of C and of op(B).
        c = MatView{t.c.data + begin, t.c.rows, count, t.c.stride};
        b = t.tb == Trans::No ? ConstMatView{t.b.data + begin, t.b.rows, count, t.b.stride}
                              : ConstMatView{t.b.row(begin), count, t.b.cols, t.b.stride};
    }
    gemm_with_kernels(*t.kernels, t.ta, t.tb, t.alpha, a, b, t.beta, c, scratch);
}

bool GemmThreads::run(const GemmKernels& kernels, Trans ta, Trans tb, float alpha, ConstMatView a,
                      ConstMatView b, float beta, MatView c, Arena& scratch) {
    const int m = c.rows, n = c.cols;
    const int k = ta == Trans::No ? a.cols : a.rows;
    const int team = active_threads();
    if (team < 2 || sharing_ || static_cast<size_t>(m) * n * k < min_macs_) return false;
    task_.range = nullptr;
    task_.kernels = &kernels;
    task_.ta = ta;
    task_.tb = tb;
    task_.alpha = alpha;
    task_.beta = beta;
    task_.a = a;
    task_.b = b;
    task_.c = c;
    task_.control = read_control();
    if (run_split_sum(m, n, k, team, scratch)) return true;
    task_.k_blocks = 0;
    const bool by_rows = cuts_by_rows(m, n);
    const int step = by_rows ? kGemmMR : 2 * kGemmNR;
    const int units = ((by_rows ? m : n) + step - 1) / step;
    const int per_part = (units + team - 1) / team;  // units per part
    const int parts = (units + per_part - 1) / per_part;         // every part non-empty
    if (parts < 2) return false;
    task_.parts = parts;
    task_.by_rows = by_rows;
    task_.unit = per_part * step;
    share(&scratch);
    return true;
}

bool GemmThreads::run_split_sum(int m, int n, int k, int team, Arena& scratch) {
    // Cut by rows (columns), every thread packs all of op(B) (op(A)): k x min(m, n) floats.
    // Cut by K, nothing is packed twice, but the later blocks' sums are written and read once
    // more: 2 m n floats each. Cut by K when that moves less, and the sums fit in split_sums_.
    const int k_step = gemm_k_step(k);
    const int blocks = (k + k_step - 1) / k_step;
    const int per_part = (blocks + team - 1) / team;
    const int parts = (blocks + per_part - 1) / per_part;
    const size_t later = static_cast<size_t>(blocks - per_part) * static_cast<size_t>(m) * n;
    const size_t packed_twice = static_cast<size_t>(k) * static_cast<size_t>(m < n ? m : n);
    if (parts < 2 || later > kSplitSumFloats || 2 * later >= packed_twice) return false;
    task_.k_step = k_step;
    task_.k_blocks = blocks;
    task_.k_per_part = per_part;
    task_.parts = parts;
    share(&scratch);
    // C = T_q + C for each later block q, in order (the kernels' alpha*acc + 1*C: 1*C is C).
    MatView c = task_.c;
    for (int q = per_part; q < blocks; ++q) {
        const float* sum = split_sum(q);
        for (int i = 0; i < m; ++i) {
            float* row = c.row(i);
            const float* add = sum + static_cast<size_t>(i) * n;
            for (int j = 0; j < n; ++j) row[j] = add[j] + row[j];
        }
    }
    return true;
}

void GemmThreads::run_split_part(int index, Arena& scratch) {
    const Task& t = task_;
    const int k = t.ta == Trans::No ? t.a.cols : t.a.rows;
    // op(A)'s columns and op(B)'s rows [k0, k1).
    auto a_steps = [&t](int k0, int k1) {
        return t.ta == Trans::No ? ConstMatView{t.a.data + k0, t.a.rows, k1 - k0, t.a.stride}
                                 : ConstMatView{t.a.row(k0), k1 - k0, t.a.cols, t.a.stride};
    };
    auto b_steps = [&t](int k0, int k1) {
        return t.tb == Trans::No ? ConstMatView{t.b.row(k0), k1 - k0, t.b.cols, t.b.stride}
                                 : ConstMatView{t.b.data + k0, t.b.rows, k1 - k0, t.b.stride};
    };
    const int first = index * t.k_per_part;
    const int last = first + t.k_per_part < t.k_blocks ? first + t.k_per_part : t.k_blocks;
    if (index == 0) {
        const int k1 = last * t.k_step < k ? last * t.k_step : k;
        gemm_with_kernels(*t.kernels, t.ta, t.tb, t.alpha, a_steps(0, k1), b_steps(0, k1), t.beta,
                          t.c, scratch, true, t.k_step);
        return;
    }
    const int m = t.c.rows, n = t.c.cols;
    for (int q = first; q < last; ++q) {
        const int k0 = q * t.k_step, k1 = k0 + t.k_step < k ? k0 + t.k_step : k;
        MatView sum{split_sum(q), m, n, n};
        gemm_with_kernels(*t.kernels, t.ta, t.tb, t.alpha, a_steps(k0, k1), b_steps(k0, k1), 0.0f,
                          sum, scratch);
    }
}

bool GemmThreads::run_range(size_t n, size_t min_n, RangeFn fn, void* ctx, size_t block) {
    const size_t team = static_cast<size_t>(active_threads());
    if (team < 2 || sharing_ || n < min_n || block == 0) return false;
    const size_t blocks = (n + block - 1) / block;
    const size_t per_part = (blocks + team - 1) / team;
    const size_t parts = (blocks + per_part - 1) / per_part;  // every part non-empty
    if (parts < 2) return false;
    task_.k_blocks = 0;
    task_.range = fn;
    task_.range_ctx = ctx;
    task_.range_n = n;
    task_.range_unit = per_part * block;
    task_.parts = static_cast<int>(parts);
    task_.control = read_control();
    share(nullptr);
    return true;
}

void GemmThreads::share(Arena* scratch) {
    // Parts are claimed, not assigned: the caller takes whatever a busy or descheduled worker
    // has not started, so no thread waits for one that is not running. Who computes a part
    // changes no bits. The caller's own part 0 is taken before the workers see the task, so
    // with two threads each usually keeps the same half of the data from one task to the next
    // (its cache still holds it).
    ++product_;
    done_.store(0, std::memory_order_relaxed);
    claim_.store(static_cast<uint64_t>(product_) << 32 |
                     static_cast<uint64_t>(task_.parts) << 16 | 1u,
                 std::memory_order_release);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.store(product_, std::memory_order_release);
    }
    wake_.notify_all();
    Arena none;
    Arena& mine = scratch != nullptr ? *scratch : none;
    sharing_ = true;
    run_part(0, mine);
    done_.fetch_add(1, std::memory_order_release);
    run_parts(mine);
    sharing_ = false;
    int round = 0;
    while (done_.load(std::memory_order_acquire) != task_.parts) {
        if (!wait_a_little(round)) std::this_thread::yield();
    }
}

}  // namespace fnn
