// AVX versions of A packing (full MR-row slivers; partial ones use the portable code), chosen
// with the AVX kernel. Same output as gemm_pack_a, including the list of non-zero steps:
// tests/test_gemm.cpp compares the two. Stores are 8 floats wide and overlap the next step, so
// the pack buffer keeps kGemmPackSlack floats of room after the last sliver.
#include "gemm/gemm_internal.hpp"

#if defined(FNN_GEMM_HAVE_AVX)
#include <immintrin.h>

namespace fnn {
namespace {

static_assert(kGemmMR == 6, "the transposes below interleave 6 rows");

// Lanes 0..5 of v as a 6-bit mask of "not equal to zero" (NaN counts as nonzero).
__attribute__((target("avx"))) inline int nonzero_lanes(__m256 v) {
    return _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ)) & 0x3F;
}

// op(A) = a^T: step p is 6 contiguous floats of row p.
__attribute__((target("avx"))) int pack_runs(const float* src, ptrdiff_t stride, int kc, float* out,
                                             int32_t* index) {
    const __m256i first6 = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    int live = 0;
    for (int p = 0; p < kc; ++p, src += stride, out += kGemmMR) {
        const __m256 v = _mm256_maskload_ps(src, first6);  // never reads past the 6 values
        _mm256_storeu_ps(out, v);                          // lanes 6, 7 land in the next step
        index[live] = p;
        live += nonzero_lanes(v) != 0;
    }
    return live;
}

// op(A) = a: step p takes element p of 6 rows; 8 steps at a time through an 8 x 8 transpose
// (rows 6 and 7 are zero).
__attribute__((target("avx"))) int pack_rows(const float* const* src, int kc, float* out,
                                             int32_t* index) {
    int live = 0;
    int p = 0;
    const __m256 zero = _mm256_setzero_ps();
    for (; p + 8 <= kc; p += 8) {
        const __m256 r0 = _mm256_loadu_ps(src[0] + p), r1 = _mm256_loadu_ps(src[1] + p);
        const __m256 r2 = _mm256_loadu_ps(src[2] + p), r3 = _mm256_loadu_ps(src[3] + p);
        const __m256 r4 = _mm256_loadu_ps(src[4] + p), r5 = _mm256_loadu_ps(src[5] + p);
        const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
        const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
        const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
        const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
        const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
        const __m256 s4 = _mm256_shuffle_ps(t4, zero, 0x44), s5 = _mm256_shuffle_ps(t4, zero, 0xEE);
        const __m256 s6 = _mm256_shuffle_ps(t5, zero, 0x44), s7 = _mm256_shuffle_ps(t5, zero, 0xEE);
        const __m256 step[8] = {
            _mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
            _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
            _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
            _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31)};
        for (int q = 0; q < 8; ++q) {
            _mm256_storeu_ps(out + (p + q) * kGemmMR, step[q]);
            index[live] = p + q;
            live += nonzero_lanes(step[q]) != 0;
        }
    }
    for (; p < kc; ++p) {
        float* o = out + p * kGemmMR;
        uint32_t any = 0;
        for (int r = 0; r < kGemmMR; ++r) {
            o[r] = src[r][p];
            any |= o[r] != 0.0f || o[r] != o[r];
        }
        index[live] = p;
        live += any != 0;
    }
    return live;
}

// 8 x 8 transpose: rows r[0..8) (8 consecutive p of 8 matrix rows) become columns.
__attribute__((target("avx"))) inline void transpose8(const __m256* r, __m256* out) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    out[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    out[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    out[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    out[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    out[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    out[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    out[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    out[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

}  // namespace

__attribute__((target("avx"))) void gemm_pack_b_avx(Trans tb, ConstMatView b, int p0, int j0,
                                                    int kc, int nc, float* out) {
    static_assert(kGemmNR == 16, "two 8 x 8 transposes fill one 16-wide step");
    for (int c0 = 0; c0 < nc; c0 += kGemmNR, out += static_cast<ptrdiff_t>(kGemmNR) * kc) {
        // Only full slivers of b^T gain from transposing; the rest is packed portably.
        if (tb == Trans::No || nc - c0 < kGemmNR) {
            gemm_pack_b(tb, b, p0, j0 + c0, kc, nc - c0 < kGemmNR ? nc - c0 : kGemmNR, out);
            continue;
        }
        // op(B)(p, j) = b(j, p): 16 rows of b, 8 p at a time, two 8 x 8 transposes per step block.
        const float* src[kGemmNR];
        for (int j = 0; j < kGemmNR; ++j) src[j] = b.row(j0 + c0 + j) + p0;
        int p = 0;
        for (; p + 8 <= kc; p += 8) {
            for (int half = 0; half < 2; ++half) {
                __m256 rows[8], cols[8];
                for (int r = 0; r < 8; ++r) rows[r] = _mm256_loadu_ps(src[8 * half + r] + p);
                transpose8(rows, cols);
                for (int q = 0; q < 8; ++q)
                    _mm256_storeu_ps(out + (p + q) * kGemmNR + 8 * half, cols[q]);
            }
        }
        for (; p < kc; ++p) {
            for (int j = 0; j < kGemmNR; ++j) out[p * kGemmNR + j] = src[j][p];
        }
    }
}

void gemm_pack_a_avx(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                     int32_t* index) {
    gemm_pack_a_slivers(ta, a, i0, p0, mc, kc, out, index, pack_rows, pack_runs);
}

}  // namespace fnn
#endif
