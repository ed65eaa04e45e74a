// GEMM: the packed loop nest against the naive oracle on odd shapes, strided views, all four
// transposes and beta = 0 over NaN-filled C; every kernel against the portable one, bit for bit.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "gemm/gemm_internal.hpp"
#include "fnn/gemm.hpp"
#include "fnn/rng.hpp"

using namespace fnn;

namespace {

// A rows x cols matrix inside a larger buffer (row stride cols + pad), filled with noise.
struct TestMatrix {
    std::vector<float> storage;
    MatView view;
    TestMatrix(int rows, int cols, int pad, Rng& rng) : storage((size_t)rows * (cols + pad) + 1) {
        for (float& x : storage) x = rng.uniform(-1.0f, 1.0f);
        view = MatView{storage.data() + 1, rows, cols, cols + pad};  // +1: unaligned start
    }
};

struct Scratch {
    std::vector<unsigned char> bytes;
    Arena arena;
    explicit Scratch(size_t planned)
        : bytes(arena_buffer_bytes(planned)), arena(bytes.data(), bytes.size()) {}
};

void check_against_naive(const GemmKernels& kernel, Trans ta, Trans tb, int m, int n, int k,
                         float alpha, float beta, int pad, Rng& rng) {
    TestMatrix a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, pad, rng);
    TestMatrix b(tb == Trans::No ? k : n, tb == Trans::No ? n : k, pad, rng);
    TestMatrix c(m, n, pad, rng);
    TestMatrix expect(m, n, pad, rng);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) expect.view.at(i, j) = c.view.at(i, j);
    if (beta == 0.0f) {
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) c.view.at(i, j) = NAN;
    }
    const std::vector<float> before = c.storage;
    Scratch scratch(gemm_bytes(m, n, k));
    gemm_with_kernels(kernel, ta, tb, alpha, a.view, b.view, beta, c.view, scratch.arena);
    gemm_naive(ta, tb, alpha, a.view, b.view, beta, expect.view);
    CHECK(scratch.arena.used() == 0);
    int bad = 0;
    double worst = 0.0;
    const double tol =
        1e-6 * (k + 1) * (fabs(alpha) + 1.0) + 1e-6 * fabs(beta);  // |a|,|b|,|c| <= 1
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            const double err = fabs((double)c.view.at(i, j) - expect.view.at(i, j));
            if (!(err <= tol)) {
                ++bad;
                if (!(err <= worst)) worst = err;  // also records NaN
            }
        }
    }
    CHECK_MESSAGE(bad == 0, "m=", m, " n=", n, " k=", k, " ta=", (int)ta, " tb=", (int)tb,
                  " beta=", beta, ": ", bad, " elements off, worst error ", worst);
    // Padding between rows and the element before the view stay untouched.
    for (size_t t = 0; t < c.storage.size(); ++t) {
        const long off = (long)t - 1;
        const bool inside = off >= 0 && off % c.view.stride < n && off / c.view.stride < m;
        if (!inside) REQUIRE(memcmp(&c.storage[t], &before[t], sizeof(float)) == 0);
    }
}

// Every kernel family this CPU can run, each with the portable family it must match bit for bit.
struct Family {
    GemmKernels kernels;
    GemmKernels oracle;
};

std::vector<Family> families() {
    std::vector<Family> list{{kGemmRefKernels, kGemmRefKernels},
                             {kGemmRefFusedKernels, kGemmRefFusedKernels}};
#if defined(FNN_GEMM_HAVE_AVX)
    if (gemm_cpu_has_avx()) list.push_back({kGemmAvxKernels, kGemmRefKernels});
    if (gemm_cpu_has_fma()) list.push_back({kGemmFmaKernels, kGemmRefFusedKernels});
    if (gemm_cpu_has_avx512()) {
        list.push_back({kGemmAvx512Kernels, kGemmRefKernels});
        list.push_back({kGemmAvx512FmaKernels, kGemmRefFusedKernels});
    }
#endif
    return list;
}

std::vector<GemmKernels> kernels() {
    std::vector<GemmKernels> list;
    for (const Family& f : families()) list.push_back(f.kernels);
    return list;
}

}  // namespace

