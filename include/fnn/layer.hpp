// Layers: the kinds a network is built from, a layer as a user asks for it (LayerSpec: one token
// of --arch) and as planned (LayerDesc: shapes, padding, where its parameters live), shared by
// the trainer, the model file and the inference library. C headers only: MCU-safe.
//
// Tensors: a sample's activations are (channels, height, width). Every layer writes its output
// channels-last ((y * width + x) * channels + c), the order im2col and the GEMM produce; only the
// network's input may be channel-planar (c * height * width + y * width + x: how datasets store
// images). A dense layer reads its input tensor, in whatever order, as one vector.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/activation.hpp"

namespace fnn {

constexpr int kMaxUnits = 1 << 16;       // widest dense layer (inputs included) fnn accepts
constexpr int kMaxSide = 4096;           // largest tensor side and channel count
constexpr int kMaxTensor = 1 << 22;      // most values in one sample's tensor
constexpr int kMaxKernel = 255;          // largest kernel side, stride and padding

// Numbering is the model file's layer kind code (blob.hpp).
enum class LayerKind : uint8_t {
    Dense = 1,
    Conv2d = 2,
    MaxPool = 3,
    AvgPool = 4,
    BatchNorm = 5,
    Activation = 6,  // a standalone activation (one right after dense, conv2d or batchnorm fuses)
    Dropout = 7,     // inverted dropout in training; stored in model files, identity when run
    Flatten = 8,     // only in a LayerSpec: dense reads any tensor as a vector
};
// "dense", "conv2d", "maxpool", ...; const (a static string per kind), so a build whose error
// messages are compiled out (FNN_NO_MESSAGES) drops the calls that only fed them.
#if defined(__GNUC__)
__attribute__((const))
#endif
const char* layer_kind_name(LayerKind kind);

struct Shape3 {
    int c = 0;
    int h = 1;
    int w = 1;
    size_t size() const { return static_cast<size_t>(c) * static_cast<size_t>(h) * static_cast<size_t>(w); }
};

enum class Padding : uint8_t { Valid, Same, Explicit };

// One layer as asked for.
struct LayerSpec {
    LayerKind kind = LayerKind::Dense;
    int units = 0;                // dense: outputs; conv2d: output channels
    int kh = 0, kw = 0;           // conv2d and pools: kernel height and width
    int sh = 0, sw = 0;           // strides; 0: 1 for conv2d, the kernel for pools
    Padding padding = Padding::Valid;
    int pad = 0;                  // Padding::Explicit: zeros on every side
    float rate = 0.0f;            // dropout: probability of dropping a value
    Activation act = Activation::Identity;  // LayerKind::Activation
};

// One planned layer. Parameter offsets index the network's flat parameter array (network.hpp);
// the state offset its state array (batch norm's running statistics, which no optimizer touches).
struct LayerDesc {
    LayerKind kind = LayerKind::Dense;
    Activation act = Activation::Identity;  // applied to the output (Softmax: the output layer)
    Shape3 in, out;
    bool planar_in = false;  // the input is channel-planar (the network's image input)
    int n_in = 0;            // in.size()
    int n_out = 0;           // out.size()
    int kh = 0, kw = 0, sh = 1, sw = 1;  // conv2d and pools
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // conv2d: zeros around the input
    float rate = 0.0f;                    // dropout
    float bn_eps = 1e-5f;                 // batchnorm: y = (x - mean) / sqrt(var + eps) * g + b
    float bn_momentum = 0.1f;             // batchnorm: running = (1 - m) running + m batch
    // Weights as a matrix: dense (n_in, n_out); conv2d (kh * kw * in.c, out.c), row index
    // (ky * kw + kx) * in.c + c. 0 x 0 for layers without weights.
    int w_rows = 0, w_cols = 0;
    size_t w_offset = 0;      // weights
    size_t b_offset = 0;      // bias (dense, conv2d: out channels); batchnorm: beta
    size_t gamma_offset = 0;  // batchnorm: gamma
    size_t state_offset = 0;  // batchnorm: running mean (C), then running variance (C)
    bool has_weights() const { return w_rows > 0; }
    bool has_bias() const { return kind == LayerKind::Dense || kind == LayerKind::Conv2d || kind == LayerKind::BatchNorm; }
    int channels() const { return out.c; }
};

// The output size of a convolution or pool along one axis, or 0 when the window does not fit.
inline int window_output(int in, int kernel, int stride, int pad_before, int pad_after) {
    const int span = in + pad_before + pad_after - kernel;
    return span < 0 || stride < 1 ? 0 : span / stride + 1;
}

}  // namespace fnn
