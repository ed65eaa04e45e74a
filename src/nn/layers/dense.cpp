// Dense layers: y = x W + b through the packed GEMM, and their gradients.
#include "fnn/activation.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

// Column sums of dz (batch, n) into db (n): the bias gradient.
void column_sums(ConstMatView dz, float* db) {
    for (int j = 0; j < dz.cols; ++j) db[j] = 0.0f;
    for (int i = 0; i < dz.rows; ++i) {
        const float* row = dz.row(i);
        for (int j = 0; j < dz.cols; ++j) db[j] += row[j];
    }
}

ConstMatView weights(const LayerDesc& d, const float* flat) {
    return ConstMatView{flat + d.w_offset, d.w_rows, d.w_cols, d.w_cols};
}

}  // namespace

Status dense_plan(const LayerSpec& s, LayerDesc& d, ErrorText* err) {
    if (s.units < 1 || s.units > kMaxUnits)
        return fail(err, Status::Arg, "dense: expected 1..%d units, got %d", kMaxUnits, s.units);
    if (d.n_in > kMaxUnits)
        return fail(err, Status::Arg, "dense: takes at most %d inputs, got %d (pool or stride first)", kMaxUnits, d.n_in);
    d.out = Shape3{s.units, 1, 1};
    d.w_rows = d.n_in;
    d.w_cols = s.units;
    return Status::Ok;
}

size_t dense_scratch_bytes(const LayerDesc& d, int batch) {
    const size_t uses[] = {gemm_bytes(batch, d.n_out, d.n_in),   // forward
                           gemm_bytes(d.n_in, d.n_out, batch),   // weight gradient
                           gemm_bytes(batch, d.n_in, d.n_out)};  // input gradient
    size_t most = 0;
    for (size_t b : uses) most = b > most ? b : most;
    return most;
}

void dense_forward(const LayerDesc& d, const float* params, ConstMatView x, MatView y,
                   Arena& scratch, GemmArithmetic arithmetic) {
    // x (batch, n_in), W (n_in, n_out), y (batch, n_out)
    gemm(Trans::No, Trans::No, 1.0f, x, weights(d, params), 0.0f, y, scratch, arithmetic);
    // The output layer's softmax belongs to the loss: its forward leaves logits.
    bias_activation_forward(d.act == Activation::Softmax ? Activation::Identity : d.act,
                            params + d.b_offset, y);
}

void dense_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                    ConstMatView dy, MatView* dx, Arena& scratch) {
    // dW (n_in, n_out) = x^T (n_in, batch) * dy (batch, n_out)
    MatView dw{grads + d.w_offset, d.w_rows, d.w_cols, d.w_cols};
    gemm(Trans::Yes, Trans::No, 1.0f, x, dy, 0.0f, dw, scratch, GemmArithmetic::Fast);
    column_sums(dy, grads + d.b_offset);
    // dx (batch, n_in) = dy (batch, n_out) * W^T (n_out, n_in)
    if (dx != nullptr)
        gemm(Trans::No, Trans::Yes, 1.0f, dy, weights(d, params), 0.0f, *dx, scratch, GemmArithmetic::Fast);
}

}  // namespace fnn
