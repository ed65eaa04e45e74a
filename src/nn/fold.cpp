// Folding a trained network for inference (see fold.hpp).
#include "fnn/fold.hpp"

#include "kernels/batchnorm.hpp"

namespace fnn {
namespace {

bool multiplies(LayerKind kind) { return kind == LayerKind::Dense || kind == LayerKind::Conv2d; }

// Layer l is a batch norm that merges into the dense or conv2d layer before it (dropouts
// between are skipped), which has no activation of its own.
bool folds_into_producer(const NetworkShape& shape, int l) {
    if (shape.layers[l].kind != LayerKind::BatchNorm) return false;
    int p = l - 1;
    while (p >= 0 && shape.layers[p].kind == LayerKind::Dropout) --p;
    return p >= 0 && multiplies(shape.layers[p].kind) &&
           shape.layers[p].act == Activation::Identity;
}

// The batch norm that merges into the producer at l, or -1.
int folded_batchnorm_after(const NetworkShape& shape, int l) {
    int k = l + 1;
    while (k < shape.n_layers && shape.layers[k].kind == LayerKind::Dropout) ++k;
    return k < shape.n_layers && folds_into_producer(shape, k) ? k : -1;
}

// The layers of `shape` that keep their parameters in the folded network, in order: producers
// (dense, conv2d) and batch norms that do not fold.
bool keeps_parameters(const NetworkShape& shape, int l) {
    const LayerKind kind = shape.layers[l].kind;
    return multiplies(kind) || (kind == LayerKind::BatchNorm && !folds_into_producer(shape, l));
}

// The folded network's plan: the spec of every layer but dropouts and folded batch norms (whose
// activations follow their producer as activation tokens, fused by the planner).
NetworkShape folded_shape(const NetworkShape& shape) {
    NetworkSpec spec;
    spec.n_in = shape.n_in();
    spec.n_classes = shape.n_out();
    spec.input = shape.layers[0].in;
    for (int l = 0; l + 1 < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        if (d.kind == LayerKind::Dropout) continue;
        if (folds_into_producer(shape, l)) {
            append_activation_spec(d.act, spec);
            continue;
        }
        // The shape came from plan_network(), so its layers plan again.
        const Status appended = append_layer_spec(d, l, spec, nullptr);
        FNN_ASSERT(appended == Status::Ok);
        (void)appended;
    }
    NetworkShape out;
    const Status planned = plan_network(spec, out, nullptr);
    FNN_ASSERT(planned == Status::Ok);
    (void)planned;
    return out;
}

}  // namespace

bool has_foldable_layers(const NetworkShape& shape) {
    for (int l = 0; l < shape.n_layers; ++l) {
        if (shape.layers[l].kind == LayerKind::Dropout || folds_into_producer(shape, l))
            return true;
    }
    return false;
}

FoldedNetwork fold_for_inference(const NetworkShape& shape, const float* params,
                                 const float* state) {
    FoldedNetwork f;
    if (!has_foldable_layers(shape)) {
        f.shape = shape;
        f.params.assign(params, params + shape.n_params);
        f.state.assign(state, state + shape.n_state);
        return f;
    }
    f.shape = folded_shape(shape);
    f.params.assign(f.shape.n_params, 0.0f);
    f.state.assign(f.shape.n_state, 0.0f);
    std::vector<float> scale, shift;
    int o = 0;  // the next layer of `shape` whose parameters are not placed yet
    for (int n = 0; n < f.shape.n_layers; ++n) {
        const LayerDesc& to = f.shape.layers[n];
        if (!multiplies(to.kind) && to.kind != LayerKind::BatchNorm) continue;
        while (!keeps_parameters(shape, o)) ++o;
        const LayerDesc& from = shape.layers[o];
        FNN_ASSERT(from.kind == to.kind && from.w_rows == to.w_rows && from.w_cols == to.w_cols &&
                   from.out.c == to.out.c);
        const int C = to.out.c;
        if (to.kind == LayerKind::BatchNorm) {
            for (int c = 0; c < C; ++c) {
                f.params[to.gamma_offset + c] = params[from.gamma_offset + c];
                f.params[to.b_offset + c] = params[from.b_offset + c];
                f.state[to.state_offset + c] = state[from.state_offset + c];
                f.state[to.state_offset + C + c] = state[from.state_offset + C + c];
            }
            ++o;
            continue;
        }
        const size_t weights = static_cast<size_t>(to.w_rows) * to.w_cols;
        for (size_t k = 0; k < weights; ++k) f.params[to.w_offset + k] = params[from.w_offset + k];
        for (int j = 0; j < C; ++j) f.params[to.b_offset + j] = params[from.b_offset + j];
        const int bn = folded_batchnorm_after(shape, o);
        if (bn >= 0) {
            const LayerDesc& b = shape.layers[bn];
            scale.assign(C, 0.0f);
            shift.assign(C, 0.0f);
            batchnorm_fold(params + b.gamma_offset, params + b.b_offset, state + b.state_offset,
                           state + b.state_offset + C, b.bn_eps, C, scale.data(), shift.data());
            for (size_t k = 0; k < weights; ++k) f.params[to.w_offset + k] *= scale[k % C];
            for (int j = 0; j < C; ++j)
                f.params[to.b_offset + j] = f.params[to.b_offset + j] * scale[j] + shift[j];
        }
        ++o;
    }
    return f;
}

}  // namespace fnn
