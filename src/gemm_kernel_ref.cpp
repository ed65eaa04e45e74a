// Portable MR x NR micro-kernel: constant-bound loops the compiler unrolls and vectorises for
// whatever target it builds for. The reference every ISA kernel must match bit for bit.
#include "gemm_internal.hpp"

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

// acc += a_p (MR) x b_p (NR), one rank-1 update in i, j order.
inline void rank1_update(const float* a_p, const float* b_p, float* acc) {
    for (int i = 0; i < kGemmMR; ++i) {
        const float a_ip = a_p[i];
        for (int j = 0; j < kGemmNR; ++j) acc[i * kGemmNR + j] += a_ip * b_p[j];
    }
}

}  // namespace

void gemm_kernel_ref(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge) {
    float acc[kGemmMR * kGemmNR];
    for (float& x : acc) x = 0.0f;
    for (int p = 0; p < kc; ++p) rank1_update(a + p * kGemmMR, b + p * kGemmNR, acc);
    gemm_store_tile(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

void gemm_kernel_ref_indexed(int count, const float* a, const float* b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    float acc[kGemmMR * kGemmNR];
    for (float& x : acc) x = 0.0f;
    for (int q = 0; q < count; ++q) rank1_update(a + index[q] * kGemmMR, b + index[q] * kGemmNR, acc);
    gemm_store_tile(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

const GemmKernels kGemmRefKernels = {gemm_kernel_ref, gemm_kernel_ref_indexed, gemm_pack_a, gemm_pack_b};

}  // namespace fnn
