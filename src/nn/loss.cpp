// Fused softmax + loss: values, argmax accuracy and gradients with respect to the logits.
#include "fnn/loss.hpp"

#include <string.h>

#include "base/float_math.hpp"

namespace fnn {
namespace {

// Softmax of one row into p, returning log(sum e^(z - max)) + max = log-sum-exp of the row.
double softmax_row(const float* z, int n, float* p) {
    float max = z[0];
    for (int j = 1; j < n; ++j) max = z[j] > max ? z[j] : max;
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) {
        p[j] = exp_f(z[j] - max);
        sum += p[j];
    }
    for (int j = 0; j < n; ++j) p[j] = p[j] / sum;
    return static_cast<double>(max) + log_d(sum);
}

// Scores one row; when `grad` is non-null it receives dL/dz scaled by `scale` (1 / batch).
double score_row(Loss loss, const float* z, int n, int label, float* p, float* grad, float scale) {
    const double lse = softmax_row(z, n, p);
    if (loss == Loss::CrossEntropy) {
        if (grad != nullptr) {
            // dL/dz_j = p_j - y_j
            for (int j = 0; j < n; ++j) grad[j] = (p[j] - (j == label ? 1.0f : 0.0f)) * scale;
        }
        return lse - static_cast<double>(z[label]);
    }
    // Squared error on p: dL/dz_j = 2 p_j ((p_j - y_j) - sum_c (p_c - y_c) p_c)
    double value = 0.0;
    float weighted = 0.0f;
    for (int j = 0; j < n; ++j) {
        const float diff = p[j] - (j == label ? 1.0f : 0.0f);
        value += static_cast<double>(diff) * diff;
        weighted += diff * p[j];
    }
    if (grad != nullptr) {
        for (int j = 0; j < n; ++j) {
            const float diff = p[j] - (j == label ? 1.0f : 0.0f);
            grad[j] = 2.0f * p[j] * (diff - weighted) * scale;
        }
    }
    return value;
}

constexpr int kMaxClasses = 256;  // labels are uint8

BatchScore score_batch(Loss loss, ConstMatView logits, const uint8_t* labels, MatView* dlogits) {
    BatchScore score;
    float p[kMaxClasses];
    const float scale = 1.0f / static_cast<float>(logits.rows);
    for (int i = 0; i < logits.rows; ++i) {
        float* grad = dlogits != nullptr ? dlogits->row(i) : nullptr;
        score.loss_sum += score_row(loss, logits.row(i), logits.cols, labels[i], p, grad, scale);
        if (argmax_row(logits, i) == labels[i]) ++score.correct;
    }
    return score;
}

}  // namespace

const char* loss_name(Loss loss) {
    return loss == Loss::CrossEntropy ? "cross_entropy" : "mean_squared_error";
}

bool parse_loss(const char* text, Loss& out) {
    if (strcmp(text, "cross_entropy") == 0) {
        out = Loss::CrossEntropy;
        return true;
    }
    if (strcmp(text, "mean_squared_error") == 0) {
        out = Loss::MeanSquaredError;
        return true;
    }
    return false;
}

int argmax_row(ConstMatView m, int r) {
    const float* row = m.row(r);
    int best = 0;
    for (int j = 1; j < m.cols; ++j) best = row[j] > row[best] ? j : best;
    return best;
}

BatchScore loss_forward_backward(Loss loss, ConstMatView logits, const uint8_t* labels,
                                 MatView dlogits) {
    return score_batch(loss, logits, labels, &dlogits);
}

BatchScore loss_score(Loss loss, ConstMatView logits, const uint8_t* labels) {
    return score_batch(loss, logits, labels, nullptr);
}

}  // namespace fnn
