// Sweep execution: rounds, workers, hyperband, journal, resume, plan and collect.
#include "cli/sweep/cli_sweep_run.hpp"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "cli/cli_data.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_quote.hpp"
#include "cli/sweep/cli_sweep_search.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

std::string journal_path(const std::string& dir) { return dir + "/journal.jsonl"; }

// The metric oriented so that larger is better; -inf for a trial without a finite value.
double score_of(const SweepSpec& spec, double value) {
    if (!isfinite(value)) return -INFINITY;
    return spec.maximize ? value : -value;
}

// Hyperband at epoch boundaries: at a bracket epoch (spec.brackets) a trial stops unless its
// metric is within the best 1/eta of what earlier rounds' trials had at that epoch.
class Hyperband : public EpochGate {
public:
    Hyperband(const SweepSpec& spec, const std::vector<TrialResult>& earlier) : spec_(spec) {
        for (const TrialResult& r : earlier) {
            for (const EpochMetrics& m : r.epochs) {
                const double s = score_of(spec, epoch_metric(spec.metric, m));
                if (isfinite(s)) at_epoch_[m.epoch].push_back(s);
            }
        }
        for (auto& entry : at_epoch_)
            std::sort(entry.second.begin(), entry.second.end(), std::greater<double>());
    }

    bool keep_going(long, const EpochMetrics& m, std::string& reason) override {
        if (!spec_.is_bracket(m.epoch)) return true;
        const auto it = at_epoch_.find(m.epoch);
        if (it == at_epoch_.end() || static_cast<int>(it->second.size()) < spec_.eta) return true;
        const std::vector<double>& scores = it->second;
        const size_t keep = scores.size() / static_cast<size_t>(spec_.eta);  // >= 1
        const double threshold = scores[keep - 1];
        const double mine = score_of(spec_, epoch_metric(spec_.metric, m));
        if (mine >= threshold) return true;
        char text[200];
        snprintf(
            text, sizeof text,
            "hyperband: %s %.4f at epoch %d is outside the best 1/%d (%.4f) of %zu earlier trials",
            spec_.metric.c_str(), epoch_metric(spec_.metric, m), m.epoch, spec_.eta,
            spec_.maximize ? threshold : -threshold, scores.size());
        reason = text;
        return false;
    }

private:
    const SweepSpec& spec_;
    std::map<int, std::vector<double>> at_epoch_;
};

// Loaded datasets by name, shared read-only by the workers.
class DatasetCache {
public:
    explicit DatasetCache(std::string dir) : dir_(std::move(dir)) {}
    bool get(const std::string& name, const LoadedDataset*& train, const LoadedDataset*& test,
             std::string& error) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = sets_.find(name);
        if (it == sets_.end()) {
            auto pair = std::make_unique<std::pair<LoadedDataset, LoadedDataset>>();
            if (!load_dataset(dir_, name, "train", pair->first, error) ||
                !load_dataset(dir_, name, "test", pair->second, error)) {
                return false;
            }
            it = sets_.emplace(name, std::move(pair)).first;
        }
        train = &it->second->first;
        test = &it->second->second;
        return true;
    }

private:
    std::string dir_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<std::pair<LoadedDataset, LoadedDataset>>> sets_;
};

// Feasibility of configurations on the sweep's device: each configuration's footprint computed
// once (cli_device.hpp), and the ones over budget kept as journal records, in the order found.
class DeviceCheck {
public:
    DeviceCheck(const SweepSettings& s, DatasetCache& datasets) : s_(s), datasets_(datasets) {}

