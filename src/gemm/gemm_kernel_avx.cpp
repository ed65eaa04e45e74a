// 6 x 16 micro-kernel with AVX intrinsics and separate multiply and add: the same bits as the
// portable kernel, for Reproducible arithmetic. Chosen at start-up when the CPU has AVX.
#include "gemm/gemm_internal.hpp"

#if defined(FNN_GEMM_HAVE_AVX)
#pragma GCC target("avx")
#include "gemm/gemm_kernel_avx_body.hpp"

namespace fnn {

bool gemm_cpu_has_avx() { return __builtin_cpu_supports("avx"); }

void gemm_kernel_avx(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge) {
    kernel_body<false, false>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_avx_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    kernel_body<true, false>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

const GemmKernels kGemmAvxKernels = {"avx", gemm_kernel_avx, gemm_kernel_avx_indexed,
                                     gemm_pack_a_avx, gemm_pack_b_avx};

}  // namespace fnn
#endif
