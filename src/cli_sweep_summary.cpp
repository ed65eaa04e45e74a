// Sweep summaries: leaderboard, correlations, random-forest importance, comparison, transfer.
#include "cli_sweep_summary.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <map>

#include "cli_data.hpp"
#include "cli_forest.hpp"
#include "cli_json.hpp"
#include "cli_sweep_run.hpp"
#include "cli_trial.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

using Row = SweepRow;
using Loaded = SweepData;

std::string value_text(const JsonValue* v) {
    if (v == nullptr) return "";
    if (v->kind == JsonValue::Kind::String) return v->text;
    if (v->kind == JsonValue::Kind::Number) {
        char text[32];
        snprintf(text, sizeof text, "%.6g", v->number);
        return text;
    }
    return json_encode(*v);
}

double metric_of(const std::string& metric, const TrialResult& r) {
    if (r.epochs.empty()) return NAN;
    const EpochMetrics& m = r.epochs.back();
    return metric == "val_acc"     ? m.val_acc
           : metric == "val_loss"  ? m.val_loss
           : metric == "train_acc" ? m.train_acc
                                   : m.train_loss;
}

}  // namespace

bool load_sweep(const std::string& dir, SweepData& out, std::string& error) {
    if (!load_sweep_dir(dir, out.settings, error)) return false;
    std::vector<TrialResult> trials;
    bool torn = false;
    if (!read_journal(dir + "/journal.jsonl", trials, torn, error)) return false;
    const SweepSpec& spec = out.settings.spec;
    for (const TrialResult& r : trials) {
        Row row;
        row.result = r;
        row.metric = metric_of(spec.metric, r);
        JsonValue config;
        std::string config_error;
        parse_json(r.config, config, config_error);
        for (const SweepParam& p : spec.params)
            row.values.push_back(value_text(config.find(p.name)));
        out.rows.push_back(row);
        out.ok += r.status == "ok";
        out.stopped += r.status == "stopped";
        out.diverged += r.status == "diverged";
        out.failed += r.status == "failed";
    }
    const bool maximize = spec.maximize;
    std::sort(out.rows.begin(), out.rows.end(), [maximize](const Row& a, const Row& b) {
        const bool fa = isfinite(a.metric), fb = isfinite(b.metric);
        if (fa != fb) return fa;
        if (fa && a.metric != b.metric) return maximize ? a.metric > b.metric : a.metric < b.metric;
        return a.result.trial < b.result.trial;
    });
    return true;
}

namespace {

bool numeric(const std::vector<std::string>& texts) {
    for (const std::string& t : texts) {
        char* end = nullptr;
        strtod(t.c_str(), &end);
        if (t.empty() || *end != '\0') return false;
    }
    return true;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const double n = static_cast<double>(x.size());
    double mx = 0, my = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        mx += x[i] / n;
        my += y[i] / n;
    }
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0.0;
}

}  // namespace

