// The BLIS-style loop nest: which block of A and B is packed when, and which kernel runs.
#include "fnn/gemm.hpp"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnn/gemm_threads.hpp"
#include "fnn/phase_times.hpp"
#include "fnn/status.hpp"
#include "gemm/gemm_internal.hpp"

namespace fnn {
namespace {

int round_up(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }
int min_int(int a, int b) { return a < b ? a : b; }

// C = beta*C for the degenerate k == 0 product (nothing to multiply).
void scale_c(float beta, MatView c) {
    for (int i = 0; i < c.rows; ++i) {
        float* row = c.row(i);
        for (int j = 0; j < c.cols; ++j) row[j] = beta == 0.0f ? 0.0f : beta * row[j];
    }
}

// Sizes of the pack buffers for blocks of up to a_rows x depth (A) and depth x b_cols (B).
struct PackSizes {
    size_t a_floats, index_ints, b_floats;
};
PackSizes pack_sizes(int m, int n, int depth) {
    const size_t a_rows = static_cast<size_t>(round_up(min_int(m, kGemmMC), kGemmMR));
    const size_t b_cols = static_cast<size_t>(round_up(min_int(n, kGemmNC), kGemmNR));
    return {a_rows * depth + kGemmPackSlack, a_rows / kGemmMR * (depth + 1), b_cols * depth};
}

}  // namespace

// A skipped step saves a kernel step (12 FMAs, about 6 cycles) in each tile; packing costs
// about half that per step for op(A) = A (16 steps of six rows at a time) and about as much
// for op(A) = A^T (step by step), measured on Zen 5. So the block decides: skipped steps x
// tiles < 1/2 (A) or 1 (A^T). A convolution's 32 or 64 output channels make one or two tiles:
// their A is read in place unless over half its steps are zero. The bits are the same either
// way.
bool gemm_reads_a_in_place(Trans ta, const int32_t* index, int mc, int kc, int wide_tiles) {
    long live = 0, steps = 0;
    for (int ir = 0; ir + kGemmMR <= mc; ir += kGemmMR, steps += kc)
        live += index[ir / kGemmMR * (kc + 1)];  // the count; kc for a dense sliver
    const double cost = ta == Trans::No ? 0.5 : 1.0;  // packing a step, in kernel steps
    return static_cast<double>(steps - live) * wide_tiles < cost * static_cast<double>(steps);
}

size_t gemm_bytes(int m, int n, int k) {
    // min(k, KC) bounds gemm_k_step(k') for every k' <= k, so the plan covers smaller products.
    const PackSizes sizes = pack_sizes(m, n, min_int(k, kGemmKC));
    return arena_floats(sizes.a_floats) + arena_round(sizes.index_ints * sizeof(int32_t)) +
           arena_floats(sizes.b_floats);
}

GemmIsa gemm_isa_limit() {
    static const GemmIsa limit = [] {
        const char* text = getenv("FNN_ISA");
        if (text == nullptr || text[0] == '\0') return GemmIsa::Avx512;
        const struct {
            const char* name;
            GemmIsa isa;
        } names[] = {{"avx512", GemmIsa::Avx512}, {"avx2", GemmIsa::Avx2}, {"avx", GemmIsa::Avx},
                     {"ref", GemmIsa::Ref}};
        for (const auto& n : names) {
            if (strcmp(text, n.name) == 0) return n.isa;
        }
        fprintf(stderr, "fnn: FNN_ISA=%s is not one of avx512, avx2, avx, ref; using the best "
                        "kernels this CPU has\n", text);
        return GemmIsa::Avx512;
    }();
    return limit;
}

const GemmKernels& gemm_kernels_for(GemmArithmetic arithmetic) {
#if defined(FNN_GEMM_HAVE_AVX)
    const GemmIsa limit = gemm_isa_limit();
    const bool wide = limit >= GemmIsa::Avx512 && gemm_cpu_has_avx512();
    if (arithmetic == GemmArithmetic::Fast && limit >= GemmIsa::Avx2 && gemm_cpu_has_fma())
        return wide ? kGemmAvx512FmaKernels : kGemmFmaKernels;
    if (limit >= GemmIsa::Avx && gemm_cpu_has_avx())
        return wide ? kGemmAvx512Kernels : kGemmAvxKernels;
#else
    (void)arithmetic;
#endif
    return kGemmRefKernels;
}

const char* gemm_kernel_name(GemmArithmetic arithmetic) {
    return gemm_kernels_for(arithmetic).name;
}

void gemm(Trans ta, Trans tb, float alpha, ConstMatView a, ConstMatView b, float beta, MatView c,
          Arena& scratch, GemmArithmetic arithmetic) {
    const PhaseScope timing(Phase::Gemm);
    const GemmKernels& kernels = gemm_kernels_for(arithmetic);
    GemmThreads* threads = GemmThreads::current();
    if (threads != nullptr && threads->run(kernels, ta, tb, alpha, a, b, beta, c, scratch)) return;
    // On one thread, a B that one block of A passes over once is read where it lies, not
    // packed: the copy would cost about as much as the product reads (the forward pass's
    // x W). Shared among threads it is packed: measured slower in place there.
    gemm_with_kernels(kernels, ta, tb, alpha, a, b, beta, c, scratch, true, 0,
                      /*b_in_place=*/c.rows <= kGemmMC);
}

void gemm_with_kernels(const GemmKernels& kernels, Trans ta, Trans tb, float alpha, ConstMatView a,
                       ConstMatView b, float beta, MatView c, Arena& scratch,
                       bool skip_zero_steps, int k_step, bool b_in_place) {
    const int m = c.rows;
    const int n = c.cols;
    const int k = ta == Trans::No ? a.cols : a.rows;
    FNN_ASSERT((ta == Trans::No ? a.rows : a.cols) == m);
    FNN_ASSERT((tb == Trans::No ? b.rows : b.cols) == k);
    FNN_ASSERT((tb == Trans::No ? b.cols : b.rows) == n);
    if (m == 0 || n == 0) return;
    if (k == 0) {
        scale_c(beta, c);
        return;
    }

    const size_t mark = scratch.mark();
    if (k_step <= 0) k_step = gemm_k_step(k);
    const PackSizes sizes = pack_sizes(m, n, k_step);
    float* a_pack = scratch.alloc_floats(sizes.a_floats);
    int32_t* a_index = static_cast<int32_t*>(scratch.alloc(sizes.index_ints * sizeof(int32_t)));
    float* b_pack = scratch.alloc_floats(sizes.b_floats);
    // gemm_bytes() planned these.
    FNN_ASSERT(a_pack != nullptr && a_index != nullptr && b_pack != nullptr);

    for (int jc = 0; jc < n; jc += kGemmNC) {
        const int nc = min_int(kGemmNC, n - jc);
        // Columns of B the wide kernels read in place (whole pairs of slivers only: they
        // read all 2 NR columns); the rest is packed at its usual place in b_pack.
        const int b_direct = b_in_place && tb == Trans::No && kernels.wide != nullptr
                                 ? nc / (2 * kGemmNR) * (2 * kGemmNR)
                                 : 0;
        // Whether the rest of A is read in place: decided on the first block of A packed in
        // a panel, then kept for the panel's later K blocks (see gemm_reads_a_in_place).
        bool direct = false;
        for (int pc = 0; pc < k; pc += k_step) {
            const int kc = min_int(k_step, k - pc);
            if (b_direct < nc) {
                const PhaseScope timing(Phase::Pack);
                kernels.pack_b(tb, b, pc, jc + b_direct, kc, nc - b_direct,
                               b_pack + static_cast<size_t>(b_direct) * kc);
            }
            const float beta_block = pc == 0 ? beta : 1.0f;  // later K blocks accumulate
            for (int ic = 0; ic < m; ic += kGemmMC) {
                const int mc = min_int(kGemmMC, m - ic);
                const int full = direct ? mc / kGemmMR * kGemmMR : 0;  // rows read in place
                if (full < mc) {
                    const PhaseScope timing(Phase::Pack);
                    kernels.pack_a(ta, a, ic + full, pc, mc - full, kc,
                                   a_pack + static_cast<size_t>(full) * kc,
                                   a_index + full / kGemmMR * (kc + 1));
                }
                if (!skip_zero_steps) {
                    for (int ir = 0; ir < mc; ir += kGemmMR) a_index[ir / kGemmMR * (kc + 1)] = kc;
                }
                for (int jr = 0; jr < nc;) {
                    // Two slivers at once where the family has wide kernels and two remain.
                    const bool wide = kernels.wide != nullptr && nc - jr > kGemmNR;
                    const int width = wide ? 2 * kGemmNR : kGemmNR;
                    const float* b_sliver = b_pack + static_cast<size_t>(jr) * kc;
                    const WideB b_wide = jr < b_direct
                                             ? WideB{b.row(pc) + jc + jr, b.stride, kGemmNR}
                                             : WideB{b_sliver, kGemmNR, kGemmNR * kc};
                    for (int ir = 0; ir < mc; ir += kGemmMR) {
                        const float* a_sliver = a_pack + static_cast<size_t>(ir) * kc;
                        const int32_t* index = a_index + ir / kGemmMR * (kc + 1);
                        float* c_tile = &c.at(ic + ir, jc + jr);
                        const int m_edge = min_int(kGemmMR, mc - ir),
                                  n_edge = min_int(width, nc - jr);
                        if (ir < full) {
                            const float* at = ta == Trans::No ? a.row(ic + ir) + pc : a.row(pc) + ic + ir;
                            const ptrdiff_t lda = a.stride;
                            kernels.wide_direct(kc, at, ta == Trans::No ? lda : 1,
                                                ta == Trans::No ? 1 : lda, b_wide, alpha,
                                                beta_block, c_tile, c.stride, m_edge, n_edge);
                        } else if (wide && index[0] == kc) {
                            kernels.wide(kc, a_sliver, b_wide, alpha, beta_block, c_tile,
                                         c.stride, m_edge, n_edge);
                        } else if (wide) {
                            kernels.wide_indexed(index[0], a_sliver, b_wide, index + 1, alpha,
                                                 beta_block, c_tile, c.stride, m_edge, n_edge);
                        } else if (index[0] == kc) {
                            kernels.dense(kc, a_sliver, b_sliver, alpha, beta_block, c_tile,
                                          c.stride, m_edge, n_edge);
                        } else {
                            kernels.indexed(index[0], a_sliver, b_sliver, index + 1, alpha,
                                            beta_block, c_tile, c.stride, m_edge, n_edge);
                        }
                    }
                    jr += width;
                }
                if (ic == 0 && !direct && kernels.wide_direct != nullptr &&
                    nc % (2 * kGemmNR) == 0)
                    direct = gemm_reads_a_in_place(ta, a_index, mc, kc, nc / (2 * kGemmNR));
            }
        }
    }
    scratch.rewind(mark);
}

void gemm_naive(Trans ta, Trans tb, float alpha, ConstMatView a, ConstMatView b, float beta,
                MatView c) {
    const int k = ta == Trans::No ? a.cols : a.rows;
    for (int i = 0; i < c.rows; ++i) {
        for (int j = 0; j < c.cols; ++j) {
            double acc = 0.0;
            for (int p = 0; p < k; ++p) {
                const double x = ta == Trans::No ? a.at(i, p) : a.at(p, i);
                const double y = tb == Trans::No ? b.at(p, j) : b.at(j, p);
                acc += x * y;
            }
            const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * c.at(i, j);
            c.at(i, j) = static_cast<float>(alpha * acc + prior);
        }
    }
}

}  // namespace fnn
