// The 6 x 16 micro-kernel with fused multiply-add (AVX2 + FMA): the same bits as the portable
// fmaf kernel, for Fast arithmetic (training steps). Chosen at start-up when the CPU has both.
#include "gemm/gemm_internal.hpp"

#if defined(FNN_GEMM_HAVE_AVX)
#pragma GCC target("avx2,fma")
#include "gemm/gemm_kernel_avx_body.hpp"

namespace fnn {

bool gemm_cpu_has_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

void gemm_kernel_fma(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge) {
    kernel_body<false, true>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_fma_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    kernel_body<true, true>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

const GemmKernels kGemmFmaKernels = {"avx2+fma", gemm_kernel_fma, gemm_kernel_fma_indexed,
                                     gemm_pack_a_avx, gemm_pack_b_avx};

}  // namespace fnn
#endif
