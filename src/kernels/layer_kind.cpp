// Names of the layer kinds (layer.hpp), for messages and summaries; used by the model blob
// reader, so it lives with the MCU-safe code.
#include "fnn/layer.hpp"

namespace fnn {

const char* layer_kind_name(LayerKind kind) {
    switch (kind) {
        case LayerKind::Dense: return "dense";
        case LayerKind::Conv2d: return "conv2d";
        case LayerKind::MaxPool: return "maxpool";
        case LayerKind::AvgPool: return "avgpool";
        case LayerKind::BatchNorm: return "batchnorm";
        case LayerKind::Activation: return "activation";
        case LayerKind::Dropout: return "dropout";
        case LayerKind::Flatten: return "flatten";
    }
    return "?";
}

}  // namespace fnn
