// What a build of the inference library can run. Firmware that ships one model can leave out the
// arithmetic it never uses (fnn.h, "Smaller builds"); a model that needs a part left out fails to
// load with Status::Unsupported. The flags are constants, not #if blocks, so every part is
// compiled (and type-checked) in every build and dead code is dropped by the optimiser.
#pragma once

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

}  // namespace fnn
