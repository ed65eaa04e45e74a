// 2-D convolution as im2col and the packed GEMM: each output position's receptive field becomes
// a row of K = kh * kw * in.c values ordered (ky, kx, c), zeros where the window leaves the
// input, and the rows of a chunk of samples times the weights (K, out.c) give the outputs
// channels-last. The same k order and the GEMM's arithmetic contract are what the inference
// library follows (kernels/conv2d), so evaluation and the library agree bit for bit.
#include "fnn/activation.hpp"
#include "fnn/gemm_threads.hpp"
#include "kernels/tensor.hpp"
#include "nn/layers/layers.hpp"
#include "nn/layers/sum_blocks.hpp"

namespace fnn {
namespace {

// Samples per chunk: as many as keep the columns within kConvColumnFloats (at least one).
int chunk_samples(const LayerDesc& d, int batch) {
    const size_t per_sample = static_cast<size_t>(d.out.h) * d.out.w * static_cast<size_t>(d.w_rows);
    size_t n = kConvColumnFloats / (per_sample > 0 ? per_sample : 1);
    n = n < 1 ? 1 : n;
    return static_cast<int>(n < static_cast<size_t>(batch) ? n : static_cast<size_t>(batch));
}

// Padding on the two sides of one axis.
void padding_of(const LayerSpec& s, int in, int kernel, int stride, int& before, int& after) {
    if (s.padding == Padding::Explicit) {
        before = after = s.pad;
    } else if (s.padding == Padding::Same) {
        // As TensorFlow and PyTorch: out = ceil(in / stride), the odd pixel at the bottom/right.
        const int out = (in + stride - 1) / stride;
        int total = (out - 1) * stride + kernel - in;
        total = total < 0 ? 0 : total;
        before = total / 2;
        after = total - before;
    } else {
        before = after = 0;
    }
}

// Adds one sample's column gradients back onto its input gradient (zeroed first), in (oy, ox,
// ky, kx) order; a window row's kw * C values are one contiguous run of a channels-last input.
void col2im(const LayerDesc& d, const float* col, float* dx) {
    const TensorIndex in(d.in, d.planar_in);
    for (int i = 0; i < d.n_in; ++i) dx[i] = 0.0f;
    const int C = d.in.c, K = d.w_rows;
    const bool contiguous = !d.planar_in || C == 1;
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            const float* row = col + (static_cast<size_t>(oy) * d.out.w + ox) * K;
            const int ix0 = ox * d.sw - d.pad_left;
            const int kx_lo = ix0 < 0 ? -ix0 : 0;
            const int kx_hi = d.in.w - ix0 < d.kw ? d.in.w - ix0 : d.kw;
            for (int ky = 0; ky < d.kh; ++ky) {
                const int iy = oy * d.sh + ky - d.pad_top;
                if (iy < 0 || iy >= d.in.h || kx_lo >= kx_hi) continue;
                const float* g = row + (ky * d.kw + kx_lo) * C;
                if (contiguous) {
                    float* out = dx + in.at(0, iy, ix0 + kx_lo);
                    const int n = (kx_hi - kx_lo) * C;
                    for (int k = 0; k < n; ++k) out[k] += g[k];
                    continue;
                }
                for (int kx = kx_lo; kx < kx_hi; ++kx, g += C) {
                    for (int c = 0; c < C; ++c) dx[in.at(c, iy, ix0 + kx)] += g[c];
                }
            }
        }
    }
}

}  // namespace

Status conv2d_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err) {
    const int sh = s.sh > 0 ? s.sh : 1, sw = s.sw > 0 ? s.sw : 1;
    if (s.units < 1 || s.units > kMaxSide || s.kh < 1 || s.kh > kMaxKernel || s.kw < 1 ||
        s.kw > kMaxKernel || sh > kMaxKernel || sw > kMaxKernel || s.pad < 0 || s.pad > kMaxKernel) {
        return fail(err, Status::Arg,
                    "conv2d: expected 1..%d channels, kernel, stride and padding 1..%d (padding "
                    "0..%d), got %d channels, %dx%d kernel, stride %dx%d, padding %d",
                    kMaxSide, kMaxKernel, kMaxKernel, s.units, s.kh, s.kw, sh, sw, s.pad);
    }
    d.kh = s.kh, d.kw = s.kw, d.sh = sh, d.sw = sw;
    padding_of(s, d.in.h, s.kh, sh, d.pad_top, d.pad_bottom);
    padding_of(s, d.in.w, s.kw, sw, d.pad_left, d.pad_right);
    const int oh = window_output(d.in.h, s.kh, sh, d.pad_top, d.pad_bottom);
    const int ow = window_output(d.in.w, s.kw, sw, d.pad_left, d.pad_right);
    if (oh < 1 || ow < 1) {
        return fail(err, Status::Arg, "conv2d: a %dx%d kernel does not fit the %dx%d input", s.kh,
                    s.kw, d.in.h, d.in.w);
    }
    d.out = Shape3{s.units, oh, ow};
    d.w_rows = s.kh * s.kw * d.in.c;
    d.w_cols = s.units;
    if (d.out.size() > static_cast<size_t>(kMaxTensor) || d.w_rows > kMaxUnits)
        return fail(err, Status::Arg, "conv2d: output %dx%dx%d or kernel %d values is too large",
                    d.out.h, d.out.w, d.out.c, d.w_rows);
    return Status::Ok;
}

