// A network: a chain of layers (layer.hpp) ending in a dense output layer with softmax, where
// each layer's parameters live in one flat parameter array, and the forward and backward passes
// over a mini-batch, dispatched by layer kind (src/nn/network.cpp; each kind's code is in
// src/nn/layers/).
//
// Every parameter-shaped array (parameters, gradients, optimizer moments) uses the same layout:
// for each layer, its weights (a row-major matrix), then its bias (batch norm: gamma, then beta),
// each starting on a 16-float boundary (padding stays zero). Optimizers can therefore treat them
// as flat vectors. Batch norm's running statistics live in a separate state array.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/activation.hpp"
#include "fnn/arena.hpp"
#include "fnn/gemm.hpp"
#include "fnn/init.hpp"
#include "fnn/layer.hpp"
#include "fnn/matrix.hpp"
#include "fnn/rng.hpp"
#include "fnn/status.hpp"

namespace fnn {

constexpr int kMaxLayers = 64;    // planned layers including the output layer
constexpr int kMaxClasses = 256;  // labels are one byte

// What the user asks for. Either an MLP (n_hidden hidden dense layers of hidden_widths with
// hidden_act), or, when n_specs > 0, the layers listed in specs. Both end in a dense layer to
// n_classes with softmax, which fnn adds.
struct NetworkSpec {
    int n_in = 0;
    int n_classes = 0;
    Shape3 input;  // the input tensor (set from the dataset); c = 0: a vector of n_in values
    int n_hidden = 0;
    int hidden_widths[kMaxLayers - 1] = {};
    Activation hidden_act = Activation::Relu;
    int n_specs = 0;
    LayerSpec specs[kMaxLayers - 1];
};

// Kept for the MLP code paths that call a layer by its old name.
using LayerShape = LayerDesc;

// The resolved architecture and parameter layout.
struct NetworkShape {
    int n_layers = 0;
    LayerDesc layers[kMaxLayers];
    size_t n_params = 0;  // floats in a parameter-shaped array, padding included
    size_t n_state = 0;   // floats of batch norm running statistics

    int n_in() const { return layers[0].n_in; }
    int n_out() const { return layers[n_layers - 1].n_out; }
    int max_width() const;        // widest layer output (values per sample)
    size_t weight_count() const;  // real parameters (no padding)
    size_t macs() const;          // multiply-adds of one sample's forward pass
    bool is_mlp() const;          // dense layers only (what model format 1 can hold)
};

// Parameters a layer trains (weights, bias; batch norm's gamma and beta).
size_t layer_parameter_count(const LayerDesc& d);
// Multiply-adds of one sample's forward pass through the layer (dense and conv2d; 0 otherwise).
size_t layer_macs(const LayerDesc& d);

// Validates the spec (shapes, kernel sizes, widths 1..kMaxUnits, layer count) and plans every
// layer: shapes, fused activations, parameter and state offsets. On failure `err` names the layer.
Status plan_network(const NetworkSpec& spec, NetworkShape& out, ErrorText* err);

// Appends to s.specs the tokens that plan back to the planned layer d (layer l, named in errors):
// its kind and geometry, then its activation as a separate token (the planner fuses it again).
// Unsupported when no padding option gives d's pads or the spec is full (two free slots needed).
Status append_layer_spec(const LayerDesc& d, int l, NetworkSpec& s, ErrorText* err);
// Appends an activation token (nothing for Identity); the caller keeps a slot free.
void append_activation_spec(Activation act, NetworkSpec& s);

// Views of layer l inside any parameter-shaped array.
MatView layer_weights(const NetworkShape& shape, float* flat, int l);  // (w_rows, w_cols)
ConstMatView layer_weights(const NetworkShape& shape, const float* flat, int l);
float* layer_bias(const NetworkShape& shape, float* flat, int l);  // (out channels)

// Fills weights per `init` (layer by layer from `rng`, fan-in and fan-out as for a convolution
// where it is one), zeroes biases and padding, sets batch norm's gamma to 1 and its running
// statistics (state, n_state floats; may be null when there are none) to mean 0, variance 1.
void init_parameters(const NetworkShape& shape, Init init, float* params, float* state, Rng& rng);

// Where a layer's parameters lie in the flat array: [begin, end) holds its weights, batch norm's
// gamma and its bias with their padding, contiguous (empty for a layer without parameters).
struct ParamRange {
    size_t begin, end;
};
ParamRange layer_params(const LayerDesc& d);

// Parameters, gradients, state and the activations of a batch of up to max_batch rows, all
// carved from one arena; forward() and backward() use the scratch arena for GEMM packing and
// convolution columns only.
class Network {
public:
    // Persistent bytes init() carves (outputs for max_batch rows; what backward keeps and the
    // gradient buffers for train_batch rows), and the scratch bytes forward()/backward() need.
    static size_t bytes(const NetworkShape& shape, int max_batch, int train_batch);
    static size_t scratch_bytes(const NetworkShape& shape, int max_batch);

    Status init(const NetworkShape& shape, int max_batch, int train_batch, Arena& persistent,
                ErrorText* err);

    const NetworkShape& shape() const { return shape_; }
    int max_batch() const { return max_batch_; }
    float* params() { return params_; }
    const float* params() const { return params_; }
    float* grads() { return grads_; }
    float* state() { return state_; }
    const float* state() const { return state_; }

    // Dropout draws its masks from this generator (the trainer's; none: dropout cannot train).
    void set_dropout_rng(Rng* rng) { dropout_rng_ = rng; }

    // x: (batch, n_in), batch <= max_batch (training: <= train_batch). Returns the output layer's
    // logits (batch, n_out) (pre-softmax; the loss applies softmax). Layer outputs are kept for
    // backward(). Training mode uses batch statistics for batch norm (and updates its running
    // statistics) and applies dropout; evaluation uses the running statistics and no dropout.
    // Reproducible arithmetic (gemm.hpp) gives the bits the inference library gives on every
    // target; training steps use Fast.
    ConstMatView forward(ConstMatView x, Arena& scratch,
                         GemmArithmetic arithmetic = GemmArithmetic::Reproducible,
                         bool training = false);

    // Output of layer l for the last forward() of `batch` rows (logits for the last layer).
    ConstMatView layer_output(int l, int batch) const { return outputs_[l].row_range(0, batch); }

    // Where the loss writes dL/dlogits (batch, n_out) before backward().
    MatView logits_grad(int batch);

    // After a training forward(x): turns logits_grad(batch) into parameter gradients in grads(),
    // with Fast arithmetic. x is the same input forward() saw. When dx (batch, n_in) is given it
    // also receives dL/dx, which training does not need (gradient checks do).
    // `ready`, when given, is called for each layer with parameters as soon as its gradients
    // are final and backward no longer reads its parameters (the trainer updates them there,
    // while the gradients are in cache).
    struct LayerReady {
        void (*fn)(void* ctx, const LayerDesc& layer);
        void* ctx;
    };
    void backward(ConstMatView x, Arena& scratch, MatView* dx = nullptr,
                  const LayerReady* ready = nullptr);

private:
    NetworkShape shape_;
    int max_batch_ = 0;
    int train_batch_ = 0;
    float* params_ = nullptr;
    float* grads_ = nullptr;
    float* state_ = nullptr;
    Rng* dropout_rng_ = nullptr;
    MatView outputs_[kMaxLayers];  // per layer, (max_batch, n_out): activations, then logits
    void* keep_[kMaxLayers] = {};  // per layer, what backward needs (pool winners, masks, stats)
    MatView delta_[2];             // ping-pong (train_batch, widest) gradient buffers
};

}  // namespace fnn
