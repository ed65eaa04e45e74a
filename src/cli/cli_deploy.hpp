// The deployable variants of a trained model: the blob an embedder ships (fp32, fp16 or int8
// weights; int8 also quantizes activations, calibrated on training samples) and its accuracy as
// the inference library computes it. fnnpack model converts files with it; a device-constrained
// sweep scores every trial on the variant it would deploy.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "fnn/blob.hpp"
#include "fnn/dataset.hpp"
#include "fnn/network.hpp"

namespace fnn {

// What a device runs. Int8: int8 weights and int8 activations (the smallest RAM and flash).
enum class DeployVariant { Fp32, Fp16, Int8 };
const char* deploy_variant_name(DeployVariant v);                      // "fp32", "fp16", "int8"
bool parse_deploy_variant(const std::string& name, DeployVariant& out);  // false if unknown
WeightType deploy_weight_type(DeployVariant v);  // the blob's weight type for the variant

// A model on a device, in bytes (macs: multiply-adds per inference). What each part is:
// sweep/cli_device.hpp.
struct Footprint {
    size_t code = 0, blob = 0, arena = 0, stack = 0, input = 0, macs = 0;
    size_t flash() const { return code + blob; }
    size_t ram() const { return arena + stack + input; }
};

// What a device-constrained sweep's trial ships, and how the shipped variant scores.
struct Deployment {
    bool present = false;
    DeployVariant variant = DeployVariant::Int8;
    Footprint footprint;
    double parent_val_acc = 0.0, parent_test_acc = 0.0;  // the fp32 model it came from
};

// The blob header fields a model trained on `data` with `loss` carries (input shape, divisor,
// class names pointing into `data`).
ModelMeta model_meta(Loss loss, const Dataset& data);

// Samples the int8 activation scales are calibrated on: the first this many training samples
// (fnnpack model --calibration_samples' default).
constexpr int kCalibrationSamples = 1000;

// Per-layer input scales for int8 activations: the largest |input| each dense or conv2d layer
// sees over the first `samples` samples of `data`, divided by 127 (1/127 when it saw only
// zeros); 0 for layers without weights.
std::vector<float> calibrate_activations(const NetworkShape& shape, const float* params,
                                         const float* state, float input_divisor,
                                         const Dataset& data, int samples);

// The blob of `variant` for these parameters. Int8 stores the network folded for inference
// (fold.hpp) and calibrates its activations on `calibration` (its first kCalibrationSamples
// samples, or all it has).
std::vector<uint8_t> deploy_blob(const NetworkShape& shape, const float* params, const float* state,
                                 const ModelMeta& meta, DeployVariant variant,
                                 const Dataset& calibration);

// The blob of exactly this network with `type` weights (qscales: int8 activation scales per
// layer, or null); the parameters must be finite (a trained or decoded model's are).
std::vector<uint8_t> encode_blob(const NetworkShape& shape, const float* params, const float* state,
                                 const ModelMeta& meta, WeightType type, const float* qscales);

// Whether the inference library built for int8 models only (fnn.h, "Smaller builds": the
// FNN_INT8_ONLY, FNN_NO_AVGPOOL and FNN_NO_SIGMOID_TANH options together) runs this valid blob:
// int8 weights, every dense and conv2d layer on int8 activations, max pools, ReLU, and no batch
// norm, activation or dropout layers (what folding leaves of most networks). Firmware exported
// for such a model links that build, which is 2 to 3 KB smaller.
bool runs_on_int8_only_build(const std::vector<uint8_t>& blob);

// A blob's accuracy on samples [begin, begin + count) of `data` through the inference library
// (fnn_run_u8, as a device runs it); NaN when the library refuses the blob or a run fails.
double blob_accuracy(const std::vector<uint8_t>& blob, const Dataset& data, int begin, int count);

}  // namespace fnn
