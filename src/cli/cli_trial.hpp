// One sweep trial: fnn train flags in, a trained model's metrics out, recorded as one JSON line
// of a sweep journal. `fnn sweep` runs trials in-process; `fnn train --journal` (what
// `fnn sweep --plan` prints) writes the same line from a separate process or machine.
#pragma once

#include <string>
#include <vector>

#include "cli/cli_deploy.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_train_options.hpp"
#include "fnn/dataset.hpp"
#include "fnn/status.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

struct DeviceBudget;

struct TrialResult {
    long trial = -1;
    std::string status = "ok";      // ok | stopped | diverged | failed | infeasible
    std::string reason;             // why, when not ok
    std::string config;             // compact JSON object: every training setting, after defaults
    std::vector<std::string> args;  // the fnn train flags that reproduce the trial
    std::vector<EpochMetrics> epochs;
    double val_acc = 0.0, val_loss = 0.0, test_acc = 0.0, test_loss = 0.0;  // NaN when unknown
    double seconds = 0.0;  // training time, evaluation excluded
    // A device-constrained sweep: val_acc and test_acc above are the shipped variant's, through
    // the inference library. An infeasible record (trial -1, never trained) has the footprint.
    Deployment deployment;
};

// A metric (val_acc, val_loss, val_f1, train_acc, train_loss) of one epoch, and of a trial (its
// last epoch; NaN without epochs; val_acc of a deployed trial is its shipped variant's).
double epoch_metric(const std::string& metric, const EpochMetrics& m);
double trial_metric(const std::string& metric, const TrialResult& r);

// The journal line (no newline) and back. Numbers round-trip exactly.
std::string trial_to_json(const TrialResult& r);
bool trial_from_json(const std::string& line, TrialResult& out, std::string& error);

// The settings a run used: every training flag's value after defaults (config.json's fields,
// and the "config" of a journal line).
JsonObject settings_object(const TrainOptions& o);

// Decides after each epoch whether a trial goes on (hyperband in a sweep).
class EpochGate {
public:
    virtual ~EpochGate() = default;
    virtual bool keep_going(long trial, const EpochMetrics& m, std::string& reason) = 0;
};

// Trains one trial quietly on loaded data (train is sliced by --limit_train) and evaluates it on
// `test`. Never fails outright: bad flags or a diverged run come back as status failed/diverged.
// With a `run_dir`, the trial's run directory (model, metrics, config, summary) is kept there;
// a trial whose directory cannot be written is failed, with the reason.
// With a `device`, the trained model is converted to the device's variant, scored through the
// inference library on the validation samples (and the test samples, unless the gate stopped
// the trial: then test_acc is NaN), and its blob written to `deploy_path`. The trial trains on
// `threads` threads whatever `args` say (a sweep shares the cores among its workers; the model
// is the same for any count).
TrialResult run_trial(long trial, const std::vector<std::string>& args, const Dataset& train,
                      const Dataset& test, EpochGate* gate, int threads,
                      const std::string& run_dir = "", const DeviceBudget* device = nullptr,
                      const std::string& deploy_path = "");

// The result of a finished Trainer run (shared by run_trial and fnn train --journal).
TrialResult trial_result(long trial, const TrainOptions& o, const std::vector<std::string>& args,
                         const Trainer& trainer, Status trained, const char* reason, bool stopped,
                         const std::string& stop_reason, const EvalResult& test);

}  // namespace fnn
