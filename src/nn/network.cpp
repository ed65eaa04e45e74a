// Networks: planning a spec into layers (shapes, fused activations, parameter layout), and the
// forward and backward passes, dispatched by layer kind to src/nn/layers/. Shapes in comments
// use the batch as the row count.
#include "fnn/network.hpp"

#include <string.h>

#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

constexpr size_t kParamAlignFloats = 16;  // 64 bytes: every tensor starts on a cache line

size_t align_floats(size_t n) { return (n + kParamAlignFloats - 1) & ~(kParamAlignFloats - 1); }

// The layer specs a NetworkSpec stands for: its list, or its MLP fields; then the output layer.
int expand_specs(const NetworkSpec& spec, LayerSpec* out) {
    int n = 0;
    if (spec.n_specs > 0) {
        for (int i = 0; i < spec.n_specs && n < kMaxLayers; ++i) out[n++] = spec.specs[i];
    } else {
        for (int l = 0; l < spec.n_hidden && n + 1 < 2 * kMaxLayers; ++l) {
            LayerSpec dense;
            dense.kind = LayerKind::Dense;
            dense.units = spec.hidden_widths[l];
            out[n++] = dense;
            LayerSpec act;
            act.kind = LayerKind::Activation;
            act.act = spec.hidden_act;
            out[n++] = act;
        }
    }
    LayerSpec output;
    output.kind = LayerKind::Dense;
    output.units = spec.n_classes;
    out[n++] = output;
    return n;
}

bool fuses(LayerKind k) {
    return k == LayerKind::Dense || k == LayerKind::Conv2d || k == LayerKind::BatchNorm;
}

}  // namespace

int NetworkShape::max_width() const {
    int widest = 0;
    for (int l = 0; l < n_layers; ++l) widest = layers[l].n_out > widest ? layers[l].n_out : widest;
    return widest;
}

size_t layer_parameter_count(const LayerDesc& d) {
    size_t n = static_cast<size_t>(d.w_rows) * static_cast<size_t>(d.w_cols);
    if (d.kind == LayerKind::Dense || d.kind == LayerKind::Conv2d) n += static_cast<size_t>(d.out.c);
    if (d.kind == LayerKind::BatchNorm) n += 2 * static_cast<size_t>(d.out.c);
    return n;
}

size_t layer_macs(const LayerDesc& d) {
    if (d.kind == LayerKind::Dense) return static_cast<size_t>(d.n_in) * static_cast<size_t>(d.n_out);
    if (d.kind == LayerKind::Conv2d) {
        return static_cast<size_t>(d.out.h) * static_cast<size_t>(d.out.w) *
               static_cast<size_t>(d.w_rows) * static_cast<size_t>(d.w_cols);
    }
    return 0;
}

size_t NetworkShape::weight_count() const {
    size_t count = 0;
    for (int l = 0; l < n_layers; ++l) count += layer_parameter_count(layers[l]);
    return count;
}

size_t NetworkShape::macs() const {
    size_t total = 0;
    for (int l = 0; l < n_layers; ++l) total += layer_macs(layers[l]);
    return total;
}

bool NetworkShape::is_mlp() const {
    for (int l = 0; l < n_layers; ++l) {
        if (layers[l].kind != LayerKind::Dense) return false;
    }
    return true;
}