TEST_CASE("gemm: odd shapes, strides and all transposes match naive") {
    Rng rng(42);
    const int dims[] = {1, kGemmMR - 1, kGemmMR + 1, kGemmNR + 1, 37};
    const int depths[] = {1, 7, kGemmKC + 1, 2 * kGemmKC + 3};
    for (const GemmKernels& kernel : kernels()) {
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (Trans tb : {Trans::No, Trans::Yes}) {
                for (int m : dims)
                    for (int n : dims)
                        for (int k : depths)
                            check_against_naive(kernel, ta, tb, m, n, k, 1.0f, 1.0f, 3, rng);
            }
        }
    }
}

TEST_CASE("gemm: blocks larger than MC and NC and training shapes match naive") {
    Rng rng(7);
    for (const GemmKernels& kernel : kernels()) {
        check_against_naive(kernel, Trans::No, Trans::No, kGemmMC + 5, kGemmNC + 17, 9, 0.5f, 2.0f,
                            0, rng);
        check_against_naive(kernel, Trans::No, Trans::No, 64, 128, 784, 1.0f, 0.0f, 0, rng);
        check_against_naive(kernel, Trans::Yes, Trans::No, 784, 128, 64, 1.0f, 0.0f, 0, rng);
        check_against_naive(kernel, Trans::No, Trans::Yes, 64, 128, 10, 1.0f, 0.0f, 0, rng);
    }
}

TEST_CASE("gemm: beta = 0 never reads C, other alphas and betas scale correctly") {
    Rng rng(3);
    for (const GemmKernels& kernel : kernels()) {
        for (float alpha : {1.0f, -0.5f, 0.0f}) {
            for (float beta : {0.0f, 1.0f, 0.25f}) {
                check_against_naive(kernel, Trans::No, Trans::Yes, 13, 19, 23, alpha, beta, 2, rng);
                check_against_naive(kernel, Trans::Yes, Trans::No, 6, 16, 300, alpha, beta, 0, rng);
            }
        }
    }
}

TEST_CASE("gemm: k = 0 scales C by beta; empty C is a no-op") {
    std::vector<float> c{1, 2, 3, NAN};
    Scratch scratch(gemm_bytes(2, 2, 0));
    const MatView cv{c.data(), 2, 2, 2};
    gemm(Trans::No, Trans::No, 1.0f, ConstMatView{nullptr, 2, 0, 0}, ConstMatView{nullptr, 0, 2, 2},
         0.0f, cv, scratch.arena);
    CHECK(c == std::vector<float>{0, 0, 0, 0});
    c = {1, 2, 3, 4};
    gemm(Trans::No, Trans::No, 1.0f, ConstMatView{nullptr, 2, 0, 0}, ConstMatView{nullptr, 0, 2, 2},
         2.0f, cv, scratch.arena);
    CHECK(c == std::vector<float>{2, 4, 6, 8});
    gemm(Trans::No, Trans::No, 1.0f, ConstMatView{nullptr, 0, 3, 3}, ConstMatView{nullptr, 3, 2, 2},
         0.0f, MatView{c.data(), 0, 2, 2}, scratch.arena);
    CHECK(c == std::vector<float>{2, 4, 6, 8});
}

TEST_CASE("gemm: every kernel gives its portable oracle's bits") {
    Rng rng(11);
    for (const Family& family : families()) {
        CAPTURE(family.kernels.name);
        const GemmKernels& kernel = family.kernels;
        for (int trial = 0; trial < 20; ++trial) {
            const int m = 1 + (int)rng.below(70), n = 1 + (int)rng.below(70),
                      k = 1 + (int)rng.below(600);
            TestMatrix a(m, k, 0, rng), b(k, n, 1, rng), c1(m, n, 0, rng);
            std::vector<float> c2 = c1.storage;
            const MatView c2v{c2.data() + 1, m, n, n};
            Scratch s(gemm_bytes(m, n, k));
            const float beta = trial % 2 ? 1.0f : 0.0f;
            gemm_with_kernels(kernel, Trans::No, Trans::No, 1.0f, a.view, b.view, beta, c1.view,
                              s.arena);
            gemm_with_kernels(family.oracle, Trans::No, Trans::No, 1.0f, a.view, b.view, beta, c2v,
                              s.arena);
            REQUIRE(memcmp(c1.storage.data(), c2.data(), c2.size() * sizeof(float)) == 0);
        }
    }
}

