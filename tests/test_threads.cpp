// GemmThreads: products shared between threads give the single-threaded bits (cut by rows, by
// columns, by K blocks, sparse A, transposes, beta over C, both arithmetic modes, uneven parts), small
// products stay on the caller, the optimizer's shared update gives the same bits, and whole
// training runs give the same model with 1, 2 and 3 threads; bad thread counts are refused.
#include <doctest/doctest.h>

#include <string.h>

#include <atomic>
#include <string>
#include <vector>

#include "command.hpp"
#include "fnn/gemm.hpp"
#include "fnn/gemm_threads.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/rng.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

struct Buffer {
    std::vector<unsigned char> bytes;
    Arena arena;
    explicit Buffer(size_t planned)
        : bytes(arena_buffer_bytes(planned)), arena(bytes.data(), bytes.size()) {}
};

// C = alpha op(A) op(B) + beta C on one thread and on `threads`; the two Cs must be equal bytes.
void check_shape(int threads, Trans ta, Trans tb, int m, int n, int k, GemmArithmetic mode,
                 float zero_share, Rng& rng) {
    CAPTURE(threads);
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    const int ar = ta == Trans::No ? m : k, ac = ta == Trans::No ? k : m;
    const int br = tb == Trans::No ? k : n, bc = tb == Trans::No ? n : k;
    std::vector<float> a(static_cast<size_t>(ar) * (ac + 3)), b(static_cast<size_t>(br) * (bc + 1));
    for (float& x : a) x = rng.uniform(0.0f, 1.0f) < zero_share ? 0.0f : rng.uniform(-1.0f, 1.0f);
    for (float& x : b) x = rng.uniform(-1.0f, 1.0f);
    std::vector<float> c1(static_cast<size_t>(m) * n), c2;
    for (float& x : c1) x = rng.uniform(-1.0f, 1.0f);
    c2 = c1;
    const ConstMatView av{a.data(), ar, ac, ac + 3}, bv{b.data(), br, bc, bc + 1};
    Buffer scratch(gemm_bytes(m, n, k));
    gemm(ta, tb, 0.5f, av, bv, 0.25f, MatView{c1.data(), m, n, n}, scratch.arena, mode);
    Buffer pool_arena(GemmThreads::bytes(threads));
    GemmThreads pool;
    ErrorText err;
    REQUIRE(pool.start(threads, pool_arena.arena, &err) == Status::Ok);
    pool.set_min_parallel_macs(0);  // share even the small products
    {
        const GemmThreads::Use use(&pool);
        gemm(ta, tb, 0.5f, av, bv, 0.25f, MatView{c2.data(), m, n, n}, scratch.arena, mode);
    }
    CHECK(memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)) == 0);
}

}  // namespace

TEST_CASE("threads: shared products give the single-threaded bits") {
    Rng rng(7, 0);
    const struct {
        int m, n, k;
    } shapes[] = {
        {64, 128, 784},   // dense forward: cut by K blocks (4 of 196)
        {30, 40, 1000},   // cut by K: 4 blocks, 1 to 4 parts, the last block as long
        {20, 30, 1027},   // cut by K, the last block shorter (4 of 206, then 203)
        {200, 300, 5000}, // a long sum whose later blocks do not fit: cut by columns
        {784, 128, 64},   // weight gradient: cut by rows
        {677, 64, 288},   // a conv chunk: rows, uneven parts
        {64, 10, 128},    // small: by rows
        {3, 5, 2},        // tiny: one unit, stays on the caller
        {130, 2100, 300}, // beyond MC, NC and KC
        {7, 200, 2000},   // one MR unit of rows: columns
    };
    for (const auto& s : shapes) {
        for (GemmArithmetic mode : {GemmArithmetic::Fast, GemmArithmetic::Reproducible}) {
            check_shape(2, Trans::No, Trans::No, s.m, s.n, s.k, mode, 0.5f, rng);
            check_shape(3, Trans::Yes, Trans::No, s.m, s.n, s.k, mode, 0.0f, rng);
            check_shape(4, Trans::No, Trans::Yes, s.m, s.n, s.k, mode, 0.3f, rng);
            check_shape(5, Trans::Yes, Trans::Yes, s.m, s.n, s.k, mode, 0.9f, rng);
        }
    }
    // More threads than cores: the caller claims the parts of workers that are not running.
    for (int round = 0; round < 20; ++round)
        check_shape(9, Trans::No, Trans::No, 64, 128, 784, GemmArithmetic::Fast, 0.0f, rng);
}

