// Portable MR x NR micro-kernel: constant-bound loops the compiler unrolls and vectorises for
// whatever target it builds for. The reference every ISA kernel must match bit for bit.
#include <math.h>

#include "gemm/gemm_internal.hpp"

namespace fnn {

void gemm_store_tile(const float* acc, float alpha, float beta, float* c, int ldc, int m_edge,
                     int n_edge) {
    for (int i = 0; i < m_edge; ++i) {
        float* c_row = c + static_cast<ptrdiff_t>(i) * ldc;
        const float* acc_row = acc + i * kGemmNR;
        if (beta == 0.0f) {
            for (int j = 0; j < n_edge; ++j) c_row[j] = alpha * acc_row[j];
        } else {
            for (int j = 0; j < n_edge; ++j) c_row[j] = alpha * acc_row[j] + beta * c_row[j];
        }
    }
}

namespace {

// acc += a_p (MR) x b_p (NR), one rank-1 update in i, j order, fused or not.
template <bool kFused>
inline void rank1_update(const float* a_p, const float* b_p, float* acc) {
    for (int i = 0; i < kGemmMR; ++i) {
        const float a_ip = a_p[i];
        for (int j = 0; j < kGemmNR; ++j) {
            float& t = acc[i * kGemmNR + j];
            t = kFused ? fmaf(a_ip, b_p[j], t) : t + a_ip * b_p[j];
        }
    }
}

// Steps 0..steps-1 (dense) or index[0..steps) (indexed).
template <bool kFused>
void kernel(int steps, const float* a, const float* b, const int32_t* index, float alpha,
            float beta, float* c, int ldc, int m_edge, int n_edge) {
    float acc[kGemmMR * kGemmNR];
    for (float& x : acc) x = 0.0f;
    for (int q = 0; q < steps; ++q) {
        const int p = index != nullptr ? index[q] : q;
        rank1_update<kFused>(a + p * kGemmMR, b + p * kGemmNR, acc);
    }
    gemm_store_tile(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

}  // namespace

void gemm_kernel_ref(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge) {
    kernel<false>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_ref_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    kernel<false>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_ref_fused(int kc, const float* a, const float* b, float alpha, float beta,
                           float* c, int ldc, int m_edge, int n_edge) {
    kernel<true>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_ref_fused_indexed(int count, const float* a, const float* b, const int32_t* index,
                                   float alpha, float beta, float* c, int ldc, int m_edge,
                                   int n_edge) {
    kernel<true>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

const GemmKernels kGemmRefKernels = {"portable", gemm_kernel_ref, gemm_kernel_ref_indexed,
                                     gemm_pack_a, gemm_pack_b};
const GemmKernels kGemmRefFusedKernels = {"portable fused", gemm_kernel_ref_fused,
                                          gemm_kernel_ref_fused_indexed, gemm_pack_a, gemm_pack_b};

}  // namespace fnn
