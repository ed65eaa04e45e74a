// --arch: a network as one compact string of comma-separated layers, and the course's presets.
//
//   conv<C>k<K>[x<K2>][s<S>][p<P>|psame|pvalid]  C output channels, a K x K (or K x K2: height x
//                                                 width) kernel, stride S (1), zero padding P on
//                                                 every side, or same (output = ceil(input /
//                                                 stride)) or valid (none, the default)
//   pool<K>[s<S>] or maxpool<K>[s<S>]             max pooling over K x K windows, stride S (K)
//   avgpool<K>[s<S>]                              average pooling
//   bn (or batchnorm)                             batch norm, per channel (per unit after dense)
//   dropout<P>                                    inverted dropout dropping a share P in [0, 1)
//   dense<N> (or fc<N>)                           a dense layer of N units
//   relu | sigmoid | tanh | identity              an activation
//   flatten                                       accepted; dense reads any tensor as a vector
// fnn appends the output layer (dense to the classes, softmax). Tokens ignore case and spaces.
// Presets: cnn1 and cnn2 (the course's two architectures; preset_architecture() documents them).
#pragma once

#include <string>
#include <vector>

#include "fnn/layer.hpp"

namespace fnn {

// Parses `text` (or a preset's name) into layer specs. On failure `error` names the bad token,
// its position, and what is valid.
bool parse_architecture(const std::string& text, std::vector<LayerSpec>& out, std::string& error);

// Sets the dropout layers' rates from "P" (every one) or "P1,P2,..." (one per layer, in order).
// False, saying why, for a bad rate, a count that does not match, or no dropout layer.
bool apply_dropout_rates(const std::string& text, std::vector<LayerSpec>& specs, std::string& error);

// A preset's layers as an --arch string, "" for a name that is not a preset.
std::string preset_architecture(const std::string& name);

// The --arch string of a planned network's layers before the output layer (activations fused
// into a layer written as their own token after it); parse_architecture() plans it back to the
// same layers.
struct NetworkShape;
std::string architecture_string(const NetworkShape& shape);

// The settings a preset trains with unless flags say otherwise, as fnn train flags.
std::vector<std::string> preset_defaults(const std::string& name);

}  // namespace fnn
