// Running a sweep: trials in rounds of kSweepRoundSize, each round's trials spread over worker
// threads; bayes proposals and hyperband thresholds for round r come only from rounds before r,
// so a seed fixes every trial's configuration and result whatever the number of workers. Every
// finished trial is appended to DIR/journal.jsonl at once; a crash loses only the trials that
// were running, and --resume reruns exactly those.
//
// A sweep directory holds: sweep.yaml (the configuration), sweep.json (seed, fixed settings,
// trial count), journal.jsonl (one line per finished trial), for --plan parts/ and runs/, and
// for --keep_runs runs/.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "cli/sweep/cli_sweep_spec.hpp"

namespace fnn {

constexpr int kSweepRoundSize = 8;

// What defines a sweep besides its YAML: fixed over all trials, stored in sweep.json.
struct SweepSettings {
    SweepSpec spec;
    std::string spec_text;  // the YAML, copied into the sweep directory
    uint64_t seed = 1;
    std::vector<std::string> sets;   // --set NAME=VALUE as given (kept in sweep.json)
    std::vector<std::string> fixed;  // fnn train flags for every trial (command:, --set)
    long trials = 0;
    std::string data_dir;    // where datasets are read ("" = fnn's default)
    bool keep_runs = false;  // keep every trial's run directory under DIR/runs/
};

// Applies --set NAME=VALUE settings to a parsed sweep: a swept parameter is narrowed to the value,
// any other setting joins `fixed` after the file's command: flags. Notes say what was narrowed.
bool apply_sets(SweepSettings& s, std::vector<std::string>& notes, std::string& error);

// Where a trial's run directory is kept: DIR/runs/trial-NNNNN (--keep_runs and --plan).
std::string trial_run_dir(const std::string& dir, long trial);

// Creates DIR with sweep.yaml and sweep.json; fails if DIR already holds a sweep.
bool create_sweep_dir(const std::string& dir, const SweepSettings& s, std::string& error);
// Reads them back.
bool load_sweep_dir(const std::string& dir, SweepSettings& s, std::string& error);

// Runs (or resumes) the sweep in DIR, `workers` trials at once on `threads` threads each; prints one line per trial. With
// `retry_failed`, trials recorded as failed run again (their new record replaces the old one).
// Returns the exit status: 0 when every trial has a journal line (or metric.target was reached)
// and not every trial failed. The caller holds DIR's SweepLock.
int run_sweep(const std::string& dir, const SweepSettings& s, int workers, int threads,
              const char* argv0, bool retry_failed = false);

// Prints one self-contained `fnn train ... --journal DIR/parts/... --trial N` command per trial
// (grid and random sweeps; trials run without early termination; cmd_sweep refuses device
// sweeps first). Each command trains on `threads` threads: a runner such as GNU parallel starts
// one command per core, so the caller passes 1 unless told otherwise.
int plan_sweep(const std::string& dir, const SweepSettings& s, int threads, const char* argv0);

// Merges DIR/parts/*.jsonl into DIR/journal.jsonl (trials not yet in it).
int collect_sweep(const std::string& dir);

}  // namespace fnn
