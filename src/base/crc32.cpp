// CRC-32 two ways with identical results: slicing-by-8 (Intel's 2006 method: eight table
// lookups fold eight bytes at once) for hosts, and a 16-entry nibble table for small targets.
#include "fnn/crc32.hpp"

namespace fnn {
namespace {

constexpr uint32_t kPolynomial = 0xEDB88320u;  // 0x04C11DB7 bit-reversed

// Remainders of the reflected polynomial for each 4-bit value.
constexpr uint32_t kNibbleTable[16] = {0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
                                       0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
                                       0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
                                       0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};

#if !defined(FNN_SMALL_CRC)
struct SliceTables {
    uint32_t t[8][256];
};

// t[0] is the classic byte table; t[k][b] is the CRC of byte b followed by k zero bytes.
constexpr SliceTables make_slice_tables() {
    SliceTables s{};
    for (uint32_t b = 0; b < 256; ++b) {
        uint32_t c = b;
        for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ ((c & 1u) ? kPolynomial : 0u);
        s.t[0][b] = c;
    }
    for (int k = 1; k < 8; ++k) {
        for (uint32_t b = 0; b < 256; ++b)
            s.t[k][b] = (s.t[k - 1][b] >> 8) ^ s.t[0][s.t[k - 1][b] & 0xFFu];
    }
    return s;
}

constexpr SliceTables kSlices = make_slice_tables();
#endif

}  // namespace

uint32_t crc32_small(uint32_t crc, const void* data, size_t len) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    for (size_t i = 0; i < len; ++i) {
        crc ^= p[i];
        crc = (crc >> 4) ^ kNibbleTable[crc & 15u];
        crc = (crc >> 4) ^ kNibbleTable[crc & 15u];
    }
    return ~crc;
}

uint32_t crc32(uint32_t crc, const void* data, size_t len) {
#if defined(FNN_SMALL_CRC)
    return crc32_small(crc, data, len);
#else
    const unsigned char* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    const uint32_t(&t)[8][256] = kSlices.t;
    for (; len >= 8; len -= 8, p += 8) {
        // Bytes are combined explicitly (not loaded as a word), so big-endian hosts agree.
        const uint32_t lo =
            crc ^ (p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24));
        crc = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^
              t[4][lo >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    }
    for (; len > 0; --len, ++p) crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xFFu];
    return ~crc;
#endif
}

}  // namespace fnn
