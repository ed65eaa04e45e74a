// 6 x 32 micro-kernels with AVX-512: two neighbouring 16-column B slivers of the same packing
// at once, one 512-bit register per row and sliver (12 accumulators, enough to keep both FMA
// units busy). Per C element the arithmetic is the 6 x 16 kernels' exactly (same steps, same
// order, the same multiply and add or fused multiply-add, the same alpha/beta store), so these
// give the AVX and AVX2 kernels' bits: the width changes the speed, never the result.
#include "gemm/gemm_internal.hpp"

#if defined(FNN_GEMM_HAVE_AVX)
#pragma GCC target("avx512f")
#include <immintrin.h>

namespace fnn {
namespace {

template <bool kFused>
inline __m512 multiply_add(__m512 x, __m512 y, __m512 acc) {
    return kFused ? _mm512_fmadd_ps(x, y, acc) : _mm512_add_ps(acc, _mm512_mul_ps(x, y));
}

// C = alpha * acc + beta * C over the tile (m_edge rows, n_edge columns), as the 6 x 16 kernels
// store it: a separate multiply and add.
inline void store_wide(const __m512 (&acc)[kGemmMR][2], float alpha, float beta, float* c, int ldc,
                       int m_edge, int n_edge) {
    if (m_edge == kGemmMR && n_edge == 2 * kGemmNR) {
        const __m512 va = _mm512_set1_ps(alpha);
        const __m512 vb = _mm512_set1_ps(beta);
        for (int i = 0; i < kGemmMR; ++i) {
            float* row = c + static_cast<ptrdiff_t>(i) * ldc;
            for (int h = 0; h < 2; ++h) {
                __m512 out = _mm512_mul_ps(va, acc[i][h]);
                if (beta != 0.0f)
                    out = _mm512_add_ps(out, _mm512_mul_ps(vb, _mm512_loadu_ps(row + 16 * h)));
                _mm512_storeu_ps(row + 16 * h, out);
            }
        }
        return;
    }
    // Edges: each half as a 6 x 16 tile through the shared store.
    alignas(64) float tile[2][kGemmMR * kGemmNR];
    for (int i = 0; i < kGemmMR; ++i) {
        _mm512_store_ps(tile[0] + i * kGemmNR, acc[i][0]);
        _mm512_store_ps(tile[1] + i * kGemmNR, acc[i][1]);
    }
    gemm_store_tile(tile[0], alpha, beta, c, ldc, m_edge, n_edge < kGemmNR ? n_edge : kGemmNR);
    if (n_edge > kGemmNR)
        gemm_store_tile(tile[1], alpha, beta, c + kGemmNR, ldc, m_edge, n_edge - kGemmNR);
}

// acc[i] += a[i * a_stride] x (b0, b1) for the tile's 6 rows: one step, in row order.
template <bool kFused>
inline void rank1_update(__m512 (&acc)[kGemmMR][2], __m512 b0, __m512 b1, const float* a,
                         ptrdiff_t a_stride) {
#pragma GCC unroll 6
    for (int i = 0; i < kGemmMR; ++i) {
        const __m512 ai = _mm512_set1_ps(a[i * a_stride]);
        acc[i][0] = multiply_add<kFused>(ai, b0, acc[i][0]);
        acc[i][1] = multiply_add<kFused>(ai, b1, acc[i][1]);
    }
}

// Step q reads A and B at step q (dense) or index[q] (indexed).
template <bool kIndexed, bool kFused>
inline void wide_body(int steps, const float* a, WideB b, const int32_t* index, float alpha,
                      float beta, float* c, int ldc, int m_edge, int n_edge) {
    static_assert(kGemmMR == 6 && kGemmNR == 16, "kernel is written for two 6 x 16 tiles");
    __m512 acc[kGemmMR][2];
    for (int i = 0; i < kGemmMR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int q = 0; q < steps; ++q) {
        const ptrdiff_t step = kIndexed ? index[q] : q;
        const float* bq = b.b + step * b.step;
        rank1_update<kFused>(acc, _mm512_loadu_ps(bq), _mm512_loadu_ps(bq + b.second),
                             a + step * kGemmMR, 1);
    }
    store_wide(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

// The same with A read in place: step q of row i at a[i * row_step + q * step_step].
template <bool kFused>
inline void wide_direct_body(int kc, const float* a, ptrdiff_t row_step, ptrdiff_t step_step,
                             WideB b, float alpha, float beta, float* c, int ldc, int m_edge,
                             int n_edge) {
    __m512 acc[kGemmMR][2];
    for (int i = 0; i < kGemmMR; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int q = 0; q < kc; ++q) {
        const float* bq = b.b + q * b.step;
        rank1_update<kFused>(acc, _mm512_loadu_ps(bq), _mm512_loadu_ps(bq + b.second),
                             a + q * step_step, row_step);
    }
    store_wide(acc, alpha, beta, c, ldc, m_edge, n_edge);
}

// 6 x 16 micro-kernels with one 512-bit register per row (6 accumulators): for products
// narrower than two slivers (a 10-class output layer, column tails). Half the instructions of
// the two-register AVX2 kernels per step; the same arithmetic per C element. Edges are stored
// through masks: c = alpha * acc + beta * c, a separate multiply and add, as gemm_store_tile.
template <bool kIndexed, bool kFused>
inline void narrow_body(int steps, const float* a, const float* b, const int32_t* index,
                        float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    __m512 acc[kGemmMR];
    for (int i = 0; i < kGemmMR; ++i) acc[i] = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int q = 0; q < steps; ++q) {
        const ptrdiff_t step = kIndexed ? index[q] : q;
        const __m512 bq = _mm512_loadu_ps(b + step * kGemmNR);
        const float* aq = a + step * kGemmMR;
#pragma GCC unroll 6
        for (int i = 0; i < kGemmMR; ++i)
            acc[i] = multiply_add<kFused>(_mm512_set1_ps(aq[i]), bq, acc[i]);
    }
    const __mmask16 columns = static_cast<__mmask16>((1u << n_edge) - 1u);
    const __m512 va = _mm512_set1_ps(alpha);
    const __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m_edge; ++i) {
        float* row = c + static_cast<ptrdiff_t>(i) * ldc;
        __m512 out = _mm512_mul_ps(va, acc[i]);
        if (beta != 0.0f)
            out = _mm512_add_ps(out, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(columns, row)));
        _mm512_mask_storeu_ps(row, columns, out);
    }
}

void narrow_avx512(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                   int ldc, int m_edge, int n_edge) {
    narrow_body<false, false>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}
void narrow_avx512_indexed(int count, const float* a, const float* b, const int32_t* index,
                           float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    narrow_body<true, false>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}
void narrow_avx512_fma(int kc, const float* a, const float* b, float alpha, float beta, float* c,
                       int ldc, int m_edge, int n_edge) {
    narrow_body<false, true>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}
void narrow_avx512_fma_indexed(int count, const float* a, const float* b, const int32_t* index,
                               float alpha, float beta, float* c, int ldc, int m_edge,
                               int n_edge) {
    narrow_body<true, true>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

void wide_avx512(int kc, const float* a, WideB b, float alpha, float beta, float* c, int ldc,
                 int m_edge, int n_edge) {
    wide_body<false, false>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}
void wide_avx512_indexed(int count, const float* a, WideB b, const int32_t* index, float alpha,
                         float beta, float* c, int ldc, int m_edge, int n_edge) {
    wide_body<true, false>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}
void wide_avx512_fma(int kc, const float* a, WideB b, float alpha, float beta, float* c, int ldc,
                     int m_edge, int n_edge) {
    wide_body<false, true>(kc, a, b, nullptr, alpha, beta, c, ldc, m_edge, n_edge);
}
void wide_avx512_fma_indexed(int count, const float* a, WideB b, const int32_t* index,
                             float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    wide_body<true, true>(count, a, b, index, alpha, beta, c, ldc, m_edge, n_edge);
}

void wide_direct_avx512(int kc, const float* a, ptrdiff_t row_step, ptrdiff_t step_step, WideB b,
                        float alpha, float beta, float* c, int ldc, int m_edge, int n_edge) {
    wide_direct_body<false>(kc, a, row_step, step_step, b, alpha, beta, c, ldc, m_edge, n_edge);
}
void wide_direct_avx512_fma(int kc, const float* a, ptrdiff_t row_step, ptrdiff_t step_step,
                            WideB b, float alpha, float beta, float* c, int ldc, int m_edge,
                            int n_edge) {
    wide_direct_body<true>(kc, a, row_step, step_step, b, alpha, beta, c, ldc, m_edge, n_edge);
}

}  // namespace

// The AVX-512 packers also use AVX-512VL and POPCNT, which every AVX-512 CPU since Skylake
// has (Xeon Phi lacks VL, so it is checked).
bool gemm_cpu_has_avx512() {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("popcnt");
}

const GemmKernels kGemmAvx512Kernels = {"avx512",
                                        narrow_avx512,
                                        narrow_avx512_indexed,
                                        gemm_pack_a_avx512,
                                        gemm_pack_b_avx,
                                        wide_avx512,
                                        wide_avx512_indexed,
                                        wide_direct_avx512};
const GemmKernels kGemmAvx512FmaKernels = {"avx512+fma",
                                           narrow_avx512_fma,
                                           narrow_avx512_fma_indexed,
                                           gemm_pack_a_avx512,
                                           gemm_pack_b_avx,
                                           wide_avx512_fma,
                                           wide_avx512_fma_indexed,
                                           wide_direct_avx512_fma};

}  // namespace fnn
#endif
