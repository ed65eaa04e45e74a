// A training run's life as a user lives it: files current after every epoch, Ctrl-C and
// SIGTERM, a second Ctrl-C, continuing with --init, early stopping, schedules, refusing to
// overwrite a run, outputs checked before training, and the warning for a run stuck at chance.
#include <doctest/doctest.h>

#include <math.h>

#include <string>
#include <vector>

#include "cli/cli_json.hpp"
#include "cli/cli_run_files.hpp"
#include "command.hpp"
#include "fnn/lr_schedule.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

// Small, quick settings: 2,000 samples, 32 hidden units.
const std::string kSmall = "--limit_train 2000 -sz 32 -lr 0.003";

JsonValue json_file(const std::string& path) {
    JsonValue v;
    std::string error;
    REQUIRE_MESSAGE(parse_json(read_text(path), v, error), path << ": " << error);
    return v;
}

std::vector<EpochMetrics> metrics_of(const std::string& dir) {
    std::vector<EpochMetrics> epochs;
    std::string error;
    REQUIRE_MESSAGE(parse_metrics_csv(read_text(dir + "/metrics.csv"), epochs, error), error);
    return epochs;
}

// Starts `fnn train ARGS --out DIR` in the background, waits until metrics.csv holds `epochs`
// epochs, sends `signals` (e.g. "INT" or "INT INT"), and returns the exit status and output.
CommandResult interrupt_after(const std::string& args, const std::string& dir, int epochs,
                              const std::string& signals) {
    std::string kill_all;
    for (size_t at = 0; at < signals.size();) {
        const size_t end = signals.find(' ', at);
        kill_all += "kill -" + signals.substr(at, end - at) + " $pid; ";
        at = end == std::string::npos ? signals.size() : end + 1;
    }
    // In braces, so that run()'s 2>&1 takes fnn's messages too.
    return run("{ ./fnn train " + args + " --out " + dir + " & pid=$!; for i in $(seq 1 1200); do " +
               "[ \"$(wc -l < " + dir + "/metrics.csv 2>/dev/null || echo 0)\" -gt " +
               std::to_string(epochs) + " ] && break; sleep 0.05; done; " + kill_all +
               "wait $pid; echo \"exit=$?\"; }");
}

int exit_status(const CommandResult& r) {
    const size_t at = r.output.rfind("exit=");
    REQUIRE(at != std::string::npos);
    return atoi(r.output.c_str() + at + 5);
}

}  // namespace

TEST_CASE("run: after every epoch the run directory holds a loadable model, best.fnn and current "
          "files") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = run("./fnn train -q -e 3 " + kSmall + " --out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    for (const char* name : kRunFiles) CHECK_MESSAGE(file_exists(dir + "/" + name), name);
    const JsonValue summary = json_file(dir + "/summary.json");
    CHECK(summary.text_or("status", "") == "ok");
    const int best = static_cast<int>(summary.number_or("best_epoch", 0));
    CHECK(best >= 1);
    CHECK(best <= 3);
    CHECK(summary.text_or("monitor", "") == "val_acc");
    // best.fnn is the best epoch's model: its validation accuracy is the best in metrics.csv.
    const std::vector<EpochMetrics> epochs = metrics_of(dir);
    REQUIRE(epochs.size() == 3);
    const CommandResult eval = run("./fnn eval " + dir + " --best --split val --json");
    REQUIRE_MESSAGE(eval.exit_code == 0, eval.output);
    JsonValue report;
    std::string error;
    REQUIRE(parse_json(eval.output, report, error));
    CHECK(report.number_or("accuracy", -1) ==
          doctest::Approx(epochs[static_cast<size_t>(best - 1)].val_acc).epsilon(1e-6));
}

TEST_CASE("run: Ctrl-C mid-run keeps a loadable model and the metrics, and exits 130") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = interrupt_after("-e 1000 " + kSmall, dir, 1, "INT");
    CHECK_MESSAGE(exit_status(r) == 130, r.output);
    CHECK_MESSAGE(contains(r.output, "interrupted during epoch"), r.output);
    CHECK(contains(r.output, "model.fnn"));
    const JsonValue summary = json_file(dir + "/summary.json");
    CHECK(summary.text_or("status", "") == "interrupted");
    const std::vector<EpochMetrics> epochs = metrics_of(dir);
    CHECK(epochs.size() >= 1);
    CHECK(epochs.size() < 1000);
    CHECK(summary.number_or("epochs_completed", -1) == static_cast<double>(epochs.size()));
    // The interrupted run is still a run: eval, predict and report work on it.
    const CommandResult eval = run("./fnn eval " + dir);
    CHECK_MESSAGE(eval.exit_code == 0, eval.output);
    CHECK(contains(eval.output, "accuracy"));
    CHECK(run("./fnn eval " + dir + " --best").exit_code == 0);
    CHECK(run("./fnn report " + dir).exit_code == 0);
}

