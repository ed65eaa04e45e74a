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

void gemm_kernel_ref(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                     int ldc, int m_edge, int n_edge) {
    constexpr int MR = kGemmMR;
    constexpr int NR = kGemmNR;
    float acc[MR * NR];
    for (int t = 0; t < MR * NR; ++t) acc[t] = 0.0f;
    for (int p = 0; p < kc; ++p) {
        const float* a_p = a + p * MR;
        const float* b_p = b + p * NR;
        for (int i = 0; i < MR; ++i) {
            const float a_ip = a_p[i];
            for (int j = 0; j < NR; ++j) acc[i * NR + j] += a_ip * b_p[j];
        }
    }
    gemm_store_tile(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

}  // namespace fnn
