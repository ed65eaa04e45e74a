// Folded batch norm (see batchnorm.hpp).
#include "kernels/batchnorm.hpp"

#include "base/float_math.hpp"

namespace fnn {

void batchnorm_fold(const float* gamma, const float* beta, const float* mean, const float* var,
                    float eps, int channels, float* scale, float* shift) {
    for (int c = 0; c < channels; ++c) {
        scale[c] = gamma[c] / sqrt_f(var[c] + eps);
        shift[c] = beta[c] - mean[c] * scale[c];
    }
}

void channel_affine(const float* x, float* y, size_t pixels, int channels, const float* scale,
                    const float* shift) {
    for (size_t p = 0; p < pixels; ++p) {
        const float* in = x + p * static_cast<size_t>(channels);
        float* out = y + p * static_cast<size_t>(channels);
        for (int c = 0; c < channels; ++c) out[c] = in[c] * scale[c] + shift[c];
    }
}

}  // namespace fnn
