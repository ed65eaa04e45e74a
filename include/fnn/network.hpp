// The multilayer perceptron: layer shapes, where each layer's parameters live inside one flat
// parameter array, and the forward and backward passes over a mini-batch.
//
// Every parameter-shaped array (weights, gradients, optimizer moments) uses the same layout:
// for each layer l, W_l as an (n_in, n_out) row-major matrix, then b_l (n_out), each starting on
// a 16-float boundary (padding stays zero). Optimizers can therefore treat them as flat vectors.
#pragma once

#include <stddef.h>

#include "fnn/activation.hpp"
#include "fnn/arena.hpp"
#include "fnn/gemm.hpp"
#include "fnn/init.hpp"
#include "fnn/matrix.hpp"
#include "fnn/rng.hpp"
#include "fnn/status.hpp"

namespace fnn {

constexpr int kMaxLayers = 64;      // dense layers including the output layer
constexpr int kMaxUnits = 1 << 16;  // widest layer (inputs included) fnn accepts
constexpr int kMaxClasses = 256;    // labels are one byte

// What the user asks for: inputs -> hidden widths -> classes.
struct NetworkSpec {
    int n_in = 0;
    int n_classes = 0;
    int n_hidden = 0;
    int hidden_widths[kMaxLayers - 1] = {};
    Activation hidden_act = Activation::Relu;
};

struct LayerShape {
    int n_in = 0;
    int n_out = 0;
    Activation act = Activation::Identity;  // hidden activation, or Softmax for the output layer
    size_t w_offset = 0;                    // into a parameter-shaped array, in floats
    size_t b_offset = 0;
};

// The resolved architecture and parameter layout.
struct NetworkShape {
    int n_layers = 0;
    LayerShape layers[kMaxLayers];
    size_t n_params = 0;  // floats in a parameter-shaped array, padding included

    int n_in() const { return layers[0].n_in; }
    int n_out() const { return layers[n_layers - 1].n_out; }
    int max_width() const;        // widest layer output
    size_t weight_count() const;  // real parameters (no padding)
};

// Validates the spec (at least one class pair, widths 1..kMaxUnits, layer count) and lays out
// the parameters.
Status plan_network(const NetworkSpec& spec, NetworkShape& out, ErrorText* err);

// Views of layer l inside any parameter-shaped array.
MatView layer_weights(const NetworkShape& shape, float* flat, int l);  // (n_in, n_out)
ConstMatView layer_weights(const NetworkShape& shape, const float* flat, int l);
float* layer_bias(const NetworkShape& shape, float* flat, int l);  // (n_out)

// Fills weights per `init` (layer by layer from `rng`) and zeroes biases and padding.
void init_parameters(const NetworkShape& shape, Init init, float* params, Rng& rng);

// Parameters, gradients and the activations of a batch of up to max_batch rows, all carved
// from one arena; forward() and backward() only use the scratch arena for GEMM packing.
class Network {
public:
    // Persistent bytes init() carves, and the scratch bytes forward()/backward() need.
    static size_t bytes(const NetworkShape& shape, int max_batch);
    static size_t scratch_bytes(const NetworkShape& shape, int max_batch);

    Status init(const NetworkShape& shape, int max_batch, Arena& persistent, ErrorText* err);

    const NetworkShape& shape() const { return shape_; }
    int max_batch() const { return max_batch_; }
    float* params() { return params_; }
    const float* params() const { return params_; }
    float* grads() { return grads_; }

    // x: (batch, n_in), batch <= max_batch. Returns the output layer's logits (batch, n_out)
    // (pre-softmax; the loss applies softmax). Hidden outputs are kept for backward().
    // Reproducible arithmetic (gemm.hpp) gives the bits the inference library gives on every
    // target; training steps use Fast.
    ConstMatView forward(ConstMatView x, Arena& scratch,
                         GemmArithmetic arithmetic = GemmArithmetic::Reproducible);

    // Output of layer l for the last forward() of `batch` rows (activations; logits for the last).
    ConstMatView layer_output(int l, int batch) const { return outputs_[l].row_range(0, batch); }

    // Where the loss writes dL/dlogits (batch, n_out) before backward().
    MatView logits_grad(int batch);

    // After forward(x): turns logits_grad(batch) into parameter gradients in grads(), with Fast
    // arithmetic. x is the same input forward() saw. When dx (batch, n_in) is given it also
    // receives dL/dx, which training does not need (gradient checks and saliency maps do).
    void backward(ConstMatView x, Arena& scratch, MatView* dx = nullptr);

private:
    NetworkShape shape_;
    int max_batch_ = 0;
    float* params_ = nullptr;
    float* grads_ = nullptr;
    MatView outputs_[kMaxLayers];  // per layer, (max_batch, n_out): activations, then logits
    MatView delta_[2];             // ping-pong (max_batch, max_width) gradient buffers
};

}  // namespace fnn
