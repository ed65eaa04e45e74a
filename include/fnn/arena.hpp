// Arena: a bump allocator over bytes the caller owns. Components report their exact needs
// (*_bytes functions), the caller sums them, provides one buffer, and everything is carved
// from it once; mark()/rewind() recycle scratch memory between steps. Never owns, never frees.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/matrix.hpp"

namespace fnn {

// Every allocation starts on a 64-byte boundary: one cache line, and any SIMD width up to 512 bits.
constexpr size_t kArenaAlign = 64;

// Bytes one allocation of `bytes` consumes inside an arena.
constexpr size_t arena_round(size_t bytes) {
    return (bytes + kArenaAlign - 1) & ~(kArenaAlign - 1);
}
constexpr size_t arena_floats(size_t count) { return arena_round(count * sizeof(float)); }

// Buffer size that holds `planned` bytes of carvings wherever the buffer starts: the arena
// aligns its start, which may skip up to kArenaAlign - 1 bytes.
constexpr size_t arena_buffer_bytes(size_t planned) { return planned + kArenaAlign - 1; }

class Arena {
public:
    Arena() = default;
    Arena(void* buffer, size_t bytes);

    // Returns 64-byte-aligned memory, or nullptr when fewer than arena_round(bytes) remain.
    void* alloc(size_t bytes);
    float* alloc_floats(size_t count) { return static_cast<float*>(alloc(count * sizeof(float))); }
    // A rows x cols matrix with stride == cols; data is nullptr when the arena is full.
    MatView alloc_mat(int rows, int cols);

    size_t mark() const { return used_; }
    void rewind(size_t mark);

    size_t used() const { return used_; }
    size_t capacity() const { return capacity_; }
    size_t peak() const { return peak_; }  // highest used() so far: the real need

private:
    unsigned char* base_ = nullptr;
    size_t capacity_ = 0;
    size_t used_ = 0;
    size_t peak_ = 0;
};

}  // namespace fnn
