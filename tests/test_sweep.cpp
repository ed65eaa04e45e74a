// `fnn sweep` end to end on a small space (trials on 3,000 training images): the same results
// with 1 or 2 workers; three SIGKILLs and resumes lose and repeat nothing; GNU parallel runs a
// planned sweep; hyperband stops trials and says why; a diverging trial is recorded; summaries,
// comparison and transfer work.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_json.hpp"
#include "cli/sweep/cli_sweep_run.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_trial.hpp"
#include "command.hpp"
#include "fnn/file_io.hpp"

extern char** environ;

using namespace fnn;
using namespace fnn_test;

namespace {

// A journal's trials, as the sweep reads them.
bool read_trials(const std::string& path, std::vector<TrialResult>& out, bool& torn,
                 std::string& error) {
    JournalRead read;
    if (!read_journal(path, read, error)) return false;
    out = read.trials;
    torn = read.torn_tail;
    return true;
}

std::string write_spec(const std::string& dir, const std::string& name, const std::string& text) {
    REQUIRE(write_file_atomic(dir + "/" + name, text, nullptr) == Status::Ok);
    return dir + "/" + name;
}

const char* const kSmallSpace =
    "method: random\n"
    "metric:\n  name: val_acc\n  goal: maximize\n"
    "run_cap: 32\n"
    "parameters:\n"
    "  epochs:\n    values: [1, 2]\n"
    "  hidden_size:\n    values: [8, 16, 32]\n"
    "  optimizer:\n    values: [sgd, adam, nadam, rmsprop]\n"
    "  learning_rate:\n    values: [0.001, 0.01]\n"
    "  batch_size:\n    values: [32, 64]\n";

// A journal's trials by id, with timings zeroed and the flags cleared (planned commands spell
// out every setting, in-process trials only the swept ones): what must not depend on how the
// sweep ran.
std::map<long, std::string> outcomes(const std::string& dir) {
    std::vector<TrialResult> trials;
    bool torn = false;
    std::string error;
    REQUIRE_MESSAGE(read_trials(dir + "/journal.jsonl", trials, torn, error), error);
    CHECK_FALSE(torn);
    std::map<long, std::string> out;
    for (TrialResult r : trials) {
        r.seconds = 0;
        r.args.clear();
        for (EpochMetrics& m : r.epochs) m.seconds = 0;
        CHECK_MESSAGE(out.count(r.trial) == 0, "trial ", r.trial, " recorded twice");
        out[r.trial] = trial_to_json(r);
    }
    return out;
}

pid_t spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

}  // namespace

TEST_CASE(
    "sweep: one or two workers give the same trials and results; SIGKILL and resume lose and "
    "repeat none") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, "small.yaml", kSmallSpace);
    const std::string common = " --seed 7 --set limit_train=3000";
    const auto start = std::chrono::steady_clock::now();
    CommandResult r = run("./fnn sweep " + spec + common + " --workers 1 --out " + dir + "/one");
    const double one_worker_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn sweep " + spec + common + " --workers 2 --out " + dir + "/two");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::map<long, std::string> reference = outcomes(dir + "/one");
    CHECK(reference.size() == 32);
    CHECK(outcomes(dir + "/two") == reference);

    // Kill a 2-worker run three times part-way, resuming each time, then let it finish.
    const std::string killed = dir + "/killed";
    std::vector<std::string> args{
        "./fnn",     "sweep", spec,    "--seed", "7", "--set", "limit_train=3000",
        "--workers", "2",     "--out", killed};
    size_t after_kills = 0;
    for (int kill_round = 0; kill_round < 3; ++kill_round) {
        const pid_t pid = spawn(args);
        std::this_thread::sleep_for(std::chrono::duration<double>(one_worker_seconds / 8));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status));
        args = {"./fnn", "sweep", "--resume", killed, "--workers", "2"};
        std::vector<TrialResult> partial;
        bool torn = false;
        std::string error;
        REQUIRE(read_trials(killed + "/journal.jsonl", partial, torn, error));
        after_kills = partial.size();
    }
    CHECK(after_kills < reference.size());  // the kills really cut the sweep short
    r = run("./fnn sweep --resume " + killed + " --workers 2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(outcomes(killed) == reference);
    // Resuming a finished sweep runs nothing more.
    r = run("./fnn sweep --resume " + killed);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "(32 trials already done)"));
    CHECK(outcomes(killed) == reference);
}

