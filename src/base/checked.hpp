// Overflow-checked size arithmetic for sizes that come from untrusted headers (IDX, blobs).
// Each returns false instead of wrapping, so a hostile header can never produce a small size.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fnn {

inline bool checked_mul(size_t a, size_t b, size_t& out) {
    if (a != 0 && b > SIZE_MAX / a) return false;
    out = a * b;
    return true;
}

inline bool checked_add(size_t a, size_t b, size_t& out) {
    if (b > SIZE_MAX - a) return false;
    out = a + b;
    return true;
}

// Rounds up to a multiple of `align` (a power of two), failing on overflow.
inline bool checked_align(size_t n, size_t align, size_t& out) {
    if (n > SIZE_MAX - (align - 1)) return false;
    out = (n + align - 1) & ~(align - 1);
    return true;
}

}  // namespace fnn