TEST_CASE("gemm: blocks of A read in place (no packing) give the packed path's bits") {
    // More than one MC block of dense A and column counts that are multiples of two slivers:
    // families with in-place kernels read every block after the first unpacked; the oracle packs.
    Rng rng(17);
    for (const Family& family : families()) {
        CAPTURE(family.kernels.name);
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (int trial = 0; trial < 6; ++trial) {
                const int m = kGemmMC + 1 + static_cast<int>(rng.below(3 * kGemmMC));
                const int n = 2 * kGemmNR * (1 + static_cast<int>(rng.below(5)));
                const int k = 1 + static_cast<int>(rng.below(700));
                CAPTURE(m);
                CAPTURE(n);
                CAPTURE(k);
                TestMatrix a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, 3, rng);
                TestMatrix b(k, n, 0, rng), c1(m, n, 1, rng);
                std::vector<float> c2 = c1.storage;
                const MatView c2v{c2.data() + 1, m, n, n + 1};
                Scratch s(gemm_bytes(m, n, k));
                const float beta = trial % 2 ? 0.5f : 0.0f;
                gemm_with_kernels(family.kernels, ta, Trans::No, 1.5f, a.view, b.view, beta,
                                  c1.view, s.arena);
                gemm_with_kernels(family.oracle, ta, Trans::No, 1.5f, a.view, b.view, beta, c2v,
                                  s.arena);
                REQUIRE(memcmp(c1.storage.data(), c2.data(), c2.size() * sizeof(float)) == 0);
            }
            check_against_naive(family.kernels, ta, Trans::No, 3 * kGemmMC + 4, 64, 300, 1.0f,
                                0.0f, 2, rng);
        }
    }
}

TEST_CASE("gemm: B read in place (no packing) gives the packed path's bits") {
    // Column counts with and without a last single sliver, several K blocks, padded rows of B,
    // sparse A (indexed kernels), dense A (A read in place too), beta 0 and not; compared with
    // the oracle family, which packs B.
    Rng rng(19);
    for (const Family& family : families()) {
        CAPTURE(family.kernels.name);
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (int trial = 0; trial < 8; ++trial) {
                const int m = 1 + static_cast<int>(rng.below(2 * kGemmMC));
                const int n = 1 + static_cast<int>(rng.below(150));
                const int k = 1 + static_cast<int>(rng.below(700));
                CAPTURE(m);
                CAPTURE(n);
                CAPTURE(k);
                TestMatrix a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, 3, rng);
                if (trial % 2 == 0) {
                    for (int i = 0; i < a.view.rows; ++i)
                        for (int j = 0; j < a.view.cols; ++j)
                            if (rng.below(4) != 0) a.view.at(i, j) = 0.0f;
                }
                TestMatrix b(k, n, static_cast<int>(rng.below(3)), rng), c1(m, n, 1, rng);
                std::vector<float> c2 = c1.storage;
                const MatView c2v{c2.data() + 1, m, n, n + 1};
                Scratch s(gemm_bytes(m, n, k));
                const float beta = trial % 3 ? 0.5f : 0.0f;
                gemm_with_kernels(family.kernels, ta, Trans::No, 1.5f, a.view, b.view, beta,
                                  c1.view, s.arena, true, 0, /*b_in_place=*/true);
                gemm_with_kernels(family.oracle, ta, Trans::No, 1.5f, a.view, b.view, beta, c2v,
                                  s.arena);
                REQUIRE(memcmp(c1.storage.data(), c2.data(), c2.size() * sizeof(float)) == 0);
            }
        }
    }
}

