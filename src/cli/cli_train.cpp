// `fnn train`: console progress, the run directory's files after every epoch, Ctrl-C, and the
// command itself.
#include "cli/cli_train.hpp"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "cli/cli_flags.hpp"
#include "cli/cli_interrupt.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_model.hpp"
#include "cli/cli_run_files.hpp"
#include "cli/cli_train_advice.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/file_io.hpp"
#include "fnn/summary.hpp"
#include "fnn/trainer.hpp"
#include "fnn/version.h"

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

// Console output while training runs, and the run directory kept current: after every epoch
// metrics.csv, diagnostics.jsonl, model.fnn, best.fnn (when the epoch is the best so far) and
// summary.json (status running), so a run can be watched, reported on and survives a crash.
class RunObserver : public TrainObserver {
public:
    RunObserver(const std::string& run_dir, const Trainer& trainer, const Dataset& train_data,
                bool quiet)
        : dir_(run_dir),
          trainer_(trainer),
          train_data_(train_data),
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
            printf("epoch %3d/%d  train loss %.4f acc %6.2f%%  %s  %.2f s%s\n", m.epoch,
                   trainer_.config().epochs, m.train_loss, 100 * m.train_acc, val, m.seconds,
                   trainer_.best_epoch() == m.epoch && m.epoch > 1 ? "  (best)" : "");
            fflush(stdout);
        }
        RunSummary running = summarize(trainer_);
        running.status = "running";
        ErrorText err;
        // A failed write (a full disk) leaves the previous version of that file; training goes on.
        const bool saved =
            write_file_atomic(dir_ + "/metrics.csv", metrics_csv(trainer_.history()), &err) ==
                Status::Ok &&
            write_file_atomic(dir_ + "/diagnostics.jsonl", diagnostics_, &err) == Status::Ok &&
            save_model(dir_ + "/model.fnn", trainer_, train_data_, &err) == Status::Ok &&
            (trainer_.best_epoch() != m.epoch ||
             save_model(dir_ + "/best.fnn", trainer_, train_data_, &err) == Status::Ok) &&
            write_file_atomic(dir_ + "/summary.json", summary_json(running), &err) == Status::Ok;
        if (!saved) fprintf(stderr, "fnn train: warning: %s\n", err.text);
        return true;
    }

    bool stop_requested() override { return interrupt_signal() != 0; }

    // Ends the progress bar line, if one is drawn.
    void end_line() const {
        if (!quiet_ && tty_) printf("\r%70s\r", "");
    }

private:
    std::string dir_;
    const Trainer& trainer_;
    const Dataset& train_data_;
    std::string diagnostics_;
    bool quiet_;
    bool tty_;
    std::chrono::steady_clock::time_point last_draw_{};
};

