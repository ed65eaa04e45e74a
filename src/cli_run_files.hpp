// The files of a run directory, each written atomically:
//   config.json   every setting of the run (flags after defaults), dataset sizes, architecture
//   metrics.csv   epoch,train_loss,train_acc,val_loss,val_acc,seconds (rewritten every epoch)
//   summary.json  test_loss, test_acc and the run's outcome
//   model.fnn     the trained model blob (blob.hpp)
#pragma once

#include <string>
#include <vector>

#include "cli_train_options.hpp"
#include "fnn/blob.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

constexpr const char* kMetricsHeader = "epoch,train_loss,train_acc,val_loss,val_acc,seconds";

struct RunSummary {
    std::string status = "ok";  // ok | diverged
    std::string message;        // why, when not ok
    double test_loss = 0.0;
    double test_acc = 0.0;
    int epochs_completed = 0;
    double best_val_acc = 0.0;
    double median_epoch_seconds = 0.0;
    double total_train_seconds = 0.0;
};

std::string config_json(const TrainOptions& options, const Trainer& trainer, int test_count);
std::string metrics_csv(const std::vector<EpochMetrics>& history);
// Reads metrics_csv()'s text back (empty fields as NaN). The header must be kMetricsHeader and
// each epoch a whole number; on failure `error` reads "line N: what is wrong".
bool parse_metrics_csv(const std::string& text, std::vector<EpochMetrics>& out, std::string& error);
std::string summary_json(const RunSummary& summary);
RunSummary summarize(const std::vector<EpochMetrics>& history);

// Encodes the trainer's parameters as an fp32 model blob and writes it atomically.
Status save_model(const std::string& path, const Trainer& trainer, const Dataset& data,
                  ErrorText* err);

// Writes a finished run's config.json, metrics.csv, summary.json and model.fnn into `dir`
// (created when missing), as fnn train leaves them.
Status write_run_directory(const std::string& dir, const TrainOptions& options,
                           const Trainer& trainer, const Dataset& train_data, int test_count,
                           const RunSummary& summary, ErrorText* err);

// "784-128-128-10"
std::string architecture_text(const NetworkShape& shape);

}  // namespace fnn