TEST_CASE("gemm: fused and separate arithmetic really differ, and each mode picks its family") {
    Rng rng(13);
    TestMatrix a(6, 300, 0, rng), b(300, 16, 0, rng), c1(6, 16, 0, rng), c2(6, 16, 0, rng);
    Scratch s(gemm_bytes(6, 16, 300));
    gemm_with_kernels(kGemmRefKernels, Trans::No, Trans::No, 1.0f, a.view, b.view, 0.0f, c1.view,
                      s.arena);
    gemm_with_kernels(kGemmRefFusedKernels, Trans::No, Trans::No, 1.0f, a.view, b.view, 0.0f,
                      c2.view, s.arena);
    int differ = 0;
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 16; ++j) differ += c1.view.at(i, j) != c2.view.at(i, j);
    CHECK(differ > 0);  // otherwise the fused oracle would prove nothing
    CHECK(std::string(gemm_kernel_name(GemmArithmetic::Reproducible)).find("fma") == std::string::npos);
#if defined(FNN_GEMM_HAVE_AVX)
    if (gemm_cpu_has_fma()) {
        CHECK(std::string(gemm_kernel_name(GemmArithmetic::Fast)) ==
              (gemm_cpu_has_avx512() ? "avx512+fma" : "avx2+fma"));
    }
#endif
}

TEST_CASE("gemm: K blocks follow gemm_k_step") {
    CHECK(gemm_k_step(1) == 1);
    CHECK(gemm_k_step(kGemmKC) == kGemmKC);
    CHECK(gemm_k_step(784) == 196);  // 4 equal blocks instead of 256, 256, 256, 16
    CHECK(gemm_k_step(kGemmKC + 1) == (kGemmKC + 2) / 2);
    for (int k = 1; k < 3000; k += 37) {
        const int step = gemm_k_step(k);
        CHECK(step <= kGemmKC);
        CHECK((k + step - 1) / step == (k + kGemmKC - 1) / kGemmKC);
    }
}

TEST_CASE("gemm: skipping all-zero steps of sparse A changes no bits and matches naive") {
    Rng rng(23);
    for (const GemmKernels& kernel : kernels()) {
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (int trial = 0; trial < 12; ++trial) {
                const int m = 1 + (int)rng.below(80), n = 1 + (int)rng.below(40),
                          k = 1 + (int)rng.below(700);
                TestMatrix a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, 1, rng),
                    b(k, n, 0, rng);
                // Image-like sparsity: whole depth ranges zero for every row, plus scattered zeros.
                for (int i = 0; i < a.view.rows; ++i)
                    for (int j = 0; j < a.view.cols; ++j) {
                        const int depth = ta == Trans::No ? j : i;
                        if (depth % 7 < 3 || rng.below(2) == 0)
                            a.view.at(i, j) = (depth % 2) ? -0.0f : 0.0f;
                    }
                TestMatrix skipped(m, n, 0, rng), dense(m, n, 0, rng), expect(m, n, 0, rng);
                Scratch s(gemm_bytes(m, n, k));
                gemm_with_kernels(kernel, ta, Trans::No, 1.0f, a.view, b.view, 0.0f, skipped.view,
                                  s.arena, true);
                gemm_with_kernels(kernel, ta, Trans::No, 1.0f, a.view, b.view, 0.0f, dense.view,
                                  s.arena, false);
                gemm_naive(ta, Trans::No, 1.0f, a.view, b.view, 0.0f, expect.view);
                for (int i = 0; i < m; ++i) {
                    REQUIRE(memcmp(skipped.view.row(i), dense.view.row(i), n * sizeof(float)) == 0);
                    for (int j = 0; j < n; ++j)
                        REQUIRE(fabs(skipped.view.at(i, j) - expect.view.at(i, j)) <
                                1e-6 * (k + 1));
                }
            }
        }
    }
}

