// The 6 x 16 AVX micro-kernel body, shared by gemm_kernel_avx.cpp (separate multiply and add,
// built for AVX) and gemm_kernel_fma.cpp (fused, built for AVX2 + FMA). Include it after a
// `#pragma GCC target(...)` that enables the instructions, inside an anonymous namespace.
#pragma once

#include <immintrin.h>

#include "gemm/gemm_internal.hpp"

namespace fnn {
namespace {

// acc + x*y, fused into one rounding or as a separate multiply and add.
template <bool kFused>
inline __m256 multiply_add(__m256 x, __m256 y, __m256 acc) {
    return kFused ? _mm256_fmadd_ps(x, y, acc) : _mm256_add_ps(acc, _mm256_mul_ps(x, y));
}

// The kernel body for both contracts: step q reads A and B at step q (dense) or at step
// index[q] (indexed, for slivers with skipped zero steps).
template <bool kIndexed, bool kFused>
inline void kernel_body(int steps, const float* a, const float* b, const int32_t* index,
                        float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    static_assert(kGemmMR == 6 && kGemmNR == 16, "kernel is written for a 6 x 16 tile");
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#pragma GCC unroll 4
    for (int q = 0; q < steps; ++q) {
        const ptrdiff_t step = kIndexed ? index[q] : 0;
        const float* b_row = b + step * kGemmNR;
        const float* a_col = a + step * kGemmMR;
        const __m256 b0 = _mm256_load_ps(b_row);
        const __m256 b1 = _mm256_load_ps(b_row + 8);
        __m256 ai = _mm256_broadcast_ss(a_col + 0);
        c00 = multiply_add<kFused>(ai, b0, c00);
        c01 = multiply_add<kFused>(ai, b1, c01);
        ai = _mm256_broadcast_ss(a_col + 1);
        c10 = multiply_add<kFused>(ai, b0, c10);
        c11 = multiply_add<kFused>(ai, b1, c11);
        ai = _mm256_broadcast_ss(a_col + 2);
        c20 = multiply_add<kFused>(ai, b0, c20);
        c21 = multiply_add<kFused>(ai, b1, c21);
        ai = _mm256_broadcast_ss(a_col + 3);
        c30 = multiply_add<kFused>(ai, b0, c30);
        c31 = multiply_add<kFused>(ai, b1, c31);
        ai = _mm256_broadcast_ss(a_col + 4);
        c40 = multiply_add<kFused>(ai, b0, c40);
        c41 = multiply_add<kFused>(ai, b1, c41);
        ai = _mm256_broadcast_ss(a_col + 5);
        c50 = multiply_add<kFused>(ai, b0, c50);
        c51 = multiply_add<kFused>(ai, b1, c51);
        if (!kIndexed) {
            a += kGemmMR;
            b += kGemmNR;
        }
    }
    const __m256 acc[kGemmMR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                                    {c30, c31}, {c40, c41}, {c50, c51}};
    if (m_edge == kGemmMR && n_edge == kGemmNR) {
        const __m256 va = _mm256_set1_ps(alpha);
        const __m256 vb = _mm256_set1_ps(beta);
        for (int i = 0; i < kGemmMR; ++i) {
            float* row = c + static_cast<ptrdiff_t>(i) * ldc;
            for (int h = 0; h < 2; ++h) {
                __m256 out = _mm256_mul_ps(va, acc[i][h]);
                if (beta != 0.0f)
                    out = _mm256_add_ps(out, _mm256_mul_ps(vb, _mm256_loadu_ps(row + 8 * h)));
                _mm256_storeu_ps(row + 8 * h, out);
            }
        }
        return;
    }
    alignas(32) float tile[kGemmMR * kGemmNR];
    for (int i = 0; i < kGemmMR; ++i) {
        _mm256_store_ps(tile + i * kGemmNR, acc[i][0]);
        _mm256_store_ps(tile + i * kGemmNR + 8, acc[i][1]);
    }
    gemm_store_tile(tile, alpha, beta, c, ldc, m_edge, n_edge);
}

}  // namespace
}  // namespace fnn
