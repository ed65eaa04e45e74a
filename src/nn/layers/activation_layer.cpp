// A standalone activation layer (one that cannot fuse into the layer before it, as after a pool):
// the shared activation code (kernels/activation) on a copy of the input.
#include "fnn/activation.hpp"
#include "fnn/gemm_threads.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {

// Samples are independent: the calling thread's pool shares them (fnn/gemm_threads.hpp).
void activation_layer_forward(const LayerDesc& d, ConstMatView x, MatView y) {
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        for (int i = r0; i < r0 + nr; ++i) {
            const float* in = x.row(i);
            float* out = y.row(i);
            for (int k = 0; k < x.cols; ++k) out[k] = in[k];
        }
        activation_forward(d.act, y.row_range(r0, nr));
    });
}

void activation_layer_backward(const LayerDesc& d, ConstMatView y, ConstMatView dy, MatView dx) {
    share_rows(dy.rows, static_cast<size_t>(dy.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        for (int i = r0; i < r0 + nr; ++i) {
            const float* g = dy.row(i);
            float* out = dx.row(i);
            for (int k = 0; k < dy.cols; ++k) out[k] = g[k];
        }
        activation_backward(d.act, y.row_range(r0, nr), dx.row_range(r0, nr));
    });
}

}  // namespace fnn
