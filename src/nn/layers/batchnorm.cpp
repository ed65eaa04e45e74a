// Batch normalisation (Ioffe & Szegedy 2015) per channel over a batch's samples and positions:
// training with the batch's statistics, evaluation with the running ones (folded: see
// kernels/batchnorm.hpp). Statistics are summed in double, so they do not depend on how large
// the batch is to within float rounding.
#include "fnn/activation.hpp"
#include "fnn/gemm_threads.hpp"
#include "kernels/batchnorm.hpp"
#include "nn/layers/layers.hpp"
#include "nn/layers/sum_blocks.hpp"

namespace fnn {
namespace {

// Per-channel sums (in double) are taken over fixed blocks of samples (sum_blocks.hpp), so they
// do not depend on the thread count and each thread sums the samples it holds. Elementwise
// passes are shared by samples as well.

// The blocks' sums after the kept mean and 1/std in the layer's keep bytes: two arrays of
// kSumBlocks x C doubles, first[b * C + c] and second[b * C + c].
struct BlockSums {
    double* first;
    double* second;
};
BlockSums block_sums(float* keep, int C) {
    double* sums = reinterpret_cast<double*>(keep + 2 * arena_floats(static_cast<size_t>(C)) / sizeof(float));
    return {sums, sums + static_cast<size_t>(kSumBlocks) * C};
}

// For each block b: first[b C + c] = sum of t.first(v, g, c) and second[b C + c] = sum of
// t.second(v, g, c) over the block's samples and positions, v and g pointing at the position's
// values in x and (when given) in g_rows. Channels go kChannelBlock at a time, their sums on the
// stack while the loop runs with the channel innermost, where values are contiguous. Then every
// block's sums are added into block 0's, in block order.
constexpr int kChannelBlock = 256;
template <typename Terms>
void sum_blocks(ConstMatView x, const ConstMatView* g_rows, int C, BlockSums sums, Terms terms) {
    const size_t positions = static_cast<size_t>(x.cols / C);
    const size_t values = static_cast<size_t>(x.rows) * static_cast<size_t>(x.cols);
    for_each_sum_block(x.rows, values, [&](int b, int r0, int r1) {
        for (int c0 = 0; c0 < C; c0 += kChannelBlock) {
            const int nc = C - c0 < kChannelBlock ? C - c0 : kChannelBlock;
            double s1[kChannelBlock] = {}, s2[kChannelBlock] = {};
            const Terms t = terms.at(c0);
            for (int i = r0; i < r1; ++i) {
                const float* v = x.row(i) + c0;
                const float* g = (g_rows != nullptr ? g_rows->row(i) : x.row(i)) + c0;
                for (size_t p = 0; p < positions; ++p, v += C, g += C) {
                    for (int c = 0; c < nc; ++c) {
                        s1[c] += t.first(v, g, c);
                        s2[c] += t.second(v, g, c);
                    }
                }
            }
            double* out1 = sums.first + static_cast<size_t>(b) * C + c0;
            double* out2 = sums.second + static_cast<size_t>(b) * C + c0;
            for (int c = 0; c < nc; ++c) {
                out1[c] = s1[c];
                out2[c] = s2[c];
            }
        }
    });
    for (int b = 1; b < kSumBlocks; ++b) {
        const double* s1 = sums.first + static_cast<size_t>(b) * C;
        const double* s2 = sums.second + static_cast<size_t>(b) * C;
        for (int c = 0; c < C; ++c) {
            sums.first[c] += s1[c];
            sums.second[c] += s2[c];
        }
    }
}

}  // namespace

size_t batchnorm_keep_bytes(const LayerDesc& d) {
    const size_t C = static_cast<size_t>(d.out.c);
    return 2 * arena_floats(C) + arena_round(2 * kSumBlocks * C * sizeof(double));
}

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
    // One pass over the batch: sums of x - K and (x - K)^2 in double, shifted by K = the running
    // mean (close to the batch mean once training is under way) so the variance
    // E[(x-K)^2] - E[x-K]^2 does not cancel badly.
    struct Terms {
        const float* running_mean;
        int n_channels;
        float shift[kChannelBlock];  // running_mean[c0 + c]: a copy, which x cannot alias
        Terms at(int c0) const {
            Terms t = *this;
            for (int c = 0; c < kChannelBlock && c0 + c < n_channels; ++c) t.shift[c] = running_mean[c0 + c];
            return t;
        }
        double first(const float* v, const float*, int c) const {
            return static_cast<double>(v[c]) - shift[c];
        }
        double second(const float* v, const float*, int c) const {
            const double e = static_cast<double>(v[c]) - shift[c];
            return e * e;
        }
    };
    const BlockSums sums = block_sums(keep, C);
    const Terms terms{running_mean, C, {}};
    sum_blocks(x, nullptr, C, sums, terms);
    for (int c = 0; c < C; ++c) {
        const double centered = sums.first[c] / n;
        double var = sums.second[c] / n - centered * centered;  // biased, as the normalisation uses
        var = var > 0.0 ? var : 0.0;
        const float m = static_cast<float>(running_mean[c] + centered);
        const float invstd = static_cast<float>(1.0 / __builtin_sqrt(var + d.bn_eps));
        kept_mean[c] = m;
        kept_invstd[c] = invstd;
        // Running statistics as PyTorch keeps them: the unbiased batch variance.
        const float mom = d.bn_momentum;
        running_mean[c] = (1.0f - mom) * running_mean[c] + mom * m;
        running_var[c] = (1.0f - mom) * running_var[c] +
                         mom * static_cast<float>(n > 1 ? var * n / (n - 1) : var);
    }
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
                        ConstMatView y, MatView dy, MatView* dx, float* keep) {
    const int C = d.out.c;
    const float* gamma = params + d.gamma_offset;
    const float* mean = keep;
    const float* invstd = keep + arena_floats(static_cast<size_t>(C)) / sizeof(float);
    const size_t positions = static_cast<size_t>(x.cols / C);
    const double n = static_cast<double>(x.rows) * static_cast<double>(positions);
    // Through the fused activation first, then the sums per channel and block of samples, then
    // dx; all by samples. With xhat = (x - mean) * invstd: dbeta = sum dy, dgamma = sum dy xhat, and
    // dx = gamma invstd / n (n dy - dbeta - xhat dgamma).
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), nr = static_cast<int>(end - begin);
        activation_backward(d.act, y.row_range(r0, nr), dy.row_range(r0, nr));
    });
    struct Terms {
        const float* mean;  // of channels c0..
        const float* invstd;
        Terms at(int c0) const { return {mean + c0, invstd + c0}; }
        double first(const float*, const float* g, int c) const { return g[c]; }
        double second(const float* v, const float* g, int c) const {
            return static_cast<double>(g[c]) * (v[c] - mean[c]) * invstd[c];
        }
    };
    const BlockSums sums = block_sums(keep, C);
    const ConstMatView dy_rows = dy;
    sum_blocks(x, &dy_rows, C, sums, Terms{mean, invstd});
    const double* sum_dy = sums.first;
    const double* sum_dy_xhat = sums.second;
    for (int c = 0; c < C; ++c) {
        grads[d.b_offset + c] = static_cast<float>(sum_dy[c]);
        grads[d.gamma_offset + c] = static_cast<float>(sum_dy_xhat[c]);
    }
    if (dx == nullptr) return;
    double* scale = sums.first + C;  // block 1's sums are spent
    for (int c = 0; c < C; ++c) scale[c] = gamma[c] * invstd[c] / n;
    share_rows(x.rows, static_cast<size_t>(x.cols), [&](size_t begin, size_t end) {
        for (int i = static_cast<int>(begin); i < static_cast<int>(end); ++i) {
            const float* in = x.row(i);
            const float* g = dy.row(i);
            float* out = dx->row(i);
            for (size_t p = 0; p < positions; ++p, in += C, g += C, out += C) {
                for (int c = 0; c < C; ++c) {
                    const double xhat = (in[c] - mean[c]) * static_cast<double>(invstd[c]);
                    out[c] = static_cast<float>(scale[c] * (n * g[c] - sum_dy[c] - xhat * sum_dy_xhat[c]));
                }
            }
        }
    });
}

}  // namespace fnn
