// What a build of the inference library can run. Firmware that ships one model can leave out the
// arithmetic it never uses (fnn.h, "Smaller builds"); a model that needs a part left out fails to
// load with Status::Unsupported. The flags are constants, not #if blocks, so every part is
// compiled (and type-checked) in every build and dead code is dropped by the optimiser.
#pragma once

#include "fnn/blob.hpp"

namespace fnn {

#if defined(FNN_INT8_ONLY)
constexpr bool kBuildFloatLayers = false;  // dense and conv2d: int8 weights and activations only
// Batch norm, activation and dropout layers, which int8 exports fold away (fnn/fold.hpp).
constexpr bool kBuildUnfoldedLayers = false;
#else
constexpr bool kBuildFloatLayers = true;
constexpr bool kBuildUnfoldedLayers = true;
#endif
#if defined(FNN_NO_AVGPOOL)
constexpr bool kBuildAvgPool = false;
#else
constexpr bool kBuildAvgPool = true;
#endif
#if defined(FNN_NO_SIGMOID_TANH)
constexpr bool kBuildSigmoidTanh = false;
#else
constexpr bool kBuildSigmoidTanh = true;
#endif
#if defined(FNN_SMALL_CODE)
constexpr bool kBuildSmallCode = true;  // one general loop where a faster special case exists
#else
constexpr bool kBuildSmallCode = false;
#endif

// The parts a build has, as one value, so the host can ask what another build runs.
struct BuildParts {
    bool float_layers, unfolded_layers, avgpool, sigmoid_tanh;
};
constexpr BuildParts kThisBuild{kBuildFloatLayers, kBuildUnfoldedLayers, kBuildAvgPool,
                                kBuildSigmoidTanh};
// FNN_INT8_ONLY, FNN_NO_AVGPOOL and FNN_NO_SIGMOID_TANH together (firmware for int8 models).
constexpr BuildParts kInt8OnlyBuild{false, false, false, false};

// Whether build b has the code for a layer of this kind in a model with these weights. The
// loader asks before it checks the layer's other fields, so a reduced build carries none of the
// checks of the layers it leaves out.
constexpr bool build_has_kind(const BuildParts& b, LayerKind kind, WeightType type) {
    return (b.float_layers || type == WeightType::Int8) &&
           (b.avgpool || kind != LayerKind::AvgPool) &&
           (b.unfolded_layers || (kind != LayerKind::BatchNorm &&
                                  kind != LayerKind::Activation && kind != LayerKind::Dropout));
}

// And for the parsed layer's activation and input scale: without float layers, dense and
// conv2d run on int8 activations only.
inline bool build_has_layer(const BuildParts& b, const BlobLayer& layer) {
    return (b.float_layers || !layer.desc.has_weights() || layer.input_qscale != 0.0f) &&
           (b.sigmoid_tanh || (layer.act != Activation::Sigmoid && layer.act != Activation::Tanh));
}

}  // namespace fnn
