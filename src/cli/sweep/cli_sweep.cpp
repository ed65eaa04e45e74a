// `fnn sweep` flags and modes.
#include "cli/sweep/cli_sweep.hpp"

#include <stdio.h>
#include <time.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/cli_flags.hpp"
#include "cli/sweep/cli_sweep_check.hpp"
#include "cli/sweep/cli_sweep_export.hpp"
#include "cli/sweep/cli_sweep_lock.hpp"
#include "cli/sweep/cli_sweep_run.hpp"
#include "cli/sweep/cli_sweep_search.hpp"
#include "cli/sweep/cli_sweep_studies.hpp"
#include "cli/sweep/cli_sweep_summary.hpp"
#include "cli/cli_train_options.hpp"
#include "fnn/gemm_threads.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

const char* const kSummary =
    "Search hyperparameters with fnn train trials.\n"
    "  fnn sweep CONFIG.yaml [--out DIR] [--seed N] [--workers N] [--run_cap N] [--set "
    "NAME=VALUE]...\n"
    "  fnn sweep CONFIG.yaml --plan [...]      print one fnn train command per trial (GNU "
    "parallel, Slurm)\n"
    "  fnn sweep --resume DIR [--workers N] [--retry_failed]   finish an interrupted sweep\n"
    "  fnn sweep --collect DIR                merge the journals of planned trials\n"
    "  fnn sweep --check DIR                  report damage to a sweep's journal\n"
    "  fnn sweep --summary DIR [--top K]      leaderboard, correlations, importance (also as CSV)\n"
    "  fnn sweep --export DIR --out FIRMWARE  a device sweep's best model as C, checked under QEMU\n"
    "  fnn sweep --compare DIR_A DIR_B        two sweeps side by side\n"
    "  fnn sweep --transfer DATASET DIR [--top K]   retrain the best configurations on DATASET";

std::string default_sweep_dir(const std::string& config) {
    std::string name = config.substr(config.find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
    const time_t now = time(nullptr);
    struct tm local;
    localtime_r(&now, &local);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    return "runs/sweep-" + name + "-" + stamp;
}

}  // namespace