TEST_CASE("gemm: packing A lists the steps that are not all zero, when skipping pays") {
    const int kc = 16, rows = kGemmMR;
    std::vector<float> a(rows * kc);
    for (int i = 0; i < rows; ++i)
        for (int p = 0; p < kc; ++p)
            a[i * kc + p] = (p % 4 == 1) ? (i % 2 ? -0.0f : 0.0f) : float(p * 10 + i);
    std::vector<float> packed(rows * kc);
    int32_t index[kc + 1];
    gemm_pack_a(Trans::No, ConstMatView{a.data(), rows, kc, kc}, 0, 0, rows, kc, packed.data(),
                index);
    REQUIRE(index[0] == 12);  // steps 1, 5, 9, 13 are zero in every row
    CHECK(index[1] == 0);
    CHECK(index[2] == 2);
    CHECK(index[12] == 15);
    CHECK(packed[2 * kGemmMR + 3] == 23.0f);  // values stay where dense packing puts them
    // One zero step in sixteen is not worth the indexed kernel.
    for (int i = 0; i < rows; ++i)
        for (int p = 0; p < kc; ++p) a[i * kc + p] = p == 0 ? 0.0f : 1.0f;
    gemm_pack_a(Trans::No, ConstMatView{a.data(), rows, kc, kc}, 0, 0, rows, kc, packed.data(),
                index);
    CHECK(index[0] == kc);
}

TEST_CASE("gemm: every A packer writes the portable packer's slivers and step lists") {
    Rng rng(31);
    // Values a zero test can get wrong: -0 is zero; NaN, infinity and a denormal are not.
    const float special[] = {-0.0f, NAN, INFINITY, 1e-40f};
    for (const GemmKernels& kernel : kernels()) {
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (int trial = 0; trial < 40; ++trial) {
                // Short and long slivers: the AVX-512 packers work in groups of 16 steps.
                const int mc = 1 + (int)rng.below(40);
                const int kc = 1 + (int)rng.below(trial < 20 ? 70 : 300);
                TestMatrix a(ta == Trans::No ? mc + 3 : kc + 2, ta == Trans::No ? kc + 2 : mc + 3,
                             2, rng);
                const bool sparse = trial % 4 != 3;  // else dense: no step is worth skipping
                for (int i = 0; i < a.view.rows; ++i) {
                    for (int j = 0; j < a.view.cols; ++j) {
                        if (sparse && (rng.below(3) != 0 || (ta == Trans::No ? j : i) % 5 == 0))
                            a.view.at(i, j) = 0.0f;
                        if (rng.below(50) == 0) a.view.at(i, j) = special[rng.below(4)];
                    }
                }
                const int slivers = (mc + kGemmMR - 1) / kGemmMR;
                std::vector<float> ref(slivers * kGemmMR * kc + kGemmPackSlack), got(ref.size());
                std::vector<int32_t> ref_index(slivers * (kc + 1)), got_index(ref_index.size());
                gemm_pack_a(ta, a.view, 1, 2, mc, kc, ref.data(), ref_index.data());
                kernel.pack_a(ta, a.view, 1, 2, mc, kc, got.data(), got_index.data());
                REQUIRE(memcmp(ref.data(), got.data(), slivers * kGemmMR * kc * sizeof(float)) ==
                        0);
                for (int s = 0; s < slivers; ++s) {
                    const int32_t* r = &ref_index[s * (kc + 1)];
                    const int32_t* g = &got_index[s * (kc + 1)];
                    REQUIRE(r[0] == g[0]);
                    if (r[0] != kc) REQUIRE(memcmp(r + 1, g + 1, r[0] * sizeof(int32_t)) == 0);
                }
            }
        }
    }
}

TEST_CASE("gemm: every B packer writes the portable packer's slivers") {
    Rng rng(37);
    for (const GemmKernels& kernel : kernels()) {
        for (Trans tb : {Trans::No, Trans::Yes}) {
            for (int trial = 0; trial < 20; ++trial) {
                const int nc = 1 + (int)rng.below(60), kc = 1 + (int)rng.below(70);
                TestMatrix b(tb == Trans::No ? kc + 2 : nc + 3, tb == Trans::No ? nc + 3 : kc + 2,
                             1, rng);
                const int slivers = (nc + kGemmNR - 1) / kGemmNR;
                std::vector<float> ref(slivers * kGemmNR * kc), got(ref.size());
                gemm_pack_b(tb, b.view, 2, 1, kc, nc, ref.data());
                kernel.pack_b(tb, b.view, 2, 1, kc, nc, got.data());
                REQUIRE(memcmp(ref.data(), got.data(), ref.size() * sizeof(float)) == 0);
            }
        }
    }
}

