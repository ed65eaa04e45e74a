// `fnn eval` (accuracy, loss, confusion matrix, per-class metrics of a model on a dataset split)
// and `fnn predict` (one CSV line per input: index,label,predicted,confidence).
#pragma once

#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "cli/cli_model.hpp"
#include "cli/cli_metrics.hpp"

namespace fnn {

int cmd_eval(int argc, char** argv);
int cmd_predict(int argc, char** argv);

// Samples [begin, begin + count) of the split: train and val are the first (1 - val_fraction)
// and the last val_fraction of the training blob's first limit_train samples (all when 0), as
// fnn train splits it; test is the test blob.
struct Split {
    const Dataset* data = nullptr;
    int begin = 0;
    int count = 0;
};
bool select_split(const LoadedDataset& train, const LoadedDataset& test, const std::string& split,
                  double val_fraction, long limit_train, Split& out, std::string& error);

// Runs the model over a split on `threads` threads: predictions, the report (loss as the model
// was trained: cross-entropy or squared error on its probabilities, summed in sample order, so
// the same for any thread count), and each sample's confidence. False, saying why, when the
// model cannot be copied for the threads.
bool evaluate_split(const LoadedModel& model, const Split& split, int threads,
                    ClassificationReport& report, std::vector<int>* predicted,
                    std::vector<float>* confidence, std::string& error);

// Class names from a dataset blob ("class <i>" when it has none).
std::vector<std::string> class_names(const Dataset& d);

}  // namespace fnn