std::vector<ParamStats> parameter_stats(const SweepData& l) {
    const SweepSpec& spec = l.settings.spec;
    std::vector<const Row*> usable;
    for (const Row& r : l.rows) {
        if (isfinite(r.metric)) usable.push_back(&r);
    }
    std::vector<ParamStats> stats;
    if (usable.size() < 3) return stats;
    std::vector<double> y;
    for (const Row* r : usable) y.push_back(r->metric);
    std::vector<std::vector<double>> features(usable.size());
    std::vector<int> owner;  // feature -> parameter index
    for (size_t p = 0; p < spec.params.size(); ++p) {
        ParamStats s;
        s.name = spec.params[p].name;
        std::vector<std::string> texts;
        for (const Row* r : usable) texts.push_back(r->values[p]);
        if (numeric(texts)) {
            std::vector<double> x;
            for (const std::string& t : texts) x.push_back(strtod(t.c_str(), nullptr));
            s.correlation = pearson(x, y);
            for (size_t i = 0; i < usable.size(); ++i) features[i].push_back(x[i]);
            owner.push_back(static_cast<int>(p));
        } else {
            s.categorical = true;
            std::vector<std::string> levels = texts;
            std::sort(levels.begin(), levels.end());
            levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
            double strongest = 0.0;
            for (const std::string& level : levels) {
                std::vector<double> x;
                for (const std::string& t : texts) x.push_back(t == level ? 1.0 : 0.0);
                const double r = pearson(x, y);
                if (fabs(r) > fabs(strongest) || s.strongest.empty()) {
                    strongest = r;
                    char text[96];
                    snprintf(text, sizeof text, "%s %+.2f", level.c_str(), r);
                    s.strongest = text;
                }
                for (size_t i = 0; i < usable.size(); ++i) features[i].push_back(x[i]);
                owner.push_back(static_cast<int>(p));
            }
            s.correlation = strongest;
        }
        stats.push_back(s);
    }
    ForestOptions options;
    options.seed = l.settings.seed;
    const std::vector<double> importance = forest_importance(features, y, options);
    for (size_t f = 0; f < importance.size(); ++f)
        stats[static_cast<size_t>(owner[f])].importance += importance[f];
    std::sort(stats.begin(), stats.end(),
              [](const ParamStats& a, const ParamStats& b) { return a.importance > b.importance; });
    return stats;
}

std::string sweep_loss(const SweepData& l) {
    JsonValue c;
    std::string e;
    return l.rows.empty() || !parse_json(l.rows[0].result.config, c, e) ? std::string("?")
                                                                        : c.text_or("loss", "?");
}

std::vector<double> best_so_far(const SweepData& data) {
    std::vector<std::pair<long, double>> by_id;
    for (const Row& r : data.rows) by_id.push_back({r.result.trial, r.metric});
    std::sort(by_id.begin(), by_id.end());
    const bool maximize = data.settings.spec.maximize;
    std::vector<double> out;
    double best = NAN;
    for (const auto& trial : by_id) {
        const double m = trial.second;
        if (isfinite(m) && (!isfinite(best) || (maximize ? m > best : m < best))) best = m;
        out.push_back(best);
    }
    return out;
}

