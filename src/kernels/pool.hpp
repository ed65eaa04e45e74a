// Max and average pooling of one sample (no padding: windows lie inside the input). The trainer
// runs these per sample too, so training, evaluation and the inference library agree bit for
// bit. MCU-safe.
#pragma once

#include <stdint.h>

#include "fnn/layer.hpp"

namespace fnn {

// x: d.in (channel-planar when d.planar_in), y: d.out channels-last. Window values are visited
// row by row, left to right. Max: the first largest value wins; the _winners form also stores,
// per output value, the index into x of that value (training's backward needs it; a separate
// function so the inference library does not link it). Average: the window's values summed in
// that order, then divided by kh * kw.
void maxpool_forward(const LayerDesc& d, const float* x, float* y);
void maxpool_forward_winners(const LayerDesc& d, const float* x, float* y, int32_t* winner);
void avgpool_forward(const LayerDesc& d, const float* x, float* y);

}  // namespace fnn