TEST_CASE("sweep: a torn last journal line (a crash mid-write) is dropped and its trial rerun") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(
        dir, "s.yaml",
        "method: random\nrun_cap: 4\nparameters:\n  hidden_size:\n    values: [8, 16, 24, 32]\n");
    REQUIRE(
        run("./fnn sweep " + spec + " --set limit_train=2000 --set epochs=1 --out " + dir + "/a")
            .exit_code == 0);
    const std::map<long, std::string> reference = outcomes(dir + "/a");
    std::vector<uint8_t> bytes;
    REQUIRE(read_file(dir + "/a/journal.jsonl", bytes, nullptr) == Status::Ok);
    bytes.resize(bytes.size() - 40);  // cut the last line in the middle
    REQUIRE(write_file_atomic(dir + "/a/journal.jsonl", bytes.data(), bytes.size(), nullptr) ==
            Status::Ok);
    const CommandResult r = run("./fnn sweep --resume " + dir + "/a");
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "moved 1 damaged line of " + dir + "/a/journal.jsonl"));
    CHECK(file_exists(dir + "/a/journal.jsonl.damaged"));  // kept, not lost
    CHECK(outcomes(dir + "/a") == reference);
}

TEST_CASE("sweep: --keep_runs keeps each trial's run directory, whose model gives its test_acc") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, "small.yaml", kSmallSpace);
    const std::string common = " --seed 7 --run_cap 4 --set limit_train=3000 --workers 2";
    REQUIRE(run("./fnn sweep " + spec + common + " --out " + dir + "/plain").exit_code == 0);
    CommandResult r = run("./fnn sweep " + spec + common + " --keep_runs --out " + dir + "/kept");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(outcomes(dir + "/kept") == outcomes(dir + "/plain"));  // keeping changes no result

    std::vector<TrialResult> trials;
    bool torn = false;
    std::string error;
    REQUIRE(read_trials(dir + "/kept/journal.jsonl", trials, torn, error));
    REQUIRE(trials.size() == 4);
    for (const TrialResult& t : trials) {
        char name[32];
        snprintf(name, sizeof name, "/kept/runs/trial-%05ld", t.trial);
        const std::string run_dir = dir + name;
        for (const char* file : {"config.json", "metrics.csv", "summary.json"})
            CHECK_MESSAGE(file_exists(run_dir + "/" + file), run_dir, "/", file);
        r = run("./fnn eval --json --model " + run_dir + "/model.fnn");
        REQUIRE_MESSAGE(r.exit_code == 0, r.output);
        JsonValue report;
        REQUIRE_MESSAGE(parse_json(r.output, report, error), error);
        CHECK(report.number_or("accuracy", -1) == doctest::Approx(t.test_acc).epsilon(1e-12));
    }
    r = run("./fnn sweep --summary " + dir + "/kept");
    CHECK(contains(r.output, "its run: " + dir + "/kept/runs/trial-"));
    CHECK_FALSE(contains(run("./fnn sweep --summary " + dir + "/plain").output, "its run:"));

    // Keeping cannot be switched on when resuming a sweep that was started without it.
    r = run("./fnn sweep --resume " + dir + "/plain --keep_runs");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "started without --keep_runs"));

    // A run directory that cannot be written fails its trial with the reason; the sweep goes on,
    // and since every trial failed, it says so and exits 1.
    REQUIRE(make_directories(dir + "/blocked", nullptr) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/blocked/runs", "a file where the runs directory goes",
                              nullptr) == Status::Ok);
    r = run("./fnn sweep " + spec + common + " --keep_runs --out " + dir + "/blocked");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "every trial failed"));
    REQUIRE(read_trials(dir + "/blocked/journal.jsonl", trials, torn, error));
    REQUIRE(trials.size() == 4);
    for (const TrialResult& t : trials) {
        CHECK(t.status == "failed");
        CHECK(contains(t.reason, "cannot keep the run directory"));
    }
}