namespace {

// One column of the window, (ky, kx, c), at a time over a whole output row: a load and a store
// per value, for windows whose rows are short runs (one channel) or scattered (planar input),
// where copying run by run would spend its time setting up runs of a few floats.
void im2col_by_window_column(const LayerDesc& d, const float* x, float* col) {
    const TensorIndex in(d.in, d.planar_in);
    const int C = d.in.c, K = d.w_rows;
    for (int oy = 0; oy < d.out.h; ++oy) {
        float* rows = col + static_cast<size_t>(oy) * d.out.w * K;
        for (int ky = 0; ky < d.kh; ++ky) {
            const int iy = oy * d.sh + ky - d.pad_top;
            const bool row_inside = iy >= 0 && iy < d.in.h;
            for (int kx = 0; kx < d.kw; ++kx) {
                for (int c = 0; c < C; ++c) {
                    float* out = rows + (ky * d.kw + kx) * C + c;
                    for (int ox = 0; ox < d.out.w; ++ox) {
                        const int ix = ox * d.sw + kx - d.pad_left;
                        const bool inside = row_inside && ix >= 0 && ix < d.in.w;
                        out[static_cast<size_t>(ox) * K] = inside ? x[in.at(c, iy, ix)] : 0.0f;
                    }
                }
            }
        }
    }
}

}  // namespace

void im2col(const LayerDesc& d, const float* x, float* col) {
    const TensorIndex in(d.in, d.planar_in);
    const int C = d.in.c, K = d.w_rows;
    const bool contiguous = !d.planar_in || C == 1;  // a window row's kw * C values are adjacent
    if (!contiguous || d.kw * C < 16) {
        im2col_by_window_column(d, x, col);
        return;
    }
    // Otherwise each window row is one run of kw * C floats, copied as a whole.
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            float* row = col + (static_cast<size_t>(oy) * d.out.w + ox) * K;
            const int ix0 = ox * d.sw - d.pad_left;
            // The kernel columns that land inside the input: [kx_lo, kx_hi).
            const int kx_lo = ix0 < 0 ? -ix0 : 0;
            const int kx_hi = d.in.w - ix0 < d.kw ? d.in.w - ix0 : d.kw;
            for (int ky = 0; ky < d.kh; ++ky) {
                const int iy = oy * d.sh + ky - d.pad_top;
                float* out = row + ky * d.kw * C;
                if (iy < 0 || iy >= d.in.h || kx_lo >= kx_hi) {
                    for (int k = 0; k < d.kw * C; ++k) out[k] = 0.0f;
                    continue;
                }
                for (int k = 0; k < kx_lo * C; ++k) out[k] = 0.0f;
                const float* src = x + in.at(0, iy, ix0 + kx_lo);
                const int n = (kx_hi - kx_lo) * C;
                for (int k = 0; k < n; ++k) out[kx_lo * C + k] = src[k];
                for (int k = kx_hi * C; k < d.kw * C; ++k) out[k] = 0.0f;
            }
        }
    }
}

size_t conv2d_scratch_bytes(const LayerDesc& d, int batch) {
    const int n = chunk_samples(d, batch);
    const int rows = n * d.out.h * d.out.w, K = d.w_rows, C = d.w_cols;
    const size_t col = arena_floats(static_cast<size_t>(rows) * K);
    const size_t uses[] = {gemm_bytes(rows, C, K),   // forward
                           gemm_bytes(K, C, rows),   // weight gradient
                           gemm_bytes(rows, K, C)};  // column gradient
    size_t most = 0;
    for (size_t b : uses) most = b > most ? b : most;
    // Columns, their gradient, the GEMM's packing and the bias gradient's block sums.
    return 2 * col + most + arena_floats(static_cast<size_t>(kSumBlocks) * C);
}

size_t conv2d_keep_bytes(const LayerDesc& d, int batch) {
    const size_t floats = static_cast<size_t>(batch) * d.out.h * d.out.w * static_cast<size_t>(d.w_rows);
    return floats <= kConvKeptColumnFloats ? arena_floats(floats) : 0;
}

