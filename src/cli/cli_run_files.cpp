// Run directory file contents.
#include "cli/cli_run_files.hpp"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

#include "cli/cli_arch.hpp"
#include "cli/cli_deploy.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/file_io.hpp"

namespace fnn {

const char* const kRunFiles[6] = {"config.json", "metrics.csv",  "summary.json",
                                  "model.fnn",   "best.fnn",     "diagnostics.jsonl"};

bool prepare_run_dir(const std::string& dir, bool overwrite, bool& refused, std::string& error) {
    refused = false;
    std::vector<std::string> present;
    for (const char* name : kRunFiles) {
        if (file_exists(dir + "/" + name)) present.push_back(name);
    }
    if (!present.empty() && !overwrite) {
        std::string list;
        for (const std::string& name : present) list += (list.empty() ? "" : ", ") + name;
        error = dir + " already holds a run (" + list +
                "); choose another --out, or add --overwrite to replace it";
        refused = true;
        return false;
    }
    for (const std::string& name : present) {
        if (unlink((dir + "/" + name).c_str()) != 0) {
            error = dir + "/" + name + ": cannot remove it to overwrite the run: " + strerror(errno);
            return false;
        }
    }
    ErrorText err;
    if (make_directories(dir, &err) != Status::Ok ||
        check_writable(dir + "/config.json", &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    return true;
}

std::string architecture_text(const NetworkShape& shape) {
    if (!shape.is_mlp()) {
        const LayerDesc& first = shape.layers[0];
        return std::to_string(first.in.c) + "x" + std::to_string(first.in.h) + "x" +
               std::to_string(first.in.w) + " > " + architecture_string(shape) + " > " +
               std::to_string(shape.n_out());
    }
    std::string text = std::to_string(shape.n_in());
    for (int l = 0; l < shape.n_layers; ++l) text += "-" + std::to_string(shape.layers[l].n_out);
    return text;
}

std::string config_json(const TrainOptions& options, const Trainer& trainer, int test_count) {
    JsonObject o = settings_object(options);
    o.add("train_samples", trainer.train_count())
        .add("val_samples", trainer.val_count())
        .add("test_samples", test_count)
        .add("architecture", architecture_text(trainer.shape()))
        .add("parameters", static_cast<long>(trainer.shape().weight_count()));
    return o.str();
}

std::string metrics_csv(const std::vector<EpochMetrics>& history) {
    std::string out = std::string(kMetricsHeader) + "\n";
    for (const EpochMetrics& m : history) {
        char line[256];
        // Validation columns stay empty when nothing was held out.
        if (isfinite(m.val_loss)) {
            snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.6f,%.4f\n", m.epoch, m.train_loss,
                     m.train_acc, m.val_loss, m.val_acc, m.seconds);
        } else {
            snprintf(line, sizeof line, "%d,%.6f,%.6f,,,%.4f\n", m.epoch, m.train_loss, m.train_acc,
                     m.seconds);
        }
        out += line;
    }
    return out;
}

bool parse_metrics_csv(const std::string& text, std::vector<EpochMetrics>& out,
                       std::string& error) {
    out.clear();
    const size_t header_end = text.find('\n');
    if (text.compare(0, header_end, kMetricsHeader) != 0) {
        error = std::string("line 1: expected the header ") + kMetricsHeader;
        return false;
    }
    int line_no = 1;
    for (size_t start = header_end; start != std::string::npos && start + 1 < text.size();) {
        ++start;
        ++line_no;
        const size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end == std::string::npos ? end : end - start);
        start = end;
        double v[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
        size_t pos = 0;
        for (int f = 0; f < 6; ++f) {
            const size_t comma = line.find(',', pos);
            const std::string field =
                line.substr(pos, comma == std::string::npos ? comma : comma - pos);
            char* rest = nullptr;
            if (!field.empty()) v[f] = strtod(field.c_str(), &rest);
            if (!field.empty() && *rest != '\0') {
                error = "line " + std::to_string(line_no) + ": '" + field + "' is not a number";
                return false;
            }
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        if (!is_whole_in(v[0], 0, INT32_MAX)) {
            error = "line " + std::to_string(line_no) + ": the epoch is not a whole number";
            return false;
        }
        EpochMetrics m;
        m.epoch = static_cast<int>(v[0]);
        m.train_loss = v[1], m.train_acc = v[2], m.val_loss = v[3], m.val_acc = v[4];
        m.seconds = v[5];
        out.push_back(m);
    }
    return true;
}

RunSummary summarize(const std::vector<EpochMetrics>& history) {
    RunSummary s;
    s.epochs_completed = static_cast<int>(history.size());
    std::vector<double> secs;
    s.best_val_acc = history.empty() ? NAN : 0.0;
    for (const EpochMetrics& m : history) {
        secs.push_back(m.seconds);
        s.total_train_seconds += m.seconds;
        if (isfinite(m.val_acc)) s.best_val_acc = std::max(s.best_val_acc, m.val_acc);
        else s.best_val_acc = NAN;
    }
    std::sort(secs.begin(), secs.end());
    const size_t n = secs.size();
    s.median_epoch_seconds = n == 0  ? NAN
                             : n % 2 ? secs[n / 2]
                                     : 0.5 * (secs[n / 2 - 1] + secs[n / 2]);
    return s;
}

RunSummary summarize(const Trainer& trainer) {
    RunSummary s = summarize(trainer.history());
    s.best_epoch = trainer.best_epoch();
    s.monitor = monitor_name(trainer.config().monitor);
    return s;
}

std::string summary_json(const RunSummary& s) {
    JsonObject o;
    o.add("status", s.status);
    if (!s.message.empty()) o.add("message", s.message);
    o.add("test_loss", s.test_loss)
        .add("test_acc", s.test_acc)
        .add("epochs_completed", s.epochs_completed)
        .add("best_epoch", s.best_epoch)
        .add("monitor", s.monitor)
        .add("best_val_acc", s.best_val_acc)
        .add("median_epoch_seconds", s.median_epoch_seconds)
        .add("total_train_seconds", s.total_train_seconds);
    return o.str();
}

Status save_model(const std::string& path, const Trainer& trainer, const Dataset& data,
                  ErrorText* err) {
    const ModelMeta meta = model_meta(trainer.config().loss, data);
    std::vector<uint8_t> blob(model_blob_bytes(trainer.shape(), WeightType::F32, meta.names_bytes));
    FNN_TRY(write_model_blob(trainer.shape(), trainer.params(), trainer.state(), meta,
                             WeightType::F32, nullptr, blob.data(), blob.size(), err));
    return write_file_atomic(path, blob.data(), blob.size(), err);
}

Status write_run_directory(const std::string& dir, const TrainOptions& options,
                           const Trainer& trainer, const Dataset& train_data, int test_count,
                           const RunSummary& summary, ErrorText* err) {
    FNN_TRY(make_directories(dir, err));
    FNN_TRY(
        write_file_atomic(dir + "/config.json", config_json(options, trainer, test_count), err));
    FNN_TRY(write_file_atomic(dir + "/metrics.csv", metrics_csv(trainer.history()), err));
    FNN_TRY(save_model(dir + "/model.fnn", trainer, train_data, err));
    return write_file_atomic(dir + "/summary.json", summary_json(summary), err);
}

}  // namespace fnn
