// Sweep summaries: loading a sweep, the leaderboard, correlations and random-forest importance.
// Comparing two sweeps and retraining on another dataset are in cli_sweep_studies.cpp.
#include "cli/sweep/cli_sweep_summary.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

#include "cli/sweep/cli_forest.hpp"
#include "cli/sweep/cli_sweep_pareto.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_quote.hpp"
#include "cli/sweep/cli_sweep_run.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

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

}  // namespace

bool load_sweep(const std::string& dir, SweepData& out, std::string& error) {
    if (!load_sweep_dir(dir, out.settings, error)) return false;
    JournalRead journal;
    if (!read_journal(dir + "/journal.jsonl", journal, error)) return false;
    out.warnings = journal.warnings;
    out.infeasible = journal.infeasible;
    if (journal.torn_tail)
        out.warnings.push_back(dir + "/journal.jsonl: the last line is torn (a crash mid-write); "
                               "fnn sweep --resume reruns its trial");
    const SweepSpec& spec = out.settings.spec;
    for (const TrialResult& r : journal.trials) {
        SweepRow row;
        row.result = r;
        row.metric = trial_metric(spec.metric, r);
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
    std::sort(out.rows.begin(), out.rows.end(), [maximize](const SweepRow& a, const SweepRow& b) {
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
    std::vector<const SweepRow*> usable;
    for (const SweepRow& r : l.rows) {
        if (isfinite(r.metric)) usable.push_back(&r);
    }
    std::vector<ParamStats> stats;
    if (usable.size() < 3) return stats;
    std::vector<double> y;
    for (const SweepRow* r : usable) y.push_back(r->metric);
    std::vector<std::vector<double>> features(usable.size());
    std::vector<int> owner;  // feature -> parameter index
    for (size_t p = 0; p < spec.params.size(); ++p) {
        ParamStats s;
        s.name = spec.params[p].name;
        std::vector<std::string> texts;
        for (const SweepRow* r : usable) texts.push_back(r->values[p]);
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
    // A parameter the file fixes to one value explains nothing: not listed (it stays a feature
    // above, so the forest's random draws do not depend on what the file fixes).
    std::vector<ParamStats> swept;
    for (size_t p = 0; p < stats.size(); ++p) {
        if (spec.params[p].distribution != Distribution::Constant) swept.push_back(stats[p]);
    }
    stats = swept;
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
    for (const SweepRow& r : data.rows) by_id.push_back({r.result.trial, r.metric});
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

std::string reproduce_command(const SweepSettings& settings, const TrialResult& trial) {
    std::string command = "fnn train";
    for (const std::string& a : trial.args) command += " " + shell_quote(a);
    if (!settings.data_dir.empty()) command += " --data_dir " + shell_quote(settings.data_dir);
    return command;
}

std::string sweep_config_text(const SweepSpec& spec, const SweepRow& row) {
    std::string out;
    for (size_t p = 0; p < spec.params.size(); ++p) {
        if (spec.params[p].distribution == Distribution::Constant) continue;
        out += (out.empty() ? "" : " ") + spec.params[p].name + "=" + row.values[p];
    }
    return out;
}

int summarize_sweep(const std::string& dir, int top) {
    SweepData l;
    std::string error;
    if (!load_sweep(dir, l, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    for (const std::string& w : l.warnings) fprintf(stderr, "fnn sweep: warning: %s\n", w.c_str());
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
    const SweepRow& best = l.rows[0];
    printf("best: trial %ld  %s %.4f  test_acc %.4f  (%s)\n", best.result.trial,
           spec.metric.c_str(), best.metric, best.result.test_acc,
           sweep_config_text(spec, best).c_str());
    const std::string best_run = trial_run_dir(dir, best.result.trial);
    if (file_exists(best_run + "/model.fnn")) printf("      its run: %s\n", best_run.c_str());
    printf("\n");
    if (spec.device.enabled()) printf("%s\n", device_summary_text(l).c_str());
    printf("top %d trials\n %4s %6s %8s %8s %-8s", top, "rank", "trial", spec.metric.c_str(),
           "test_acc", "status");
    for (const SweepParam& p : spec.params) {
        if (p.distribution != Distribution::Constant)
            printf(" %*s", static_cast<int>(std::max<size_t>(p.name.size(), 8)), p.name.c_str());
    }
    printf("\n");
    std::string csv = "rank,trial,status," + spec.metric + ",test_acc,seconds";
    for (const SweepParam& p : spec.params) csv += "," + p.name;
    csv += ",command\n";
    std::string commands;
    for (size_t i = 0; i < l.rows.size(); ++i) {
        const SweepRow& r = l.rows[i];
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
            commands += " " + std::to_string(i + 1) + ". trial " + std::to_string(r.result.trial) +
                        ": " + reproduce_command(l.settings, r.result) + "\n";
        }
        csv += std::to_string(i + 1) + "," + std::to_string(r.result.trial) + "," +
               r.result.status + "," + json_number(r.metric) + "," +
               json_number(r.result.test_acc) + "," + json_number(r.result.seconds);
        for (const std::string& v : r.values) csv += "," + csv_field(v);
        csv += "," + csv_field(reproduce_command(l.settings, r.result)) + "\n";
    }
    printf("\nto reproduce a trial (same settings and seed, so the same model):\n%s",
           commands.c_str());
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

}  // namespace fnn
