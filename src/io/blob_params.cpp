// From a parsed model blob to the trainer's network: its spec, and its parameters and batch norm
// statistics decoded to floats (host side; the inference library reads the blob in place).
#include <string.h>

#include "base/byte_cursor.hpp"
#include "base/half.hpp"
#include "fnn/blob.hpp"

namespace fnn {
namespace {

// Dense layers only, every hidden layer with the same activation: the MLP flags' form.
bool mlp_form(const ModelBlob& blob) {
    for (int l = 0; l < blob.header.n_layers; ++l) {
        const LayerDesc& d = blob.layers[l].desc;
        if (d.kind != LayerKind::Dense) return false;
        if (l + 1 < blob.header.n_layers && d.act != blob.layers[0].desc.act) return false;
    }
    return true;
}

}  // namespace

Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err) {
    const ModelHeader& h = blob.header;
    NetworkSpec s;
    s.n_in = h.n_in;
    s.n_classes = h.n_classes;
    s.input = model_input(h);
    if (mlp_form(blob)) {
        s.n_hidden = h.n_layers - 1;
        s.hidden_act = h.n_layers > 1 ? blob.layers[0].desc.act : Activation::Relu;
        for (int l = 0; l + 1 < h.n_layers; ++l) s.hidden_widths[l] = blob.layers[l].desc.n_out;
        spec = s;
        return Status::Ok;
    }
    for (int l = 0; l + 1 < h.n_layers; ++l) {
        ErrorText why;
        const Status st = append_layer_spec(blob.layers[l].desc, l, s, &why);
        if (st != Status::Ok) return fail(err, st, "model blob: %s", why.text);
    }
    spec = s;
    return Status::Ok;
}

Status network_from_blob(const ModelBlob& blob, NetworkShape& shape, ErrorText* err) {
    NetworkSpec spec;
    FNN_TRY(network_spec_from_blob(blob, spec, err));
    FNN_TRY(plan_network(spec, shape, err));
    // A valid blob can still list layers the planner would lay out differently (an activation
    // layer after a layer that would have taken it, a window the planner refuses): refuse those
    // rather than decode parameters into a different network.
    bool same = shape.n_layers == blob.header.n_layers;
    for (int l = 0; same && l < shape.n_layers; ++l) {
        const LayerDesc& a = shape.layers[l];
        const LayerDesc& b = blob.layers[l].desc;
        same = a.kind == b.kind && a.act == b.act && a.n_in == b.n_in && a.n_out == b.n_out &&
               a.out.c == b.out.c && a.w_rows == b.w_rows && a.w_cols == b.w_cols &&
               a.kh == b.kh && a.kw == b.kw && a.sh == b.sh && a.sw == b.sw &&
               a.pad_top == b.pad_top && a.pad_left == b.pad_left &&
               a.pad_bottom == b.pad_bottom && a.pad_right == b.pad_right;
    }
    if (!same) {
        return fail(err, Status::Unsupported,
                    "model blob: its layers are not a network fnn plans (an activation layer "
                    "right after a dense, conv2d or batchnorm layer without one, or a window "
                    "fnn train would refuse)");
    }
    return Status::Ok;
}

void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params,
                      float* state) {
    FNN_ASSERT(shape.n_layers == blob.header.n_layers);
    memset(params, 0, shape.n_params * sizeof(float));
    for (int l = 0; l < blob.header.n_layers; ++l) {
        const BlobLayer& layer = blob.layers[l];
        const LayerDesc& d = shape.layers[l];
        if (d.kind == LayerKind::BatchNorm) {
            const int C = d.out.c;
            for (int c = 0; c < C; ++c) {
                params[d.gamma_offset + c] = load_f32le(layer.bias + 4 * c);
                params[d.b_offset + c] = load_f32le(layer.bias + 4 * (C + c));
                state[d.state_offset + c] = load_f32le(layer.bias + 4 * (2 * C + c));
                state[d.state_offset + C + c] = load_f32le(layer.bias + 4 * (3 * C + c));
            }
            continue;
        }
        if (!d.has_weights()) continue;
        MatView w = layer_weights(shape, params, l);
        for (int i = 0; i < w.rows; ++i) {
            float* row = w.row(i);
            for (int j = 0; j < w.cols; ++j) {
                const size_t k = static_cast<size_t>(i) * w.cols + j;
                switch (blob.header.weight_type) {
                    case WeightType::F32: row[j] = load_f32le(layer.weights + 4 * k); break;
                    case WeightType::F16:
                        row[j] = half_to_float(load_u16le(layer.weights + 2 * k));
                        break;
                    case WeightType::Int8:
                        row[j] = static_cast<float>(static_cast<int8_t>(layer.weights[k])) *
                                 load_f32le(layer.scales + 4 * j);
                        break;
                }
            }
        }
        float* b = layer_bias(shape, params, l);
        for (int j = 0; j < w.cols; ++j) b[j] = load_f32le(layer.bias + 4 * j);
    }
}

}  // namespace fnn
