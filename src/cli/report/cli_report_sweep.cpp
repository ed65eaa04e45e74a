// Sweep report pages.
#include "cli/report/cli_report_sweep.hpp"

#include <math.h>
#include <stdio.h>

#include <algorithm>
#include <vector>

#include "cli/report/cli_html_page.hpp"
#include "cli/report/cli_report_device.hpp"
#include "cli/cli_json.hpp"
#include "cli/report/cli_report_sweep_script.hpp"
#include "cli/report/cli_svg.hpp"
#include "cli/cli_trial.hpp"

namespace fnn {
namespace {

// best_so_far() as a chart series, from a tenth of the trials on: the poor values of the first
// few would squeeze the differences that matter into a sliver at the top.
Series best_so_far_series(const SweepData& data, const std::string& name) {
    const std::vector<double> best = best_so_far(data);
    Series out{name, {}, {}, "", false};
    for (size_t i = (best.size() + 9) / 10; i <= best.size(); ++i) {
        if (i == 0) continue;
        out.x.push_back(static_cast<double>(i));
        out.y.push_back(best[i - 1]);
    }
    return out;
}

}  // namespace

std::string sweep_page(const std::string& dir, const SweepData& s, const SweepData* other,
                       const std::string& other_dir) {
    const SweepSpec& spec = s.settings.spec;
    HtmlPage page("fnn sweep " + dir);
    std::vector<size_t> varied;  // parameters that change between trials
    for (size_t p = 0; p < spec.params.size(); ++p) {
        if (spec.params[p].distribution != Distribution::Constant) varied.push_back(p);
    }
    // Accuracies and F1 in percent, losses as they are, as everywhere in fnn's reports.
    const bool percent = !metric_is_loss(spec.metric);
    auto metric_text = [percent](double v) {
        return percent ? (isfinite(v) ? fixed_digits(100 * v, 2) + "%" : "-") : fixed_digits(v);
    };
    // Overview: a swept setting shows what it was swept over, not the best trial's value.
    const SweepParam* loss = spec.find("loss");
    std::string loss_text = sweep_loss(s);
    if (loss != nullptr && loss->values.size() > 1) {
        loss_text = "swept: ";
        for (size_t i = 0; i < loss->values.size(); ++i) loss_text += (i ? ", " : "") + loss->values[i];
    }
    std::vector<std::vector<std::string>> overview = {
        {"search", sweep_method_name(spec.method)},
        {"trials", std::to_string(s.rows.size()) + " of " + std::to_string(s.settings.trials)},
        {"ok / stopped early / diverged / failed",
         std::to_string(s.ok) + " / " + std::to_string(s.stopped) + " / " +
             std::to_string(s.diverged) + " / " + std::to_string(s.failed)},
        {"metric", spec.metric + (spec.metric_written != spec.metric && !spec.metric_written.empty()
                                      ? " (written " + spec.metric_written + ")"
                                      : "") +
                       (spec.maximize ? ", maximized" : ", minimized")},
        {"loss", loss_text}};
    if (!s.rows.empty() && isfinite(s.rows[0].metric)) {
        overview.push_back({"best", metric_text(s.rows[0].metric) + " (trial " +
                                        std::to_string(s.rows[0].result.trial) + ")"});
        overview.push_back({"reproduce the best", reproduce_command(s.settings, s.rows[0].result)});
    }
    page.section("overview", "Sweep", html_table({"", ""}, overview, 2));
    if (spec.device.enabled())
        page.section("device", "Device: accuracy against flash and RAM", device_section_html(s));
    // Every trial, best first: sortable by any column, filtered by text and by the brushes.
    std::string table = "<p><input id=\"trial-filter\" placeholder=\"filter trials\" "
                        "size=\"30\"> <span id=\"trial-count\" class=\"note\"></span> <span "
                        "class=\"note\">(click a column to sort; drag along an axis of the plot "
                        "below to keep a range)</span></p><table id=\"trial-table\"><thead><tr>";
    std::vector<std::string> header{"rank", "trial", spec.metric, "test acc", "status"};
    for (size_t p : varied) header.push_back(spec.params[p].name);
    for (const std::string& h : header) table += "<th>" + xml_escape(h) + "</th>";
    table += "</tr></thead><tbody>";
    for (size_t i = 0; i < s.rows.size(); ++i) {
        const SweepRow& r = s.rows[i];
        table += "<tr data-trial=\"" + std::to_string(r.result.trial) + "\"><td>" +
                 std::to_string(i + 1) + "</td><td>" + std::to_string(r.result.trial) + "</td><td>" +
                 metric_text(r.metric) + "</td><td>" +
                 (isfinite(r.result.test_acc) ? fixed_digits(100 * r.result.test_acc, 2) + "%" : "-") +
                 "</td><td class=\"l\">" + xml_escape(r.result.status) + "</td>";
        for (size_t p : varied) table += "<td>" + xml_escape(r.values[p]) + "</td>";
        table += "</tr>";
    }
    page.section("trials", "Trials", table + "</tbody></table>");
    // Parallel coordinates over the trials with a metric.
    std::vector<std::string> axes;
    for (size_t p : varied) axes.push_back(spec.params[p].name);
    axes.push_back(spec.metric + (percent ? " (%)" : ""));
    std::vector<std::vector<std::string>> lines;
    std::vector<double> metric;
    std::vector<long> ids;
    for (const SweepRow& r : s.rows) {
        if (!isfinite(r.metric)) continue;
        std::vector<std::string> line;
        for (size_t p : varied) line.push_back(r.values[p]);
        line.push_back(percent ? fixed_digits(100 * r.metric, 2) : fixed_digits(r.metric));
        lines.push_back(line);
        metric.push_back(r.metric);
        ids.push_back(r.result.trial);
    }
    page.section("parallel",
                 "Parallel coordinates: every trial, coloured by " + spec.metric +
                     " (hover a line for its trial; drag along an axis to filter)",
                 svg_parallel_coordinates(axes, lines, metric, spec.metric, ids));
    // Every trial's metric per epoch on one chart, coloured by rank; hyperband stops marked.
    std::vector<Series> curves;
    for (size_t i = s.rows.size(); i-- > 0;) {  // worst first: the best are drawn on top
        const SweepRow& r = s.rows[i];
        Series c{"trial " + std::to_string(r.result.trial) + ": " + metric_text(r.metric), {}, {},
                 scale_color(s.rows.size() < 2 ? 1.0 : 1.0 - static_cast<double>(i) / (s.rows.size() - 1)),
                 false, r.result.status == "stopped"};
        for (const EpochMetrics& m : r.result.epochs) {
            const double v = epoch_metric(spec.metric, m);
            c.x.push_back(m.epoch);
            c.y.push_back(percent ? 100 * v : v);
        }
        curves.push_back(c);
    }
    ChartOptions many(760, 320);
    many.legend = false;
    many.whole_x = true;
    size_t longest = 0;
    for (const SweepRow& r : s.rows) longest = std::max(longest, r.result.epochs.size());
    std::string brackets;
    for (int b : spec.brackets) {
        if (static_cast<size_t>(b) > longest) break;  // brackets past every trial's last epoch
        brackets += (brackets.empty() ? "" : ", ") + std::to_string(b);
    }
    page.section("curves", spec.metric + " of every trial, epoch by epoch",
                 "<div class=\"charts\">" +
                     svg_line_chart("epoch", spec.metric + (percent ? " (%)" : ""), curves, many) +
                     "</div><p class=\"note\">Lines are coloured by rank (yellow best); " +
                     (spec.hyperband ? "a cross ends a trial hyperband stopped (brackets at epochs " +
                                           brackets + ")."
                                     : "no early termination.") +
                     "</p>");
    // How fast the search found good settings.
    Series progress = best_so_far_series(s, "best so far");
    if (percent)
        for (double& v : progress.y) v *= 100;
    ChartOptions counted(620, 280);
    counted.whole_x = true;
    page.section("progress", "Best " + spec.metric + " so far against trials run",
                 "<div class=\"charts\">" +
                     svg_line_chart("trials run", "best " + spec.metric + (percent ? " (%)" : ""),
                                    {progress}, counted) +
                     "</div>");
    // Importance and correlation.
    const std::vector<ParamStats> stats = parameter_stats(s);
    std::vector<std::string> names, corr_names;
    std::vector<double> importance, correlation;
    for (const ParamStats& p : stats) {
        names.push_back(p.name);
        importance.push_back(p.importance);
        corr_names.push_back(p.categorical
                                 ? p.name + " = " + p.strongest.substr(0, p.strongest.rfind(' '))
                                 : p.name);
        correlation.push_back(p.correlation);
    }
    size_t finite = 0;
    for (const SweepRow& r : s.rows) finite += isfinite(r.metric);
    // A forest fitted to a few trials ranks parameters by chance: about 10 trials per varied
    // parameter (and 20 at least) before the bars mean much.
    const size_t enough = std::max<size_t>(20, 10 * varied.size());
    const std::string caution =
        finite >= enough
            ? ""
            : "<p class=\"note wrong\">Only " + std::to_string(finite) + " trials with a " +
                  spec.metric + " for " + std::to_string(varied.size()) +
                  " swept parameters: these importances are rough (about " +
                  std::to_string(enough) + " trials are needed to rank them reliably).</p>";
    page.section("importance",
                 "Hyperparameter importance (random forest) and correlation with " + spec.metric,
                 caution + "<div class=\"grid\"><div>" + svg_bars(names, importance, 0, 1, "importance") +
                     "</div><div>" +
                     svg_bars(corr_names, correlation, -1, 1, "Pearson correlation") +
                     "</div></div>" +
                     "<p class=\"note\">A categorical hyperparameter's correlation is that of its "
                     "most correlated value.</p>");
    // The metric against each hyperparameter.
    std::string scatters = "<div class=\"grid\">";
    for (size_t p : varied) {
        std::vector<std::string> texts, categories;
        std::vector<double> x, y;
        bool numeric = true;
        for (const SweepRow& r : s.rows) {
            if (!isfinite(r.metric)) continue;
            texts.push_back(r.values[p]);
            y.push_back(percent ? 100 * r.metric : r.metric);
            char* end = nullptr;
            strtod(r.values[p].c_str(), &end);
            numeric = numeric && *end == '\0' && !r.values[p].empty();
        }
        if (!numeric || spec.params[p].discrete()) {
            categories = texts;
            std::sort(categories.begin(), categories.end(),
                      [](const std::string& a, const std::string& b) {
                          char *ea = nullptr, *eb = nullptr;
                          const double va = strtod(a.c_str(), &ea), vb = strtod(b.c_str(), &eb);
                          return *ea == '\0' && *eb == '\0' ? va < vb : a < b;
                      });
            categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
            for (const std::string& t : texts)
                x.push_back(static_cast<double>(std::find(categories.begin(), categories.end(), t) -
                                                categories.begin()));
        } else {
            for (const std::string& t : texts) x.push_back(strtod(t.c_str(), nullptr));
        }
        scatters += svg_scatter(spec.params[p].name, spec.metric + (percent ? " (%)" : ""), x, y,
                                categories);
    }
    page.section("by-parameter", spec.metric + " against each hyperparameter", scatters + "</div>");
    // With a second sweep: both side by side. Otherwise, when this sweep varies the loss, the
    // losses.
    std::vector<std::pair<std::string, std::vector<double>>> groups;
    auto add = [&](const SweepData& data, const std::string& fixed_name) {
        for (const SweepRow& r : data.rows) {
            if (!isfinite(r.metric)) continue;
            JsonValue c;
            std::string e;
            const std::string name = !fixed_name.empty()                 ? fixed_name
                                     : parse_json(r.result.config, c, e) ? c.text_or("loss", "?")
                                                                         : "?";
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const auto& g) { return g.first == name; });
            if (it == groups.end()) it = groups.insert(groups.end(), {name, {}});
            it->second.push_back(r.metric);
        }
    };
    // Charts name each sweep by its last path component; the heading has the full paths.
    auto short_name = [](std::string path) {
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        const size_t slash = path.find_last_of('/');
        return slash == std::string::npos ? path : path.substr(slash + 1);
    };
    const std::string name = short_name(dir);
    const std::string other_name =
        short_name(other_dir) == name ? name + " (2)" : short_name(other_dir);
    if (other != nullptr) {
        add(s, name);
        add(*other, other_name);
    } else {
        add(s, "");
    }
    if (other != nullptr || groups.size() >= 2) {
        std::vector<double> x, y;
        std::vector<std::string> categories;
        std::vector<std::vector<std::string>> rows_by_group;
        for (size_t g = 0; g < groups.size(); ++g) {
            categories.push_back(groups[g].first);
            std::vector<double> v = groups[g].second;
            std::sort(v.begin(), v.end());
            double mean = 0;
            for (double m : v) {
                x.push_back(static_cast<double>(g));
                y.push_back(m);
                mean += m / static_cast<double>(v.size());
            }
            rows_by_group.push_back({groups[g].first, std::to_string(v.size()),
                                     fixed_digits(spec.maximize ? v.back() : v.front()),
                                     fixed_digits(v[v.size() / 2]), fixed_digits(mean)});
        }
        std::string content = "<div class=\"grid\">";
        if (other != nullptr) {
            const std::vector<Series> both = {best_so_far_series(s, name),
                                              best_so_far_series(*other, other_name)};
            content +=
                svg_line_chart("trials run", "best " + spec.metric + " so far", both, {520, 280});
        }
        content +=
            svg_scatter(other != nullptr ? "sweep" : "loss", spec.metric, x, y, categories, 360,
                        280) +
            "<div>" +
            html_table({other != nullptr ? "sweep" : "loss", "trials", "best", "median", "mean"},
                       rows_by_group) +
            "</div></div>";
        if (other != nullptr) page.section("compare", "This sweep against " + other_dir, content);
        else page.section("losses", "Cross-entropy against squared error", content);
    }
    page.script(sweep_page_script());
    return page.html();
}

}  // namespace fnn
