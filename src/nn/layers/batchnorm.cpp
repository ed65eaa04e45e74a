// Batch normalisation (Ioffe & Szegedy 2015) per channel over a batch's samples and positions:
// training with the batch's statistics, evaluation with the running ones (folded: see
// kernels/batchnorm.hpp). Statistics are summed in double, so they do not depend on how large
// the batch is to within float rounding.
#include "fnn/activation.hpp"
#include "fnn/gemm_threads.hpp"
#include "kernels/batchnorm.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

// Channels are processed in blocks so the per-channel sums (double) stay on the stack while the
// loops run over samples and positions with the channel innermost, where values are contiguous.
// Each channel's sums still add its values in sample, then position order. Threads of the
// calling thread's pool take whole channels for the sums (kThreadChannels at a time, a cache
// line of each position) and whole samples for the elementwise passes, so every value is
// computed the same way for any thread count.
constexpr int kChannelBlock = 256;
constexpr size_t kThreadChannels = 16;

// f(c0, c1) over blocks of at most kChannelBlock channels of [0, C), shared by channels.
template <typename F>
void share_channels(ConstMatView x, int C, F f) {
    const size_t channels = static_cast<size_t>(C);
    const size_t values = static_cast<size_t>(x.rows) * static_cast<size_t>(x.cols);
    share_range(channels, values >= kMinSharedFloats ? 2 : channels + 1, kThreadChannels,
                [&](size_t begin, size_t end) {
                    for (int c0 = static_cast<int>(begin); c0 < static_cast<int>(end); c0 += kChannelBlock) {
                        const int c1 = c0 + kChannelBlock < static_cast<int>(end) ? c0 + kChannelBlock
                                                                                  : static_cast<int>(end);
                        f(c0, c1);
                    }
                });
}

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
        share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
            for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
                channel_affine(x.row(i), y.row(i), positions, C, kept_mean, kept_invstd);
                activation_forward(d.act, y.row_range(i, 1));
            }
        });
        return;
    }
    const double n = static_cast<double>(x.rows) * static_cast<double>(positions);
    share_channels(x, C, [&](int c0, int c1) {
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
    });
    // y = (x - mean) * invstd * gamma + beta, then the activation, one sample at a time (still
    // in cache for the activation).
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
            const float* in = x.row(i);
            float* out = y.row(i);
            for (size_t p = 0; p < positions; ++p, in += C, out += C) {
                for (int c = 0; c < C; ++c)
                    out[c] = (in[c] - kept_mean[c]) * kept_invstd[c] * gamma[c] + beta[c];
            }
            activation_forward(d.act, y.row_range(i, 1));
        }
    });
}

void batchnorm_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                        ConstMatView y, MatView dy, MatView* dx, const float* keep) {
    const int C = d.out.c;
    const float* gamma = params + d.gamma_offset;
    const float* mean = keep;
    const float* invstd = keep + arena_floats(static_cast<size_t>(C)) / sizeof(float);
    const size_t positions = static_cast<size_t>(x.cols / C);
    const double n = static_cast<double>(x.rows) * static_cast<double>(positions);
    // Through the fused activation first (by samples), then per channel the sums and dx (by
    // channels). With xhat = (x - mean) * invstd: dbeta = sum dy, dgamma = sum dy xhat, and
    // dx = gamma invstd / n (n dy - dbeta - xhat dgamma).
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        activation_backward(d.act, y.row_range(r0, nr), dy.row_range(r0, nr));
    });
    share_channels(x, C, [&](int c0, int c1) {
        const int nc = c1 - c0;
        double sum_dy[kChannelBlock] = {}, sum_dy_xhat[kChannelBlock] = {};
        const float* m = mean + c0;
        const float* s = invstd + c0;
        for (int i = 0; i < x.rows; ++i) {
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
        if (dx == nullptr) return;
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
    });
}

}  // namespace fnn