Status plan_network(const NetworkSpec& spec, NetworkShape& out, ErrorText* err) {
    if (spec.n_in < 1 || spec.n_in > kMaxTensor) {
        return fail(err, Status::Arg, "network: expected 1..%d inputs, got %d", kMaxTensor, spec.n_in);
    }
    if (spec.n_classes < 2 || spec.n_classes > kMaxClasses) {
        return fail(err, Status::Arg, "network: expected 2..%d classes, got %d", kMaxClasses,
                    spec.n_classes);
    }
    if (spec.n_hidden < 0 || spec.n_hidden > kMaxLayers - 1 || spec.n_specs < 0 ||
        spec.n_specs > kMaxLayers - 1) {
        return fail(err, Status::Arg, "network: expected 0..%d hidden layers, got %d",
                    kMaxLayers - 1, spec.n_specs > 0 ? spec.n_specs : spec.n_hidden);
    }
    if (spec.n_specs == 0 && spec.hidden_act == Activation::Softmax) {
        return fail(err, Status::Arg, "network: softmax is only the output activation");
    }
    if (spec.n_specs == 0) {
        for (int l = 0; l < spec.n_hidden; ++l) {
            if (spec.hidden_widths[l] < 1 || spec.hidden_widths[l] > kMaxUnits) {
                return fail(err, Status::Arg, "network: hidden layer %d: expected 1..%d units, got %d",
                            l + 1, kMaxUnits, spec.hidden_widths[l]);
            }
        }
    }
    Shape3 shape = spec.input.c > 0 ? spec.input : Shape3{spec.n_in, 1, 1};
    if (shape.size() != static_cast<size_t>(spec.n_in)) {
        return fail(err, Status::Arg, "network: input %dx%dx%d does not hold %d values", shape.c,
                    shape.h, shape.w, spec.n_in);
    }
    // An image with several channels arrives channel-planar (datasets store it so).
    bool planar = shape.c > 1 && shape.h * shape.w > 1;
    LayerSpec local[2 * kMaxLayers];
    const int n_specs = expand_specs(spec, local);
    out = NetworkShape{};
    size_t offset = 0, state = 0;
    for (int i = 0; i < n_specs; ++i) {
        const LayerSpec& s = local[i];
        if (s.kind == LayerKind::Flatten) continue;  // dense reads any tensor as a vector
        if (s.kind == LayerKind::Activation && out.n_layers > 0) {
            LayerDesc& previous = out.layers[out.n_layers - 1];
            if (fuses(previous.kind) && previous.act == Activation::Identity) {
                previous.act = s.act;
                continue;
            }
        }
        if (out.n_layers == kMaxLayers) {
            return fail(err, Status::Arg, "network: more than %d layers", kMaxLayers);
        }
        const int index = out.n_layers;
        LayerDesc d;
        d.kind = s.kind;
        d.in = shape;
        d.planar_in = planar;
        d.n_in = static_cast<int>(shape.size());
        d.out = shape;
        Status planned = Status::Ok;
        ErrorText why;
        switch (s.kind) {
            case LayerKind::Dense: planned = dense_plan(s, d, &why); break;
            case LayerKind::Conv2d: planned = conv2d_plan(s, d, &why); break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool: planned = pool_plan(s, d, &why); break;
            case LayerKind::BatchNorm:
                if (planar) {
                    planned = fail(&why, Status::Arg,
                                   "batchnorm: normalises a layer's output, not the %d-channel image "
                                   "input (put a conv2d first)", shape.c);
                }
                break;
            case LayerKind::Activation:
                if (s.act == Activation::Softmax)
                    planned = fail(&why, Status::Arg, "softmax is only the output activation");
                d.act = s.act;
                break;
            case LayerKind::Dropout:
                if (!(s.rate >= 0.0f && s.rate < 1.0f))
                    planned = fail(&why, Status::Arg, "dropout: expected a rate in [0, 1), got %g",
                                   static_cast<double>(s.rate));
                d.rate = s.rate;
                break;
            case LayerKind::Flatten: break;
        }
        if (planned != Status::Ok) {
            // The kinds' messages start with their name; the layer number goes in its place.
            const char* what = why.text;
            const size_t kind_len = strlen(layer_kind_name(s.kind));
            if (strncmp(what, layer_kind_name(s.kind), kind_len) == 0 && what[kind_len] == ':')
                what += kind_len + 2;
            return fail(err, planned, "layer %d (%s): %s", index + 1, layer_kind_name(s.kind), what);
        }
        d.n_out = static_cast<int>(d.out.size());
        if (i == n_specs - 1) d.act = Activation::Softmax;  // the output layer
        // Parameters: weights, then bias (batch norm: gamma, then beta); running statistics.
        if (d.has_weights()) {
            d.w_offset = offset;
            offset += align_floats(static_cast<size_t>(d.w_rows) * d.w_cols);
        }
        if (d.kind == LayerKind::BatchNorm) {
            d.gamma_offset = offset;
            offset += align_floats(static_cast<size_t>(d.out.c));
            d.state_offset = state;
            state += 2 * static_cast<size_t>(d.out.c);
        }
        if (d.has_bias()) {
            d.b_offset = offset;
            offset += align_floats(static_cast<size_t>(d.out.c));
        }
        out.layers[out.n_layers++] = d;
        shape = d.out;
        planar = false;  // every layer writes channels-last
    }
    out.n_params = offset;
    out.n_state = state;
    return Status::Ok;
}

MatView layer_weights(const NetworkShape& shape, float* flat, int l) {
    const LayerDesc& d = shape.layers[l];
    return MatView{flat + d.w_offset, d.w_rows, d.w_cols, d.w_cols};
}