TEST_CASE(
    "sweep: GNU parallel runs a planned sweep and --collect merges it into the same results") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, "small.yaml", kSmallSpace);
    REQUIRE(run("./fnn sweep " + spec + " --seed 7 --set limit_train=3000 --out " + dir + "/inproc")
                .exit_code == 0);
    CommandResult r = run("./fnn sweep " + spec + " --seed 7 --set limit_train=3000 --plan --out " +
                          dir + "/planned > " + dir + "/plan.txt");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    std::vector<uint8_t> plan;
    REQUIRE(read_file(dir + "/plan.txt", plan, nullptr) == Status::Ok);
    CHECK(std::count(plan.begin(), plan.end(), '\n') == 32);
    r = run("parallel --will-cite -j 2 < " + dir + "/plan.txt");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn sweep --collect " + dir + "/planned");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "collected 32 trials"));
    CHECK(outcomes(dir + "/planned") == outcomes(dir + "/inproc"));
    CHECK(file_exists(dir + "/planned/runs/trial-00005/model.fnn"));
    // Bayes proposals depend on results, so they cannot be planned.
    const std::string bayes = write_spec(
        dir, "b.yaml", "method: bayes\nrun_cap: 4\nparameters:\n  epochs:\n    values: [1, 2]\n");
    CHECK(run("./fnn sweep " + bayes + " --plan --out " + dir + "/b").exit_code == 2);
}

TEST_CASE(
    "sweep: hyperband stops weak trials and records why; a diverging trial is recorded and the "
    "sweep goes on") {
    const std::string dir = temp_dir();
    const std::string spec =
        write_spec(dir, "hb.yaml",
                   "method: random\nrun_cap: 24\nearly_terminate:\n  type: hyperband\n  min_iter: "
                   "1\n  eta: 2\n"
                   "parameters:\n  epochs:\n    value: 3\n  hidden_size:\n    values: [8, 32]\n"
                   "  optimizer:\n    values: [sgd, adam, rmsprop]\n  learning_rate:\n    values: "
                   "[0.0001, 0.001, 0.01, 0.1]\n"
                   "  activation:\n    values: [identity, relu]\n");
    const CommandResult r =
        run("./fnn sweep " + spec + " --set limit_train=2000 --workers 2 --out " + dir + "/hb");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    std::vector<TrialResult> trials;
    bool torn = false;
    std::string error;
    REQUIRE(read_trials(dir + "/hb/journal.jsonl", trials, torn, error));
    CHECK(trials.size() == 24);
    int stopped = 0;
    for (const TrialResult& t : trials) {
        if (t.status == "stopped") {
            ++stopped;
            CHECK(contains(t.reason, "hyperband: val_acc"));
            CHECK(t.epochs.size() < 3);
            CHECK(t.trial >= 8);  // round 0 has no earlier trials to compare with
        }
    }
    CHECK(stopped > 0);
    CHECK(contains(run("./fnn sweep --summary " + dir + "/hb").output, "stopped early"));

    // Three identity layers with SGD at lr 1e6 overflow at once; the other trial is fine.
    const std::string wild = write_spec(dir, "wild.yaml",
                                        "method: grid\nparameters:\n  learning_rate:\n    values: "
                                        "[1000000, 0.01]\n  optimizer:\n    value: sgd\n"
                                        "  activation:\n    value: identity\n  num_layers:\n    "
                                        "value: 3\n  epochs:\n    value: 1\n");
    const CommandResult w =
        run("./fnn sweep " + wild + " --set limit_train=2000 --out " + dir + "/wild");
    CHECK_MESSAGE(w.exit_code == 0, w.output);
    REQUIRE(read_trials(dir + "/wild/journal.jsonl", trials, torn, error));
    REQUIRE(trials.size() == 2);
    int diverged = 0;
    for (const TrialResult& t : trials) {
        if (t.status == "diverged") {
            ++diverged;
            CHECK(contains(t.reason, "diverged at epoch 1"));
            CHECK(contains(t.config, "\"learning_rate\":1e+06"));
        } else {
            CHECK(t.status == "ok");
        }
    }
    CHECK(diverged == 1);
}