TEST_CASE("threads: start() refuses bad counts and a too-small arena") {
    GemmThreads pool;
    ErrorText err;
    Buffer none(64);
    CHECK(pool.start(0, none.arena, &err) == Status::Arg);
    CHECK(pool.start(GemmThreads::kMaxThreads + 1, none.arena, &err) == Status::Arg);
    CHECK(pool.start(2, none.arena, &err) == Status::NoMem);
    CHECK(pool.threads() == 1);
}

TEST_CASE("threads: --threads 1, 2 and 3 train the same models bit for bit") {
    const std::string dir = temp_dir();
    const std::string nets[] = {
        "-nhl 2 -sz 96 --limit_train 4000",
        "--arch conv8k3,relu,pool2,conv16k3psame,bn,relu,pool2,dropout0.2,dense32,relu "
        "--limit_train 1500",
        // Batch norm over 40 channels (threads take 16 at a time), average pooling and
        // activations that stand alone after a pool: every layer the threads share.
        "--arch conv40k3,bn,relu,avgpool2,relu,conv24k3psame,pool2,tanh,dense32,bn,relu "
        "--limit_train 800"};
    int net = 0;
    for (const std::string& flags : nets) {
        std::string first;
        for (int threads = 1; threads <= 3; ++threads) {
            const std::string out = dir + "/n" + std::to_string(net) + "t" + std::to_string(threads);
            const CommandResult r = run("./fnn train -q -e 1 " + flags + " --threads " +
                                        std::to_string(threads) + " --out " + out);
            REQUIRE_MESSAGE(r.exit_code == 0, r.output);
            const std::string model = read_text(out + "/model.fnn");
            if (threads == 1) first = model;
            CHECK_MESSAGE(model == first, flags << " with " << threads << " threads");
        }
        ++net;
    }
    // Without --threads the run tunes its thread count from its steps' times, switching counts
    // between steps (every probe does): the same model.
    const std::string tuned = dir + "/tuned";
    const CommandResult t = run("./fnn train -q -e 1 -nhl 2 -sz 96 --limit_train 4000 --out " + tuned);
    REQUIRE_MESSAGE(t.exit_code == 0, t.output);
    CHECK(read_text(tuned + "/model.fnn") == read_text(dir + "/n0t1/model.fnn"));
    const CommandResult r = run("./fnn train -q -e 1 --threads 65 --out " + dir + "/bad");
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.output, "--threads"), r.output);
}

