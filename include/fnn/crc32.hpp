// CRC-32 (IEEE 802.3 polynomial, reflected, as zlib and PNG use): detects damaged blobs.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fnn {

// CRC of `len` bytes continuing from `crc` (start with 0). crc32(0, "123456789", 9) == 0xCBF43926.
// Eight bytes per step from 8 KB of tables, unless built with FNN_SMALL_CRC.
uint32_t crc32(uint32_t crc, const void* data, size_t len);

// The same CRC from a 64-byte table, four bits per step: for microcontroller builds
// (FNN_SMALL_CRC makes crc32() use it).
uint32_t crc32_small(uint32_t crc, const void* data, size_t len);

}  // namespace fnn
