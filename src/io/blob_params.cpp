// From a parsed model blob to the trainer's network: its spec, and its parameters decoded to
// floats (host side; the inference library reads the blob in place instead).
#include <string.h>

#include "base/byte_cursor.hpp"
#include "fnn/blob.hpp"
#include "base/half.hpp"

namespace fnn {

Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err) {
    const ModelHeader& h = blob.header;
    NetworkSpec s;
    s.n_in = h.n_in;
    s.n_classes = h.n_classes;
    s.n_hidden = h.n_layers - 1;
    s.hidden_act = h.n_layers > 1 ? blob.layers[0].act : Activation::Relu;
    for (int l = 0; l + 1 < h.n_layers; ++l) {
        if (blob.layers[l].act != s.hidden_act) {
            return fail(err, Status::Unsupported,
                        "model blob: hidden layers mix activations %s and %s",
                        activation_name(s.hidden_act), activation_name(blob.layers[l].act));
        }
        s.hidden_widths[l] = blob.layers[l].n_out;
    }
    spec = s;
    return Status::Ok;
}

void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params) {
    FNN_ASSERT(shape.n_layers == blob.header.n_layers);
    memset(params, 0, shape.n_params * sizeof(float));
    for (int l = 0; l < blob.header.n_layers; ++l) {
        const BlobLayer& layer = blob.layers[l];
        MatView w = layer_weights(shape, params, l);
        for (int i = 0; i < layer.n_in; ++i) {
            float* row = w.row(i);
            for (int j = 0; j < layer.n_out; ++j) {
                const size_t k = static_cast<size_t>(i) * layer.n_out + j;
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
        for (int j = 0; j < layer.n_out; ++j) b[j] = load_f32le(layer.bias + 4 * j);
    }
}

}  // namespace fnn
