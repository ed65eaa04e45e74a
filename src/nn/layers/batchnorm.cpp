// Batch normalisation (Ioffe & Szegedy 2015) per channel over a batch's samples and positions:
// training with the batch's statistics, evaluation with the running ones (folded: see
// kernels/batchnorm.hpp). Statistics are summed in double, so they do not depend on how large
// the batch is to within float rounding.
#include "fnn/activation.hpp"
#include "kernels/batchnorm.hpp"
#include "nn/layers/layers.hpp"

namespace fnn {
namespace {

// The values of channel c over the whole batch: positions p of sample i at row(i)[p * C + c].
template <typename F>
void each_value(ConstMatView x, int C, int c, F f) {
    const int positions = x.cols / C;
    for (int i = 0; i < x.rows; ++i) {
        const float* row = x.row(i);
        for (int p = 0; p < positions; ++p) f(i, static_cast<size_t>(p) * C + c, row[static_cast<size_t>(p) * C + c]);
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
    if (!training) {
        // The folded scale and shift go where training keeps its statistics.
        batchnorm_fold(gamma, beta, running_mean, running_var, d.bn_eps, C, kept_mean, kept_invstd);
        for (int i = 0; i < x.rows; ++i)
            channel_affine(x.row(i), y.row(i), static_cast<size_t>(x.cols / C), C, kept_mean, kept_invstd);
    } else {
        const double n = static_cast<double>(x.rows) * (x.cols / C);
        for (int c = 0; c < C; ++c) {
            double sum = 0.0, sq = 0.0;
            each_value(x, C, c, [&](int, size_t, float v) { sum += v; });
            const double mean = sum / n;
            each_value(x, C, c, [&](int, size_t, float v) { sq += (v - mean) * (v - mean); });
            const double var = sq / n;  // biased, as the normalisation uses
            const float invstd = static_cast<float>(1.0 / __builtin_sqrt(var + d.bn_eps));
            const float g = gamma[c], b = beta[c], m = static_cast<float>(mean);
            for (int i = 0; i < x.rows; ++i) {
                const float* in = x.row(i);
                float* out = y.row(i);
                for (int p = c; p < x.cols; p += C) out[p] = (in[p] - m) * invstd * g + b;
            }
            kept_mean[c] = m;
            kept_invstd[c] = invstd;
            // Running statistics as PyTorch keeps them: the unbiased batch variance.
            const float mom = d.bn_momentum;
            running_mean[c] = (1.0f - mom) * running_mean[c] + mom * m;
            running_var[c] = (1.0f - mom) * running_var[c] +
                             mom * static_cast<float>(n > 1 ? var * n / (n - 1) : var);
        }
    }
    activation_forward(d.act, y);
}

void batchnorm_backward(const LayerDesc& d, const float* params, float* grads, ConstMatView x,
                        ConstMatView dy, MatView* dx, const float* keep) {
    const int C = d.out.c;
    const float* gamma = params + d.gamma_offset;
    const float* mean = keep;
    const float* invstd = keep + arena_floats(static_cast<size_t>(C)) / sizeof(float);
    const double n = static_cast<double>(x.rows) * (x.cols / C);
    for (int c = 0; c < C; ++c) {
        // With xhat = (x - mean) * invstd: dbeta = sum dy, dgamma = sum dy xhat, and
        // dx = gamma invstd / n (n dy - dbeta - xhat dgamma).
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int i = 0; i < x.rows; ++i) {
            const float* in = x.row(i);
            const float* g = dy.row(i);
            for (int p = c; p < x.cols; p += C) {
                sum_dy += g[p];
                sum_dy_xhat += static_cast<double>(g[p]) * (in[p] - mean[c]) * invstd[c];
            }
        }
        grads[d.b_offset + c] = static_cast<float>(sum_dy);
        grads[d.gamma_offset + c] = static_cast<float>(sum_dy_xhat);
        if (dx == nullptr) continue;
        const double scale = gamma[c] * invstd[c] / n;
        for (int i = 0; i < x.rows; ++i) {
            const float* in = x.row(i);
            const float* g = dy.row(i);
            float* out = dx->row(i);
            for (int p = c; p < x.cols; p += C) {
                const double xhat = (in[p] - mean[c]) * static_cast<double>(invstd[c]);
                out[p] = static_cast<float>(scale * (n * g[p] - sum_dy - xhat * sum_dy_xhat));
            }
        }
    }
}

}  // namespace fnn
