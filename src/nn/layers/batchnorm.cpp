// Batch normalisation (Ioffe & Szegedy 2015) per channel over a batch's samples and positions:
// training with the batch's statistics, evaluation with the running ones (folded: see
// kernels/batchnorm.hpp). Statistics are summed in double, so they do not depend on how large
// the batch is to within float rounding.
#include "fnn/activation.hpp"
#include "kernels/batchnorm.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

// Channels are processed in blocks so the per-channel sums (double) stay on the stack while the
// loops run over samples and positions with the channel innermost, where values are contiguous.
// Each channel's sums still add its values in sample, then position order.
constexpr int kChannelBlock = 256;

// Calls f(v, w, n) for every position of every sample: v (and w, of `y`) point at channel c0
// of that position; n = c1 - c0 channels follow.
template <typename F>
void each_position(ConstMatView x, const ConstMatView* y, int C, int c0, F f) {
    const int positions = x.cols / C;
    for (int i = 0; i < x.rows; ++i) {
        const float* v = x.row(i) + c0;
        const float* w = y != nullptr ? y->row(i) + c0 : nullptr;
        for (int p = 0; p < positions; ++p, v += C) f(v, w != nullptr ? w + static_cast<size_t>(p) * C : nullptr);
    }
}

}  // namespace

size_t batchnorm_keep_bytes(const LayerDesc& d) { return 2 * arena_floats(static_cast<size_t>(d.out.c)); }

void batchnorm_forward(const LayerDesc& d, const float* params, float* state, ConstMatView x,
                       MatView y, float* keep, bool training) {
    const int C = d.out.c;
    const float* gamma = params + d.gamma_offset;
    const float* beta = params + d.b_offset;
    float* running_mean = state + d.state_offset;
    float* running_var = running_mean + C;
    float* kept_mean = keep;
    float* kept_invstd = keep + arena_floats(static_cast<size_t>(C)) / sizeof(float);
    const size_t positions = static_cast<size_t>(x.cols / C);
    if (!training) {
        // The folded scale and shift go where training keeps its statistics.
        batchnorm_fold(gamma, beta, running_mean, running_var, d.bn_eps, C, kept_mean, kept_invstd);
        for (int i = 0; i < x.rows; ++i) {
            channel_affine(x.row(i), y.row(i), positions, C, kept_mean, kept_invstd);
            activation_forward(d.act, y.row_range(i, 1));
        }
        return;
    }
    const double n = static_cast<double>(x.rows) * static_cast<double>(positions);
    for (int c0 = 0; c0 < C; c0 += kChannelBlock) {
        const int c1 = c0 + kChannelBlock < C ? c0 + kChannelBlock : C;
        const int nc = c1 - c0;
        // One pass over the batch: sums of x - K and (x - K)^2 in double, shifted by K = the
        // running mean (close to the batch mean once training is under way) so the variance
        // E[(x-K)^2] - E[x-K]^2 does not cancel badly.
        float shift[kChannelBlock];
        double s1[kChannelBlock] = {}, s2[kChannelBlock] = {};
        for (int c = 0; c < nc; ++c) shift[c] = running_mean[c0 + c];
        each_position(x, nullptr, C, c0, [&](const float* v, const float*) {
            for (int c = 0; c < nc; ++c) {
                const double e = static_cast<double>(v[c]) - shift[c];
                s1[c] += e;
                s2[c] += e * e;
            }
        });
        for (int c = 0; c < nc; ++c) {
            const double centered = s1[c] / n;
            double var = s2[c] / n - centered * centered;  // biased, as the normalisation uses
            var = var > 0.0 ? var : 0.0;
            const float m = static_cast<float>(shift[c] + centered);
            const float invstd = static_cast<float>(1.0 / __builtin_sqrt(var + d.bn_eps));
            kept_mean[c0 + c] = m;
            kept_invstd[c0 + c] = invstd;
            // Running statistics as PyTorch keeps them: the unbiased batch variance.
            const float mom = d.bn_momentum;
            running_mean[c0 + c] = (1.0f - mom) * running_mean[c0 + c] + mom * m;
            running_var[c0 + c] = (1.0f - mom) * running_var[c0 + c] +
                                  mom * static_cast<float>(n > 1 ? var * n / (n - 1) : var);
        }
    }
    // y = (x - mean) * invstd * gamma + beta, then the activation, one sample at a time (still
    // in cache for the activation).
    for (int i = 0; i < x.rows; ++i) {
        const float* in = x.row(i);
        float* out = y.row(i);
        for (size_t p = 0; p < positions; ++p, in += C, out += C) {
            for (int c = 0; c < C; ++c)
                out[c] = (in[c] - kept_mean[c]) * kept_invstd[c] * gamma[c] + beta[c];
        }
        activation_forward(d.act, y.row_range(i, 1));
    }
}

