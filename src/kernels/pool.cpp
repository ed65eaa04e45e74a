// Pooling of one sample (see pool.hpp).
#include "kernels/pool.hpp"

#include "kernels/tensor.hpp"

namespace fnn {

void maxpool_forward(const LayerDesc& d, const float* x, float* y, int32_t* winner) {
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
                if (winner != nullptr)
                    winner[(static_cast<size_t>(oy) * d.out.w + ox) * C + c] = static_cast<int32_t>(best);
            }
        }
    }
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
