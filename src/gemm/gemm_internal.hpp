// Internal GEMM pieces shared by the loop nest, packing and the micro-kernels; tests use them to
// run each kernel directly.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/gemm.hpp"

namespace fnn {

// Micro-kernel contract. a: packed MR x kc sliver, a[p*MR + i]; b: packed kc x NR sliver,
// b[p*NR + j]. Computes acc = sum_p a[p][i]*b[p][j] (in p order, from +0, unfused) and writes
// C[i][j] = alpha*acc + beta*C[i][j] for i < m_edge, j < n_edge; beta == 0 never reads C.
using GemmKernel = void (*)(int kc, const float* a, const float* b, float alpha, float beta,
                            float* c, int ldc, int m_edge, int n_edge);

// The same contract over the steps listed in index[0..count): step q reads A's step index[q]
// (a[index[q]*MR + i]) and B's (b[index[q]*NR + j]). The steps left out have all-zero A values.
using GemmKernelIndexed = void (*)(int count, const float* a, const float* b, const int32_t* index,
                                   float alpha, float beta, float* c, int ldc, int m_edge,
                                   int n_edge);

// Wide kernels: C tiles of MR x 2 NR from 2 NR columns of B, n_edge up to 2 NR; the same
// arithmetic per C element as the MR x NR kernels. B's step p is 2 NR floats: b[p * b.step + j]
// and b[b.second + p * b.step + j], j < NR. From the packing: two neighbouring slivers, step NR
// and second NR * kc; read in place from a row-major op(B) = B: step ldb and second NR (all
// 2 NR columns must then exist, even where n_edge is smaller).
struct WideB {
    const float* b;
    ptrdiff_t step;
    ptrdiff_t second;
};
using GemmKernelWide = void (*)(int kc, const float* a, WideB b, float alpha, float beta,
                                float* c, int ldc, int m_edge, int n_edge);
using GemmKernelWideIndexed = void (*)(int count, const float* a, WideB b, const int32_t* index,
                                       float alpha, float beta, float* c, int ldc, int m_edge,
                                       int n_edge);

// Wide kernels that read A where it lies instead of from a packed sliver: value (i, p) of the
// tile's MR rows at a[i * row_step + p * step_step] (op(A) = A: row_step = lda, step_step = 1;
// op(A) = A^T: 1 and lda). All MR rows must exist; no steps are skipped.
using GemmKernelDirect = void (*)(int kc, const float* a, ptrdiff_t row_step, ptrdiff_t step_step,
                                  WideB b, float alpha, float beta, float* c, int ldc, int m_edge,
                                  int n_edge);

using GemmPackA = void (*)(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                           int32_t* index);
using GemmPackB = void (*)(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out);

// A micro-kernel family: dense and indexed kernels with the packers that suit them, and
// optionally wide kernels the loop nest prefers where two slivers of B remain.
struct GemmKernels {
    const char* name;
    GemmKernel dense;
    GemmKernelIndexed indexed;
    GemmPackA pack_a;
    GemmPackB pack_b;
    GemmKernelWide wide = nullptr;  // n_edge up to 2 NR
    GemmKernelWideIndexed wide_indexed = nullptr;
    GemmKernelDirect wide_direct = nullptr;
};

void gemm_kernel_ref(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge);
void gemm_kernel_ref_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge);
// The portable kernels with fused multiply-adds (fmaf): the bit-exact oracle for FMA kernels.
void gemm_kernel_ref_fused(int kc, const float* a, const float* b, float alpha, float beta,
                           float* c, int ldc, int m_edge, int n_edge);
void gemm_kernel_ref_fused_indexed(int count, const float* a, const float* b, const int32_t* index,
                                   float alpha, float beta, float* c, int ldc, int m_edge,
                                   int n_edge);
// Writes an MR x NR accumulator tile into C under the contract above (used by edge tiles).
void gemm_store_tile(const float* acc, float alpha, float beta, float* c, int ldc, int m_edge,
                     int n_edge);