void batchnorm_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                        ConstMatView y, MatView dy, MatView* dx, const float* keep) {
    const int C = d.out.c;
    const float* gamma = params + d.gamma_offset;
    const float* mean = keep;
    const float* invstd = keep + arena_floats(static_cast<size_t>(C)) / sizeof(float);
    const size_t positions = static_cast<size_t>(x.cols / C);
    const double n = static_cast<double>(x.rows) * static_cast<double>(positions);
    // Through the fused activation first, one sample at a time, then the sums while the
    // sample is in cache. With xhat = (x - mean) * invstd: dbeta = sum dy, dgamma = sum dy xhat,
    // and dx = gamma invstd / n (n dy - dbeta - xhat dgamma).
    const bool one_block = C <= kChannelBlock;  // then each sample's activation goes just before its sums
    if (!one_block) {
        for (int i = 0; i < x.rows; ++i) activation_backward(d.act, y.row_range(i, 1), dy.row_range(i, 1));
    }
    for (int c0 = 0; c0 < C; c0 += kChannelBlock) {
        const int c1 = c0 + kChannelBlock < C ? c0 + kChannelBlock : C;
        const int nc = c1 - c0;
        double sum_dy[kChannelBlock] = {}, sum_dy_xhat[kChannelBlock] = {};
        const float* m = mean + c0;
        const float* s = invstd + c0;
        for (int i = 0; i < x.rows; ++i) {
            if (one_block) activation_backward(d.act, y.row_range(i, 1), dy.row_range(i, 1));
            const float* v = x.row(i) + c0;
            const float* g = dy.row(i) + c0;
            for (size_t p = 0; p < positions; ++p, v += C, g += C) {
                for (int c = 0; c < nc; ++c) {
                    sum_dy[c] += g[c];
                    sum_dy_xhat[c] += static_cast<double>(g[c]) * (v[c] - m[c]) * s[c];
                }
            }
        }
        for (int c = c0; c < c1; ++c) {
            grads[d.b_offset + c] = static_cast<float>(sum_dy[c - c0]);
            grads[d.gamma_offset + c] = static_cast<float>(sum_dy_xhat[c - c0]);
        }
        if (dx == nullptr) continue;
        double scale[kChannelBlock];
        for (int c = c0; c < c1; ++c) scale[c - c0] = gamma[c] * invstd[c] / n;
        for (int i = 0; i < x.rows; ++i) {
            const float* in = x.row(i) + c0;
            const float* g = dy.row(i) + c0;
            float* out = dx->row(i) + c0;
            for (size_t p = 0; p < positions; ++p, in += C, g += C, out += C) {
                for (int c = 0; c < nc; ++c) {
                    const double xhat = (in[c] - m[c]) * static_cast<double>(s[c]);
                    out[c] = static_cast<float>(scale[c] * (n * g[c] - sum_dy[c] - xhat * sum_dy_xhat[c]));
                }
            }
        }
    }
}

}  // namespace fnn
