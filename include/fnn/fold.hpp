// A trained network folded for inference: the network int8 model files store. Evaluation mode
// makes three kinds of layer redundant, and the fold removes them:
// - dropout is the identity outside training: dropped;
// - batch norm right after a dense or conv2d layer that has no activation (dropouts between do
//   not count) is an affine map per output channel, merged into that layer: with the running
//   statistics folded as batchnorm.hpp computes them (s = g / sqrt(v + eps), t = b - m * s),
//     w'[k][j] = w[k][j] * s[j],   bias'[j] = bias[j] * s[j] + t[j]
//   (w': one f32 multiply; bias': a multiply, then an add; each rounded to nearest, and s and
//   t are those of batchnorm_fold()); the batch norm's activation becomes the layer's;
// - an activation layer right after such a layer becomes its activation (as plan_network()
//   fuses one).
// Other layers stay as they are (a batch norm after a pool or after an activation is kept).
// The folded network computes the same function up to float rounding (the folded weights are
// rounded once more); int8 quantization then sees one weight matrix per layer, and a device
// runs fewer layers with less code (the inference library's FNN_INT8_ONLY build runs only
// dense, conv2d and pool layers: fnn.h, "Smaller builds").
#pragma once

#include <vector>

#include "fnn/network.hpp"
#include "fnn/status.hpp"

namespace fnn {

struct FoldedNetwork {
    NetworkShape shape;
    std::vector<float> params;  // shape.n_params floats
    std::vector<float> state;   // shape.n_state floats (batch norms that were not folded)
};

// Whether folding changes anything: a dropout, or a batch norm that merges into its producer.
bool has_foldable_layers(const NetworkShape& shape);

// The folded network and its parameters from `params` and `state` (shape.n_params and
// shape.n_state floats). A network with nothing to fold comes back as it is.
FoldedNetwork fold_for_inference(const NetworkShape& shape, const float* params,
                                 const float* state);

}  // namespace fnn