// The optimizer's update shared between threads: every kind, with weight decay, over an array
// that is no whole number of blocks, five steps, against the single-threaded update.
TEST_CASE("threads: the optimizer's update gives the single-threaded bits") {
    const size_t n = 3 * Optimizer::kMinSharedParams + 37;
    const OptimizerKind kinds[] = {OptimizerKind::Sgd,     OptimizerKind::Momentum,
                                   OptimizerKind::Nag,     OptimizerKind::Rmsprop,
                                   OptimizerKind::Adam,    OptimizerKind::Nadam};
    for (const OptimizerKind kind : kinds) {
        for (int threads = 2; threads <= 3; ++threads) {
            CAPTURE(static_cast<int>(kind));
            CAPTURE(threads);
            OptimizerConfig config;
            config.kind = kind;
            config.learning_rate = 0.01f;
            config.weight_decay = 5e-4f;
            Rng rng(7);
            std::vector<float> w1(n), g(n);
            for (float& x : w1) x = rng.uniform(-1.0f, 1.0f);
            std::vector<float> w2 = w1;
            Buffer state1(Optimizer::bytes(kind, n)), state2(Optimizer::bytes(kind, n));
            Optimizer one, shared;
            ErrorText err;
            REQUIRE(one.init(config, n, state1.arena, &err) == Status::Ok);
            REQUIRE(shared.init(config, n, state2.arena, &err) == Status::Ok);
            Buffer pool_arena(GemmThreads::bytes(threads));
            GemmThreads pool;
            REQUIRE(pool.start(threads, pool_arena.arena, &err) == Status::Ok);
            for (int step = 0; step < 5; ++step) {
                for (float& x : g) x = rng.uniform(-1.0f, 1.0f);
                one.step(w1.data(), g.data());
                const GemmThreads::Use use(&pool);
                if (step % 2 == 0) {
                    shared.step(w2.data(), g.data());
                } else {
                    // As the trainer does it: layer by layer, rows of a weight matrix per thread.
                    shared.begin_step();
                    const size_t cut = Optimizer::kMinSharedParams + 11;
                    shared.update_range(w2.data(), g.data(), cut, n, 6 * 128);
                    shared.update_range(w2.data(), g.data(), 0, cut, GemmThreads::kRangeBlock);
                }
            }
            CHECK(memcmp(w1.data(), w2.data(), n * sizeof(float)) == 0);
            CHECK(w1 != std::vector<float>(n, 0.0f));
        }
    }
}

// set_active_threads(n): later products and ranges are shared among n of the pool's threads (the
// others park), with the single-threaded bits for every n, in any order of changes.
TEST_CASE("threads: set_active_threads shares among that many threads, same bits") {
    const int threads = 3;
    Buffer pool_arena(GemmThreads::bytes(threads));
    GemmThreads pool;
    ErrorText err;
    REQUIRE(pool.start(threads, pool_arena.arena, &err) == Status::Ok);
    CHECK(pool.active_threads() == threads);
    pool.set_min_parallel_macs(0);
    Rng rng(11, 0);
    const int m = 130, n = 70, k = 600;
    std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n);
    for (float& x : a) x = rng.uniform(0.0f, 1.0f) < 0.4f ? 0.0f : rng.uniform(-1.0f, 1.0f);
    for (float& x : b) x = rng.uniform(-1.0f, 1.0f);
    const ConstMatView av{a.data(), m, k, k}, bv{b.data(), k, n, n};
    Buffer scratch(gemm_bytes(m, n, k));
    std::vector<float> alone(static_cast<size_t>(m) * n);
    gemm(Trans::No, Trans::No, 1.0f, av, bv, 0.0f, MatView{alone.data(), m, n, n}, scratch.arena,
         GemmArithmetic::Fast);
    for (int active : {1, 3, 2, 1, 2, 3, 0, 7}) {
        pool.set_active_threads(active);
        const int expected = active < 1 ? 1 : active > threads ? threads : active;
        CHECK(pool.active_threads() == expected);
        const GemmThreads::Use use(&pool);
        std::vector<float> c(alone.size(), 1.0f);
        gemm(Trans::No, Trans::No, 1.0f, av, bv, 0.0f, MatView{c.data(), m, n, n}, scratch.arena,
             GemmArithmetic::Fast);
        CHECK(memcmp(c.data(), alone.data(), c.size() * sizeof(float)) == 0);
        // A range is cut into one part per active thread (none when one is active).
        struct Parts {
            std::atomic<int> count{0};
        } parts;
        const bool shared = pool.run_range(
            64 * GemmThreads::kRangeBlock, 1,
            [](void* ctx, size_t, size_t) { static_cast<Parts*>(ctx)->count.fetch_add(1); },
            &parts);
        CHECK(shared == (expected > 1));
        CHECK(parts.count.load() == (expected > 1 ? expected : 0));
    }
}
