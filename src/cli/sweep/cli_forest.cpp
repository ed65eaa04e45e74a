// Random forest importance; the method is described in cli_forest.hpp.
#include "cli/sweep/cli_forest.hpp"

#include <algorithm>
#include <numeric>

#include "fnn/rng.hpp"

namespace fnn {
namespace {

class TreeBuilder {
public:
    TreeBuilder(const std::vector<std::vector<double>>& rows, const std::vector<double>& targets,
                const ForestOptions& options, Rng& rng, std::vector<double>& importance)
        : rows_(rows), targets_(targets), options_(options), rng_(rng), importance_(importance) {}

    // Grows the tree over `samples`, adding each split's impurity decrease to the importances.
    void grow(std::vector<int> samples, int depth) {
        const double n = static_cast<double>(samples.size());
        if (depth >= options_.max_depth || static_cast<int>(samples.size()) < 2 * options_.min_leaf)
            return;
        double sum = 0.0, sum_sq = 0.0;
        for (int s : samples) {
            sum += targets_[s];
            sum_sq += targets_[s] * targets_[s];
        }
        const double impurity = sum_sq - sum * sum / n;  // n * variance
        if (impurity <= 1e-12) return;
        const int features = static_cast<int>(rows_[0].size());
        std::vector<int> order(features);
        std::iota(order.begin(), order.end(), 0);
        for (int i = features; i > 1; --i)
            std::swap(order[i - 1], order[rng_.below(static_cast<uint32_t>(i))]);
        const int tried = std::max(1, features / 3);
        int best_feature = -1;
        double best_threshold = 0.0, best_gain = 0.0;
        for (int f = 0; f < tried; ++f) {
            const int feature = order[f];
            std::sort(samples.begin(), samples.end(),
                      [&](int a, int b) { return rows_[a][feature] < rows_[b][feature]; });
            double left_sum = 0.0, left_sq = 0.0;
            for (size_t i = 0; i + 1 < samples.size(); ++i) {
                const double y = targets_[samples[i]];
                left_sum += y;
                left_sq += y * y;
                const double x = rows_[samples[i]][feature],
                             x_next = rows_[samples[i + 1]][feature];
                const int left = static_cast<int>(i + 1),
                          right = static_cast<int>(samples.size()) - left;
                if (x == x_next || left < options_.min_leaf || right < options_.min_leaf) continue;
                const double right_sum = sum - left_sum, right_sq = sum_sq - left_sq;
                const double children = (left_sq - left_sum * left_sum / left) +
                                        (right_sq - right_sum * right_sum / right);
                const double gain = impurity - children;
                if (gain > best_gain) {
                    best_gain = gain;
                    best_feature = feature;
                    best_threshold = 0.5 * (x + x_next);
                }
            }
        }
        if (best_feature < 0) return;
        importance_[best_feature] += best_gain;
        std::vector<int> left, right;
        for (int s : samples) (rows_[s][best_feature] < best_threshold ? left : right).push_back(s);
        grow(left, depth + 1);
        grow(right, depth + 1);
    }

private:
    const std::vector<std::vector<double>>& rows_;
    const std::vector<double>& targets_;
    const ForestOptions& options_;
    Rng& rng_;
    std::vector<double>& importance_;
};

}  // namespace

std::vector<double> forest_importance(const std::vector<std::vector<double>>& rows,
                                      const std::vector<double>& targets,
                                      const ForestOptions& options) {
    if (rows.empty()) return {};
    std::vector<double> importance(rows[0].size(), 0.0);
    Rng rng(options.seed, /*stream=*/7);
    const uint32_t n = static_cast<uint32_t>(rows.size());
    for (int t = 0; t < options.trees; ++t) {
        std::vector<int> bootstrap(n);
        for (uint32_t i = 0; i < n; ++i) bootstrap[i] = static_cast<int>(rng.below(n));
        TreeBuilder(rows, targets, options, rng, importance).grow(bootstrap, 0);
    }
    const double total = std::accumulate(importance.begin(), importance.end(), 0.0);
    if (total > 0.0) {
        for (double& v : importance) v /= total;
    }
    return importance;
}

}  // namespace fnn