void conv2d_forward(const LayerDesc& d, const float* params, ConstMatView x, MatView y,
                    Arena& scratch, GemmArithmetic arithmetic, float* kept) {
    FNN_ASSERT(y.stride == y.cols);  // outputs are contiguous: (batch * P, out.c) views
    const int batch = x.rows, P = d.out.h * d.out.w, K = d.w_rows, C = d.w_cols;
    const int chunk = chunk_samples(d, batch);
    const size_t mark = scratch.mark();
    float* col = kept != nullptr ? nullptr : scratch.alloc_floats(static_cast<size_t>(chunk) * P * K);
    FNN_ASSERT(kept != nullptr || col != nullptr);
    const ConstMatView w{params + d.w_offset, K, C, C};
    for (int s0 = 0; s0 < batch; s0 += chunk) {
        const int n = batch - s0 < chunk ? batch - s0 : chunk;
        // Training keeps every sample's columns for backward; evaluation reuses one chunk's.
        float* cols = kept != nullptr ? kept + static_cast<size_t>(s0) * P * K : col;
        share_rows(n, static_cast<size_t>(P) * K, [&](size_t begin, size_t end) {
            for (size_t i = begin; i < end; ++i)
                im2col(d, x.row(s0 + static_cast<int>(i)), cols + i * P * K);
        });
        // (n P, K) x (K, C) -> the chunk's outputs, channels-last.
        const ConstMatView a{cols, n * P, K, K};
        const MatView out{y.row(s0), n * P, C, C};
        gemm(Trans::No, Trans::No, 1.0f, a, w, 0.0f, out, scratch, arithmetic);
        // While the chunk is in cache.
        share_rows(n * P, static_cast<size_t>(C), [&](size_t begin, size_t end) {
            bias_activation_forward(d.act, params + d.b_offset,
                                    out.row_range(static_cast<int>(begin), static_cast<int>(end - begin)));
        });
    }
    scratch.rewind(mark);
}

void conv2d_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                     ConstMatView dy, MatView* dx, Arena& scratch, const float* kept) {
    FNN_ASSERT(dy.stride == dy.cols);
    const int batch = x.rows, P = d.out.h * d.out.w, K = d.w_rows, C = d.w_cols;
    const int chunk = chunk_samples(d, batch);
    const size_t mark = scratch.mark();
    // Bias gradient: per channel, the sums over the blocks of samples (sum_blocks.hpp), then
    // the blocks' sums in block order.
    float* block_sums = scratch.alloc_floats(static_cast<size_t>(kSumBlocks) * C);
    FNN_ASSERT(block_sums != nullptr);  // conv2d_scratch_bytes() planned it
    for_each_sum_block(batch, static_cast<size_t>(batch) * P * C, [&](int b, int first, int end) {
        float* sum = block_sums + static_cast<size_t>(b) * C;
        for (int c = 0; c < C; ++c) sum[c] = 0.0f;
        for (size_t r = static_cast<size_t>(first) * P; r < static_cast<size_t>(end) * P; ++r) {
            const float* row = dy.data + r * C;
            for (int c = 0; c < C; ++c) sum[c] += row[c];
        }
    });
    float* db = grads + d.b_offset;
    for (int c = 0; c < C; ++c) db[c] = block_sums[c];
    for (int b = 1; b < kSumBlocks; ++b)
        for (int c = 0; c < C; ++c) db[c] += block_sums[static_cast<size_t>(b) * C + c];
    float* col = kept != nullptr ? nullptr : scratch.alloc_floats(static_cast<size_t>(chunk) * P * K);
    float* dcol = dx != nullptr ? scratch.alloc_floats(static_cast<size_t>(chunk) * P * K) : nullptr;
    FNN_ASSERT((kept != nullptr || col != nullptr) && (dx == nullptr || dcol != nullptr));
    const ConstMatView w{params + d.w_offset, K, C, C};
    MatView dw{grads + d.w_offset, K, C, C};
    for (int s0 = 0; s0 < batch; s0 += chunk) {
        const int n = batch - s0 < chunk ? batch - s0 : chunk;
        const float* cols = kept != nullptr ? kept + static_cast<size_t>(s0) * P * K : col;
        if (kept == nullptr) {
            share_rows(n, static_cast<size_t>(P) * K, [&](size_t begin, size_t end) {
                for (size_t i = begin; i < end; ++i)
                    im2col(d, x.row(s0 + static_cast<int>(i)), col + i * P * K);
            });
        }
        const ConstMatView a{cols, n * P, K, K};
        const ConstMatView g{dy.row(s0), n * P, C, C};
        // dW (K, C) += columns^T (K, n P) * dy (n P, C), chunk after chunk.
        gemm(Trans::Yes, Trans::No, 1.0f, a, g, s0 == 0 ? 0.0f : 1.0f, dw, scratch, GemmArithmetic::Fast);
        if (dx != nullptr) {
            // dcol (n P, K) = dy (n P, C) * W^T (C, K), then back onto the inputs.
            const MatView dc{dcol, n * P, K, K};
            gemm(Trans::No, Trans::Yes, 1.0f, g, w, 0.0f, dc, scratch, GemmArithmetic::Fast);
            share_rows(n, static_cast<size_t>(P) * K, [&](size_t begin, size_t end) {
                for (size_t i = begin; i < end; ++i)
                    col2im(d, dcol + i * P * K, dx->row(s0 + static_cast<int>(i)));
            });
        }
    }
    scratch.rewind(mark);
}

}  // namespace fnn
