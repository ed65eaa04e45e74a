// Deployable variants: calibration, encoding and the inference library's accuracy.
#include "cli/cli_deploy.hpp"

#include <math.h>

#include <algorithm>

#include "base/build_options.hpp"
#include "fnn/arena.hpp"
#include "fnn/fnn.h"
#include "fnn/fold.hpp"

namespace fnn {

const char* deploy_variant_name(DeployVariant v) {
    switch (v) {
        case DeployVariant::Fp32: return "fp32";
        case DeployVariant::Fp16: return "fp16";
        case DeployVariant::Int8: return "int8";
    }
    return "?";
}

bool parse_deploy_variant(const std::string& name, DeployVariant& out) {
    for (DeployVariant v : {DeployVariant::Fp32, DeployVariant::Fp16, DeployVariant::Int8}) {
        if (name == deploy_variant_name(v)) {
            out = v;
            return true;
        }
    }
    return false;
}

WeightType deploy_weight_type(DeployVariant v) {
    return v == DeployVariant::Fp16 ? WeightType::F16
           : v == DeployVariant::Int8 ? WeightType::Int8
                                      : WeightType::F32;
}

ModelMeta model_meta(Loss loss, const Dataset& data) {
    ModelMeta meta;
    meta.rows = static_cast<uint16_t>(data.header.rows);
    meta.cols = static_cast<uint16_t>(data.header.cols);
    meta.channels = static_cast<uint16_t>(data.header.channels);
    meta.loss = loss;
    meta.names = data.names;  // so the model labels its outputs away from the dataset
    meta.names_bytes = data.names != nullptr ? data.header.names_bytes : 0;
    return meta;
}

std::vector<float> calibrate_activations(const NetworkShape& shape, const float* params,
                                         const float* state, float input_divisor,
                                         const Dataset& data, int samples) {
    const int batch = 64;
    std::vector<unsigned char> bytes(
        arena_buffer_bytes(Network::bytes(shape, batch, 1) + Network::scratch_bytes(shape, batch)));
    Arena arena(bytes.data(), bytes.size());
    Network net;
    ErrorText err;
    FNN_ASSERT(net.init(shape, batch, 1, arena, &err) == Status::Ok);
    std::copy(params, params + shape.n_params, net.params());
    if (shape.n_state > 0) std::copy(state, state + shape.n_state, net.state());
    const int features = data.features();
    std::vector<float> max_abs(shape.n_layers, 0.0f), x(static_cast<size_t>(batch) * features);
    for (int first = 0; first < samples; first += batch) {
        const int n = std::min(batch, samples - first);
        for (int i = 0; i < n; ++i) {
            for (int f = 0; f < features; ++f) {
                const float v = static_cast<float>(data.sample(first + i)[f]) / input_divisor;
                x[static_cast<size_t>(i) * features + f] = v;
                max_abs[0] = std::max(max_abs[0], v);
            }
        }
        net.forward(ConstMatView{x.data(), n, features, features}, arena);
        for (int l = 1; l < shape.n_layers; ++l) {
            const ConstMatView a = net.layer_output(l - 1, n);
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < a.cols; ++j) max_abs[l] = std::max(max_abs[l], std::abs(a.at(i, j)));
        }
    }
    // Only dense and conv2d layers multiply their input by int8 weights; the others keep 0.
    std::vector<float> scales(shape.n_layers, 0.0f);
    for (int l = 0; l < shape.n_layers; ++l) {
        if (shape.layers[l].has_weights())
            scales[l] = max_abs[l] > 0.0f ? max_abs[l] / 127.0f : 1.0f / 127.0f;
    }
    return scales;
}

std::vector<uint8_t> deploy_blob(const NetworkShape& shape, const float* params, const float* state,
                                 const ModelMeta& meta, DeployVariant variant,
                                 const Dataset& calibration) {
    const WeightType type = deploy_weight_type(variant);
    if (variant != DeployVariant::Int8)
        return encode_blob(shape, params, state, meta, type, nullptr);
    const FoldedNetwork folded = fold_for_inference(shape, params, state);
    const std::vector<float> scales = calibrate_activations(
        folded.shape, folded.params.data(), folded.state.data(), meta.input_divisor, calibration,
        std::min(kCalibrationSamples, calibration.count()));
    return encode_blob(folded.shape, folded.params.data(), folded.state.data(), meta, type,
                       scales.data());
}

std::vector<uint8_t> encode_blob(const NetworkShape& shape, const float* params, const float* state,
                                 const ModelMeta& meta, WeightType type, const float* qscales) {
    std::vector<uint8_t> out(model_blob_bytes(shape, type, meta.names_bytes));
    ErrorText err;
    const Status written = write_model_blob(shape, params, state, meta, type, qscales, out.data(),
                                            out.size(), &err);
    FNN_ASSERT(written == Status::Ok);
    (void)written;
    return out;
}

bool runs_on_int8_only_build(const std::vector<uint8_t>& blob) {
    ModelBlob parsed;
    if (parse_model_blob(blob.data(), blob.size(), parsed, nullptr) != Status::Ok) return false;
    for (int l = 0; l < parsed.header.n_layers; ++l) {
        const BlobLayer& layer = parsed.layers[l];
        if (!build_has_kind(kInt8OnlyBuild, layer.desc.kind, parsed.header.weight_type) ||
            !build_has_layer(kInt8OnlyBuild, layer))
            return false;
    }
    return true;
}

double blob_accuracy(const std::vector<uint8_t>& blob, const Dataset& data, int begin, int count) {
    size_t arena_bytes = 0;
    if (count <= 0 || fnn_arena_bytes(blob.data(), blob.size(), &arena_bytes) != FNN_OK) return NAN;
    std::vector<unsigned char> arena(arena_bytes);
    fnn_model* m = nullptr;
    if (fnn_load(blob.data(), blob.size(), arena.data(), arena.size(), &m) != FNN_OK) return NAN;
    std::vector<float> probs(fnn_output_size(m));
    int correct = 0;
    for (int i = begin; i < begin + count; ++i) {
        if (fnn_run_u8(m, data.sample(i), fnn_input_size(m), probs.data(), probs.size()) != FNN_OK)
            return NAN;
        correct += fnn_argmax(probs.data(), probs.size()) == data.labels[i];
    }
    return static_cast<double>(correct) / count;
}

}  // namespace fnn
