// Sums over a batch (batch norm's statistics and gradients, the conv bias gradient) are taken
// over kSumBlocks fixed blocks of samples, block b holding samples [b n / kSumBlocks,
// (b + 1) n / kSumBlocks), each summed from +0 in sample then position order; the layer then
// adds the blocks' sums in block order. The blocks do not depend on the thread count, so
// neither do the sums, and each thread sums the samples it holds (the layers around share their
// work by samples too, so those values are in its cache).
#pragma once

#include <stddef.h>

#include "fnn/gemm_threads.hpp"

namespace fnn {

constexpr int kSumBlocks = 8;

// fn(b, first, end) for every block b of a batch of `samples` samples (rows [first, end)),
// shared among the calling thread's pool when the batch holds at least kMinSharedFloats values.
template <typename F>
void for_each_sum_block(int samples, size_t values, F fn) {
    share_range(kSumBlocks, values >= kMinSharedFloats ? 2 : kSumBlocks + 1, 1,
                [&](size_t begin, size_t end) {
                    const size_t n = static_cast<size_t>(samples);
                    for (size_t b = begin; b < end; ++b)
                        fn(static_cast<int>(b), static_cast<int>(b * n / kSumBlocks),
                           static_cast<int>((b + 1) * n / kSumBlocks));
                });
}

}  // namespace fnn