TEST_CASE("sweep: summary, comparison of two losses, and transfer of the best configurations") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, "small.yaml", kSmallSpace);
    REQUIRE(run("./fnn sweep " + spec + " --run_cap 12 --set limit_train=3000 --workers 2 --out " +
                dir + "/ce")
                .exit_code == 0);
    REQUIRE(run("./fnn sweep " + spec +
                " --run_cap 12 --set limit_train=3000 --set loss=mean_squared_error --workers 2 "
                "--out " +
                dir + "/mse")
                .exit_code == 0);
    CommandResult r = run("./fnn sweep --summary " + dir + "/ce --top 3");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "top 3 trials"));
    CHECK(contains(r.output, "importance"));
    // The printed command for the best trial trains the same model: the same validation accuracy.
    const size_t first = r.output.find(" 1. trial ");
    REQUIRE(first != std::string::npos);
    const size_t colon = r.output.find(": fnn train ", first);
    const long best_trial = atol(r.output.c_str() + first + 10);
    const std::string command =
        r.output.substr(colon + 2, r.output.find('\n', colon) - colon - 2);
    const CommandResult again = run("./" + command + " -q --out " + dir + "/again");
    REQUIRE_MESSAGE(again.exit_code == 0, command << "\n" << again.output);
    std::vector<TrialResult> trials;
    bool torn_journal = false;
    std::string journal_error;
    REQUIRE(read_trials(dir + "/ce/journal.jsonl", trials, torn_journal, journal_error));
    for (const TrialResult& t : trials) {
        if (t.trial != best_trial) continue;
        std::vector<uint8_t> metrics;
        REQUIRE(read_file(dir + "/again/metrics.csv", metrics, nullptr) == Status::Ok);
        const std::string text(metrics.begin(), metrics.end());
        char expected[32];
        snprintf(expected, sizeof expected, ",%.6f,", t.val_acc);
        CHECK_MESSAGE(contains(text.substr(text.rfind('\n', text.size() - 2)), expected), text);
    }
    std::vector<uint8_t> csv;
    REQUIRE(read_file(dir + "/ce/leaderboard.csv", csv, nullptr) == Status::Ok);
    CHECK(std::string(csv.begin(), csv.end())
              .rfind("rank,trial,status,val_acc,test_acc,seconds,epochs,hidden_size,", 0) == 0);
    CHECK(contains(std::string(csv.begin(), csv.end()), ",fnn train "));
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 13);
    REQUIRE(read_file(dir + "/ce/importance.csv", csv, nullptr) == Status::Ok);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);
    r = run("./fnn sweep --compare " + dir + "/ce " + dir + "/mse");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "cross_entropy"));
    CHECK(contains(r.output, "mean_squared_error"));
    CHECK(contains(r.output, "trials needed to reach the other sweep's best val_acc"));
    CHECK(contains(r.output, dir + "/ce: "));
    CHECK(contains(r.output,
                   "paired trials (same id and sampled values): "));  // one search file, one seed
    r = run("./fnn sweep --transfer fashion_mnist --top 2 " + dir + "/ce");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "retraining the 2 best configurations"));
    std::vector<TrialResult> transferred;
    bool torn = false;
    std::string error;
    REQUIRE(read_trials(dir + "/ce/transfer-fashion_mnist.jsonl", transferred, torn, error));
    CHECK(transferred.size() == 2);
}

