// Little-endian field access for blobs. Reading goes through a bounds-checked cursor that
// assembles values from bytes (never casts bytes to structs), so a truncated or hostile blob
// yields Status::Truncated, and big-endian targets decode correctly.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/status.hpp"

namespace fnn {

// Where the CPU reads unaligned little-endian words (x86, Armv7-M and later Arm), a field is
// copied whole: one load. Elsewhere (big-endian MIPS; Armv6-M such as the Cortex-M0, which would
// call memcpy for it) its bytes are combined by shifts, which gives the same value everywhere.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (!defined(__arm__) || defined(__ARM_FEATURE_UNALIGNED))
inline uint16_t load_u16le(const uint8_t* p) {
    uint16_t u;
    __builtin_memcpy(&u, p, sizeof u);
    return u;
}
inline uint32_t load_u32le(const uint8_t* p) {
    uint32_t u;
    __builtin_memcpy(&u, p, sizeof u);
    return u;
}
#else
inline uint16_t load_u16le(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load_u32le(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
           (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
#endif
inline float load_f32le(const uint8_t* p) {
    const uint32_t u = load_u32le(p);
    float f;
    __builtin_memcpy(&f, &u, sizeof f);
    return f;
}
inline void store_u16le(uint8_t* p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
inline void store_u32le(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_f32le(uint8_t* p, float f) {
    uint32_t u;
    __builtin_memcpy(&u, &f, sizeof u);
    store_u32le(p, u);
}

// Reads fields in order from [data, data + size); every read checks the remaining length.
class Cursor {
public:
    // `what` names the input in messages (a file name, or "model blob").
    Cursor(const void* data, size_t size, const char* what, ErrorText* err)
        : data_(static_cast<const uint8_t*>(data)), size_(size), what_(what), err_(err) {}

    Status u8(uint8_t& out) {
        const uint8_t* p = nullptr;
        FNN_TRY(take(1, p));
        out = p[0];
        return Status::Ok;
    }
    Status u16(uint16_t& out) {
        const uint8_t* p = nullptr;
        FNN_TRY(take(2, p));
        out = load_u16le(p);
        return Status::Ok;
    }
    Status u32(uint32_t& out) {
        const uint8_t* p = nullptr;
        FNN_TRY(take(4, p));
        out = load_u32le(p);
        return Status::Ok;
    }
    Status f32(float& out) {
        const uint8_t* p = nullptr;
        FNN_TRY(take(4, p));
        out = load_f32le(p);
        return Status::Ok;
    }
    // n bytes in place.
    Status take(size_t n, const uint8_t*& out) {
        if (size_ == 0) return fail(err_, Status::Truncated, "%s: empty (0 bytes)", what_);
        if (n > size_ - pos_) {
            return fail(err_, Status::Truncated,
                        "%s: truncated at byte %zu: needs %zu more bytes, %zu left", what_, pos_, n,
                        size_ - pos_);
        }
        out = data_ + pos_;
        pos_ += n;
        return Status::Ok;
    }
    size_t pos() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    const char* what_;
    ErrorText* err_;
};

}  // namespace fnn