// The flags that set the training, without where it runs or reports (a journal line's args).
std::vector<std::string> training_args(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        const std::string name = a.substr(0, a.find('='));
        const bool plumbing = name == "--journal" || name == "--trial" || name == "--out" ||
                              name == "--data_dir" || name == "-wp" || name == "--wandb_project" ||
                              name == "-we" || name == "--wandb_entity";
        if (plumbing || a == "-q" || a == "--quiet" || a == "--overwrite") {
            if (plumbing && a.find('=') == std::string::npos) ++i;  // skip its value too
            continue;
        }
        args.push_back(a);
    }
    return args;
}

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
    if (!o.ignored.empty() && !o.quiet) {
        printf("fnn train: %s ignored: fnn logs to the run directory (fnn report shows it)\n",
               o.ignored.front().c_str());
    }

    // Every output is checked before the data is loaded and training starts: nothing a user
    // made is overwritten unasked, and a typo in a path costs seconds, not a training run.
    const std::string run_dir = o.out_dir.empty() ? default_run_dir(o.dataset) : o.out_dir;
    bool refused = false;
    ErrorText err;
    if (!prepare_run_dir(run_dir, o.overwrite, refused, error)) {
        fprintf(stderr, "fnn train: %s\n", error.c_str());
        return refused ? 2 : 1;
    }
    if (!o.journal.empty() && check_appendable(o.journal, &err) != Status::Ok) {
        fprintf(stderr, "fnn train: --journal %s\n", err.text);
        return 1;
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
    const Status setup = trainer.setup(o.config, train_view, &err);
    if (setup != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return setup == Status::Arg ? 2 : 1;
    }
    if (!o.init_model.empty()) {
        std::vector<float> start, state;
        if (!read_parameters(o.init_model, trainer.shape(), start, state, error)) {
            fprintf(stderr, "fnn train: --init %s\n", error.c_str());
            return 2;
        }
        trainer.set_parameters(start.data(), state.empty() ? nullptr : state.data());
    }
    if (write_file_atomic(run_dir + "/config.json", config_json(o, trainer, test_set.view.count()),
                          &err) != Status::Ok ||
        write_file_atomic(run_dir + "/metrics.csv", metrics_csv({}), &err) != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return 1;
    }
    const TrainConfig& c = trainer.config();
    if (!o.quiet) {
        printf("fnn train: %s, %d train / %d val / %d test samples\n", o.dataset.c_str(),
               trainer.train_count(), trainer.val_count(), test_set.view.count());
        const std::string network =
            architecture_text(trainer.shape()) +
            (trainer.shape().is_mlp() ? std::string(" ") + activation_name(c.net.hidden_act) : "");
        printf("  network %s, %s init, %s loss, %s lr %g%s, batch %d, %d epochs, seed %llu\n",
               network.c_str(),
               init_name(c.init), loss_name(c.loss), optimizer_name(c.opt.kind),
               static_cast<double>(c.opt.learning_rate),
               c.schedule.kind == LrScheduleKind::Constant
                   ? ""
                   : (std::string(" ") + lr_schedule_name(c.schedule.kind)).c_str(),
               c.batch_size, c.epochs, static_cast<unsigned long long>(c.seed));
        fputs(network_summary(trainer.shape(), 2).c_str(), stdout);
        if (!o.init_model.empty()) printf("  starting from %s\n", o.init_model.c_str());
        printf("  run directory %s\n", run_dir.c_str());
    }

    install_interrupt_handlers();
    RunObserver observer(run_dir, trainer, train_set.view, o.quiet);
    const Status trained = trainer.run(&observer, &err);
    RunSummary summary = summarize(trainer);

    if (trainer.interrupted()) {
        // Ctrl-C: the parameters after the last step, and the files as of the last epoch.
        observer.end_line();
        const int sig = interrupt_signal();
        const int epoch = static_cast<int>(trainer.history().size()) + 1;
        summary.status = "interrupted";
        summary.message = "stopped by signal " + std::to_string(sig) + " during epoch " +
                          std::to_string(epoch) + "; the test set was not evaluated";
        ErrorText save_err;
        if (save_model(run_dir + "/model.fnn", trainer, train_set.view, &save_err) != Status::Ok ||
            write_file_atomic(run_dir + "/summary.json", summary_json(summary), &save_err) !=
                Status::Ok) {
            fprintf(stderr, "fnn train: %s\n", save_err.text);
        }
        fprintf(stderr,
                "fnn train: interrupted during epoch %d; saved in %s: model.fnn (after the last "
                "step), %s, metrics.csv and summary.json. fnn eval %s evaluates it.\n",
                epoch, run_dir.c_str(),
                trainer.best_epoch() > 0
                    ? ("best.fnn (epoch " + std::to_string(trainer.best_epoch()) + ")").c_str()
                    : "no best.fnn yet",
                run_dir.c_str());
        return kExitSignalBase + sig;
    }
    if (trained != Status::Ok) {
        summary.status = trained == Status::Diverged ? "diverged" : "failed";
        summary.message = err.text;
        fprintf(stderr, "fnn train: %s\n", err.text);
    } else if (trainer.stopped_early()) {
        summary.status = "stopped";
        summary.message = trainer.stop_reason();
        if (!o.quiet) printf("%s\n", trainer.stop_reason().c_str());
    }
    const EvalResult test = trainer.evaluate(test_set.view, 0, test_set.view.count());
    summary.test_loss = test.loss;
    summary.test_acc = test.acc;
    if (write_run_directory(run_dir, o, trainer, train_set.view, test_set.view.count(), summary,
                            &err) != Status::Ok) {
        fprintf(stderr, "fnn train: %s\n", err.text);
        return 1;
    }
    char timing[64] = "";
    if (summary.epochs_completed > 0)
        snprintf(timing, sizeof timing, "  (median epoch %.3f s)", summary.median_epoch_seconds);
    printf("test loss %.4f acc %.2f%%%s  model %s/model.fnn\n", test.loss, 100 * test.acc, timing,
           run_dir.c_str());
    const std::string warning =
        chance_warning(trainer.config(), trainer.history(), trainer.shape().n_out());
    if (!warning.empty()) fprintf(stderr, "fnn train: %s\n", warning.c_str());
    if (!o.journal.empty()) {
        const TrialResult r = trial_result(o.trial, o, training_args(argc, argv), trainer, trained,
                                           err.text, trainer.stopped_early(),
                                           trainer.stop_reason(), test);
        if (append_journal_line(o.journal, trial_to_json(r), &err) != Status::Ok) {
            fprintf(stderr, "fnn train: %s\n", err.text);
            return 1;
        }
    }
    return trained == Status::Ok ? 0 : 1;
}

}  // namespace fnn