TEST_CASE("gemm: A is read in place once packing costs more than skipping its zero steps saves") {
    // Two slivers of kc = 10 steps; `skipped` of their 20 steps are zero.
    auto lists = [](int skipped) {
        std::vector<int32_t> index(2 * 11, 0);
        index[0] = 10 - skipped / 2;
        index[11] = 10 - (skipped - skipped / 2);
        return index;
    };
    // One tile (a 32-channel convolution): A stays packed only when over half (A) or all
    // (A^T) of its steps are skipped.
    CHECK(gemm_reads_a_in_place(Trans::No, lists(9).data(), 2 * kGemmMR, 10, 1));
    CHECK_FALSE(gemm_reads_a_in_place(Trans::No, lists(10).data(), 2 * kGemmMR, 10, 1));
    CHECK(gemm_reads_a_in_place(Trans::Yes, lists(19).data(), 2 * kGemmMR, 10, 1));
    // Four tiles (128 columns): a fifth of the steps skipped pays for packing A^T, not A.
    CHECK_FALSE(gemm_reads_a_in_place(Trans::No, lists(4).data(), 2 * kGemmMR, 10, 4));
    CHECK(gemm_reads_a_in_place(Trans::Yes, lists(4).data(), 2 * kGemmMR, 10, 4));
    CHECK_FALSE(gemm_reads_a_in_place(Trans::Yes, lists(5).data(), 2 * kGemmMR, 10, 4));
    // Dense blocks are always read in place; a trailing partial sliver does not count.
    CHECK(gemm_reads_a_in_place(Trans::No, lists(0).data(), 2 * kGemmMR + 3, 10, 8));
}

TEST_CASE("gemm: A read in place for later blocks and K blocks gives the packed path's bits") {
    // Image-like sparse A over several row blocks and K blocks, with one, two and four tiles of
    // columns: each panel's first packed block decides, and A is then read in place (or not)
    // for the rest; every family must match its packing oracle and the unskipped product.
    Rng rng(29);
    for (const Family& family : families()) {
        CAPTURE(family.kernels.name);
        for (Trans ta : {Trans::No, Trans::Yes}) {
            for (int n : {2 * kGemmNR, 4 * kGemmNR, 8 * kGemmNR}) {
                const int m = 2 * kGemmMC + 7, k = 2 * kGemmKC + 40;
                TestMatrix a(ta == Trans::No ? m : k, ta == Trans::No ? k : m, 1, rng);
                const double zero_share = n == 2 * kGemmNR ? 0.3 : 0.7;
                for (int i = 0; i < a.view.rows; ++i)
                    for (int j = 0; j < a.view.cols; ++j) {
                        const int depth = ta == Trans::No ? j : i;
                        if (depth % 10 < 10 * zero_share || rng.below(3) == 0)
                            a.view.at(i, j) = 0.0f;
                    }
                TestMatrix b(k, n, 2, rng), c1(m, n, 1, rng);
                std::vector<float> c2 = c1.storage, c3 = c1.storage;
                const MatView c2v{c2.data() + 1, m, n, n + 1}, c3v{c3.data() + 1, m, n, n + 1};
                Scratch s(gemm_bytes(m, n, k));
                gemm_with_kernels(family.kernels, ta, Trans::No, 1.0f, a.view, b.view, 0.5f,
                                  c1.view, s.arena);
                gemm_with_kernels(family.oracle, ta, Trans::No, 1.0f, a.view, b.view, 0.5f, c2v,
                                  s.arena);
                gemm_with_kernels(family.kernels, ta, Trans::No, 1.0f, a.view, b.view, 0.5f, c3v,
                                  s.arena, /*skip_zero_steps=*/false);
                REQUIRE(memcmp(c1.storage.data(), c2.data(), c2.size() * sizeof(float)) == 0);
                REQUIRE(memcmp(c1.storage.data(), c3.data(), c3.size() * sizeof(float)) == 0);
            }
        }
    }
}
