// A planned network as a table, one row per layer, as Keras' model.summary() and torchsummary
// print it: kind and window, output shape, parameters, multiply-adds; then the totals. Printed
// by `fnn train` at start-up and by `fnnpack info` for a saved model.
#pragma once

#include <string>

#include "fnn/network.hpp"

namespace fnn {

// "conv2d 3x3 s2 p1", "maxpool 2x2", "dense", "batchnorm", "dropout 0.25", "relu" ...
std::string layer_title(const LayerDesc& d);

// The table, each line ending in '\n', indented by `indent` spaces.
std::string network_summary(const NetworkShape& shape, int indent = 2);

// 1234567 -> "1,234,567" (tables of sizes and counts).
std::string grouped(size_t n);

}  // namespace fnn