TEST_CASE("run: SIGTERM stops like Ctrl-C and exits 143") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = interrupt_after("-e 1000 " + kSmall, dir, 1, "TERM");
    CHECK_MESSAGE(exit_status(r) == 143, r.output);
    CHECK(json_file(dir + "/summary.json").text_or("status", "") == "interrupted");
}

TEST_CASE("run: a second Ctrl-C exits at once and leaves every file whole") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = interrupt_after("-e 1000 " + kSmall, dir, 1, "INT INT");
    CHECK_MESSAGE(exit_status(r) == 130, r.output);
    // Whatever moment it hit, each file is a complete old or new version.
    json_file(dir + "/config.json");
    json_file(dir + "/summary.json");
    CHECK(metrics_of(dir).size() >= 1);
    CHECK(run("./fnn eval " + dir).exit_code == 0);
}

TEST_CASE("run: --init continues from a saved model; a different architecture is named") {
    const std::string first = trained_run("-e 2 " + kSmall);
    const std::string dir = temp_dir() + "/continued";
    // Starting from the model, the first epoch starts where the other run ended: its validation
    // accuracy is far above a fresh run's first epoch.
    CommandResult r = run("./fnn train -q -e 1 " + kSmall + " --init " + first +
                          "/model.fnn --out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const double continued = metrics_of(dir)[0].val_acc;
    const double fresh = metrics_of(first)[0].val_acc;
    CHECK(continued > fresh);
    r = run("./fnn train -q -e 1 --limit_train 2000 -sz 64 --init " + first + "/model.fnn --out " +
            temp_dir() + "/x");
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.output, "layer 1 has 32 outputs there, 64 here"), r.output);
    r = run("./fnn train -q -e 1 " + kSmall + " -a tanh --init " + first + "/model.fnn --out " +
            temp_dir() + "/x");
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(contains(r.output, "activation relu there, tanh here"), r.output);
    r = run("./fnn train -q -e 1 " + kSmall + " --init /nonexistent/model.fnn --out " + temp_dir() +
            "/x");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "/nonexistent/model.fnn: cannot open"));
}

