// Pooling of one sample (see pool.hpp).
#include "kernels/pool.hpp"

#include "base/build_options.hpp"
#include "kernels/tensor.hpp"

namespace fnn {

namespace {

// Channels-last input: a window position's C values are contiguous, so the loop over channels
// runs innermost (vectorisable); the same visiting order and first-largest-wins rule.
template <bool kWinner>
void maxpool_channels_last(const LayerDesc& d, const float* x, float* y, int32_t* winner) {
    const TensorIndex in(d.in, false);
    const int C = d.out.c;
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            const size_t o = (static_cast<size_t>(oy) * d.out.w + ox) * C;
            float* out = y + o;
            int32_t* win = kWinner ? winner + o : nullptr;
            const size_t first = in.at(0, oy * d.sh, ox * d.sw);
            for (int c = 0; c < C; ++c) {
                out[c] = x[first + c];
                if (kWinner) win[c] = static_cast<int32_t>(first + c);
            }
            for (int ky = 0; ky < d.kh; ++ky) {
                for (int kx = 0; kx < d.kw; ++kx) {
                    const size_t i = in.at(0, oy * d.sh + ky, ox * d.sw + kx);
                    const float* v = x + i;
                    for (int c = 0; c < C; ++c) {
                        const bool larger = v[c] > out[c];
                        out[c] = larger ? v[c] : out[c];
                        if (kWinner) win[c] = larger ? static_cast<int32_t>(i + c) : win[c];
                    }
                }
            }
        }
    }
}

// Windows of a channel-planar input (the network's image): one channel at a time.
template <bool kWinner>
void maxpool_planar(const LayerDesc& d, const float* x, float* y, int32_t* winner) {
    const TensorIndex in(d.in, d.planar_in);
    const int C = d.out.c;
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            float* out = y + (static_cast<size_t>(oy) * d.out.w + ox) * C;
            for (int c = 0; c < C; ++c) {
                size_t best = in.at(c, oy * d.sh, ox * d.sw);
                for (int ky = 0; ky < d.kh; ++ky) {
                    for (int kx = 0; kx < d.kw; ++kx) {
                        const size_t i = in.at(c, oy * d.sh + ky, ox * d.sw + kx);
                        best = x[i] > x[best] ? i : best;
                    }
                }
                out[c] = x[best];
                if (kWinner)
                    winner[(static_cast<size_t>(oy) * d.out.w + ox) * C + c] = static_cast<int32_t>(best);
            }
        }
    }
}

// The planar loop reads any layout through TensorIndex and picks the same values (the first
// largest in the same visiting order), so small builds use it alone.
template <bool kWinner>
void maxpool(const LayerDesc& d, const float* x, float* y, int32_t* winner) {
    if (!kBuildSmallCode && (!d.planar_in || d.in.c == 1))
        maxpool_channels_last<kWinner>(d, x, y, winner);
    else maxpool_planar<kWinner>(d, x, y, winner);
}

}  // namespace

void maxpool_forward(const LayerDesc& d, const float* x, float* y) { maxpool<false>(d, x, y, nullptr); }

void maxpool_forward_winners(const LayerDesc& d, const float* x, float* y, int32_t* winner) {
    maxpool<true>(d, x, y, winner);
}

void avgpool_forward(const LayerDesc& d, const float* x, float* y) {
    const TensorIndex in(d.in, d.planar_in);
    const int C = d.out.c;
    const float area = static_cast<float>(d.kh * d.kw);
    for (int oy = 0; oy < d.out.h; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            float* out = y + (static_cast<size_t>(oy) * d.out.w + ox) * C;
            for (int c = 0; c < C; ++c) {
                float sum = 0.0f;
                for (int ky = 0; ky < d.kh; ++ky) {
                    for (int kx = 0; kx < d.kw; ++kx) sum += x[in.at(c, oy * d.sh + ky, ox * d.sw + kx)];
                }
                out[c] = sum / area;
            }
        }
    }
}

}  // namespace fnn