ConstMatView layer_weights(const NetworkShape& shape, const float* flat, int l) {
    const LayerDesc& d = shape.layers[l];
    return ConstMatView{flat + d.w_offset, d.w_rows, d.w_cols, d.w_cols};
}

float* layer_bias(const NetworkShape& shape, float* flat, int l) {
    return flat + shape.layers[l].b_offset;
}

void init_parameters(const NetworkShape& shape, Init init, float* params, float* state, Rng& rng) {
    memset(params, 0, shape.n_params * sizeof(float));
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        if (d.has_weights()) {
            // A convolution's fan-out counts every output it feeds: kh * kw * out channels.
            const int fan_out = d.kind == LayerKind::Conv2d ? d.kh * d.kw * d.w_cols : d.w_cols;
            init_weights(init, layer_weights(shape, params, l), d.w_rows, fan_out, rng);
        }
        if (d.kind == LayerKind::BatchNorm) {
            for (int c = 0; c < d.out.c; ++c) {
                params[d.gamma_offset + c] = 1.0f;
                state[d.state_offset + c] = 0.0f;         // running mean
                state[d.state_offset + d.out.c + c] = 1.0f;  // running variance
            }
        }
    }
}

namespace {

size_t keep_bytes(const LayerDesc& d, int train_batch) {
    switch (d.kind) {
        case LayerKind::Conv2d: return conv2d_keep_bytes(d, train_batch);
        case LayerKind::MaxPool: return pool_keep_bytes(d, train_batch);
        case LayerKind::BatchNorm: return batchnorm_keep_bytes(d);
        case LayerKind::Dropout: return dropout_keep_bytes(d, train_batch);
        default: return 0;
    }
}

int widest_gradient(const NetworkShape& shape) {
    int widest = 0;
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        widest = d.n_out > widest ? d.n_out : widest;
        if (l > 0) widest = d.n_in > widest ? d.n_in : widest;
    }
    return widest;
}

}  // namespace

size_t Network::bytes(const NetworkShape& shape, int max_batch, int train_batch) {
    size_t total = 2 * arena_floats(shape.n_params) + arena_floats(shape.n_state > 0 ? shape.n_state : 1);
    for (int l = 0; l < shape.n_layers; ++l) {
        total += arena_floats(static_cast<size_t>(max_batch) * shape.layers[l].n_out);
        total += keep_bytes(shape.layers[l], train_batch);
    }
    total += 2 * arena_floats(static_cast<size_t>(train_batch) * widest_gradient(shape));
    return total;
}

size_t Network::scratch_bytes(const NetworkShape& shape, int max_batch) {
    size_t most = 0;
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        size_t b = 0;
        if (d.kind == LayerKind::Dense) b = dense_scratch_bytes(d, max_batch);
        if (d.kind == LayerKind::Conv2d) b = conv2d_scratch_bytes(d, max_batch);
        most = b > most ? b : most;
    }
    return most;
}

Status Network::init(const NetworkShape& shape, int max_batch, int train_batch, Arena& persistent,
                     ErrorText* err) {
    if (max_batch < 1 || train_batch < 1 || train_batch > max_batch)
        return fail(err, Status::Arg, "network: batch sizes %d (training) and %d (largest) do not fit",
                    train_batch, max_batch);
    shape_ = shape;
    max_batch_ = max_batch;
    train_batch_ = train_batch;
    params_ = persistent.alloc_floats(shape.n_params);
    grads_ = persistent.alloc_floats(shape.n_params);
    state_ = persistent.alloc_floats(shape.n_state > 0 ? shape.n_state : 1);
    bool carved = params_ != nullptr && grads_ != nullptr && state_ != nullptr;
    for (int l = 0; l < shape.n_layers; ++l) {
        outputs_[l] = persistent.alloc_mat(max_batch, shape.layers[l].n_out);
        const size_t keep = keep_bytes(shape.layers[l], train_batch);
        keep_[l] = keep > 0 ? persistent.alloc(keep) : nullptr;
        carved = carved && outputs_[l].data != nullptr && (keep == 0 || keep_[l] != nullptr);
    }
    const int widest = widest_gradient(shape);
    for (MatView& d : delta_) d = persistent.alloc_mat(train_batch, widest);
    carved = carved && delta_[0].data && delta_[1].data;
    if (!carved) {
        return fail(err, Status::NoMem, "network: arena too small, need %zu bytes",
                    bytes(shape, max_batch, train_batch));
    }
    memset(params_, 0, shape.n_params * sizeof(float));
    memset(grads_, 0, shape.n_params * sizeof(float));  // padding gradients stay zero
    return Status::Ok;
}

