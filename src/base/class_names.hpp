// Class names as both file formats store them (dataset blobs and model blobs): one line per
// class, in class order, each line 1..255 bytes of printable ASCII (0x20..0x7E) ended by '\n',
// no other bytes. MCU-safe: used by the inference library.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/status.hpp"

namespace fnn {

// Checks that [names, names + size) is exactly `classes` such lines; `what` names the input.
Status check_class_names(const char* names, uint32_t size, uint32_t classes, const char* what,
                         ErrorText* err);

// Name `i` of a block that passed check_class_names: where it starts and its length ('\n' not
// counted).
const char* class_name_at(const char* names, int i, size_t& length);

}  // namespace fnn
