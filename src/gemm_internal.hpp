// Internal GEMM pieces shared by the loop nest, packing and the micro-kernels; tests use them to
// run each kernel directly.
#pragma once

#include "fnn/gemm.hpp"

namespace fnn {

// Micro-kernel contract. a: packed MR x kc sliver, a[p*MR + i]; b: packed kc x NR sliver,
// b[p*NR + j]. Computes acc = sum_p a[p][i]*b[p][j] (in p order, from +0, unfused) and writes
// C[i][j] = alpha*acc + beta*C[i][j] for i < m_edge, j < n_edge; beta == 0 never reads C.
using GemmKernel = void (*)(int kc, const float* a, const float* b, float alpha, float beta,
                            float* c, int ldc, int m_edge, int n_edge);

void gemm_kernel_ref(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge);
// Writes an MR x NR accumulator tile into C under the contract above (used by edge tiles).
void gemm_store_tile(const float* acc, float alpha, float beta, float* c, int ldc, int m_edge,
                     int n_edge);

#if defined(__x86_64__) || defined(__i386__)
#define FNN_GEMM_HAVE_AVX 1
void gemm_kernel_avx(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge);
bool gemm_cpu_has_avx();
#endif

// Packs op(A)[i0:i0+mc, p0:p0+kc] as ceil(mc/MR) slivers of MR x kc, rows past mc set to 0.
void gemm_pack_a(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out);
// Packs op(B)[p0:p0+kc, j0:j0+nc] as ceil(nc/NR) slivers of kc x NR, columns past nc set to 0.
void gemm_pack_b(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out);

// The loop nest with an explicit kernel (gemm() passes the best one for this CPU).
void gemm_with_kernel(GemmKernel kernel, Trans ta, Trans tb, float alpha, ConstMatView a,
                      ConstMatView b, float beta, MatView c, Arena& scratch);

}  // namespace fnn
