// Inverted dropout (Srivastava et al. 2014): training keeps each value with probability
// 1 - rate and scales it by 1 / (1 - rate), so evaluation, which keeps everything, sees the same
// expected values. Masks come from the trainer's seeded generator, so a run is reproducible;
// threads share the samples, each drawing its samples' part of the same stream.
#include "fnn/gemm_threads.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {

size_t dropout_keep_bytes(const LayerDesc& d, int batch) {
    return arena_round(static_cast<size_t>(batch) * static_cast<size_t>(d.n_out));
}

void dropout_forward(const LayerDesc& d, ConstMatView x, MatView y, uint8_t* mask, bool training,
                     Rng* rng) {
    if (!training) {
        share_rows(x.rows, static_cast<size_t>(d.n_out), [&](size_t begin, size_t end) {
            for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
                const float* in = x.row(i);
                float* out = y.row(i);
                for (int k = 0; k < d.n_out; ++k) out[k] = in[k];
            }
        });
        return;
    }
    const float scale = 1.0f / (1.0f - d.rate);
    // Keep when uniform01() >= rate: uniform01() is (u >> 8) * 2^-24 exactly, so the test is
    // (u >> 8) >= rate * 2^24 (exact in double), an integer comparison with its ceiling.
    const uint32_t threshold =
        static_cast<uint32_t>(__builtin_ceil(static_cast<double>(d.rate) * 16777216.0));
    // Value k of sample i takes draw i n_out + k of the stream, whichever thread draws it:
    // each part starts a copy of the generator where its first sample's draws begin.
    const Rng start = *rng;
    share_rows(x.rows, static_cast<size_t>(d.n_out), [&](size_t begin, size_t end) {
        Rng part = start;
        part.advance(static_cast<uint64_t>(begin) * static_cast<uint64_t>(d.n_out));
        for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
            const float* in = x.row(i);
            float* out = y.row(i);
            uint8_t* m = mask + static_cast<size_t>(i) * d.n_out;
            for (int k = 0; k < d.n_out; ++k) m[k] = (part.next_u32() >> 8) >= threshold ? 1 : 0;
            for (int k = 0; k < d.n_out; ++k) out[k] = m[k] ? in[k] * scale : 0.0f;
        }
    });
    rng->advance(static_cast<uint64_t>(x.rows) * static_cast<uint64_t>(d.n_out));
}

void dropout_backward(const LayerDesc& d, ConstMatView dy, MatView dx, const uint8_t* mask) {
    const float scale = 1.0f / (1.0f - d.rate);
    share_rows(dy.rows, static_cast<size_t>(d.n_out), [&](size_t begin, size_t end) {
        for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
            const float* g = dy.row(i);
            float* out = dx.row(i);
            const uint8_t* m = mask + static_cast<size_t>(i) * d.n_out;
            for (int k = 0; k < d.n_out; ++k) out[k] = m[k] ? g[k] * scale : 0.0f;
        }
    });
}

}  // namespace fnn
