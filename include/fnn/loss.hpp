// Losses on the softmax output, fused with softmax so that the gradient with respect to the
// logits is computed in one stable pass: cross-entropy (log-sum-exp form, never log(0)) and the
// squared error between the softmax probabilities and the one-hot label (as the course does).
#pragma once

#include <stdint.h>

#include "fnn/matrix.hpp"

namespace fnn {

enum class Loss : unsigned char { CrossEntropy = 0, MeanSquaredError = 1 };

const char* loss_name(Loss loss);  // "cross_entropy", "mean_squared_error"
bool parse_loss(const char* text, Loss& out);

// What one pass over a batch measured: per-sample losses summed (mean = loss_sum / count) and
// how many argmax predictions were right.
struct BatchScore {
    double loss_sum = 0.0;
    int correct = 0;
};

// Per-sample losses, with p = softmax(z) and y the one-hot label:
//   cross_entropy:       L = log(sum_j e^z_j) - z_label
//   mean_squared_error:  L = sum_j (p_j - y_j)^2
// logits: (batch, classes), labels: (batch). Fills dlogits (batch, classes) with
// d(mean over the batch of L)/dz, i.e. already divided by the batch size.
BatchScore loss_forward_backward(Loss loss, ConstMatView logits, const uint8_t* labels,
                                 MatView dlogits);

// The same scores without the gradient (evaluation).
BatchScore loss_score(Loss loss, ConstMatView logits, const uint8_t* labels);

// Index of the largest element of row r (the first one on ties).
int argmax_row(ConstMatView m, int r);

}  // namespace fnn
