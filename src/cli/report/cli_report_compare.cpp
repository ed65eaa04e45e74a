// Run comparison pages and text (see cli_report_compare.hpp).
#include "cli/report/cli_report_compare.hpp"

#include <math.h>
#include <stdio.h>

#include "cli/report/cli_html_page.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_run_files.hpp"
#include "cli/report/cli_svg.hpp"
#include "cli/report/cli_text_chart.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

struct RunFiles {
    std::string dir;
    JsonValue config, summary;
    std::vector<EpochMetrics> epochs;
};

bool read_text(const std::string& path, std::string& out, std::string& error) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    out.assign(bytes.begin(), bytes.end());
    return true;
}

bool load_files(const std::string& dir, RunFiles& r, std::string& error) {
    r.dir = dir;
    std::string text;
    if (!read_text(dir + "/config.json", text, error) || !parse_json(text, r.config, error)) {
        error = dir + "/config.json: " + error;
        return false;
    }
    if (read_text(dir + "/summary.json", text, error) && !parse_json(text, r.summary, error)) {
        error = dir + "/summary.json: " + error;
        return false;
    }
    if (!read_text(dir + "/metrics.csv", text, error) || !parse_metrics_csv(text, r.epochs, error)) {
        error = dir + "/metrics.csv: " + error;
        return false;
    }
    return true;
}

std::string percent(double v) { return isfinite(v) ? fixed_digits(100 * v, 2) + "%" : "-"; }

// One row of results per run: status, epochs, best and last validation accuracy, test accuracy.
std::vector<std::vector<std::string>> result_rows(const std::vector<RunFiles>& runs) {
    std::vector<std::vector<std::string>> rows;
    for (const RunFiles& r : runs) {
        double best = NAN;
        int best_epoch = 0;
        for (const EpochMetrics& m : r.epochs) {
            if (isfinite(m.val_acc) && !(best >= m.val_acc)) best = m.val_acc, best_epoch = m.epoch;
        }
        const double last = r.epochs.empty() ? NAN : r.epochs.back().val_acc;
        rows.push_back({r.dir, r.summary.text_or("status", "?"), std::to_string(r.epochs.size()),
                        percent(best) + (best_epoch ? " (epoch " + std::to_string(best_epoch) + ")" : ""),
                        percent(last), percent(r.summary.number_or("test_acc", NAN))});
    }
    return rows;
}

// The settings whose values are not the same in every run: one row per setting.
std::vector<std::vector<std::string>> difference_rows(const std::vector<RunFiles>& runs) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& field : runs.front().config.fields) {
        const std::string& key = field.first;
        if (key == "train_samples" || key == "val_samples" || key == "test_samples") continue;
        std::vector<std::string> row{key};
        bool differs = false;
        for (const RunFiles& r : runs) {
            const JsonValue* v = r.config.find(key);
            row.push_back(v != nullptr ? (v->kind == JsonValue::Kind::String ? v->text
                                                                              : json_encode(*v))
                                       : "-");
            differs = differs || row.back() != row[1];
        }
        if (differs) rows.push_back(row);
    }
    return rows;
}

std::string text_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> width(header.size());
    for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
    for (const auto& row : rows)
        for (size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (size_t c = 0; c < cells.size(); ++c) {
            std::string cell = cells[c];
            cell.resize(width[c], ' ');
            out += (c ? "  " : "") + cell;
        }
        return out + "\n";
    };
    std::string out = line(header);
    for (const auto& row : rows) out += line(row);
    return out;
}

}  // namespace

int compare_runs(const std::vector<std::string>& dirs, const std::string& output) {
    std::vector<RunFiles> runs(dirs.size());
    std::string error;
    for (size_t i = 0; i < dirs.size(); ++i) {
        if (!load_files(dirs[i], runs[i], error)) {
            fprintf(stderr, "fnn report: %s\n", error.c_str());
            return 1;
        }
    }
    const std::vector<std::string> result_header{"run",          "status",       "epochs",
                                                 "best val acc", "last val acc", "test acc"};
    std::vector<std::string> diff_header{"setting"};
    for (size_t i = 0; i < runs.size(); ++i) diff_header.push_back("run " + std::to_string(i + 1));
    const auto results = result_rows(runs);
    const auto differences = difference_rows(runs);
    if (output.empty()) {
        std::vector<TextSeries> val;
        const char marks[] = "*o+x#@%&";
        for (size_t i = 0; i < runs.size(); ++i) {
            TextSeries s{"run " + std::to_string(i + 1), marks[i % 8], {}};
            for (const EpochMetrics& m : runs[i].epochs) s.y.push_back(m.val_acc);
            val.push_back(s);
        }
        printf("%s\nsettings that differ:\n%s\n%s", text_table(result_header, results).c_str(),
               differences.empty() ? "  (none)\n" : text_table(diff_header, differences).c_str(),
               text_chart("validation accuracy", val).c_str());
        return 0;
    }
    HtmlPage page("fnn runs compared");
    page.section("results", "Results", html_table(result_header, results));
    page.section("differences", "Settings that differ",
                 differences.empty() ? "<p class=\"note\">None: the runs used the same settings."
                                       "</p><table><tbody><tr><td>-</td></tr></tbody></table>"
                                     : html_table(diff_header, differences));
    struct Metric {
        const char* title;
        double EpochMetrics::*field;
        bool percent;
    };
    std::string charts = "<div class=\"grid\">";
    for (const Metric& metric : {Metric{"validation accuracy (%)", &EpochMetrics::val_acc, true},
                                 Metric{"validation loss", &EpochMetrics::val_loss, false},
                                 Metric{"train loss", &EpochMetrics::train_loss, false}}) {
        std::vector<Series> series;
        for (size_t i = 0; i < runs.size(); ++i) {
            Series s{"run " + std::to_string(i + 1), {}, {}, "", false};
            for (const EpochMetrics& m : runs[i].epochs) {
                s.x.push_back(m.epoch);
                s.y.push_back(metric.percent ? 100 * (m.*metric.field) : m.*metric.field);
            }
            series.push_back(s);
        }
        charts += svg_line_chart("epoch", metric.title, series);
    }
    page.section("curves", "Curves", charts + "</div>");
    ErrorText err;
    if (write_file_atomic(output, page.html(), &err) != Status::Ok) {
        fprintf(stderr, "fnn report: %s\n", err.text);
        return 1;
    }
    printf("%s: %zu runs compared; open it in a browser\n", output.c_str(), runs.size());
    return 0;
}

}  // namespace fnn