#if defined(__x86_64__) || defined(__i386__)
#define FNN_GEMM_HAVE_AVX 1
void gemm_kernel_avx(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge);
void gemm_kernel_avx_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge);
void gemm_kernel_fma(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge);
void gemm_kernel_fma_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge);
bool gemm_cpu_has_avx();
bool gemm_cpu_has_fma();
bool gemm_cpu_has_avx512();
void gemm_pack_a_avx(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                     int32_t* index);
void gemm_pack_b_avx(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out);
void gemm_pack_a_avx512(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                        int32_t* index);
#endif

// Packs op(A)[i0:i0+mc, p0:p0+kc] as ceil(mc/MR) slivers of MR x kc, rows past mc set to 0.
// For each sliver s, index + s*(kc+1) receives [count, p...]: the steps whose MR values are not
// all zero, when leaving out the others removes at least an eighth of them; otherwise count =
// kc (use the dense kernel). Products with a zero add exactly nothing to the accumulator, which
// starts at +0 and so is never -0: skipping them keeps every bit (for finite B).
void gemm_pack_a(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                 int32_t* index);
// The sliver loop of the vector A packers: full MR-row slivers through `rows` (op(A) = A: the
// MR rows' first elements) or `runs` (op(A) = A^T: the first step's MR values and the stride
// between steps), each returning how many steps it listed as not all zero; the last, partial
// sliver through gemm_pack_a. Same output as gemm_pack_a.
using GemmPackRows = int (*)(const float* const* src, int kc, float* out, int32_t* index);
using GemmPackRuns = int (*)(const float* src, ptrdiff_t stride, int kc, float* out,
                             int32_t* index);
void gemm_pack_a_slivers(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                         int32_t* index, GemmPackRows rows, GemmPackRuns runs);
// Room the pack buffer keeps after its last sliver for packers' overlapping vector stores.
constexpr int kGemmPackSlack = 8;
// Skipping pays for the indexed kernel's extra loads once an eighth of the steps go.
inline bool gemm_worth_skipping(int live, int kc) { return live <= kc - kc / 8; }
// After packing a block of A (mc rows, its step lists in `index`) for a panel of `wide_tiles`
// tiles of 2 NR columns: whether reading the rest of A in place, unpacked and without skipping
// its zero steps, costs less than packing it (see gemm.cpp).
bool gemm_reads_a_in_place(Trans ta, const int32_t* index, int mc, int kc, int wide_tiles);
// Packs op(B)[p0:p0+kc, j0:j0+nc] as ceil(nc/NR) slivers of kc x NR, columns past nc set to 0.
void gemm_pack_b(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out);

// The loop nest with explicit kernels (gemm() passes the best ones for this CPU). Tests turn
// zero-step skipping off to prove that it changes no bits.
// k_step > 0 replaces gemm_k_step(k) (a part of a product cut by K keeps the whole's blocks).
// b_in_place: the wide kernels read op(B) = B where it lies instead of packed (same bits).
void gemm_with_kernels(const GemmKernels& kernels, Trans ta, Trans tb, float alpha, ConstMatView a,
                       ConstMatView b, float beta, MatView c, Arena& scratch,
                       bool skip_zero_steps = true, int k_step = 0, bool b_in_place = false);

extern const GemmKernels kGemmRefKernels;       // portable, separate multiply and add
extern const GemmKernels kGemmRefFusedKernels;  // portable, fmaf: tests only (slow without FMA)
#if defined(FNN_GEMM_HAVE_AVX)
extern const GemmKernels kGemmAvxKernels;  // AVX, separate multiply and add
extern const GemmKernels kGemmFmaKernels;  // AVX2 + FMA, fused
extern const GemmKernels kGemmAvx512Kernels;     // AVX wide kernels on AVX-512, unfused
extern const GemmKernels kGemmAvx512FmaKernels;  // AVX2 + FMA, wide kernels on AVX-512, fused
#endif

// The family gemm() uses for this arithmetic on this CPU.
const GemmKernels& gemm_kernels_for(GemmArithmetic arithmetic);

}  // namespace fnn
