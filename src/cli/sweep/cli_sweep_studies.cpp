// The course's follow-up studies on finished sweeps: two sweeps side by side (cross-entropy
// against squared error, bayes against random search) and the best configurations retrained on
// another dataset. Loading and summarising one sweep is in cli_sweep_summary.cpp.
#include "cli/sweep/cli_sweep_studies.hpp"

#include <math.h>
#include <stdio.h>

#include <algorithm>

#include "cli/cli_data.hpp"
#include "cli/cli_json.hpp"
#include "cli/sweep/cli_sweep_summary.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/gemm_threads.hpp"

namespace fnn {
namespace {

double median_of(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

int compare_sweeps(const std::string& dir_a, const std::string& dir_b) {
    SweepData a, b;
    std::string error;
    if (!load_sweep(dir_a, a, error) || !load_sweep(dir_b, b, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    auto loss_of = [](const SweepData& l) { return sweep_loss(l); };
    // The test accuracy shown is the best trial's: picking the best of several test scores
    // would select on the test set.
    auto stats_line = [](const SweepData& l) {
        std::vector<double> metrics;
        for (const SweepRow& r : l.rows) {
            if (isfinite(r.metric)) metrics.push_back(r.metric);
        }
        double mean = 0;
        for (double m : metrics) mean += m / static_cast<double>(metrics.size());
        char text[160];
        snprintf(text, sizeof text, "%8.4f %8.4f %8.4f %8.4f",
                 metrics.empty() ? NAN : metrics.front(), median_of(metrics), mean,
                 l.rows.empty() ? NAN : l.rows.front().result.test_acc);
        return std::string(text);
    };
    const std::string metric = a.settings.spec.metric;
    printf("%-42s %-20s %6s %8s %8s %8s %8s %8s\n", "sweep", "loss", "trials", "diverged",
           ("best " + metric).c_str(), "median", "mean", "its test");
    for (const SweepData* l : {&a, &b}) {
        printf("%-42s %-20s %6zu %8d %s\n", (l == &a ? dir_a : dir_b).c_str(), loss_of(*l).c_str(),
               l->rows.size(), l->diverged, stats_line(*l).c_str());
    }
    const std::vector<ParamStats> sa = parameter_stats(a), sb = parameter_stats(b);
    printf("\n%-16s %22s %22s\n", "importance", dir_a.substr(dir_a.find_last_of('/') + 1).c_str(),
           dir_b.substr(dir_b.find_last_of('/') + 1).c_str());
    for (const ParamStats& s : sa) {
        double other = 0.0;
        for (const ParamStats& t : sb) {
            if (t.name == s.name) other = t.importance;
        }
        printf("%-16s %22.3f %22.3f\n", s.name.c_str(), s.importance, other);
    }
    printf("\nbest configurations\n");
    for (const SweepData* l : {&a, &b}) {
        if (!l->rows.empty())
            printf("  %s: %s\n", (l == &a ? dir_a : dir_b).c_str(),
                   sweep_config_text(l->settings.spec, l->rows[0]).c_str());
    }
    // Paired trials: the same id with the same sampled values (the same search file and seed,
    // e.g. with --set loss=...), so the settings that differ are the only difference.
    if (a.settings.spec.params.size() == b.settings.spec.params.size()) {
        int pairs = 0, a_better = 0, b_better = 0;
        double difference = 0.0;
        for (const SweepRow& ra : a.rows) {
            for (const SweepRow& rb : b.rows) {
                if (rb.result.trial != ra.result.trial || rb.values != ra.values) continue;
                if (!isfinite(ra.metric) || !isfinite(rb.metric)) break;
                ++pairs;
                difference += ra.metric - rb.metric;
                a_better +=
                    a.settings.spec.maximize ? ra.metric > rb.metric : ra.metric < rb.metric;
                b_better +=
                    a.settings.spec.maximize ? rb.metric > ra.metric : rb.metric < ra.metric;
                break;
            }
        }
        if (pairs > 0) {
            printf(
                "\npaired trials (same id and sampled values): %d; %s better in %d, %s better in "
                "%d, "
                "mean difference %+.4f (first minus second)\n",
                pairs, dir_a.c_str(), a_better, dir_b.c_str(), b_better, difference / pairs);
        }
    }
    // Search speed: trials (in trial-id order) until one reaches the other sweep's best.
    printf("\ntrials needed to reach the other sweep's best %s\n", metric.c_str());
    const bool maximize = a.settings.spec.maximize;
    for (int k = 0; k < 2; ++k) {
        const SweepData& self = k == 0 ? a : b;
        const SweepData& other = k == 0 ? b : a;
        const std::vector<double> mine = best_so_far(self), theirs = best_so_far(other);
        if (mine.empty() || theirs.empty() || !isfinite(theirs.back())) continue;
        const double target = theirs.back();
        size_t needed = 0;
        while (needed < mine.size() &&
               !(isfinite(mine[needed]) &&
                 (maximize ? mine[needed] >= target : mine[needed] <= target)))
            ++needed;
        const std::string& name = k == 0 ? dir_a : dir_b;
        if (needed < mine.size())
            printf("  %s: %zu of %zu (target %.4f)\n", name.c_str(), needed + 1, mine.size(),
                   target);
        else
            printf("  %s: not within its %zu trials (target %.4f)\n", name.c_str(), mine.size(),
                   target);
    }
    return 0;
}

int transfer_sweep(const std::string& dir, const std::string& dataset, int top, const char* argv0) {
    SweepData l;
    std::string error;
    if (!load_sweep(dir, l, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    LoadedDataset train, test;
    if (!load_dataset(resolve_data_dir(l.settings.data_dir, argv0), dataset, "train", train,
                      error) ||
        !load_dataset(resolve_data_dir(l.settings.data_dir, argv0), dataset, "test", test, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    printf("retraining the %d best configurations of %s on %s\n", top, dir.c_str(),
           dataset.c_str());
    printf("%6s %12s %12s %12s  %s\n", "trial", ("sweep " + l.settings.spec.metric).c_str(),
           "sweep test", (dataset + " test").c_str(), "configuration");
    int done = 0;
    for (const SweepRow& r : l.rows) {
        if (done >= top || !isfinite(r.metric)) break;
        // The trial's own flags with the dataset replaced.
        std::vector<std::string> args;
        for (size_t i = 0; i < r.result.args.size(); ++i) {
            if (r.result.args[i] == "--dataset" || r.result.args[i] == "-d") {
                ++i;
                continue;
            }
            args.push_back(r.result.args[i]);
        }
        args.push_back("--dataset");
        args.push_back(dataset);
        const TrialResult t = run_trial(r.result.trial, args, train.view, test.view, nullptr,
                                         GemmThreads::available_cores());
        printf("%6ld %12.4f %12.4f %12.4f  %s\n", r.result.trial, r.metric, r.result.test_acc,
               t.test_acc, sweep_config_text(l.settings.spec, r).c_str());
        fflush(stdout);
        ErrorText err;
        if (append_journal_line(dir + "/transfer-" + dataset + ".jsonl", trial_to_json(t), &err) !=
            Status::Ok) {
            fprintf(stderr, "fnn sweep: %s\n", err.text);
            return 1;
        }
        ++done;
    }
    return done > 0 ? 0 : 1;
}

}  // namespace fnn
