// Packing: copies blocks of op(A) and op(B) into the contiguous sliver order the micro-kernel
// streams through, so transposes and strides cost nothing inside the kernel.
#include "gemm_internal.hpp"

namespace fnn {

void gemm_pack_a(Trans ta, ConstMatView a, int i0, int p0, int mc, int kc, float* out) {
    constexpr int MR = kGemmMR;
    for (int r0 = 0; r0 < mc; r0 += MR) {
        const int rows = mc - r0 < MR ? mc - r0 : MR;
        if (ta == Trans::No) {
            // op(A)(i, p) = a(i, p): MR rows read side by side, one element each per p.
            const float* src[MR];
            for (int r = 0; r < MR; ++r) src[r] = r < rows ? a.row(i0 + r0 + r) + p0 : nullptr;
            for (int p = 0; p < kc; ++p) {
                for (int r = 0; r < MR; ++r) out[r] = r < rows ? src[r][p] : 0.0f;
                out += MR;
            }
        } else {
            // op(A)(i, p) = a(p, i): each p is MR contiguous elements of row p.
            for (int p = 0; p < kc; ++p) {
                const float* src = a.row(p0 + p) + i0 + r0;
                for (int r = 0; r < MR; ++r) out[r] = r < rows ? src[r] : 0.0f;
                out += MR;
            }
        }
    }
}

void gemm_pack_b(Trans tb, ConstMatView b, int p0, int j0, int kc, int nc, float* out) {
    constexpr int NR = kGemmNR;
    for (int c0 = 0; c0 < nc; c0 += NR) {
        const int cols = nc - c0 < NR ? nc - c0 : NR;
        if (tb == Trans::No) {
            // op(B)(p, j) = b(p, j): each p is NR contiguous elements of row p.
            for (int p = 0; p < kc; ++p) {
                const float* src = b.row(p0 + p) + j0 + c0;
                if (cols == NR) {
                    for (int j = 0; j < NR; ++j) out[j] = src[j];
                } else {
                    for (int j = 0; j < NR; ++j) out[j] = j < cols ? src[j] : 0.0f;
                }
                out += NR;
            }
        } else {
            // op(B)(p, j) = b(j, p): NR rows of b read side by side.
            const float* src[NR];
            for (int j = 0; j < NR; ++j) src[j] = j < cols ? b.row(j0 + c0 + j) + p0 : nullptr;
            for (int p = 0; p < kc; ++p) {
                for (int j = 0; j < NR; ++j) out[j] = j < cols ? src[j][p] : 0.0f;
                out += NR;
            }
        }
    }
}

}  // namespace fnn
