// Arena bump allocation; see arena.hpp for the planning rules.
#include "fnn/arena.hpp"

#include "fnn/status.hpp"

namespace fnn {

Arena::Arena(void* buffer, size_t bytes) {
    const uintptr_t start = reinterpret_cast<uintptr_t>(buffer);
    const uintptr_t aligned = (start + kArenaAlign - 1) & ~uintptr_t(kArenaAlign - 1);
    const size_t skip = static_cast<size_t>(aligned - start);
    if (buffer == nullptr || bytes < skip) return;  // unusable: stays empty, every alloc fails
    base_ = reinterpret_cast<unsigned char*>(aligned);
    capacity_ = bytes - skip;
}

void* Arena::alloc(size_t bytes) {
    if (bytes > capacity_) return nullptr;  // also guards arena_round against overflow
    const size_t need = arena_round(bytes);
    if (need > capacity_ - used_) return nullptr;
    void* p = base_ + used_;
    used_ += need;
    if (used_ > peak_) peak_ = used_;
    return p;
}

MatView Arena::alloc_mat(int rows, int cols) {
    FNN_ASSERT(rows >= 0 && cols >= 0);
    float* data = alloc_floats(static_cast<size_t>(rows) * static_cast<size_t>(cols));
    if (data == nullptr) return MatView{};
    return MatView{data, rows, cols, cols};
}

void Arena::rewind(size_t mark) {
    FNN_ASSERT(mark <= used_);
    used_ = mark;
}

}  // namespace fnn