    bool operator()(const Assignment& a) {
        const std::vector<std::string> args = assignment_args(s_.spec, a, 0, s_.fixed);
        std::string key;
        for (const std::string& part : args) key += part + '\x1f';
        const auto known = verdicts_.find(key);
        if (known != verdicts_.end()) return known->second;
        TrainOptions options;
        const LoadedDataset *train = nullptr, *test = nullptr;
        std::string error;
        Footprint f;
        // Flags a trial would refuse are left to the trial, which fails saying why.
        bool fits = !train_options_from_args(args, options, error) ||
                    !datasets_.get(options.dataset, train, test, error) ||
                    !candidate_footprint(s_.spec.device, args, train->view, f, error);
        std::string over;
        if (!fits) {
            over = over_budget(s_.spec.device, f);
            fits = over.empty();
        }
        if (!fits) {
            TrialResult r;
            r.trial = -1;
            r.status = "infeasible";
            r.reason = over;
            r.config = settings_object(options).compact();
            for (size_t i = 0; i < a.size(); ++i) r.args.insert(r.args.end(), {"--" + s_.spec.params[i].name, a[i]});
            r.val_acc = r.val_loss = r.test_acc = r.test_loss = NAN;
            r.deployment.present = true;
            r.deployment.variant = s_.spec.device.variant;
            r.deployment.footprint = f;
            r.deployment.parent_val_acc = r.deployment.parent_test_acc = NAN;
            found_.push_back(r);
        }
        verdicts_[key] = fits;
        return fits;
    }

    // Appends the records found since the last call that the journal does not hold yet.
    bool record(const std::string& journal, std::set<std::string>& recorded, std::string& error) {
        for (; flushed_ < found_.size(); ++flushed_) {
            const TrialResult& r = found_[flushed_];
            if (!recorded.insert(record_key(r)).second) continue;
            ErrorText err;
            if (append_journal_line(journal, trial_to_json(r), &err) != Status::Ok) {
                error = err.text;
                return false;
            }
            printf("            infeasible: %s (%s)\n", args_text(r.args).c_str(), r.reason.c_str());
        }
        return true;
    }
    size_t infeasible() const { return found_.size(); }

    static std::string record_key(const TrialResult& r) { return args_text(r.args); }

private:
    static std::string args_text(const std::vector<std::string>& args) {
        std::string out;
        for (size_t i = 0; i + 1 < args.size(); i += 2)
            out += (out.empty() ? "" : " ") + args[i].substr(2) + "=" + args[i + 1];
        return out;
    }

    const SweepSettings& s_;
    DatasetCache& datasets_;
    std::map<std::string, bool> verdicts_;
    std::vector<TrialResult> found_;
    size_t flushed_ = 0;
};


// Reads the journal before appending to it. Lines that are not trial records and a torn last
// line are moved to journal.jsonl.damaged (their trials run again), so appends start clean.
bool finished_trials(const std::string& dir, std::vector<TrialResult>& done, std::string& error,
                     std::vector<TrialResult>* infeasible = nullptr) {
    JournalRead read;
    if (!read_journal(journal_path(dir), read, error)) return false;
    for (const std::string& w : read.warnings) fprintf(stderr, "fnn sweep: warning: %s\n", w.c_str());
    if (read.torn_tail || !read.bad_lines.empty()) {
        ErrorText err;
        if (clean_journal(journal_path(dir), read, &err) != Status::Ok) {
            error = err.text;
            return false;
        }
        fprintf(stderr,
                "fnn sweep: moved %zu damaged line%s of %s to %s.damaged; %s trial%s run again\n",
                read.bad_lines.size() + read.torn_tail, read.bad_lines.size() + read.torn_tail == 1 ? "" : "s",
                journal_path(dir).c_str(), journal_path(dir).c_str(),
                read.bad_lines.size() + read.torn_tail == 1 ? "its" : "their",
                read.bad_lines.size() + read.torn_tail == 1 ? "" : "s");
    }
    done = read.trials;
    if (infeasible != nullptr) *infeasible = read.infeasible;
    return true;
}

}  // namespace

bool apply_sets(SweepSettings& s, std::vector<std::string>& notes, std::string& error) {
    s.fixed = s.spec.fixed;
    for (const std::string& set : s.sets) {
        const size_t eq = set.find('=');
        const std::string name = set.substr(0, eq), value = set.substr(eq + 1);
        std::string note;
        if (!narrow_parameter(s.spec, name, value, note, error)) {
            error = "--set " + set + ": " + error;
            return false;
        }
        if (!note.empty()) {
            notes.push_back("--set " + note);
            continue;
        }
        const std::string flag = "--" + setting_name(name);
        for (size_t i = 0; i + 1 < s.fixed.size(); i += 2) {
            if (s.fixed[i] == flag) {  // --set overrides the file's command: flag
                s.fixed.erase(s.fixed.begin() + static_cast<long>(i),
                              s.fixed.begin() + static_cast<long>(i) + 2);
                break;
            }
        }
        s.fixed.push_back(flag);
        s.fixed.push_back(value);
    }
    return true;
}

