// GemmThreads: worker threads that share every large gemm() with the thread that calls it.
//
// A product is cut into one part per thread: by rows of C when C has at least as many rows as
// columns (parts a multiple of MR rows), otherwise by columns (a multiple of 2 NR). Every part
// runs the same loop nest on its slice, and every element of C is computed by the same
// operations in the same order whichever slice it falls in (zero-step skipping and reading A in
// place change no bits, see gemm.hpp), so results do not depend on the thread count.
// A product with a small C and a long sum (a first layer's x W: 64 x 128 over 784) is cut by
// its K blocks instead, so that each thread packs and reads only its share of A and B (cut by
// columns, every thread would pack all of A; run_split_sum() weighs the two). It also keeps
// each thread on (nearly) the rows of W whose gradient it computes and updates (the trainer
// cuts the optimizer's update as the weight gradient is cut, see cuts_by_rows()). gemm.hpp
// fixes what each block adds: block 0 gives C = alpha*acc_0 + beta*C, block q > 0 gives
// C = alpha*acc_q + C, where acc_q sums block q from +0. So the part holding blocks 0..p-1 runs
// them on C as one thread would; every later block q is computed alone (beta 0) into
// T_q = alpha*acc_q, and once all parts are done the caller adds C = T_q + C for q in order:
// the same operations on the same values, the same bits. The
// floating-point control register (flush-to-zero during training) is copied to the workers
// for each product. Small products (kMinParallelMacs) stay on the caller.
//
// Parts are claimed by whichever thread is free (the caller included), so a worker that is
// not running (more threads than cores) delays nothing. Waiting threads spin briefly, then
// yield their core, then sleep. Each worker has pack buffers carved from the caller's arena at
// start(); nothing is allocated per product. The workers are POSIX threads, not
// std::thread: std::thread reports a failed start by throwing, which under -fno-exceptions is
// an abort, where pthread_create returns an error start() can turn into a Status.
#pragma once

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <type_traits>
#include <condition_variable>
#include <mutex>

#include "fnn/arena.hpp"
#include "fnn/gemm.hpp"
#include "fnn/status.hpp"

namespace fnn {

struct GemmKernels;

class GemmThreads {
public:
    static constexpr int kMaxThreads = 64;

    GemmThreads() = default;
    GemmThreads(const GemmThreads&) = delete;
    GemmThreads& operator=(const GemmThreads&) = delete;
    ~GemmThreads();  // stops and joins the workers

    // CPUs this process may run on (its affinity mask, which taskset and containers narrow),
    // at most kMaxThreads: the default thread count of the command-line tools.
    static int available_cores();
    // A --threads value: N itself, or 0 for available_cores().
    static int count_or_all(long requested) {
        return requested > 0 ? static_cast<int>(requested) : available_cores();
    }

    // Arena bytes start() carves for `threads` threads in all (the caller's own scratch aside).
    static size_t bytes(int threads);
    // Starts threads - 1 workers (1: none). Fails with a message if a thread cannot be made.
    Status start(int threads, Arena& arena, ErrorText* err);
    int threads() const { return n_workers_ + 1; }
    // How many of the threads later products and ranges are shared among (1..threads(); start()
    // sets all). The others sleep until they are needed again. Results do not depend on it, so
    // it may change between any two calls (ThreadTuner does, from measured step times).
    void set_active_threads(int n);
    int active_threads() const { return active_.load(std::memory_order_relaxed); }
    // Products with fewer multiply-adds stay on the caller (default kMinParallelMacs; tests
    // lower it to share small products too).
    static constexpr size_t kMinParallelMacs = size_t{1} << 19;
    // Room for the blocks T_q of a product cut by K (floats, carved at start()); products whose
    // later blocks need more are cut by rows or columns.
    static constexpr size_t kSplitSumFloats = size_t{1} << 16;
    void set_min_parallel_macs(size_t macs) { min_macs_ = macs; }
    // Whether an m x n C cut by rows or columns is cut by rows (whole MR-row slivers): when it
    // has at least as many rows as columns.
    static bool cuts_by_rows(int m, int n) { return m >= n; }

    // While a Use lives, gemm() calls on this thread share their work with `pool` (null: none).
    class Use {
    public:
        explicit Use(GemmThreads* pool);
        ~Use();
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;

    private:
        GemmThreads* previous_;
    };

    // The pool of the calling thread's innermost Use, or null.
    static GemmThreads* current();

    // gemm()'s entry: runs the product in parts when it is large enough; false leaves it to
    // the caller (small products, or no workers).
    bool run(const GemmKernels& kernels, Trans ta, Trans tb, float alpha, ConstMatView a,
             ConstMatView b, float beta, MatView c, Arena& scratch);