TEST_CASE("sweep: bad sweep files and directories give clear errors") {
    const std::string dir = temp_dir();
    const std::string bad = write_spec(
        dir, "bad.yaml",
        "method: random\nrun_cap: 3\nparameters:\n  optimizer:\n    values: [adam, adamw]\n");
    CommandResult r = run("./fnn sweep " + bad + " --out " + dir + "/x");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "bad.yaml:5: parameters.optimizer: 'adamw' is not a valid choice"));
    const std::string open =
        write_spec(dir, "open.yaml",
                   "method: random\nparameters:\n  learning_rate:\n    min: 0.001\n    max: 0.1\n");
    CHECK(contains(run("./fnn sweep " + open).output, "needs run_cap"));
    CHECK(run("./fnn sweep --resume " + dir).exit_code == 1);
    const std::string ok =
        write_spec(dir, "ok.yaml", "method: grid\nparameters:\n  hidden_size:\n    values: [8]\n");
    REQUIRE(run("./fnn sweep " + ok + " --set limit_train=2000 --set epochs=1 --out " + dir + "/g")
                .exit_code == 0);
    r = run("./fnn sweep " + ok + " --out " + dir + "/g");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "already holds a sweep"));
    CHECK(run("./fnn sweep " + ok + " --set optimizer=adamw").exit_code == 2);
    CHECK(run("./fnn sweep " + ok + " --set frobnicate=1").exit_code == 2);

    // A space too large to enumerate cannot become a grid through --method either.
    std::string many = "1";
    for (int v = 2; v <= 1000; ++v) many += ", " + std::to_string(v);
    const std::string wide = write_spec(
        dir, "wide.yaml",
        "method: random\nrun_cap: 10\nparameters:\n  hidden_size:\n    values: [" + many +
            "]\n  batch_size:\n    values: [" + many + "]\n  epochs:\n    values: [1, 2]\n");
    r = run("./fnn sweep " + wide + " --method grid --out " + dir + "/w");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "--method grid: a grid search runs every configuration"));

    // sweep.json is read back on --resume: counts and seeds must be whole numbers in range.
    for (const char* json : {"{\"seed\": 1, \"trials\": 1e300}", "{\"seed\": -3, \"trials\": 4}",
                             "{\"seed\": 1, \"trials\": 2.5}", "{\"seed\": 1}"}) {
        CAPTURE(json);
        REQUIRE(write_file_atomic(dir + "/g/sweep.json", std::string(json), nullptr) == Status::Ok);
        r = run("./fnn sweep --resume " + dir + "/g");
        CHECK(r.exit_code == 1);
        CHECK(
            contains(r.output, "/g/sweep.json: needs seed (0 to 2^40) and trials (1 to 1000000)"));
    }
}

TEST_CASE("sweep: --method is recorded, and --resume runs the method that ran, not the file's") {
    const std::string dir = temp_dir();
    const std::string spec =
        write_spec(dir, "commented.yaml",
                   "# method: try bayes later\nmethod: random\nrun_cap: 3\nparameters:\n"
                   "  hidden_size:\n    values: [8, 16, 32, 64]\n");
    const CommandResult r =
        run("./fnn sweep " + spec + " --method grid --plan --out " + dir + "/s");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string copy = read_text(dir + "/s/sweep.yaml");
    CHECK(contains(copy, "# method: try bayes later\nmethod: grid\n"));  // the comment untouched

    // Even where the copied file disagrees (a directory from an older fnn, or an edit),
    // sweep.json's method is the one a resume continues.
    REQUIRE(write_file_atomic(dir + "/s/sweep.yaml", read_text(spec), nullptr) == Status::Ok);
    SweepSettings s;
    std::string error;
    REQUIRE_MESSAGE(load_sweep_dir(dir + "/s", s, error), error);
    CHECK(s.spec.method == SweepMethod::Grid);
    CHECK(s.trials == 3);
}

