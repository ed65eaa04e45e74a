// The files of a run directory, each written atomically, all current after every epoch:
//   config.json   every setting of the run (flags after defaults), dataset sizes, architecture
//   metrics.csv   epoch,train_loss,train_acc,val_loss,val_acc,seconds (rewritten every epoch)
//   summary.json  the run's status (running, ok, stopped, diverged, interrupted), best epoch, and
//                 at the end test_loss and test_acc
//   model.fnn     the latest model blob (blob.hpp): after the last finished epoch, or after the
//                 last step when interrupted
//   best.fnn      the model of the epoch with the best monitored validation metric so far
//   diagnostics.jsonl  weight and gradient samples for fnn report
#pragma once

#include <math.h>

#include <string>
#include <vector>

#include "cli/cli_train_options.hpp"
#include "fnn/blob.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

constexpr const char* kMetricsHeader = "epoch,train_loss,train_acc,val_loss,val_acc,seconds";

// Names of the files fnn train writes into a run directory (what --overwrite replaces).
extern const char* const kRunFiles[6];

// Makes `dir` ready for a new run, before any training: refuses one that already holds a run
// unless `overwrite` (then that run's files are removed), creates it, and checks that files can
// be written in it. `refused` tells a refusal (a usage error) from a failure.
bool prepare_run_dir(const std::string& dir, bool overwrite, bool& refused, std::string& error);

struct RunSummary {
    std::string status = "ok";  // running | ok | stopped | diverged | interrupted | failed
    std::string message;        // why, when not ok
    double test_loss = NAN;     // NaN (null in JSON) until the test set was evaluated
    double test_acc = NAN;
    int epochs_completed = 0;
    int best_epoch = 0;         // by the monitored metric; 0 when none
    std::string monitor = "val_acc";
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
// Status "ok", the epoch counts, timings and best epoch of a history (trainer: its best epoch).
RunSummary summarize(const std::vector<EpochMetrics>& history);
RunSummary summarize(const Trainer& trainer);

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