TEST_CASE("run: --early_stop stops after N epochs without a better validation metric") {
    // A learning rate this high for adam stalls after an epoch or two.
    const std::string dir = temp_dir() + "/run";
    const CommandResult r = run("./fnn train -e 30 --limit_train 2000 -sz 32 -lr 0.05 "
                                "--early_stop 2 --out " + dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const JsonValue summary = json_file(dir + "/summary.json");
    const std::vector<EpochMetrics> epochs = metrics_of(dir);
    const int best = static_cast<int>(summary.number_or("best_epoch", 0));
    CHECK(summary.text_or("status", "") == "stopped");
    CHECK(epochs.size() < 30);
    CHECK(static_cast<int>(epochs.size()) == best + 2);
    for (const EpochMetrics& m : epochs) CHECK(m.val_acc <= epochs[static_cast<size_t>(best - 1)].val_acc);
    CHECK(contains(r.output, "early stop after epoch"));
    CHECK(run("./fnn train --early_stop 2 --val_fraction 0 --limit_train 500 -e 3 --out " +
              temp_dir() + "/x")
              .exit_code == 2);
}

TEST_CASE("run: learning-rate schedules follow their formulas") {
    LrSchedule s;
    // constant is the rate itself, bit for bit, at every step.
    for (long g : {0L, 7L, 999L}) CHECK(scheduled_lr(s, 0.001f, g, 10, 1000) == 0.001f);
    s.kind = LrScheduleKind::Step;
    s.step_epochs = 2;
    s.gamma = 0.5;
    CHECK(scheduled_lr(s, 0.1f, 0, 10, 100) == 0.1f);
    CHECK(scheduled_lr(s, 0.1f, 19, 10, 100) == 0.1f);     // epoch 1
    CHECK(scheduled_lr(s, 0.1f, 20, 10, 100) == 0.05f);    // epoch 2: first decay
    CHECK(scheduled_lr(s, 0.1f, 45, 10, 100) == 0.025f);   // epoch 4
    s.kind = LrScheduleKind::Cosine;
    s.min_lr = 0.0;
    CHECK(scheduled_lr(s, 0.1f, 0, 10, 100) == 0.1f);
    CHECK(scheduled_lr(s, 0.1f, 50, 10, 100) == doctest::Approx(0.05));  // half way: the mean
    CHECK(scheduled_lr(s, 0.1f, 99, 10, 100) < 0.001f);
    s.warmup_epochs = 1;  // 10 steps
    CHECK(scheduled_lr(s, 0.1f, 0, 10, 100) == doctest::Approx(0.01));
    CHECK(scheduled_lr(s, 0.1f, 4, 10, 100) ==
          doctest::Approx(0.05 * (1 + cos(M_PI * 0.04)) * 0.5));  // step 5 of 10 warm-up steps
    // From the command line: a schedule that changes nothing trains the same bits as none.
    const std::string a = temp_dir() + "/a", b = temp_dir() + "/b";
    REQUIRE(run("./fnn train -q -e 2 " + kSmall + " --out " + a).exit_code == 0);
    REQUIRE(run("./fnn train -q -e 2 " + kSmall + " --lr_schedule step --lr_step_epochs 5 --out " + b)
                .exit_code == 0);
    CHECK(read_text(a + "/metrics.csv").substr(0, 80) == read_text(b + "/metrics.csv").substr(0, 80));
    CHECK(run("./fnn train --lr_schedule cosine --lr_min 1 -lr 0.001 -e 1 --out " + temp_dir() +
              "/x")
              .exit_code == 2);
}

TEST_CASE("run: an --out that holds a run is refused unless --overwrite, before any training") {
    const std::string dir = temp_dir() + "/run";
    REQUIRE(run("./fnn train -q -e 1 " + kSmall + " --out " + dir).exit_code == 0);
    const std::string before = read_text(dir + "/model.fnn");
    CommandResult r = run("./fnn train -e 1 " + kSmall + " --out " + dir);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "already holds a run"));
    CHECK(contains(r.output, "--overwrite"));
    CHECK_FALSE(contains(r.output, "epoch"));
    CHECK(read_text(dir + "/model.fnn") == before);
    r = run("./fnn train -q -e 1 " + kSmall + " --seed 7 --overwrite --out " + dir);
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK(read_text(dir + "/model.fnn") != before);
    // A directory with other files in it is fine: only fnn's own run files count.
    const std::string other = temp_dir();
    REQUIRE(write_file_atomic(other + "/notes.txt", std::string("mine"), nullptr) == Status::Ok);
    CHECK(run("./fnn train -q -e 1 " + kSmall + " --out " + other).exit_code == 0);
    CHECK(read_text(other + "/notes.txt") == "mine");
}

TEST_CASE("run: every output is checked for writability before training starts") {
    const std::string dir = temp_dir();
    const struct {
        std::string command;
        const char* part;
    } cases[] = {
        {"./fnn train -e 1 --out /proc/fnn-run", "/proc/fnn-run"},
        {"./fnn train -e 1 --out " + dir + "/run --journal /proc/fnn.jsonl", "/proc/fnn.jsonl"},
        {"./fnn train -e 1 --out " + dir + "/run2 --journal " + dir, "Is a directory"},
        {"./fnn report " + trained_run("-e 2 " + kSmall) + " -o /proc/report.html", "/proc"},
        {"./fnn predict " + trained_run("-e 2 " + kSmall) + " -d fashion_mnist -o /nonexistent/p.csv",
         "directory /nonexistent does not exist"},
        {"./fnnpack c-array " + trained_run("-e 2 " + kSmall) + "/model.fnn -o /proc/m.c", "/proc"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.command);
        const CommandResult r = run(c.command);
        CHECK(r.exit_code == 1);
        CHECK_MESSAGE(contains(r.output, c.part), r.output);
        CHECK_FALSE(contains(r.output, "epoch"));
    }
}

TEST_CASE("run: a run stuck at chance ends with a warning naming likely causes") {
    CommandResult r = run("./fnn train -q -e 1 --limit_train 2000 -sz 32 -nhl 4 -a sigmoid "
                          "-w_i random -w_d 0.5 --out " + temp_dir() + "/run");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "warning: validation accuracy never rose above chance"));
    CHECK(contains(r.output, "weight decay 0.5"));
    CHECK(contains(r.output, "random init"));
    CHECK(contains(r.output, "sigmoid"));
    r = run("./fnn train -q -e 1 " + kSmall + " --out " + temp_dir() + "/run");
    CHECK_FALSE(contains(r.output, "warning"));
}
