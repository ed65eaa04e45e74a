// Max and average pooling over a batch: each sample through the single-sample kernels the
// inference library runs (kernels/pool.hpp), and the gradients back to the inputs.
#include "kernels/pool.hpp"

#include "fnn/gemm_threads.hpp"
#include "kernels/tensor.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {

Status pool_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err) {
    const int sh = s.sh > 0 ? s.sh : s.kh, sw = s.sw > 0 ? s.sw : s.kw;
    if (s.kh < 1 || s.kw < 1 || s.kh > kMaxKernel || s.kw > kMaxKernel || sh > kMaxKernel ||
        sw > kMaxKernel) {
        return fail(err, Status::Arg, "%s: expected kernel and stride 1..%d, got %dx%d stride %dx%d",
                    layer_kind_name(s.kind), kMaxKernel, s.kh, s.kw, sh, sw);
    }
    d.kh = s.kh, d.kw = s.kw, d.sh = sh, d.sw = sw;
    const int oh = window_output(d.in.h, s.kh, sh, 0, 0), ow = window_output(d.in.w, s.kw, sw, 0, 0);
    if (oh < 1 || ow < 1) {
        return fail(err, Status::Arg, "%s: a %dx%d window does not fit the %dx%d input",
                    layer_kind_name(s.kind), s.kh, s.kw, d.in.h, d.in.w);
    }
    d.out = Shape3{d.in.c, oh, ow};
    return Status::Ok;
}

size_t pool_keep_bytes(const LayerDesc& d, int batch) {
    return d.kind == LayerKind::MaxPool
               ? arena_round(sizeof(int32_t) * static_cast<size_t>(batch) * static_cast<size_t>(d.n_out))
               : 0;
}

namespace {

void pool_forward_one(const LayerDesc& d, ConstMatView x, MatView y, int32_t* winners, int i) {
    if (d.kind == LayerKind::MaxPool) {
        if (winners != nullptr)
            maxpool_forward_winners(d, x.row(i), y.row(i), winners + static_cast<size_t>(i) * d.n_out);
        else
            maxpool_forward(d, x.row(i), y.row(i));
    } else {
        avgpool_forward(d, x.row(i), y.row(i));
    }
}

void pool_backward_one(const LayerDesc& d, ConstMatView dy, MatView dx, const int32_t* winners,
                       int i) {
    float* g = dx.row(i);
    const float* up = dy.row(i);
    for (int k = 0; k < d.n_in; ++k) g[k] = 0.0f;
    if (d.kind == LayerKind::MaxPool) {
        const int32_t* win = winners + static_cast<size_t>(i) * d.n_out;
        for (int o = 0; o < d.n_out; ++o) g[win[o]] += up[o];
        return;
    }
    const TensorIndex in(d.in, d.planar_in);
    const int C = d.out.c;
    const float area = static_cast<float>(d.kh * d.kw);
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            for (int c = 0; c < C; ++c) {
                const float share = up[(static_cast<size_t>(oy) * d.out.w + ox) * C + c] / area;
                for (int ky = 0; ky < d.kh; ++ky)
                    for (int kx = 0; kx < d.kw; ++kx) g[in.at(c, oy * d.sh + ky, ox * d.sw + kx)] += share;
            }
        }
    }
}

}  // namespace

// Samples are independent: the calling thread's pool shares them (fnn/gemm_threads.hpp).
void pool_forward(const LayerDesc& d, ConstMatView x, MatView y, int32_t* winners) {
    share_rows(x.rows, static_cast<size_t>(d.n_in), [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) pool_forward_one(d, x, y, winners, static_cast<int>(i));
    });
}

void pool_backward(const LayerDesc& d, ConstMatView dy, MatView dx, const int32_t* winners) {
    share_rows(dy.rows, static_cast<size_t>(d.n_in), [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) pool_backward_one(d, dy, dx, winners, static_cast<int>(i));
    });
}

}  // namespace fnn
