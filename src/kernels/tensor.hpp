// Where value (c, y, x) of a sample's tensor sits: channels-last, or channel-planar for the
// network's image input (layer.hpp). MCU-safe.
#pragma once

#include <stddef.h>

#include "fnn/layer.hpp"

namespace fnn {

struct TensorIndex {
    size_t c_step, y_step, x_step;

    TensorIndex(const Shape3& s, bool planar)
        : c_step(planar ? static_cast<size_t>(s.h) * static_cast<size_t>(s.w) : 1),
          y_step(planar ? static_cast<size_t>(s.w) : static_cast<size_t>(s.w) * static_cast<size_t>(s.c)),
          x_step(planar ? 1 : static_cast<size_t>(s.c)) {}
    size_t at(int c, int y, int x) const {
        return static_cast<size_t>(c) * c_step + static_cast<size_t>(y) * y_step +
               static_cast<size_t>(x) * x_step;
    }
};

}  // namespace fnn
