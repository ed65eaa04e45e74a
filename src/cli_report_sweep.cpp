// Sweep report pages.
#include "cli_report_sweep.hpp"

#include <math.h>
#include <stdio.h>

#include <algorithm>
#include <vector>

#include "cli_html_page.hpp"
#include "cli_json.hpp"
#include "cli_svg.hpp"

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
    page.section(
        "overview", "Sweep",
        html_table(
            {"", ""},
            {{"search", sweep_method_name(spec.method)},
             {"trials", std::to_string(s.rows.size()) + " of " + std::to_string(s.settings.trials)},
             {"ok / stopped early / diverged / failed",
              std::to_string(s.ok) + " / " + std::to_string(s.stopped) + " / " +
                  std::to_string(s.diverged) + " / " + std::to_string(s.failed)},
             {"metric", spec.metric + (spec.maximize ? " (maximize)" : " (minimize)")},
             {"loss", sweep_loss(s)},
             {"best", s.rows.empty() ? "-"
                                     : fixed_digits(s.rows[0].metric) + " (trial " +
                                           std::to_string(s.rows[0].result.trial) + ")"}},
            2));
    std::vector<std::string> header{"rank", "trial", spec.metric, "test_acc", "status"};
    for (size_t p : varied) header.push_back(spec.params[p].name);
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < s.rows.size() && i < 20; ++i) {
        const SweepRow& r = s.rows[i];
        std::vector<std::string> row{std::to_string(i + 1), std::to_string(r.result.trial),
                                     fixed_digits(r.metric), fixed_digits(r.result.test_acc),
                                     r.result.status};
        for (size_t p : varied) row.push_back(r.values[p]);
        rows.push_back(row);
    }
    page.section("leaderboard", "Leaderboard (best 20)", html_table(header, rows, 0));
    // Parallel coordinates over the trials with a metric.
    std::vector<std::string> axes;
    for (size_t p : varied) axes.push_back(spec.params[p].name);
    axes.push_back(spec.metric);
    std::vector<std::vector<std::string>> lines;
    std::vector<double> metric;
    for (const SweepRow& r : s.rows) {
        if (!isfinite(r.metric)) continue;
        std::vector<std::string> line;
        for (size_t p : varied) line.push_back(r.values[p]);
        line.push_back(fixed_digits(r.metric));
        lines.push_back(line);
        metric.push_back(r.metric);
    }
    page.section("parallel", "Parallel coordinates: every trial, coloured by " + spec.metric,
                 svg_parallel_coordinates(axes, lines, metric, spec.metric));
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
    page.section("importance",
                 "Hyperparameter importance (random forest) and correlation with " + spec.metric,
                 "<div class=\"grid\"><div>" + svg_bars(names, importance, 0, 1, "importance") +
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
            y.push_back(r.metric);
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
        scatters += svg_scatter(spec.params[p].name, spec.metric, x, y, categories);
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
            std::vector<Series> progress = {best_so_far_series(s, name),
                                            best_so_far_series(*other, other_name)};
            content +=
                svg_line_chart("trials run", "best " + spec.metric + " so far", progress, {520, 280});
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
    return page.html();
}

}  // namespace fnn
