// AVX-512 versions of A packing for full MR-row slivers (partial ones use the portable code),
// chosen with the AVX-512 kernels. Same output as gemm_pack_a, including the list of non-zero
// steps: tests/test_gemm.cpp compares the two. Steps go sixteen to a group; op(A) = A packs a
// group with six 512-bit loads and stores, its last, shorter group under lane masks (nothing is
// read or written past the sliver); op(A) = A^T packs step by step (see pack_runs).
//
// A step is "not zero" when one of its six values compares unequal to zero (NaN does): the
// portable packer's test, compared as floats so that it also agrees when denormals are treated
// as zero. The numbers of a group's such steps are compressed into the low lanes (VPCOMPRESSD)
// and written with one masked store.
#include "gemm/gemm_internal.hpp"

#if defined(FNN_GEMM_HAVE_AVX)
#pragma GCC target("avx512f,avx512vl,popcnt")
#include <immintrin.h>

namespace fnn {
namespace {

static_assert(kGemmMR == 6, "the permutations below interleave 6 rows");
constexpr int kGroup = 16;  // steps per iteration: one 512-bit register of each row

// Lane masks of the first `count` of 16 lanes.
inline __mmask16 first_lanes(int count) {
    return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
}

// Appends the numbers p0 + q of the steps q set in `live_steps` to index[0..live) and returns
// the new count.
inline int list_steps(__mmask16 live_steps, int p0, int32_t* index, int live) {
    const __m512i steps = _mm512_add_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32(p0));
    const int added = _mm_popcnt_u32(live_steps);
    _mm512_mask_storeu_epi32(index + live, first_lanes(added),
                             _mm512_maskz_compress_epi32(live_steps, steps));
    return live + added;
}

// Stores `floats` (<= 96) of the six registers to out: out[16 j + l] = v[j][l].
inline void store_group(const __m512 (&v)[kGemmMR], int floats, float* out) {
    for (int j = 0; j < kGemmMR; ++j) {
        const int left = floats - kGroup * j;
        if (left <= 0) break;
        _mm512_mask_storeu_ps(out + kGroup * j, first_lanes(left), v[j]);
    }
}

// Permutation tables for op(A) = A. Rows r0..r5 hold element p of 6 matrix rows in lane p; the
// sliver wants out[6 p + r]. First the rows are paired, (r0, r1), (r2, r3), (r4, r5), as 64-bit
// lanes (x, y) per step, in two halves of 8 steps; then each output register takes 8 of these
// pairs: pair t of step q is output pair 3 q + t.
struct InterleaveTables {
    int32_t pair_low[16];   // permutex2var index: lane 2q + e <- (e ? second : first)[q]
    int32_t pair_high[16];  // the same for steps 8..15
    int64_t two[3][8];      // output register j % 3: pairs t = 0, 1 from (first, second) pair
    int64_t third[3][8];    // and pair t = 2 from the third, under mask_third
    uint8_t mask_third[3];
};
constexpr InterleaveTables make_interleave_tables() {
    InterleaveTables t{};
    for (int l = 0; l < 16; ++l) {
        t.pair_low[l] = (l & 1) * 16 + (l >> 1);
        t.pair_high[l] = (l & 1) * 16 + 8 + (l >> 1);
    }
    for (int j = 0; j < 3; ++j) {
        t.mask_third[j] = 0;
        for (int l = 0; l < 8; ++l) {
            const int pair = 8 * j + l;  // output pair within a half of 8 steps
            const int q = pair / 3, which = pair % 3;
            t.two[j][l] = which == 1 ? 8 + q : q;
            t.third[j][l] = q;
            if (which == 2) t.mask_third[j] = static_cast<uint8_t>(t.mask_third[j] | (1 << l));
        }
    }
    return t;
}
constexpr InterleaveTables kTables = make_interleave_tables();

// op(A) = A: step p takes element p of 6 rows.
int pack_rows(const float* const* src, int kc, float* out, int32_t* index) {
    const __m512i pair_low = _mm512_loadu_si512(kTables.pair_low);
    const __m512i pair_high = _mm512_loadu_si512(kTables.pair_high);
    int live = 0;
    for (int p = 0; p < kc; p += kGroup) {
        const int count = kc - p < kGroup ? kc - p : kGroup;
        const __mmask16 lanes = first_lanes(count);
        __m512 r[kGemmMR];
        __mmask16 nonzero = 0;
        for (int i = 0; i < kGemmMR; ++i) {
            r[i] = _mm512_maskz_loadu_ps(lanes, src[i] + p);
            nonzero |= _mm512_cmp_ps_mask(r[i], _mm512_setzero_ps(), _CMP_NEQ_UQ);
        }
        live = list_steps(nonzero, p, index, live);
        __m512d pairs[2][3];  // [half][pair of rows]
        for (int t = 0; t < 3; ++t) {
            pairs[0][t] = _mm512_castps_pd(_mm512_permutex2var_ps(r[2 * t], pair_low, r[2 * t + 1]));
            pairs[1][t] = _mm512_castps_pd(_mm512_permutex2var_ps(r[2 * t], pair_high, r[2 * t + 1]));
        }
        __m512 v[kGemmMR];
        for (int j = 0; j < kGemmMR; ++j) {
            const __m512d* half = pairs[j / 3];
            const __m512d two = _mm512_permutex2var_pd(
                half[0], _mm512_loadu_si512(kTables.two[j % 3]), half[1]);
            v[j] = _mm512_castpd_ps(_mm512_mask_permutexvar_pd(
                two, kTables.mask_third[j % 3], _mm512_loadu_si512(kTables.third[j % 3]), half[2]));
        }
        store_group(v, kGemmMR * count, out + static_cast<ptrdiff_t>(p) * kGemmMR);
    }
    return live;
}

// op(A) = a^T: step p is 6 contiguous floats of row p, one masked load and an 8-float store that
// overlaps the next step (the pack buffer's slack takes the last one's two zeros); each step's
// zero test lands in a 16-bit mask for the group's list.
int pack_runs(const float* src, ptrdiff_t stride, int kc, float* out, int32_t* index) {
    const __mmask8 six = 0x3F;
    int live = 0;
    for (int p = 0; p < kc; p += kGroup) {
        const int count = kc - p < kGroup ? kc - p : kGroup;
        uint32_t steps = 0;
        for (int q = 0; q < count; ++q) {
            const __m256 v = _mm256_maskz_loadu_ps(six, src + (p + q) * stride);
            _mm256_storeu_ps(out + (p + q) * kGemmMR, v);
            const __mmask8 nonzero = _mm256_cmp_ps_mask(v, _mm256_setzero_ps(), _CMP_NEQ_UQ);
            steps |= static_cast<uint32_t>(nonzero != 0) << q;
        }
        live = list_steps(static_cast<__mmask16>(steps), p, index, live);
    }
    return live;
}

}  // namespace

void gemm_pack_a_avx512(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                        int32_t* index) {
    gemm_pack_a_slivers(ta, a, i0, p0, mc, kc, out, index, pack_rows, pack_runs);
}

}  // namespace fnn
#endif