TEST_CASE("sweep: data/sweeps/cnn.yaml sweeps architectures and dropout rates like any flag") {
    const std::string out = temp_dir() + "/cnn";
    const CommandResult r = run("./fnn sweep data/sweeps/cnn.yaml --run_cap 2 --set epochs=1 "
                                "--set limit_train=500 --workers 2 --out " + out);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    std::vector<TrialResult> trials;
    bool torn = false;
    std::string error;
    REQUIRE(read_trials(out + "/journal.jsonl", trials, torn, error));
    REQUIRE(trials.size() == 2);
    for (const TrialResult& t : trials) CHECK(t.status == "ok");
    const std::string journal = read_text(out + "/journal.jsonl");
    CHECK(contains(journal, "\"arch\":\""));
    CHECK(contains(journal, "\"dropout\":\""));
    // Each trial's reproduce command names its layers and rates.
    const CommandResult plan = run("./fnn sweep data/sweeps/cnn.yaml --plan --run_cap 3");
    CHECK(count(plan.output, " --arch ") == 3);
    CHECK(count(plan.output, " --dropout ") == 3);
    // A dropout value that is not a list of rates is refused when the file is read.
    const std::string bad = temp_dir() + "/bad.yaml";
    REQUIRE(write_file_atomic(bad, std::string("method: grid\nparameters:\n  arch:\n    value: cnn2\n"
                                               "  dropout:\n    values: [0.2, \"0.3,x\"]\n"),
                              nullptr) == Status::Ok);
    const CommandResult refused = run("./fnn sweep " + bad + " --plan");
    CHECK(refused.exit_code == 2);
    CHECK_MESSAGE(contains(refused.output, "parameters.dropout"), refused.output);
}

TEST_CASE("sweep: the course-style W&B files in data/sweeps run unchanged") {
    // Five styles: short flag names with mixed-case values, a command: section, lists of widths,
    // nested flow collections with hyperband's max_iter, and W&B distributions with a swept
    // seed. Each as the issue states: fnn sweep FILE --run_cap 3 --set epochs=1.
    const std::string dir = temp_dir();
    int files = 0;
    for (const char* name : {"wandb-short-names", "wandb-command", "wandb-layer-widths",
                             "wandb-flow-style", "wandb-distributions"}) {
        CAPTURE(name);
        const std::string out = dir + "/" + name;
        const CommandResult r = run("./fnn sweep data/sweeps/" + std::string(name) +
                                    ".yaml --run_cap 3 --set epochs=1 --workers 2 --out " + out);
        CHECK_MESSAGE(r.exit_code == 0, r.output);
        std::vector<TrialResult> trials;
        bool torn = false;
        std::string error;
        REQUIRE(read_trials(out + "/journal.jsonl", trials, torn, error));
        CHECK(trials.size() == 3);
        for (const TrialResult& t : trials) {
            CHECK(t.status == "ok");
            CHECK(t.epochs.size() == 1);
            CHECK(t.val_acc >= 0);  // a recorded result (some of the course space sits at chance)
            CHECK(t.val_acc <= 1);
        }
        ++files;
    }
    CHECK(files == 5);
    // What each file meant arrived: the command's fixed flags, the widths, the seeds.
    const std::string command = read_text(dir + "/wandb-command/journal.jsonl");
    CHECK(contains(command, "\"weight_init\":\"xavier\""));
    const std::string widths = read_text(dir + "/wandb-layer-widths/journal.jsonl");
    CHECK(contains(widths, "\"hidden_sizes\":["));
    const std::string seeds = read_text(dir + "/wandb-distributions/journal.jsonl");
    CHECK((contains(seeds, "\"seed\":1,") || contains(seeds, "\"seed\":2,") ||
           contains(seeds, "\"seed\":3,")));
}
