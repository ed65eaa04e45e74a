// One LayerSpec per call, for tests that build networks layer by layer.
#pragma once

#include "fnn/layer.hpp"

namespace fnn_test {

using fnn::Activation;
using fnn::LayerKind;
using fnn::LayerSpec;
using fnn::Padding;

inline LayerSpec conv(int channels, int kh, int kw, int stride, Padding padding, int pad = 0) {
    LayerSpec s;
    s.kind = LayerKind::Conv2d;
    s.units = channels;
    s.kh = kh, s.kw = kw, s.sh = s.sw = stride;
    s.padding = padding;
    s.pad = pad;
    return s;
}
inline LayerSpec pool(LayerKind kind, int k, int stride = 0) {
    LayerSpec s;
    s.kind = kind;
    s.kh = s.kw = k;
    s.sh = s.sw = stride;
    return s;
}
inline LayerSpec simple(LayerKind kind) {
    LayerSpec s;
    s.kind = kind;
    return s;
}
inline LayerSpec activation(Activation a) {
    LayerSpec s;
    s.kind = LayerKind::Activation;
    s.act = a;
    return s;
}
inline LayerSpec dropout(float rate) {
    LayerSpec s;
    s.kind = LayerKind::Dropout;
    s.rate = rate;
    return s;
}
inline LayerSpec dense(int units) {
    LayerSpec s;
    s.units = units;
    return s;
}

}  // namespace fnn_test
