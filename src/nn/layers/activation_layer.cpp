// A standalone activation layer (one that cannot fuse into the layer before it, as after a pool):
// the shared activation code (kernels/activation) on a copy of the input.
#include "fnn/activation.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {

void activation_layer_forward(const LayerDesc& d, ConstMatView x, MatView y) {
    for (int i = 0; i < x.rows; ++i) {
        const float* in = x.row(i);
        float* out = y.row(i);
        for (int k = 0; k < x.cols; ++k) out[k] = in[k];
    }
    activation_forward(d.act, y);
}

void activation_layer_backward(const LayerDesc& d, ConstMatView y, ConstMatView dy, MatView dx) {
    for (int i = 0; i < dy.rows; ++i) {
        const float* g = dy.row(i);
        float* out = dx.row(i);
        for (int k = 0; k < dy.cols; ++k) out[k] = g[k];
    }
    activation_backward(d.act, y, dx);
}

}  // namespace fnn