    // Elementwise work over [0, n) (the optimizer's update): fn(ctx, begin, end) on one part per
    // thread, parts whole multiples of kRangeBlock elements. Every element is computed by the
    // same code whichever part it falls in, so results do not depend on the thread count.
    // False leaves it to the caller (no workers, or n below min_n).
    // Parts are whole multiples of `block` elements (default kRangeBlock). A call made from
    // inside a shared task (fn calling gemm, say) runs on its own thread alone.
    using RangeFn = void (*)(void* ctx, size_t begin, size_t end);
    static constexpr size_t kRangeBlock = 64;
    bool run_range(size_t n, size_t min_n, RangeFn fn, void* ctx, size_t block = kRangeBlock);

private:
    struct Task {
        const GemmKernels* kernels = nullptr;
        Trans ta = Trans::No, tb = Trans::No;
        float alpha = 1.0f, beta = 0.0f;
        ConstMatView a, b;
        MatView c;
        int parts = 0;
        bool by_rows = true;
        int unit = 0;          // rows or columns per part (the last part takes the rest)
        int k_step = 0;        // cut by K (k_blocks > 0): gemm_k_step(k) and the blocks per part
        int k_blocks = 0;
        int k_per_part = 0;
        unsigned control = 0;  // the caller's floating-point control register
        RangeFn range = nullptr;  // set: the task is run_range()'s, not a product
        void* range_ctx = nullptr;
        size_t range_n = 0, range_unit = 0;
    };
    static void* worker_main(void* self_and_index);
    void work(int index);
    // Claims and runs parts of the current task until none is left.
    void run_parts(Arena& scratch);
    // A worker's wait for the next task; false once the pool stops.
    bool wait_for_task(int index, unsigned& seen);
    void run_part(int index, Arena& scratch);
    // Publishes task_, wakes the workers, runs parts on the caller, waits for the rest.
    void share(Arena* scratch);
    // A product cut by K: whether it fits (then runs it), and the parts' work.
    bool run_split_sum(int m, int n, int k, int team, Arena& scratch);
    void run_split_part(int index, Arena& scratch);
    // Where the sum T_q of later block q (q >= k_per_part) of the current task lies.
    float* split_sum(int q) const {
        const size_t floats = static_cast<size_t>(task_.c.rows) * task_.c.cols;
        return split_sums_ + static_cast<size_t>(q - task_.k_per_part) * floats;
    }

    Task task_;
    bool sharing_ = false;  // the caller is inside share(): nested calls stay on their thread
    unsigned product_ = 0;                  // tasks published so far (the caller's count)
    std::atomic<unsigned> generation_{0};   // product_ as the workers see it; they wait for it
    // (product << 32) | (parts << 16) | next part to take: a claim succeeds only on the
    // current task's word, so a late worker never takes a part of a finished task.
    std::atomic<uint64_t> claim_{0};
    std::atomic<int> done_{0};  // parts of the current task finished
    std::atomic<bool> stop_{false};
    std::atomic<int> started_{0};  // workers that have begun running
    std::atomic<int> active_{1};   // threads sharing the work; workers >= active_ are parked
    std::mutex mutex_;
    std::condition_variable wake_;    // active workers waiting for a task
    std::condition_variable parked_;  // workers left out by set_active_threads()
    int n_workers_ = 0;
    size_t min_macs_ = kMinParallelMacs;
    pthread_t handles_[kMaxThreads] = {};
    unsigned char* scratch_[kMaxThreads] = {};
    float* split_sums_ = nullptr;  // kSplitSumFloats: the blocks T_q of a product cut by K
    size_t scratch_bytes_ = 0;
    struct Start {
        GemmThreads* pool;
        int index;
    } starts_[kMaxThreads] = {};
};

// fn(begin, end) over [0, n): shared with the calling thread's pool in parts of whole `block`s
// when there is one and n >= min_n, else all on the caller. fn must compute every element the
// same way whichever part it falls in (then the result does not depend on the thread count).
template <typename F>
void share_range(size_t n, size_t min_n, size_t block, F&& fn) {
    using Fn = typename std::remove_reference<F>::type;
    GemmThreads* pool = GemmThreads::current();
    const GemmThreads::RangeFn call = [](void* ctx, size_t begin, size_t end) {
        (*static_cast<Fn*>(ctx))(begin, end);
    };
    if (pool == nullptr || !pool->run_range(n, min_n, call, &fn, block)) fn(size_t{0}, n);
}

// Per-sample work (rows of a batch, `floats` values each) is shared when the batch holds at
// least this many values: below it, handing the parts over costs more than it saves.
constexpr size_t kMinSharedFloats = size_t{1} << 15;

// fn(begin, end) over rows [0, rows) of a batch with `floats_per_row` values per row, shared as
// share_range() does, one row at a time, when the batch is large enough to be worth it.
template <typename F>
void share_rows(int rows, size_t floats_per_row, F&& fn) {
    const size_t n = static_cast<size_t>(rows > 0 ? rows : 0);
    share_range(n, n * floats_per_row >= kMinSharedFloats ? 2 : n + 1, 1, fn);
}

}  // namespace fnn
