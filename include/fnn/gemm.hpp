// gemm(): C = alpha * op(A) * op(B) + beta * C on strided views, as a packed, cache-blocked
// loop nest around a small micro-kernel (BLIS structure: jc -> pc -> ic -> jr -> ir).
// Packing (gemm_pack.cpp) absorbs transposes and strides; kernels live in gemm_kernel_*.cpp.
//
// Arithmetic contract: each C element is computed K block by K block (blocks of
// gemm_k_step(k), in order); inside a block products are added one at a time, in k order, to an
// accumulator starting at +0. Then C = alpha*acc + beta*C for the first block and
// C = alpha*acc + C for the others. Products whose A value is zero may be skipped, which changes
// no bits for finite B. Each product-add is either
//   Reproducible: a separate IEEE multiply and add (build with -ffp-contract=off), so every
//                 kernel on every target gives the same bits; inference relies on this, or
//   Fast:         one fused multiply-add where the CPU has it (about 8% faster training here,
//                 and less sensitive to a busy sibling hyperthread); the Reproducible kernels
//                 otherwise.
#pragma once

#include <stddef.h>

#include "fnn/arena.hpp"
#include "fnn/matrix.hpp"

namespace fnn {

enum class Trans : unsigned char { No, Yes };
enum class GemmArithmetic : unsigned char { Reproducible, Fast };

// Register tile of the micro-kernel: MR rows x NR columns of C stay in registers. 6 x 16 uses
// 12 of the 16 AVX registers for accumulators and leaves room for two B vectors and one A value.
constexpr int kGemmMR = 6;
constexpr int kGemmNR = 16;
// KC: depth of one packed block; a KC x NR sliver of B (16 KB at 256) stays in a 32 KB L1.
constexpr int kGemmKC = 256;
// MC: rows of A packed at once; MC x KC floats (96 KB) stay in a 512 KB L2.
constexpr int kGemmMC = 96;
// NC: columns of B packed at once; KC x NC floats (2 MB) live in L3.
constexpr int kGemmNC = 2048;

// C: (m, n); op(A): (m, k); op(B): (k, n). beta == 0 overwrites C without reading it, so C may
// hold NaNs. Pack buffers come from `scratch` (needs gemm_bytes(m, n, k)) and are released.
void gemm(Trans ta, Trans tb, float alpha, ConstMatView a, ConstMatView b, float beta, MatView c,
          Arena& scratch, GemmArithmetic arithmetic = GemmArithmetic::Reproducible);

// Scratch bytes gemm() carves for these dimensions, enough for any smaller product too.
size_t gemm_bytes(int m, int n, int k);

// Depth of each K block for a product of depth k: k split into ceil(k / KC) nearly equal
// blocks, every block but the last exactly this long. Part of the arithmetic contract above
// (the inference library follows it without linking the GEMM).
inline int gemm_k_step(int k) {
    if (k <= kGemmKC) return k;
    const int blocks = (k + kGemmKC - 1) / kGemmKC;
    return (k + blocks - 1) / blocks;
}

// Name of the micro-kernel gemm() uses on this machine: "portable", "avx", "avx2+fma",
// "avx512" or "avx512+fma".
const char* gemm_kernel_name(GemmArithmetic arithmetic = GemmArithmetic::Reproducible);

// The best kernel family the environment allows: FNN_ISA=avx512 (the default: whatever the CPU
// has), avx2 (AVX2+FMA at most), avx or ref (the portable kernel), for comparisons and bug
// reports. Every family gives the same bits, so this changes speed only. An unknown value is
// reported on stderr once and ignored. Read once, at the first GEMM.
enum class GemmIsa { Ref, Avx, Avx2, Avx512 };
GemmIsa gemm_isa_limit();

// Plain triple loop with double accumulation: the test oracle, never used for speed.
void gemm_naive(Trans ta, Trans tb, float alpha, ConstMatView a, ConstMatView b, float beta,
                MatView c);

}  // namespace fnn
