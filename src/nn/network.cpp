// MLP layout, forward and backward passes. Shapes in comments use the batch as the row count.
#include "fnn/network.hpp"

#include <string.h>

#include "fnn/gemm.hpp"

namespace fnn {
namespace {

constexpr size_t kParamAlignFloats = 16;  // 64 bytes: every W and b starts on a cache line

size_t align_floats(size_t n) { return (n + kParamAlignFloats - 1) & ~(kParamAlignFloats - 1); }

// Column sums of dz (batch, n) into db (n): the bias gradient.
void column_sums(ConstMatView dz, float* db) {
    for (int j = 0; j < dz.cols; ++j) db[j] = 0.0f;
    for (int i = 0; i < dz.rows; ++i) {
        const float* row = dz.row(i);
        for (int j = 0; j < dz.cols; ++j) db[j] += row[j];
    }
}

}  // namespace

int NetworkShape::max_width() const {
    int widest = 0;
    for (int l = 0; l < n_layers; ++l) widest = layers[l].n_out > widest ? layers[l].n_out : widest;
    return widest;
}

size_t NetworkShape::weight_count() const {
    size_t count = 0;
    for (int l = 0; l < n_layers; ++l) {
        count += static_cast<size_t>(layers[l].n_in) * layers[l].n_out + layers[l].n_out;
    }
    return count;
}

Status plan_network(const NetworkSpec& spec, NetworkShape& out, ErrorText* err) {
    if (spec.n_in < 1 || spec.n_in > kMaxUnits) {
        return fail(err, Status::Arg, "network: expected 1..%d inputs, got %d", kMaxUnits,
                    spec.n_in);
    }
    if (spec.n_classes < 2 || spec.n_classes > kMaxClasses) {
        return fail(err, Status::Arg, "network: expected 2..%d classes, got %d", kMaxClasses,
                    spec.n_classes);
    }
    if (spec.n_hidden < 0 || spec.n_hidden > kMaxLayers - 1) {
        return fail(err, Status::Arg, "network: expected 0..%d hidden layers, got %d",
                    kMaxLayers - 1, spec.n_hidden);
    }
    if (spec.hidden_act == Activation::Softmax) {
        return fail(err, Status::Arg, "network: softmax is only the output activation");
    }
    out = NetworkShape{};
    out.n_layers = spec.n_hidden + 1;
    size_t offset = 0;
    int n_in = spec.n_in;
    for (int l = 0; l < out.n_layers; ++l) {
        const bool last = l == out.n_layers - 1;
        const int n_out = last ? spec.n_classes : spec.hidden_widths[l];
        if (n_out < 1 || n_out > kMaxUnits) {
            return fail(err, Status::Arg, "network: hidden layer %d: expected 1..%d units, got %d",
                        l + 1, kMaxUnits, n_out);
        }
        LayerShape& layer = out.layers[l];
        layer.n_in = n_in;
        layer.n_out = n_out;
        layer.act = last ? Activation::Softmax : spec.hidden_act;
        layer.w_offset = offset;
        offset += align_floats(static_cast<size_t>(n_in) * n_out);
        layer.b_offset = offset;
        offset += align_floats(static_cast<size_t>(n_out));
        n_in = n_out;
    }
    out.n_params = offset;
    return Status::Ok;
}

MatView layer_weights(const NetworkShape& shape, float* flat, int l) {
    const LayerShape& layer = shape.layers[l];
    return MatView{flat + layer.w_offset, layer.n_in, layer.n_out, layer.n_out};
}

ConstMatView layer_weights(const NetworkShape& shape, const float* flat, int l) {
    const LayerShape& layer = shape.layers[l];
    return ConstMatView{flat + layer.w_offset, layer.n_in, layer.n_out, layer.n_out};
}

float* layer_bias(const NetworkShape& shape, float* flat, int l) {
    return flat + shape.layers[l].b_offset;
}

void init_parameters(const NetworkShape& shape, Init init, float* params, Rng& rng) {
    memset(params, 0, shape.n_params * sizeof(float));
    for (int l = 0; l < shape.n_layers; ++l)
        init_weights(init, layer_weights(shape, params, l), rng);
}

size_t Network::bytes(const NetworkShape& shape, int max_batch) {
    size_t total = 2 * arena_floats(shape.n_params);  // parameters + gradients
    for (int l = 0; l < shape.n_layers; ++l) {
        total += arena_floats(static_cast<size_t>(max_batch) * shape.layers[l].n_out);
    }
    total += 2 * arena_floats(static_cast<size_t>(max_batch) * shape.max_width());
    return total;
}

size_t Network::scratch_bytes(const NetworkShape& shape, int max_batch) {
    size_t most = 0;
    for (int l = 0; l < shape.n_layers; ++l) {
        const int n_in = shape.layers[l].n_in;
        const int n_out = shape.layers[l].n_out;
        const size_t uses[] = {gemm_bytes(max_batch, n_out, n_in),   // forward
                               gemm_bytes(n_in, n_out, max_batch),   // weight gradient
                               gemm_bytes(max_batch, n_in, n_out)};  // input gradient
        for (size_t b : uses) most = b > most ? b : most;
    }
    return most;
}

Status Network::init(const NetworkShape& shape, int max_batch, Arena& persistent, ErrorText* err) {
    if (max_batch < 1)
        return fail(err, Status::Arg, "network: batch must be >= 1, got %d", max_batch);
    shape_ = shape;
    max_batch_ = max_batch;
    params_ = persistent.alloc_floats(shape.n_params);
    grads_ = persistent.alloc_floats(shape.n_params);
    for (int l = 0; l < shape.n_layers; ++l)
        outputs_[l] = persistent.alloc_mat(max_batch, shape.layers[l].n_out);
    for (MatView& d : delta_) d = persistent.alloc_mat(max_batch, shape.max_width());
    bool carved = params_ != nullptr && grads_ != nullptr && delta_[0].data && delta_[1].data;
    for (int l = 0; l < shape.n_layers; ++l) carved = carved && outputs_[l].data != nullptr;
    if (!carved) {
        return fail(err, Status::NoMem, "network: arena too small, need %zu bytes",
                    bytes(shape, max_batch));
    }
    memset(params_, 0, shape.n_params * sizeof(float));
    memset(grads_, 0, shape.n_params * sizeof(float));  // padding gradients stay zero
    return Status::Ok;
}

ConstMatView Network::forward(ConstMatView x, Arena& scratch, GemmArithmetic arithmetic) {
    FNN_ASSERT(x.rows <= max_batch_ && x.cols == shape_.n_in());
    const int batch = x.rows;
    ConstMatView input = x;
    for (int l = 0; l < shape_.n_layers; ++l) {
        const LayerShape& layer = shape_.layers[l];
        const MatView z = outputs_[l].row_range(0, batch);  // (batch, n_out)
        gemm(Trans::No, Trans::No, 1.0f, input, layer_weights(shape_, params_, l), 0.0f, z, scratch,
             arithmetic);
        const bool last = l == shape_.n_layers - 1;
        bias_activation_forward(last ? Activation::Identity : layer.act,
                                layer_bias(shape_, params_, l), z);
        input = z;
    }
    return input;
}

MatView Network::logits_grad(int batch) {
    return delta_[(shape_.n_layers - 1) % 2].block(0, 0, batch, shape_.n_out());
}

void Network::backward(ConstMatView x, Arena& scratch, MatView* dx) {
    const int batch = x.rows;
    for (int l = shape_.n_layers - 1; l >= 0; --l) {
        const LayerShape& layer = shape_.layers[l];
        const MatView dz = delta_[l % 2].block(0, 0, batch, layer.n_out);  // (batch, n_out)
        const ConstMatView a_prev = l == 0 ? x : ConstMatView(outputs_[l - 1].row_range(0, batch));
        // dW (n_in, n_out) = a_prev^T (n_in, batch) * dz (batch, n_out)
        gemm(Trans::Yes, Trans::No, 1.0f, a_prev, dz, 0.0f, layer_weights(shape_, grads_, l),
             scratch, GemmArithmetic::Fast);
        column_sums(dz, layer_bias(shape_, grads_, l));
        if (l == 0) {
            // dx (batch, n_in) = dz (batch, n_out) * W^T: only on request, nothing trains x.
            if (dx != nullptr) {
                gemm(Trans::No, Trans::Yes, 1.0f, dz, layer_weights(shape_, params_, 0), 0.0f, *dx,
                     scratch, GemmArithmetic::Fast);
            }
            break;
        }
        // da_prev (batch, n_in) = dz (batch, n_out) * W^T (n_out, n_in), then through f'
        const MatView da_prev = delta_[(l - 1) % 2].block(0, 0, batch, layer.n_in);
        gemm(Trans::No, Trans::Yes, 1.0f, dz, layer_weights(shape_, params_, l), 0.0f, da_prev,
             scratch, GemmArithmetic::Fast);
        activation_backward(shape_.layers[l - 1].act, a_prev, da_prev);
    }
}

}  // namespace fnn
