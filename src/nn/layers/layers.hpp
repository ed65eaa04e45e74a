// The layer kinds' batched code for training and evaluation, one file per kind, dispatched by
// src/nn/network.cpp. Each kind answers the same questions: its output shape and parameters
// (*_plan), what backward needs kept and the scratch its passes use (*_keep_bytes,
// *_scratch_bytes), forward and backward. Shapes: x (batch, d.n_in), y (batch, d.n_out), one
// sample per row (layer.hpp has the tensor orders). Backward receives dy, the gradient with
// respect to the layer's output before its fused activation was applied (network.cpp applies
// the activation's derivative first), accumulates nothing (gradients are overwritten) and
// writes dx only when it is given.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/arena.hpp"
#include "fnn/gemm.hpp"
#include "fnn/layer.hpp"
#include "fnn/matrix.hpp"
#include "fnn/rng.hpp"
#include "fnn/status.hpp"

namespace fnn {

// Planning: from the layer's spec and input, its output shape and (w_rows, w_cols); false with
// `err` for a spec that does not fit the input. Parameter offsets are the network's business.
Status dense_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err);
Status conv2d_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err);
Status pool_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err);

// dense: y = x W + b.
size_t dense_scratch_bytes(const LayerDesc& d, int batch);
void dense_forward(const LayerDesc& d, const float* params, ConstMatView x, MatView y,
                   Arena& scratch, GemmArithmetic arithmetic);
void dense_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                    ConstMatView dy, MatView* dx, Arena& scratch);

// conv2d: im2col (rows of kh * kw * in.c values, ordered (ky, kx, c), zeros for padding) times
// the weights, a chunk of samples at a time so the columns stay within kConvColumnFloats.
// Training keeps the whole batch's columns for backward (conv2d_keep_bytes) when they fit in
// kConvKeptColumnFloats; otherwise backward builds them again (the same values either way).
constexpr size_t kConvColumnFloats = size_t(1) << 20;       // 4 MB of columns at a time
constexpr size_t kConvKeptColumnFloats = size_t(1) << 23;   // 32 MB kept per layer at most
size_t conv2d_scratch_bytes(const LayerDesc& d, int batch);
size_t conv2d_keep_bytes(const LayerDesc& d, int batch);  // 0: too large to keep
// kept: training's column buffer (conv2d_keep_bytes), or null.
void conv2d_forward(const LayerDesc& d, const float* params, ConstMatView x, MatView y,
                    Arena& scratch, GemmArithmetic arithmetic, float* kept);
void conv2d_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                     ConstMatView dy, MatView* dx, Arena& scratch, const float* kept);
// One sample's column matrix: col (P, K), P = out.h * out.w, K = kh * kw * in.c.
void im2col(const LayerDesc& d, const float* x, float* col);

// maxpool and avgpool. Max pooling keeps each output's winning input (int32 per output value).
size_t pool_keep_bytes(const LayerDesc& d, int batch);
void pool_forward(const LayerDesc& d, ConstMatView x, MatView y, int32_t* winners);
void pool_backward(const LayerDesc& d, ConstMatView dy, MatView dx, const int32_t* winners);

// batchnorm: per channel over the batch and the positions. Training uses the batch's mean and
// biased variance and moves the running statistics (state: mean, then unbiased variance, as
// PyTorch) by momentum; evaluation uses the running statistics through the folded form
// (kernels/batchnorm.hpp). Keeps each channel's batch mean and 1/sqrt(var + eps), and room for
// the per-channel sums of fixed blocks of samples (forward's statistics, backward's gradients).
size_t batchnorm_keep_bytes(const LayerDesc& d);
void batchnorm_forward(const LayerDesc& d, const float* params, float* state, ConstMatView x,
                       MatView y, float* keep, bool training);
// y is the layer's output: backward applies the fused activation's derivative to dy itself (in
// place, a sample at a time while it is in cache), so the network does not.
void batchnorm_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                        ConstMatView y, MatView dy, MatView* dx, float* keep);

// dropout (inverted): training zeroes each value with probability rate and scales the rest by
// 1 / (1 - rate), drawing one uniform number per value, sample by sample, from `rng`;
// evaluation copies. Keeps the mask (one byte per value).
size_t dropout_keep_bytes(const LayerDesc& d, int batch);
void dropout_forward(const LayerDesc& d, ConstMatView x, MatView y, uint8_t* mask, bool training,
                     Rng* rng);
void dropout_backward(const LayerDesc& d, ConstMatView dy, MatView dx, const uint8_t* mask);

// A standalone activation: y = f(x); dx = dy * f'(y).
void activation_layer_forward(const LayerDesc& d, ConstMatView x, MatView y);
void activation_layer_backward(const LayerDesc& d, ConstMatView y, ConstMatView dy, MatView dx);

}  // namespace fnn
