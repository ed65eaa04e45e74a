// Changing model blobs in tests: a field rewritten with the CRC made valid again (so only the
// field checks can catch it), and parsing with the message kept.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"

namespace fnn_test {

// Recomputes the trailing CRC-32 over everything before it.
inline void reseal(std::vector<uint8_t>& blob) {
    fnn::store_u32le(blob.data() + blob.size() - 4, fnn::crc32(0, blob.data(), blob.size() - 4));
}

// `good` with `width` (1, 2 or 4) little-endian bytes at `offset` set to `value`, resealed.
inline std::vector<uint8_t> edited(const std::vector<uint8_t>& good, size_t offset, uint32_t value,
                                   int width) {
    std::vector<uint8_t> bad = good;
    if (width == 1) bad[offset] = static_cast<uint8_t>(value);
    if (width == 2) fnn::store_u16le(bad.data() + offset, static_cast<uint16_t>(value));
    if (width == 4) fnn::store_u32le(bad.data() + offset, value);
    reseal(bad);
    return bad;
}

inline fnn::Status parse(const std::vector<uint8_t>& blob, std::string* message = nullptr) {
    fnn::ModelBlob m;
    fnn::ErrorText err;
    const fnn::Status s = fnn::parse_model_blob(blob.data(), blob.size(), m, &err);
    if (message) *message = err.text;
    return s;
}

}  // namespace fnn_test