int cmd_sweep(int argc, char** argv) {
    std::string out, resume, collect, summary, transfer, data_dir, check, export_dir;
    std::vector<std::string> sets, positionals;
    long seed = 1, workers = 1, threads = 0, run_cap = 0, top = 10;
    std::string method;
    bool plan = false, compare = false, keep_runs = false, retry_failed = false;
    FlagParser p("fnn sweep", kSummary);
    p.add(text_flag("", "--out", "DIR",
                    "sweep directory (default runs/sweep-<config>-<date>-<time>)", out));
    p.add(int_flag("", "--seed", "N", "seed of the search and of every trial's seed (default 1)",
                   seed, 0, kMaxSweepSeed));
    p.add(int_flag("", "--workers", "N", "trials run at once (default 1)", workers, 1, 256));
    p.add(int_flag("", "--threads", "N",
                   "the most threads each trial trains on (it uses as many as its steps run "
                   "fastest on); a trial's result is the same for any N "
                   "(default: the cores this process may use divided by --workers, at least 1; "
                   "with --plan: 1, for a runner that starts one command per core)",
                   threads, 0, GemmThreads::kMaxThreads));
    p.add(text_flag("", "--method", "NAME", "search method (overrides the file's)", method,
                    {"grid", "random", "bayes"}));
    p.add(int_flag("", "--run_cap", "N", "number of trials (overrides the file's run_cap)", run_cap,
                   1, kMaxSweepTrials));
    p.add({"",
           "--set",
           "NAME=VALUE",
           "an fnn train setting for every trial, e.g. loss=mean_squared_error",
           {},
           [&](const std::string& v, std::string& e) {
               const size_t eq = v.find('=');
               if (eq == std::string::npos || eq == 0) {
                   e = "expected NAME=VALUE, got '" + v + "'";
                   return false;
               }
               sets.push_back(v);
               return true;
           }});
    p.add(text_flag("", "--data_dir", "DIR",
                    "where the datasets are (default: fnn's data directory)", data_dir));
    p.add(switch_flag("", "--plan",
                      "print the trials as fnn train commands instead of running them", plan));
    p.add(switch_flag("", "--keep_runs",
                      "keep every trial's run directory (model, metrics) under DIR/runs/",
                      keep_runs));
    p.add(text_flag("", "--resume", "DIR", "continue the sweep in DIR", resume));
    p.add(switch_flag("", "--retry_failed", "with --resume: run the failed trials again",
                      retry_failed));
    p.add(text_flag("", "--check", "DIR", "report damage to the sweep in DIR, changing nothing",
                    check));
    p.add(text_flag("", "--collect", "DIR", "merge DIR/parts/*.jsonl into DIR/journal.jsonl",
                    collect));
    p.add(text_flag("", "--summary", "DIR", "summarise the sweep in DIR", summary));
    p.add(text_flag("", "--export", "DIR",
                    "write the best model of the device sweep in DIR to --out as firmware sources "
                    "and check it on the device's board under QEMU",
                    export_dir));
    p.add(switch_flag("", "--compare", "compare the two sweep directories given", compare));
    p.add(text_flag("", "--transfer", "DATASET",
                    "retrain the best configurations of the sweep directory given on DATASET",
                    transfer));
    p.add(int_flag(
        "", "--top", "K",
        "how many trials the summary lists or --transfer retrains (default 10; 3 for --transfer)",
        top, 1, 100000));
    const ParseResult parsed = p.parse(argc, argv, 2, &positionals);
    if (parsed != ParseResult::Ok) return parsed == ParseResult::Help ? 0 : 2;
    const int trial_threads =
        threads > 0 ? static_cast<int>(threads)
                    : std::max(1, GemmThreads::available_cores() / static_cast<int>(workers));

    if (!summary.empty()) return summarize_sweep(summary, static_cast<int>(top));
    if (!check.empty()) return check_sweep(check);
    if (!export_dir.empty()) {
        if (out.empty()) {
            fprintf(stderr, "fnn sweep: --export DIR needs --out FIRMWARE_DIR\n");
            return 2;
        }
        return export_sweep(export_dir, out, argv[0]);
    }
    if (retry_failed && resume.empty()) {
        fprintf(stderr, "fnn sweep: --retry_failed goes with --resume DIR\n");
        return 2;
    }
    // Commands that write a sweep's journal take its directory's lock (cli_sweep_lock.hpp).
    SweepLock lock;
    std::string error;
    if (compare) {
        if (positionals.size() != 2) {
            fprintf(stderr, "fnn sweep: --compare needs two sweep directories\n");
            return 2;
        }
        return compare_sweeps(positionals[0], positionals[1]);
    }
    if (!transfer.empty()) {
        if (positionals.size() != 1) {
            fprintf(stderr, "fnn sweep: --transfer DATASET needs one sweep directory\n");
            return 2;
        }
        if (!lock.acquire(positionals[0], error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        return transfer_sweep(positionals[0], transfer,
                              p.was_set("--top") ? static_cast<int>(top) : 3, argv[0]);
    }
    if (!collect.empty()) {
        if (!lock.acquire(collect, error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        return collect_sweep(collect);
    }
    if (!resume.empty()) {
        SweepSettings s;
        if (!sets.empty()) {
            fprintf(stderr, "fnn sweep: --set goes with a new sweep; %s keeps its settings\n",
                    resume.c_str());
            return 2;
        }
        if (!load_sweep_dir(resume, s, error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        if (keep_runs && !s.keep_runs) {
            fprintf(stderr,
                    "fnn sweep: %s was started without --keep_runs; start a new sweep to keep "
                    "runs\n",
                    resume.c_str());
            return 2;
        }
        if (!lock.acquire(resume, error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        return run_sweep(resume, s, static_cast<int>(workers), trial_threads, argv[0],
                         retry_failed);
    }

    // A new sweep.
    if (positionals.size() != 1) {
        fprintf(stderr, "fnn sweep: give one sweep file (see --help)\n");
        return 2;
    }
    SweepSettings s;
    std::vector<uint8_t> text;
    ErrorText err;
    if (read_file(positionals[0], text, &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    s.spec_text.assign(text.begin(), text.end());
    if (!parse_sweep_spec(s.spec_text, positionals[0], s.spec, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 2;
    }
    if (run_cap > 0) s.spec.run_cap = static_cast<int>(run_cap);
    if (!method.empty()) {
        parse_sweep_method(method, s.spec.method);  // the flag allows only the three names
        // Keep the copied file consistent with what runs: rewrite the top-level key (a line
        // starting "method:"), never a comment or a nested key. sweep.json records it too.
        size_t at = s.spec_text.compare(0, 7, "method:") == 0 ? 0 : s.spec_text.find("\nmethod:");
        if (at != std::string::npos) {
            if (s.spec_text[at] == '\n') ++at;
            const size_t end = s.spec_text.find('\n', at);
            s.spec_text.replace(at, end == std::string::npos ? end : end - at, "method: " + method);
        }
        if (s.spec.method == SweepMethod::Grid) {
            for (const SweepParam& prm : s.spec.params) {
                if (!prm.discrete()) {
                    fprintf(stderr,
                            "fnn sweep: --method grid needs values for every parameter; %s has a "
                            "range\n",
                            prm.name.c_str());
                    return 2;
                }
            }
            if (!grid_size_ok(s.spec, error)) {
                fprintf(stderr, "fnn sweep: --method grid: %s\n", error.c_str());
                return 2;
            }
        }
    }
    if (plan && s.spec.device.enabled()) {
        fprintf(stderr,
                "fnn sweep: --plan runs trials as separate fnn train commands, which do not ship "
                "and score the device's variant; run a device sweep with fnn sweep itself\n");
        return 2;
    }
    s.sets = sets;
    std::vector<std::string> notes = s.spec.notes;
    TrainOptions fixed_check;
    if (!apply_sets(s, notes, error) || !train_options_from_args(s.fixed, fixed_check, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 2;
    }
    for (const std::string& note : notes) printf("fnn sweep: %s\n", note.c_str());
    s.seed = static_cast<uint64_t>(seed);
    s.trials = sweep_trial_count(s.spec);
    s.data_dir = data_dir;
    s.keep_runs = keep_runs;
    if (s.trials == 0) {
        fprintf(stderr, "fnn sweep: %s: a %s search needs run_cap (in the file or --run_cap N)\n",
                positionals[0].c_str(), sweep_method_name(s.spec.method));
        return 2;
    }
    const std::string dir = out.empty() ? default_sweep_dir(positionals[0]) : out;
    ErrorText dir_err;
    if (make_directories(dir, &dir_err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", dir_err.text);
        return 1;
    }
    if (!lock.acquire(dir, error) || !create_sweep_dir(dir, s, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    if (plan) return plan_sweep(dir, s, threads > 0 ? static_cast<int>(threads) : 1, argv[0]);
    return run_sweep(dir, s, static_cast<int>(workers), trial_threads, argv[0]);
}

}  // namespace fnn
