// IDX files (the MNIST / Fashion-MNIST distribution format): a big-endian header of two zero
// bytes, a type code, a dimension count, then one u32 per dimension, then the data. fnn reads
// the unsigned-byte type (0x08), which is what every MNIST-style dataset uses.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/status.hpp"

namespace fnn {

constexpr int kIdxMaxDims = 4;

struct IdxArray {
    int ndim = 0;
    uint32_t dims[kIdxMaxDims] = {};
    const uint8_t* data = nullptr;  // points into the parsed bytes
    size_t count = 0;               // product of dims
};

// Validates the header (magic, type, 1..4 dims, each >= 1 and capped) and that the file holds
// exactly the data the dims describe; `what` names the file in messages.
Status parse_idx(const void* bytes, size_t size, const char* what, IdxArray& out, ErrorText* err);

}  // namespace fnn
