// A standalone activation layer (one that cannot fuse into the layer before it, as after a pool):
// the shared activation code (kernels/activation) on a copy of the input.
#include "fnn/activation.hpp"
#include "fnn/gemm_threads.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

// Rows [r0, r0 + nr) of `from` into the same rows of `to`.
void copy_rows(ConstMatView from, MatView to, int r0, int nr) {
    for (int i = r0; i < r0 + nr; ++i) {
        const float* in = from.row(i);
        float* out = to.row(i);
        for (int k = 0; k < from.cols; ++k) out[k] = in[k];
    }
}

}  // namespace

// Samples are independent: the calling thread's pool shares them (fnn/gemm_threads.hpp).
void activation_layer_forward(const LayerDesc& d, ConstMatView x, MatView y) {
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        copy_rows(x, y, r0, nr);
        activation_forward(d.act, y.row_range(r0, nr));
    });
}

void activation_layer_backward(const LayerDesc& d, ConstMatView y, ConstMatView dy, MatView dx) {
    share_rows(dy.rows, static_cast<size_t>(dy.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        copy_rows(dy, dx, r0, nr);
        activation_backward(d.act, y.row_range(r0, nr), dx.row_range(r0, nr));
    });
}

}  // namespace fnn
