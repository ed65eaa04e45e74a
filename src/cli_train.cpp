// `fnn train`: console progress, the run directory files, and the command itself.
#include "cli_train.hpp"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli_data.hpp"
#include "cli_flags.hpp"
#include "cli_json.hpp"
#include "cli_run_files.hpp"
#include "cli_trial.hpp"
#include "fnn/file_io.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

namespace {

std::string default_run_dir(const std::string& dataset) {
    const time_t now = time(nullptr);
    struct tm local;
    localtime_r(&now, &local);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    std::string dir = "runs/" + dataset + "-" + stamp;
    for (int n = 2; file_exists(dir); ++n)
        dir = "runs/" + dataset + "-" + stamp + "-" + std::to_string(n);
    return dir;
}

// Console output and metrics.csv while training runs.
class ConsoleObserver : public TrainObserver {
public:
    ConsoleObserver(const std::string& run_dir, const Trainer& trainer, bool quiet)
        : metrics_path_(run_dir + "/metrics.csv"),
          diagnostics_path_(run_dir + "/diagnostics.jsonl"),
          trainer_(trainer),
          quiet_(quiet),
          tty_(isatty(STDOUT_FILENO) == 1) {}

    // One JSON line per sample: epoch, step, and per layer the gradient norm and weight histogram.
    void on_sample(int epoch, int step, const LayerSample* layers, int n_layers) override {
        std::string line = "{\"epoch\":" + std::to_string(epoch) +
                           ",\"step\":" + std::to_string(step) + ",\"layers\":[";
        for (int l = 0; l < n_layers; ++l) {
            const LayerSample& s = layers[l];
            line += std::string(l ? "," : "") + "{\"grad_norm\":" + json_number(s.grad_norm) +
                    ",\"grad_max_abs\":" + json_number(s.grad_max_abs) +
                    ",\"weight_norm\":" + json_number(s.weight_norm) +
                    ",\"weight_min\":" + json_float(s.weight_min) +
                    ",\"weight_max\":" + json_float(s.weight_max) + ",\"histogram\":[";
            for (int b = 0; b < kHistogramBins; ++b)
                line += (b ? "," : "") + std::to_string(s.histogram[b]);
            line += "]}";
        }
        diagnostics_ += line + "]}\n";
    }

