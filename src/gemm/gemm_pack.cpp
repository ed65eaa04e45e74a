// Packing: copies blocks of op(A) and op(B) into the contiguous sliver order the micro-kernel
// streams through, so transposes and strides cost nothing inside the kernel. Full slivers take
// paths without per-element edge tests; only the last, partial sliver checks its edge.
//
// While packing A, each step's MR values are also tested for being all zero (inputs such as
// image pixels are often zero for every row of a sliver); gemm_pack_a lists the other steps so
// the kernel can skip the zero ones.
#include "gemm/gemm_internal.hpp"

namespace fnn {
namespace {

constexpr int MR = kGemmMR;
constexpr int NR = kGemmNR;

// Nonzero when any of the `width` packed values is nonzero (-0 counts as zero).
template <int width>
inline uint32_t any_nonzero(const float* v) {
    uint32_t live = 0;
    for (int r = 0; r < width; ++r) {
        uint32_t bits;
        __builtin_memcpy(&bits, v + r, sizeof bits);
        live |= bits;
    }
    return live & 0x7FFFFFFFu;
}

// Step p of a sliver is in `out`; records it in `index` when it has a nonzero value.
// Branch-free: the slot is always written, the count only advances for live steps.
template <int width>
inline void note_step(const float* out, int p, int32_t* index, int& count) {
    index[count] = p;
    count += any_nonzero<width>(out) != 0;
}

// `count` rows read side by side: out[p*width + r] = src[r][p], zero for r >= count.
template <int width>
int interleave_rows(const float* const* src, int count, int kc, float* out, int32_t* index) {
    int live = 0;
    for (int p = 0; p < kc; ++p, out += width) {
        for (int r = 0; r < width; ++r) out[r] = (count == width || r < count) ? src[r][p] : 0.0f;
        if (index != nullptr) note_step<width>(out, p, index, live);
    }
    return live;
}

// One contiguous run of `count` floats per p (rows `stride` apart), zero-padded to `width`.
template <int width>
int copy_runs(const float* src, ptrdiff_t stride, int count, int kc, float* out, int32_t* index) {
    int live = 0;
    for (int p = 0; p < kc; ++p, src += stride, out += width) {
        for (int r = 0; r < width; ++r) out[r] = (count == width || r < count) ? src[r] : 0.0f;
        if (index != nullptr) note_step<width>(out, p, index, live);
    }
    return live;
}

}  // namespace

void gemm_pack_a(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                 int32_t* index) {
    for (int r0 = 0; r0 < mc; r0 += MR, out += static_cast<ptrdiff_t>(MR) * kc, index += kc + 1) {
        const int rows = mc - r0 < MR ? mc - r0 : MR;
        int live;
        if (ta == Trans::No) {
            // op(A)(i, p) = a(i, p): MR rows of a read side by side.
            const float* src[MR] = {};
            for (int r = 0; r < rows; ++r) src[r] = a.row(i0 + r0 + r) + p0;
            live = rows == MR ? interleave_rows<MR>(src, MR, kc, out, index + 1)
                              : interleave_rows<MR>(src, rows, kc, out, index + 1);
        } else {
            // op(A)(i, p) = a(p, i): each p is MR contiguous elements of row p of a.
            const float* src = a.row(p0) + i0 + r0;
            live = rows == MR ? copy_runs<MR>(src, a.stride, MR, kc, out, index + 1)
                              : copy_runs<MR>(src, a.stride, rows, kc, out, index + 1);
        }
        index[0] = gemm_worth_skipping(live, kc) ? live : kc;
    }
}

void gemm_pack_a_slivers(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out,
                         int32_t* index, GemmPackRows rows, GemmPackRuns runs) {
    for (int r0 = 0; r0 < mc; r0 += MR, out += static_cast<ptrdiff_t>(MR) * kc, index += kc + 1) {
        if (mc - r0 < MR) {
            gemm_pack_a(ta, a, i0 + r0, p0, mc - r0, kc, out, index);
            continue;
        }
        int live;
        if (ta == Trans::No) {
            const float* src[MR];
            for (int r = 0; r < MR; ++r) src[r] = a.row(i0 + r0 + r) + p0;
            live = rows(src, kc, out, index + 1);
        } else {
            live = runs(a.row(p0) + i0 + r0, a.stride, kc, out, index + 1);
        }
        index[0] = gemm_worth_skipping(live, kc) ? live : kc;
    }
}

void gemm_pack_b(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out) {
    for (int c0 = 0; c0 < nc; c0 += NR, out += static_cast<ptrdiff_t>(NR) * kc) {
        const int cols = nc - c0 < NR ? nc - c0 : NR;
        if (tb == Trans::No) {
            // op(B)(p, j) = b(p, j): each p is NR contiguous elements of row p of b.
            const float* src = b.row(p0) + j0 + c0;
            if (cols == NR) copy_runs<NR>(src, b.stride, NR, kc, out, nullptr);
            else copy_runs<NR>(src, b.stride, cols, kc, out, nullptr);
        } else {
            // op(B)(p, j) = b(j, p): NR rows of b read side by side.
            const float* src[NR] = {};
            for (int j = 0; j < cols; ++j) src[j] = b.row(j0 + c0 + j) + p0;
            if (cols == NR) interleave_rows<NR>(src, NR, kc, out, nullptr);
            else interleave_rows<NR>(src, cols, kc, out, nullptr);
        }
    }
}

}  // namespace fnn
