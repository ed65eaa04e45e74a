// Classification metrics with scikit-learn's definitions (classification_report,
// confusion_matrix): per class precision = TP / (TP + FP), recall = TP / (TP + FN),
// F1 = 2PR / (P + R), each 0 when its denominator is 0, and support = samples of the class;
// the macro average is their plain mean, the weighted average weighs each class by its support.
#pragma once

#include <string>
#include <vector>

namespace fnn {

struct ClassMetrics {
    double precision = 0.0, recall = 0.0, f1 = 0.0;
    long support = 0;
};

struct ClassificationReport {
    int classes = 0;
    long total = 0;
    double accuracy = 0.0;
    double loss = 0.0;            // mean per-sample loss (set by the caller)
    std::vector<long> confusion;  // classes x classes: row = true class, column = predicted
    std::vector<ClassMetrics> per_class;
    ClassMetrics macro, weighted;

    long at(int truth, int predicted) const {
        return confusion[static_cast<size_t>(truth) * classes + predicted];
    }
};

ClassificationReport classification_report(const std::vector<int>& labels,
                                           const std::vector<int>& predicted, int classes);

// The labelled confusion matrix and the per-class table, for a terminal.
std::string report_text(const ClassificationReport& r, const std::vector<std::string>& names);
// The same as JSON and as CSV (per-class rows, then accuracy and averages, then the matrix).
std::string report_json(const ClassificationReport& r, const std::vector<std::string>& names);
std::string report_csv(const ClassificationReport& r, const std::vector<std::string>& names);

}  // namespace fnn