ConstMatView Network::forward(ConstMatView x, Arena& scratch, GemmArithmetic arithmetic,
                              bool training) {
    FNN_ASSERT(x.rows <= max_batch_ && x.cols == shape_.n_in());
    FNN_ASSERT(!training || x.rows <= train_batch_);
    const int batch = x.rows;
    ConstMatView input = x;
    for (int l = 0; l < shape_.n_layers; ++l) {
        const LayerDesc& d = shape_.layers[l];
        const MatView y = outputs_[l].row_range(0, batch);  // (batch, n_out), contiguous
        switch (d.kind) {
            case LayerKind::Dense: dense_forward(d, params_, input, y, scratch, arithmetic); break;
            case LayerKind::Conv2d:
                conv2d_forward(d, params_, input, y, scratch, arithmetic,
                               training ? static_cast<float*>(keep_[l]) : nullptr);
                break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                pool_forward(d, input, y, training ? static_cast<int32_t*>(keep_[l]) : nullptr);
                break;
            case LayerKind::BatchNorm:
                batchnorm_forward(d, params_, state_, input, y, static_cast<float*>(keep_[l]), training);
                break;
            case LayerKind::Activation: activation_layer_forward(d, input, y); break;
            case LayerKind::Dropout:
                FNN_ASSERT(!training || dropout_rng_ != nullptr);
                dropout_forward(d, input, y, static_cast<uint8_t*>(keep_[l]), training, dropout_rng_);
                break;
            case LayerKind::Flatten: break;  // never planned
        }
        input = y;
    }
    return input;
}

MatView Network::logits_grad(int batch) {
    return MatView{delta_[(shape_.n_layers - 1) % 2].data, batch, shape_.n_out(), shape_.n_out()};
}

ParamRange layer_params(const LayerDesc& d) {
    if (!d.has_bias()) return {0, 0};  // every layer with parameters has a bias (or beta), last
    const size_t begin = d.has_weights()                    ? d.w_offset
                         : d.kind == LayerKind::BatchNorm ? d.gamma_offset
                                                          : d.b_offset;
    return {begin, d.b_offset + align_floats(static_cast<size_t>(d.out.c))};
}

void Network::backward(ConstMatView x, Arena& scratch, MatView* dx, const LayerReady* ready) {
    const int batch = x.rows;
    for (int l = shape_.n_layers - 1; l >= 0; --l) {
        const LayerDesc& d = shape_.layers[l];
        // dy: the gradient with respect to this layer's output, contiguous (batch, n_out).
        const MatView dy{delta_[l % 2].data, batch, d.n_out, d.n_out};
        const ConstMatView y = outputs_[l].row_range(0, batch);
        // Through the fused activation first (the output layer's softmax is in the loss).
        // (Batch norm applies its own, while each sample is in cache.)
        if (d.kind != LayerKind::Activation && d.kind != LayerKind::BatchNorm &&
            d.act != Activation::Identity && d.act != Activation::Softmax)
            activation_backward(d.act, y, dy);
        const ConstMatView input = l == 0 ? x : ConstMatView(outputs_[l - 1].row_range(0, batch));
        MatView previous{delta_[(l + 1) % 2].data, batch, d.n_in, d.n_in};  // = delta_[(l-1) % 2]
        MatView* grad_in = l > 0 ? &previous : dx;
        if (grad_in == nullptr && !d.has_weights() && !d.has_bias()) break;  // nothing left to learn
        switch (d.kind) {
            case LayerKind::Dense: dense_backward(d, params_, grads_, input, dy, grad_in, scratch); break;
            case LayerKind::Conv2d:
                conv2d_backward(d, params_, grads_, input, dy, grad_in, scratch,
                                static_cast<const float*>(keep_[l]));
                break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                pool_backward(d, dy, *grad_in, static_cast<const int32_t*>(keep_[l]));
                break;
            case LayerKind::BatchNorm:
                batchnorm_backward(d, params_, grads_, input, y, dy, grad_in,
                                   static_cast<float*>(keep_[l]));
                break;
            case LayerKind::Activation: activation_layer_backward(d, y, dy, *grad_in); break;
            case LayerKind::Dropout:
                dropout_backward(d, dy, *grad_in, static_cast<const uint8_t*>(keep_[l]));
                break;
            case LayerKind::Flatten: break;
        }
        if (ready != nullptr && (d.has_weights() || d.has_bias())) ready->fn(ready->ctx, d);
    }
}

}  // namespace fnn
