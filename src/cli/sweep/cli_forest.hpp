// A small random-forest regressor (Breiman 2001): bootstrap samples, regression trees split on
// the variance reduction over a random third of the features at each node. Used by sweep
// summaries for hyperparameter importance: each feature's total variance reduction (mean
// decrease in impurity), averaged over the trees and normalised to sum to 1.
#pragma once

#include <stdint.h>

#include <vector>

namespace fnn {

struct ForestOptions {
    int trees = 200;
    int max_depth = 8;
    int min_leaf = 2;
    uint64_t seed = 1;
};

// rows: samples x features (all the same length); targets: one value per sample.
// Returns one importance per feature (zeros when the targets do not vary).
std::vector<double> forest_importance(const std::vector<std::vector<double>>& rows,
                                      const std::vector<double>& targets,
                                      const ForestOptions& options);

}  // namespace fnn