namespace {

double median_of(std::vector<double> v) {
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

std::string csv_field(const std::string& s) {
    return s.find_first_of(",\"\n") == std::string::npos ? s : "\"" + s + "\"";
}

std::string config_text(const SweepSpec& spec, const Row& r) {
    std::string out;
    for (size_t p = 0; p < spec.params.size(); ++p) {
        if (spec.params[p].distribution == Distribution::Constant) continue;
        out += (out.empty() ? "" : " ") + spec.params[p].name + "=" + r.values[p];
    }
    return out;
}

}  // namespace

int summarize_sweep(const std::string& dir, int top) {
    Loaded l;
    std::string error;
    if (!load_sweep(dir, l, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    const SweepSpec& spec = l.settings.spec;
    printf(
        "sweep %s: %s search, %zu of %ld trials (%d ok, %d stopped early, %d diverged, %d failed), "
        "metric %s (%s)\n",
        dir.c_str(), sweep_method_name(spec.method), l.rows.size(), l.settings.trials, l.ok,
        l.stopped, l.diverged, l.failed, spec.metric.c_str(),
        spec.maximize ? "maximize" : "minimize");
    if (l.rows.empty() || !isfinite(l.rows[0].metric)) {
        printf("no trial has a %s yet\n", spec.metric.c_str());
        return 1;
    }
    const Row& best = l.rows[0];
    printf("best: trial %ld  %s %.4f  test_acc %.4f  (%s)\n\n", best.result.trial,
           spec.metric.c_str(), best.metric, best.result.test_acc, config_text(spec, best).c_str());
    printf("top %d trials\n %4s %6s %8s %8s %-8s", top, "rank", "trial", spec.metric.c_str(),
           "test_acc", "status");
    for (const SweepParam& p : spec.params) {
        if (p.distribution != Distribution::Constant)
            printf(" %*s", static_cast<int>(std::max<size_t>(p.name.size(), 8)), p.name.c_str());
    }
    printf("\n");
    std::string csv = "rank,trial,status," + spec.metric + ",test_acc,seconds";
    for (const SweepParam& p : spec.params) csv += "," + p.name;
    csv += "\n";
    for (size_t i = 0; i < l.rows.size(); ++i) {
        const Row& r = l.rows[i];
        if (static_cast<int>(i) < top) {
            printf(" %4zu %6ld %8.4f %8.4f %-8s", i + 1, r.result.trial, r.metric,
                   r.result.test_acc, r.result.status.c_str());
            for (size_t p = 0; p < spec.params.size(); ++p) {
                if (spec.params[p].distribution != Distribution::Constant) {
                    printf(" %*s",
                           static_cast<int>(std::max<size_t>(spec.params[p].name.size(), 8)),
                           r.values[p].c_str());
                }
            }
            printf("\n");
        }
        csv += std::to_string(i + 1) + "," + std::to_string(r.result.trial) + "," +
               r.result.status + "," + json_number(r.metric) + "," +
               json_number(r.result.test_acc) + "," + json_number(r.result.seconds);
        for (const std::string& v : r.values) csv += "," + csv_field(v);
        csv += "\n";
    }
    const std::vector<ParamStats> stats = parameter_stats(l);
    printf(
        "\nhyperparameters (importance: random forest on %s, 200 trees; correlation: Pearson with "
        "%s)\n",
        spec.metric.c_str(), spec.metric.c_str());
    printf(" %-16s %10s  %s\n", "parameter", "importance", "correlation");
    std::string importance_csv = "parameter,importance,correlation,strongest_value\n";
    for (const ParamStats& s : stats) {
        char corr[128];
        if (s.categorical) snprintf(corr, sizeof corr, "%s (strongest value)", s.strongest.c_str());
        else snprintf(corr, sizeof corr, "%+.2f", s.correlation);
        printf(" %-16s %10.3f  %s\n", s.name.c_str(), s.importance, corr);
        importance_csv += s.name + "," + json_number(s.importance) + "," +
                          json_number(s.correlation) + "," +
                          csv_field(s.categorical ? s.strongest : "") + "\n";
    }
    ErrorText err;
    if (write_file_atomic(dir + "/leaderboard.csv", csv, &err) != Status::Ok ||
        write_file_atomic(dir + "/importance.csv", importance_csv, &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    printf("\nwritten: %s/leaderboard.csv, %s/importance.csv\n", dir.c_str(), dir.c_str());
    return 0;
}

int compare_sweeps(const std::string& dir_a, const std::string& dir_b) {
    Loaded a, b;
    std::string error;
    if (!load_sweep(dir_a, a, error) || !load_sweep(dir_b, b, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    auto loss_of = [](const Loaded& l) { return sweep_loss(l); };
    // The test accuracy shown is the best trial's: picking the best of several test scores
    // would select on the test set.
    auto stats_line = [](const Loaded& l) {
        std::vector<double> metrics;
        for (const Row& r : l.rows) {
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
    for (const Loaded* l : {&a, &b}) {
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
    for (const Loaded* l : {&a, &b}) {
        if (!l->rows.empty())
            printf("  %s: %s\n", (l == &a ? dir_a : dir_b).c_str(),
                   config_text(l->settings.spec, l->rows[0]).c_str());
    }
    // Paired trials: the same id with the same sampled values (the same search file and seed,
    // e.g. with --set loss=...), so the settings that differ are the only difference.
    if (a.settings.spec.params.size() == b.settings.spec.params.size()) {
        int pairs = 0, a_better = 0, b_better = 0;
        double difference = 0.0;
        for (const Row& ra : a.rows) {
            for (const Row& rb : b.rows) {
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
        const Loaded& self = k == 0 ? a : b;
        const Loaded& other = k == 0 ? b : a;
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
    Loaded l;
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
    for (const Row& r : l.rows) {
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
        const TrialResult t = run_trial(r.result.trial, args, train.view, test.view, nullptr);
        printf("%6ld %12.4f %12.4f %12.4f  %s\n", r.result.trial, r.metric, r.result.test_acc,
               t.test_acc, config_text(l.settings.spec, r).c_str());
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