    void on_step(int epoch, int step, int steps, double mean_loss) override {
        if (quiet_ || !tty_) return;
        const auto now = std::chrono::steady_clock::now();
        if (step != steps && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const int width = 30;
        const int filled = static_cast<int>(static_cast<long>(width) * step / steps);
        printf("\r  epoch %d/%d [%s%s] %3d%%  loss %.4f", epoch, trainer_.config().epochs,
               std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
               static_cast<int>(100L * step / steps), mean_loss);
        fflush(stdout);
    }

    bool on_epoch(const EpochMetrics& m) override {
        if (!quiet_) {
            if (tty_) printf("\r%70s\r", "");
            char val[64] = "val -";
            if (isfinite(m.val_loss))
                snprintf(val, sizeof val, "val loss %.4f acc %6.2f%%", m.val_loss, 100 * m.val_acc);
            printf("epoch %3d/%d  train loss %.4f acc %6.2f%%  %s  %.2f s\n", m.epoch,
                   trainer_.config().epochs, m.train_loss, 100 * m.train_acc, val, m.seconds);
            fflush(stdout);
        }
        ErrorText err;
        if (write_file_atomic(metrics_path_, metrics_csv(trainer_.history()), &err) != Status::Ok ||
            write_file_atomic(diagnostics_path_, diagnostics_, &err) != Status::Ok) {
            fprintf(stderr, "fnn train: warning: %s\n", err.text);
        }
        return true;
    }

private:
    std::string metrics_path_;
    std::string diagnostics_path_;
    std::string diagnostics_;
    const Trainer& trainer_;
    bool quiet_;
    bool tty_;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace

int cmd_train(int argc, char** argv) {
    TrainOptions o;
    FlagParser parser("fnn train",
                      "Train a multilayer perceptron and save the model, metrics and summary.");
    add_train_flags(parser, o);
    const ParseResult parsed = parser.parse(argc, argv, 2, nullptr);
    if (parsed == ParseResult::Help) return 0;
    if (parsed == ParseResult::UsageError) return 2;
    std::string error;
    if (!finish_train_options(parser, o, error)) {
        fprintf(stderr, "fnn train: %s\n", error.c_str());
        return 2;
    }

    const std::string data_dir = resolve_data_dir(o.data_dir, argv[0]);
    LoadedDataset train_set, test_set;
    if (!load_dataset(data_dir, o.dataset, "train", train_set, error) ||
        !load_dataset(data_dir, o.dataset, "test", test_set, error)) {
        fprintf(stderr, "fnn train: %s\n", error.c_str());
        return 1;
    }
    if (test_set.view.features() != train_set.view.features() ||
        test_set.view.classes() != train_set.view.classes()) {
        fprintf(stderr, "fnn train: %s and %s disagree on features or classes\n",
                train_set.path.c_str(), test_set.path.c_str());
        return 1;
    }

    Dataset train_view = train_set.view;
    if (o.limit_train > 0 && o.limit_train < train_view.count())
        train_view.header.count = static_cast<uint32_t>(o.limit_train);
    Trainer trainer;
    ErrorText err;
    const Status setup = trainer.setup(o.config, train_view, &err);
    if (setup != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return setup == Status::Arg ? 2 : 1;
    }
    const std::string run_dir = o.out_dir.empty() ? default_run_dir(o.dataset) : o.out_dir;
    if (make_directories(run_dir, &err) != Status::Ok ||
        write_file_atomic(run_dir + "/config.json", config_json(o, trainer, test_set.view.count()),
                          &err) != Status::Ok ||
        write_file_atomic(run_dir + "/metrics.csv", metrics_csv({}), &err) != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return 1;
    }
    const TrainConfig& c = trainer.config();
    if (!o.quiet) {
        printf("fnn train: %s, %d train / %d val / %d test samples\n", o.dataset.c_str(),
               trainer.train_count(), trainer.val_count(), test_set.view.count());
        printf("  network %s %s, %s init, %s loss, %s lr %g, batch %d, %d epochs, seed %llu\n",
               architecture_text(trainer.shape()).c_str(), activation_name(c.net.hidden_act),
               init_name(c.init), loss_name(c.loss), optimizer_name(c.opt.kind),
               static_cast<double>(c.opt.learning_rate), c.batch_size, c.epochs,
               static_cast<unsigned long long>(c.seed));
        printf("  run directory %s\n", run_dir.c_str());
    }

    ConsoleObserver observer(run_dir, trainer, o.quiet);
    const Status trained = trainer.run(&observer, &err);
    RunSummary summary = summarize(trainer.history());
    if (trained != Status::Ok) {
        summary.status = trained == Status::Diverged ? "diverged" : "failed";
        summary.message = err.text;
        fprintf(stderr, "fnn train: %s\n", err.text);
    }
    const EvalResult test = trainer.evaluate(test_set.view, 0, test_set.view.count());
    summary.test_loss = test.loss;
    summary.test_acc = test.acc;
    const std::string model_path = run_dir + "/model.fnn";
    if (write_run_directory(run_dir, o, trainer, train_set.view, test_set.view.count(), summary,
                            &err) != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return 1;
    }
    char timing[64] = "";
    if (summary.epochs_completed > 0)
        snprintf(timing, sizeof timing, "  (median epoch %.3f s)", summary.median_epoch_seconds);
    printf("test loss %.4f acc %.2f%%%s  model %s\n", test.loss, 100 * test.acc, timing,
           model_path.c_str());
    if (!o.journal.empty()) {
        // The flags that set the training, without where it runs or reports.
        std::vector<std::string> args;
        for (int i = 2; i < argc; ++i) {
            const std::string a = argv[i];
            const std::string name = a.substr(0, a.find('='));
            const bool plumbing =
                name == "--journal" || name == "--trial" || name == "--out" || name == "--data_dir";
            if (plumbing || a == "-q" || a == "--quiet") {
                if (plumbing && a.find('=') == std::string::npos) ++i;  // skip its value too
                continue;
            }
            args.push_back(a);
        }
        const TrialResult r =
            trial_result(o.trial, o, args, trainer, trained, err.text, false, "", test);
        if (append_journal_line(o.journal, trial_to_json(r), &err) != Status::Ok) {
            fprintf(stderr, "fnn train: %s\n", err.text);
            return 1;
        }
    }
    return trained == Status::Ok ? 0 : 1;
}

}  // namespace fnn
