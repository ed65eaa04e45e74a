// Running one trial and its journal line.
#include "cli/cli_trial.hpp"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <chrono>

#include "cli/cli_json.hpp"
#include "cli/cli_run_files.hpp"
#include "cli/sweep/cli_device.hpp"
#include "fnn/file_io.hpp"
#include "fnn/fnn.h"

namespace fnn {
namespace {

// Ends training when the gate says so, remembering why.
class GateObserver : public TrainObserver {
public:
    GateObserver(long trial, EpochGate* gate) : trial_(trial), gate_(gate) {}
    bool on_epoch(const EpochMetrics& m) override {
        return gate_ == nullptr || gate_->keep_going(trial_, m, reason_);
    }
    const std::string& reason() const { return reason_; }

private:
    long trial_;
    EpochGate* gate_;
    std::string reason_;
};

std::string epochs_json(const std::vector<EpochMetrics>& epochs) {
    std::string out = "[";
    for (size_t i = 0; i < epochs.size(); ++i) {
        const EpochMetrics& m = epochs[i];
        out += (i ? "," : "") + std::string("{\"epoch\":") + std::to_string(m.epoch) +
               ",\"train_loss\":" + json_number(m.train_loss) +
               ",\"train_acc\":" + json_number(m.train_acc) +
               ",\"val_loss\":" + json_number(m.val_loss) +
               ",\"val_acc\":" + json_number(m.val_acc) + ",\"val_f1\":" + json_number(m.val_f1) +
               ",\"seconds\":" + json_number(m.seconds) + "}";
    }
    return out + "]";
}

double number_or_nan(const JsonValue& v, const char* key) { return v.number_or(key, NAN); }

}  // namespace

JsonObject settings_object(const TrainOptions& o) {
    const TrainConfig& c = o.config;
    std::vector<int> widths(c.net.hidden_widths, c.net.hidden_widths + c.net.n_hidden);
    bool uniform = true;
    for (int w : widths) uniform = uniform && w == widths.front();
    JsonObject j;
    j.add("dataset", o.dataset)
        .add("epochs", c.epochs)
        .add("batch_size", c.batch_size)
        .add("loss", loss_name(c.loss))
        .add("optimizer", optimizer_name(c.opt.kind))
        .add("learning_rate", c.opt.learning_rate)
        .add("momentum", c.opt.momentum)
        .add("beta", c.opt.beta)
        .add("beta1", c.opt.beta1)
        .add("beta2", c.opt.beta2)
        .add("epsilon", c.opt.epsilon)
        .add("weight_decay", c.opt.weight_decay)
        .add("weight_init", init_name(c.init));
    if (!o.arch.empty()) {
        j.add("arch", o.arch);  // the layers; the MLP settings do not apply
        if (!o.dropout.empty()) j.add("dropout", o.dropout);
    } else {
        j.add("num_layers", c.net.n_hidden);
        if (uniform && !widths.empty()) j.add("hidden_size", widths.front());
        j.add("hidden_sizes", widths).add("activation", activation_name(c.net.hidden_act));
    }
    j.add("seed", static_cast<double>(c.seed))
        .add("val_fraction", c.val_fraction)
        .add("limit_train", o.limit_train)
        .add("lr_schedule", lr_schedule_name(c.schedule.kind))
        .add("lr_step_epochs", c.schedule.step_epochs)
        .add("lr_gamma", c.schedule.gamma)
        .add("lr_min", c.schedule.min_lr)
        .add("lr_warmup_epochs", c.schedule.warmup_epochs)
        .add("early_stop", c.early_stop)
        .add("monitor", monitor_name(c.monitor));
    if (!o.init_model.empty()) j.add("init", o.init_model);
    return j;
}

double epoch_metric(const std::string& metric, const EpochMetrics& m) {
    return metric == "val_acc"     ? m.val_acc
           : metric == "val_loss"  ? m.val_loss
           : metric == "val_f1"    ? m.val_f1
           : metric == "train_acc" ? m.train_acc
                                   : m.train_loss;
}

double trial_metric(const std::string& metric, const TrialResult& r) {
    if (r.deployment.present && metric == "val_acc") return r.val_acc;
    return r.epochs.empty() ? NAN : epoch_metric(metric, r.epochs.back());
}

namespace {

std::string deployment_json(const Deployment& d) {
    const Footprint& f = d.footprint;
    JsonObject o;
    o.add("variant", deploy_variant_name(d.variant))
        .add("flash", static_cast<double>(f.flash()))
        .add("ram", static_cast<double>(f.ram()))
        .add("code", static_cast<double>(f.code))
        .add("blob", static_cast<double>(f.blob))
        .add("arena", static_cast<double>(f.arena))
        .add("stack", static_cast<double>(f.stack))
        .add("input", static_cast<double>(f.input))
        .add("macs", static_cast<double>(f.macs))
        .add("parent_val_acc", d.parent_val_acc)
        .add("parent_test_acc", d.parent_test_acc);
    return o.compact();
}

bool deployment_from_json(const JsonValue& v, Deployment& d, std::string& error) {
    if (!parse_deploy_variant(v.text_or("variant", ""), d.variant)) {
        error = "device.variant: expected fp32, fp16 or int8";
        return false;
    }
    Footprint& f = d.footprint;
    const std::pair<const char*, size_t*> sizes[] = {{"code", &f.code},   {"blob", &f.blob},
                                                     {"arena", &f.arena}, {"stack", &f.stack},
                                                     {"input", &f.input}, {"macs", &f.macs}};
    for (const auto& [key, field] : sizes) {
        const JsonValue* n = v.find(key);
        if (!is_whole_number_in(n, 0, 1e15)) {
            error = std::string("device.") + key + ": expected a whole number of bytes";
            return false;
        }
        *field = static_cast<size_t>(n->number);
    }
    d.parent_val_acc = v.number_or("parent_val_acc", NAN);
    d.parent_test_acc = v.number_or("parent_test_acc", NAN);
    d.present = true;
    return true;
}

}  // namespace

std::string trial_to_json(const TrialResult& r) {
    std::string args = "[";
    for (size_t i = 0; i < r.args.size(); ++i) args += (i ? "," : "") + json_quote(r.args[i]);
    args += "]";
    return "{\"trial\":" + std::to_string(r.trial) + ",\"status\":" + json_quote(r.status) +
           ",\"reason\":" + json_quote(r.reason) +
           ",\"config\":" + (r.config.empty() ? "{}" : r.config) + ",\"args\":" + args +
           ",\"epochs\":" + epochs_json(r.epochs) + ",\"val_acc\":" + json_number(r.val_acc) +
           ",\"val_loss\":" + json_number(r.val_loss) + ",\"test_acc\":" + json_number(r.test_acc) +
           ",\"test_loss\":" + json_number(r.test_loss) + ",\"seconds\":" + json_number(r.seconds) +
           (r.deployment.present ? ",\"device\":" + deployment_json(r.deployment) : "") + "}";
}

bool trial_from_json(const std::string& line, TrialResult& out, std::string& error) {
    JsonValue v;
    if (!parse_json(line, v, error)) return false;
    const JsonValue* trial = v.find("trial");
    const JsonValue* config = v.find("config");
    if (v.kind != JsonValue::Kind::Object || trial == nullptr || config == nullptr ||
        config->kind != JsonValue::Kind::Object) {
        error = "not a trial record (needs trial and config)";
        return false;
    }
    if (!is_whole_number_in(trial, -1, INT32_MAX)) {
        error = "trial: expected a whole number from -1 to 2147483647";
        return false;
    }
    TrialResult r;
    r.trial = static_cast<long>(trial->number);
    r.status = v.text_or("status", "failed");
    r.reason = v.text_or("reason", "");
    r.config = json_encode(*config);
    if (const JsonValue* args = v.find("args")) {
        for (const JsonValue& a : args->items) r.args.push_back(a.text);
    }
    if (const JsonValue* epochs = v.find("epochs")) {
        for (const JsonValue& e : epochs->items) {
            const JsonValue* epoch = e.find("epoch");
            if (!is_whole_number_in(epoch, 0, INT32_MAX)) {
                error = "epochs[" + std::to_string(r.epochs.size()) +
                        "].epoch: expected a whole number from 0 to 2147483647";
                return false;
            }
            EpochMetrics m;
            m.epoch = static_cast<int>(epoch->number);
            m.train_loss = number_or_nan(e, "train_loss");
            m.train_acc = number_or_nan(e, "train_acc");
            m.val_loss = number_or_nan(e, "val_loss");
            m.val_acc = number_or_nan(e, "val_acc");
            m.val_f1 = number_or_nan(e, "val_f1");
            m.seconds = number_or_nan(e, "seconds");
            r.epochs.push_back(m);
        }
    }
    r.val_acc = number_or_nan(v, "val_acc");
    r.val_loss = number_or_nan(v, "val_loss");
    r.test_acc = number_or_nan(v, "test_acc");
    r.test_loss = number_or_nan(v, "test_loss");
    r.seconds = number_or_nan(v, "seconds");
    if (const JsonValue* device = v.find("device")) {
        if (!deployment_from_json(*device, r.deployment, error)) return false;
    }
    out = r;
    return true;
}

TrialResult trial_result(long trial, const TrainOptions& o, const std::vector<std::string>& args,
                         const Trainer& trainer, Status trained, const char* reason, bool stopped,
                         const std::string& stop_reason, const EvalResult& test) {
    TrialResult r;
    r.trial = trial;
    r.config = settings_object(o).compact();
    r.args = args;
    r.epochs = trainer.history();
    r.status = trained == Status::Diverged ? "diverged"
               : trained != Status::Ok     ? "failed"
               : stopped                   ? "stopped"
                                           : "ok";
    r.reason = trained != Status::Ok ? reason : stopped ? stop_reason : "";
    r.val_acc = r.epochs.empty() ? NAN : r.epochs.back().val_acc;
    r.val_loss = r.epochs.empty() ? NAN : r.epochs.back().val_loss;
    r.test_acc = test.acc;
    r.test_loss = test.loss;
    for (const EpochMetrics& m : r.epochs) r.seconds += m.seconds;
    return r;
}

namespace {

// Converts the trained model to the device's variant, scores it through the inference library
// (validation samples: the trainer's, the end of `train`) and keeps its blob at `path`.
Status deploy_trial(const DeviceBudget& device, const Trainer& trainer, const Dataset& train,
                    const Dataset& test, const std::string& path, TrialResult& r, ErrorText* err) {
    const std::vector<uint8_t> blob =
        deploy_blob(trainer.shape(), trainer.params(), trainer.state(),
                    model_meta(trainer.config().loss, train), device.variant, train);
    Deployment& d = r.deployment;
    d.present = true;
    d.variant = device.variant;
    d.parent_val_acc = r.val_acc;
    d.parent_test_acc = r.test_acc;
    Footprint& f = d.footprint;
    f.blob = blob.size();
    if (fnn_arena_bytes(blob.data(), blob.size(), &f.arena) != FNN_OK)
        return fail(err, Status::Format, "the inference library refuses the %s model",
                    deploy_variant_name(device.variant));
    f.code = firmware_code_bytes(*device.profile, blob);
    f.stack = device.profile->stack_bytes;
    f.input = static_cast<size_t>(train.features());
    f.macs = trainer.shape().macs();
    r.val_acc = blob_accuracy(blob, train, trainer.train_count(), trainer.val_count());
    // A trial stopped early is not a candidate to ship: its test run through the library (as
    // long as some trials' training) is skipped.
    r.test_acc = r.status == "ok" ? blob_accuracy(blob, test, 0, test.count()) : NAN;
    if (path.empty()) return Status::Ok;
    return write_file_atomic(path, blob.data(), blob.size(), err);
}

}  // namespace

TrialResult run_trial(long trial, const std::vector<std::string>& args, const Dataset& train,
                      const Dataset& test, EpochGate* gate, int threads,
                      const std::string& run_dir, const DeviceBudget* device,
                      const std::string& deploy_path) {
    TrainOptions o;
    std::string error;
    const bool parsed = train_options_from_args(args, o, error);
    o.config.threads = threads;
    if (!parsed) {
        TrialResult r;
        r.trial = trial;
        r.args = args;
        r.status = "failed";
        r.reason = error;
        r.val_acc = r.val_loss = r.test_acc = r.test_loss = NAN;
        return r;
    }
    Dataset slice = train;
    if (o.limit_train > 0 && o.limit_train < train.count())
        slice.header.count = static_cast<uint32_t>(o.limit_train);
    Trainer trainer;
    ErrorText err;
    Status s = trainer.setup(o.config, slice, &err);
    if (s != Status::Ok) {
        TrialResult r;
        r.trial = trial;
        r.config = settings_object(o).compact();
        r.args = args;
        r.status = "failed";
        r.reason = err.text;
        r.val_acc = r.val_loss = r.test_acc = r.test_loss = NAN;
        return r;
    }
    GateObserver observer(trial, gate);
    s = trainer.run(&observer, &err);
    const EvalResult result = trainer.evaluate(test, 0, test.count());
    TrialResult r = trial_result(trial, o, args, trainer, s, err.text, trainer.stopped_early(),
                                 observer.reason(), result);
    if (device != nullptr && device->enabled() && (r.status == "ok" || r.status == "stopped") &&
        deploy_trial(*device, trainer, slice, test, deploy_path, r, &err) != Status::Ok) {
        r.status = "failed";
        r.reason = std::string("cannot ship the model: ") + err.text;
    }
    if (!run_dir.empty()) {
        RunSummary summary = summarize(trainer.history());
        summary.status = r.status;
        summary.message = r.reason;
        summary.test_loss = result.loss;
        summary.test_acc = result.acc;
        if (write_run_directory(run_dir, o, trainer, slice, test.count(), summary, &err) !=
            Status::Ok) {
            r.status = "failed";
            r.reason = std::string("cannot keep the run directory: ") + err.text;
        }
    }
    return r;
}

}  // namespace fnn