std::string trial_run_dir(const std::string& dir, long trial) {
    char name[32];
    snprintf(name, sizeof name, "trial-%05ld", trial);
    return dir + "/runs/" + name;
}

bool create_sweep_dir(const std::string& dir, const SweepSettings& s, std::string& error) {
    ErrorText err;
    if (file_exists(dir + "/sweep.json")) {
        error = dir + " already holds a sweep; continue it with --resume " + dir +
                " or choose another --out";
        return false;
    }
    auto json_list = [](const std::vector<std::string>& items) {
        std::string out = "[";
        for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_quote(items[i]);
        return out + "]";
    };
    const std::string fixed = json_list(s.fixed);
    JsonObject o;
    o.add("seed", static_cast<double>(s.seed))
        .add("trials", s.trials)
        .add("round_size", kSweepRoundSize)
        .add("method", sweep_method_name(s.spec.method))
        .add("data_dir", s.data_dir)
        .add("keep_runs", s.keep_runs)
        .add_raw("set", json_list(s.sets))
        .add_raw("fixed", fixed);
    if (make_directories(dir, &err) != Status::Ok ||
        write_file_atomic(dir + "/sweep.yaml", s.spec_text, &err) != Status::Ok ||
        write_file_atomic(dir + "/sweep.json", o.str(), &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    return true;
}

bool load_sweep_dir(const std::string& dir, SweepSettings& s, std::string& error) {
    std::vector<uint8_t> yaml, json;
    ErrorText err;
    if (read_file(dir + "/sweep.yaml", yaml, &err) != Status::Ok ||
        read_file(dir + "/sweep.json", json, &err) != Status::Ok) {
        error = std::string(err.text) + " (is " + dir + " a sweep directory?)";
        return false;
    }
    s.spec_text.assign(yaml.begin(), yaml.end());
    if (!parse_sweep_spec(s.spec_text, dir + "/sweep.yaml", s.spec, error)) return false;
    JsonValue v;
    if (!parse_json(std::string(json.begin(), json.end()), v, error)) {
        error = dir + "/sweep.json: " + error;
        return false;
    }
    const JsonValue* seed = v.find("seed");
    const JsonValue* trials = v.find("trials");
    if (!is_whole_number_in(seed, 0, kMaxSweepSeed) ||
        !is_whole_number_in(trials, 1, kMaxSweepTrials)) {
        error = dir + "/sweep.json: needs seed (0 to 2^40) and trials (1 to 1000000)";
        return false;
    }
    s.seed = static_cast<uint64_t>(seed->number);
    s.trials = static_cast<long>(trials->number);
    // sweep.json's method is the one that ran (fnn sweep --method overrides the file's).
    const std::string method = v.text_or("method", sweep_method_name(s.spec.method));
    if (!parse_sweep_method(method, s.spec.method)) {
        error = dir + "/sweep.json: method '" + method + "' is not one of grid, random, bayes";
        return false;
    }
    s.data_dir = v.text_or("data_dir", "");
    const JsonValue* keep = v.find("keep_runs");
    s.keep_runs = keep != nullptr && keep->kind == JsonValue::Kind::Bool && keep->boolean;
    s.fixed.clear();
    s.sets.clear();
    if (const JsonValue* sets = v.find("set")) {
        // The --set values are applied again, so narrowed parameters stay narrowed.
        for (const JsonValue& f : sets->items) s.sets.push_back(f.text);
        std::vector<std::string> notes;
        if (!apply_sets(s, notes, error)) {
            error = dir + "/sweep.json: " + error;
            return false;
        }
    } else if (const JsonValue* fixed = v.find("fixed")) {
        for (const JsonValue& f : fixed->items) s.fixed.push_back(f.text);  // before fnn 0.2
    }
    return true;
}

namespace {

// The first finished trial whose metric reached metric.target, or nullptr.
const TrialResult* reached_target(const SweepSpec& spec, const std::map<long, TrialResult>& by_id) {
    if (!isfinite(spec.target)) return nullptr;
    for (const auto& entry : by_id) {
        const double m = trial_metric(spec.metric, entry.second);
        if (isfinite(m) && (spec.maximize ? m >= spec.target : m <= spec.target))
            return &entry.second;
    }
    return nullptr;
}

}  // namespace

int run_sweep(const std::string& dir, const SweepSettings& s, int workers, int threads,
              const char* argv0, bool retry_failed) {
    const SweepSpec& spec = s.spec;
    std::vector<TrialResult> done, infeasible_done;
    std::string error;
    if (!finished_trials(dir, done, error, &infeasible_done)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    std::map<long, TrialResult> by_id;
    int retried = 0;
    for (const TrialResult& r : done) {
        if (retry_failed && r.status == "failed") ++retried;
        else by_id[r.trial] = r;
    }
    if (retried > 0) printf("fnn sweep: running %d failed trial%s again\n", retried, retried == 1 ? "" : "s");
    DatasetCache datasets(resolve_data_dir(s.data_dir, argv0));
    // A device sweep: only configurations within budget are proposed; the others are recorded.
    DeviceCheck device(s, datasets);
    Feasible feasible;
    std::set<std::string> recorded;  // infeasible configurations the journal holds
    if (spec.device.enabled()) {
        feasible = [&device](const Assignment& a) { return device(a); };
        for (const TrialResult& r : infeasible_done) recorded.insert(DeviceCheck::record_key(r));
        ErrorText err;
        if (make_directories(dir + "/deploy", &err) != Status::Ok) {
            fprintf(stderr, "fnn sweep: %s\n", err.text);
            return 1;
        }
    }
    std::vector<Assignment> assignments;  // by trial id, as far as known
    std::mutex journal_mutex;
    int unrecorded = 0;  // trials whose journal line could not be written (a full disk)
    printf(
        "fnn sweep: %s search, %ld trials in rounds of %d, %d worker%s of %d thread%s, journal %s "
        "(%zu trials already done)\n",
        sweep_method_name(spec.method), s.trials, kSweepRoundSize, workers, workers == 1 ? "" : "s",
        threads, threads == 1 ? "" : "s",
        journal_path(dir).c_str(), by_id.size());
    if (spec.device.enabled()) {
        printf("fnn sweep: device %s, %s, budget flash %s bytes, RAM %s bytes%s\n",
               spec.device.profile->name, deploy_variant_name(spec.device.variant),
               grouped(spec.device.flash_bytes).c_str(), grouped(spec.device.ram_bytes).c_str(),
               spec.device.macs > 0 ? (", " + grouped(spec.device.macs) + " MACs").c_str() : "");
    }
    fflush(stdout);
    long trials = s.trials;
    std::vector<Assignment> planned;
    if (spec.method != SweepMethod::Bayes) {
        planned = planned_assignments(spec, s.trials, s.seed, feasible);
        if (!device.record(journal_path(dir), recorded, error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        if (static_cast<long>(planned.size()) < trials) {
            printf("fnn sweep: only %zu configurations fit the device (%zu over budget): %zu trials\n",
                   planned.size(), device.infeasible(), planned.size());
            trials = static_cast<long>(planned.size());
        }
    }
    const TrialResult* target = nullptr;
    for (long first = 0; first < trials; first += kSweepRoundSize) {
        // metric.target: once a finished trial reaches it, no new round starts.
        if ((target = reached_target(spec, by_id)) != nullptr) break;
        long last = std::min(trials, first + kSweepRoundSize);
        const int round = static_cast<int>(first / kSweepRoundSize);
        // Everything this round may know: the trials of earlier rounds, all finished.
        std::vector<TrialResult> earlier;
        for (const auto& entry : by_id) {
            if (entry.first < first) earlier.push_back(entry.second);
        }
        std::vector<Assignment> round_assignments;
        if (spec.method == SweepMethod::Bayes) {
            std::vector<Observation> history;
            for (const TrialResult& r : earlier) {
                if (r.trial < static_cast<long>(assignments.size())) {
                    history.push_back({assignments[static_cast<size_t>(r.trial)],
                                       score_of(spec, trial_metric(spec.metric, r))});
                }
            }
            for (Observation& o : history) {
                if (!isfinite(o.score)) o.score = -1e30;  // failed or diverged: worst of all
            }
            round_assignments = propose_bayes(spec, history, assignments,
                                              static_cast<int>(last - first), s.seed, round, feasible);
            if (!device.record(journal_path(dir), recorded, error)) {
                fprintf(stderr, "fnn sweep: %s\n", error.c_str());
                return 1;
            }
            if (static_cast<long>(round_assignments.size()) < last - first) {
                printf("fnn sweep: no further configuration fits the device: %ld trials\n",
                       first + static_cast<long>(round_assignments.size()));
                last = first + static_cast<long>(round_assignments.size());
                trials = last;
            }
        } else {
            round_assignments.assign(planned.begin() + first, planned.begin() + last);
        }
        assignments.insert(assignments.end(), round_assignments.begin(), round_assignments.end());
        std::vector<long> pending;
        for (long t = first; t < last; ++t) {
            if (by_id.count(t) == 0) pending.push_back(t);
        }
        if (pending.empty()) continue;
        Hyperband gate(spec, earlier);
        std::atomic<size_t> next{0};
        auto work = [&]() {
            for (size_t k = next++; k < pending.size(); k = next++) {
                const long t = pending[k];
                const std::vector<std::string> args = assignment_args(
                    spec, assignments[static_cast<size_t>(t)], trial_seed(s.seed, t), s.fixed);
                TrainOptions options;
                const LoadedDataset *train = nullptr, *test = nullptr;
                std::string trial_error;
                TrialResult r;
                if (!train_options_from_args(args, options, trial_error) ||
                    !datasets.get(options.dataset, train, test, trial_error)) {
                    r.trial = t;
                    r.args = args;
                    r.status = "failed";
                    r.reason = trial_error;
                    r.val_acc = r.val_loss = r.test_acc = r.test_loss = NAN;
                } else {
                    char deploy[40];
                    snprintf(deploy, sizeof deploy, "/deploy/trial-%05ld.fnn", t);
                    r = run_trial(t, args, train->view, test->view, &gate, threads,
                                  s.keep_runs ? trial_run_dir(dir, t) : "", &spec.device,
                                  spec.device.enabled() ? dir + deploy : "");
                }
                std::lock_guard<std::mutex> lock(journal_mutex);
                ErrorText err;
                if (append_journal_line(journal_path(dir), trial_to_json(r), &err) != Status::Ok) {
                    // The journal is left as it was; the sweep goes on, and --resume reruns this.
                    fprintf(stderr, "fnn sweep: trial %ld not recorded: %s\n", t, err.text);
                    ++unrecorded;
                    continue;
                }
                by_id[t] = r;
                printf("[%4zu/%ld] trial %-4ld %s %.4f  test_acc %.4f  %6.1f s  %-8s %s\n",
                       by_id.size(), trials, t, spec.metric.c_str(), trial_metric(spec.metric, r),
                       r.test_acc, r.seconds, r.status.c_str(),
                       assignment_text(spec, assignments[static_cast<size_t>(t)]).c_str());
                if (r.status != "ok") printf("            %s\n", r.reason.c_str());
                fflush(stdout);
            }
        };
        std::vector<std::thread> running;
        const int count = std::min<int>(workers, static_cast<int>(pending.size()));
        for (int w = 1; w < count; ++w) running.emplace_back(work);
        work();
        for (std::thread& th : running) th.join();
    }
    if (target == nullptr) target = reached_target(spec, by_id);
    if (target != nullptr) {
        printf("fnn sweep: trial %ld reached the target %s %g (metric.target): no new trials\n",
               target->trial, spec.metric.c_str(), spec.target);
    }
    size_t failed = 0;
    for (const auto& entry : by_id) failed += entry.second.status == "failed";
    printf("fnn sweep: %zu trials in %s; see fnn sweep --summary %s\n", by_id.size(),
           journal_path(dir).c_str(), dir.c_str());
    if (unrecorded > 0) {
        fprintf(stderr,
                "fnn sweep: %d trial%s could not be written to the journal (see above); fnn sweep "
                "--resume %s runs %s again\n",
                unrecorded, unrecorded == 1 ? "" : "s", dir.c_str(), unrecorded == 1 ? "it" : "them");
        return 1;
    }
    if (!by_id.empty() && failed == by_id.size()) {
        fprintf(stderr,
                "fnn sweep: every trial failed (trial %ld: %s); fix the cause and run fnn sweep "
                "--resume %s --retry_failed\n",
                by_id.begin()->first, by_id.begin()->second.reason.c_str(), dir.c_str());
        return 1;
    }
    return target != nullptr || by_id.size() >= static_cast<size_t>(trials) ? 0 : 1;
}

int plan_sweep(const std::string& dir, const SweepSettings& s, int threads, const char* argv0) {
    if (s.spec.method == SweepMethod::Bayes) {
        fprintf(stderr,
                "fnn sweep: --plan needs a grid or random sweep: bayes proposals depend on earlier "
                "results\n");
        return 2;
    }
    ErrorText err;
    if (make_directories(dir + "/parts", &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    const std::string fnn = executable_path(argv0);
    const std::vector<Assignment> planned = planned_assignments(s.spec, s.trials, s.seed);
    std::vector<std::string> data;
    if (!s.data_dir.empty()) data = {"--data_dir", s.data_dir};
    for (long t = 0; t < s.trials; ++t) {
        char name[32];
        snprintf(name, sizeof name, "trial-%05ld", t);
        std::vector<std::string> args = assignment_args(s.spec, planned[static_cast<size_t>(t)],
                                                        trial_seed(s.seed, t), s.fixed);
        // Every setting spelled out, defaults included: nothing a trial uses is hidden.
        TrainOptions options;
        std::string error;
        if (train_options_from_args(args, options, error)) args = full_train_args(options);
        args.insert(args.end(), data.begin(), data.end());
        std::string line = shell_quote(fnn) + " train -q";
        for (const std::string& a : args) line += " " + shell_quote(a);
        // --overwrite: a trial run again (a failed node, a retried job) replaces its own
        // unfinished run directory.
        line += " --threads " + std::to_string(threads) + " --trial " + std::to_string(t) +
                " --journal " +
                shell_quote(dir + "/parts/" + name + ".jsonl") + " --out " +
                shell_quote(trial_run_dir(dir, t)) + " --overwrite";
        printf("%s\n", line.c_str());
    }
    return 0;
}

int collect_sweep(const std::string& dir) {
    SweepSettings s;
    std::string error;
    std::vector<TrialResult> done;
    if (!load_sweep_dir(dir, s, error) || !finished_trials(dir, done, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    std::set<long> have;
    for (const TrialResult& r : done) have.insert(r.trial);
    std::vector<std::string> files;
    std::error_code ec;  // a missing parts/ directory simply has no files
    for (std::filesystem::directory_iterator it(dir + "/parts", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > 6 && name.compare(name.size() - 6, 6, ".jsonl") == 0)
            files.push_back(dir + "/parts/" + name);
    }
    std::sort(files.begin(), files.end());
    int added = 0;
    for (const std::string& f : files) {
        JournalRead part;
        if (!read_journal(f, part, error)) {
            fprintf(stderr, "fnn sweep: %s\n", error.c_str());
            return 1;
        }
        for (const std::string& w : part.warnings) fprintf(stderr, "fnn sweep: warning: %s\n", w.c_str());
        for (const TrialResult& r : part.trials) {
            if (r.trial < 0 || r.trial >= s.trials || !have.insert(r.trial).second) continue;
            ErrorText err;
            if (append_journal_line(journal_path(dir), trial_to_json(r), &err) != Status::Ok) {
                fprintf(stderr, "fnn sweep: %s\n", err.text);
                return 1;
            }
            ++added;
        }
    }
    std::string missing;
    int missing_count = 0;
    for (long t = 0; t < s.trials; ++t) {
        if (have.count(t) == 0 && ++missing_count <= 20) missing += " " + std::to_string(t);
    }
    printf("fnn sweep: collected %d trials from %zu files into %s; %zu of %ld trials done%s%s\n",
           added, files.size(), journal_path(dir).c_str(), have.size(), s.trials,
           missing_count ? ", missing:" : "", missing.c_str());
    return missing_count == 0 ? 0 : 1;
}

}  // namespace fnn
