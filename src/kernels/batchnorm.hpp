// Batch norm for evaluation, folded into one scale and shift per channel: with the running
// mean m and variance v, y = (x - m) / sqrt(v + eps) * g + b is computed as
//   s = g / sqrt(v + eps),  t = b - m * s,  y = x * s + t
// (each step one f32 operation rounded to nearest; sqrt correctly rounded, fnn's own sqrt_f). The trainer's
// evaluation and the inference library both use these, so they agree bit for bit. MCU-safe.
#pragma once

#include <stddef.h>

namespace fnn {

// Per channel c < channels: scale[c], shift[c] from gamma, beta, mean, var.
void batchnorm_fold(const float* gamma, const float* beta, const float* mean, const float* var,
                    float eps, int channels, float* scale, float* shift);

// y[p * channels + c] = x[p * channels + c] * scale[c] + shift[c] for `pixels` positions of a
// channels-last tensor. y may be x.
void channel_affine(const float* x, float* y, size_t pixels, int channels, const float* scale,
                    const float* shift);

}  // namespace fnn
