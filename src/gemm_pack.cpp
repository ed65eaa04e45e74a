// Packing: copies blocks of op(A) and op(B) into the contiguous sliver order the micro-kernel
// streams through, so transposes and strides cost nothing inside the kernel. Full slivers take
// branch-free paths the compiler vectorises; only the last, partial sliver checks its edge.
#include "gemm_internal.hpp"

namespace fnn {
namespace {

constexpr int MR = kGemmMR;
constexpr int NR = kGemmNR;

// `count` rows read side by side: out[p*width + r] = src[r][p], zero for r >= count.
template <int width>
void interleave_rows(const float* const* src, int count, int kc, float* out) {
    if (count == width) {
        for (int p = 0; p < kc; ++p) {
            for (int r = 0; r < width; ++r) out[r] = src[r][p];
            out += width;
        }
        return;
    }
    for (int p = 0; p < kc; ++p) {
        for (int r = 0; r < width; ++r) out[r] = r < count ? src[r][p] : 0.0f;
        out += width;
    }
}

// One contiguous run of `count` floats per p (rows `stride` apart), zero-padded to `width`.
template <int width>
void copy_runs(const float* src, ptrdiff_t stride, int count, int kc, float* out) {
    if (count == width) {
        for (int p = 0; p < kc; ++p) {
            for (int r = 0; r < width; ++r) out[r] = src[r];
            src += stride;
            out += width;
        }
        return;
    }
    for (int p = 0; p < kc; ++p) {
        for (int r = 0; r < width; ++r) out[r] = r < count ? src[r] : 0.0f;
        src += stride;
        out += width;
    }
}

}  // namespace

void gemm_pack_a(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out) {
    for (int r0 = 0; r0 < mc; r0 += MR, out += static_cast<ptrdiff_t>(MR) * kc) {
        const int rows = mc - r0 < MR ? mc - r0 : MR;
        if (ta == Trans::No) {
            // op(A)(i, p) = a(i, p): MR rows of a read side by side.
            const float* src[MR] = {};
            for (int r = 0; r < rows; ++r) src[r] = a.row(i0 + r0 + r) + p0;
            interleave_rows<MR>(src, rows, kc, out);
        } else {
            // op(A)(i, p) = a(p, i): each p is MR contiguous elements of row p of a.
            copy_runs<MR>(a.row(p0) + i0 + r0, a.stride, rows, kc, out);
        }
    }
}

void gemm_pack_b(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out) {
    for (int c0 = 0; c0 < nc; c0 += NR, out += static_cast<ptrdiff_t>(NR) * kc) {
        const int cols = nc - c0 < NR ? nc - c0 : NR;
        if (tb == Trans::No) {
            // op(B)(p, j) = b(p, j): each p is NR contiguous elements of row p of b.
            copy_runs<NR>(b.row(p0) + j0 + c0, b.stride, cols, kc, out);
        } else {
            // op(B)(p, j) = b(j, p): NR rows of b read side by side.
            const float* src[NR] = {};
            for (int j = 0; j < cols; ++j) src[j] = b.row(j0 + c0 + j) + p0;
            interleave_rows<NR>(src, cols, kc, out);
        }
    }
}

}  // namespace fnn
