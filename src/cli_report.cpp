// Report pages for runs and sweeps.
#include "cli_report.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli_eval.hpp"
#include "cli_flags.hpp"
#include "cli_json.hpp"
#include "cli_png.hpp"
#include "cli_svg.hpp"
#include "cli_sweep_summary.hpp"
#include "cli_text_chart.hpp"
#include "fnn/file_io.hpp"
#include "fnn/trainer.hpp"

namespace fnn {
namespace {

// --- page assembly -------------------------------------------------------------------------------

const char* const kStyle =
    "body{font-family:sans-serif;margin:24px auto;max-width:1150px;color:#222}"
    "h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:30px}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}"
    "th{background:#f3f3f3}td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:10px}"
    ".cell{font-size:11px;text-align:center;width:96px}.cell img{width:84px;height:84px;image-rendering:pixelated;"
    "border:1px solid #ccc}.wrong{color:#b00}.note{color:#666;font-size:12px}";

// Runs once the page has loaded: counts the sections with content (a drawn SVG, a decoded image
// or a table cell) and the images that failed to decode, sets body[data-check] to
// "filled/sections" (plus what is wrong) and logs the same line, which tests read.
const char* const kSelfCheck =
    "<script>window.addEventListener('load',function(){var s=document.querySelectorAll('section'),ok=0,bad=[];"
    "for(var i=0;i<s.length;i++){var n=s[i].querySelectorAll('svg *,tbody td').length,im=s[i].querySelectorAll('img');"
    "for(var j=0;j<im.length;j++){if(im[j].naturalWidth>0)n++;else bad.push(s[i].id+' image '+j);}"
    "if(n>0)ok++;else bad.push(s[i].id+' empty');}"
    "var r=ok+'/'+s.length+(bad.length?' problems: '+bad.join(', '):'');"
    "document.body.setAttribute('data-check',r);console.log('fnn-report-check '+r);});</script>";

struct Page {
    std::string title;
    std::string body;
    void section(const std::string& id, const std::string& heading, const std::string& content) {
        body += "<section id=\"" + id + "\"><h2>" + xml_escape(heading) + "</h2>" + content + "</section>\n";
    }
    std::string html() const {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(title) +
               "</title><style>" + kStyle + "</style></head><body><h1>" + xml_escape(title) + "</h1>\n" + body + kSelfCheck +
               "</body></html>\n";
    }
};

std::string fixed(double v, int digits = 4) {
    char text[32];
    snprintf(text, sizeof text, "%.*f", digits, v);
    return isfinite(v) ? text : "-";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows, size_t left_columns = 1) {
    std::string out = "<table><thead><tr>";
    for (size_t c = 0; c < header.size(); ++c) out += std::string("<th") + (c < left_columns ? " class=\"l\"" : "") + ">" + xml_escape(header[c]) + "</th>";
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        out += "<tr>";
        for (size_t c = 0; c < row.size(); ++c) out += std::string("<td") + (c < left_columns ? " class=\"l\"" : "") + ">" + xml_escape(row[c]) + "</td>";
        out += "</tr>";
    }
    return out + "</tbody></table>";
}

bool read_text(const std::string& path, std::string& out) {
    std::vector<uint8_t> bytes;
    if (read_file(path, bytes, nullptr) != Status::Ok) return false;
    out.assign(bytes.begin(), bytes.end());
    return true;
}

// --- run reports ---------------------------------------------------------------------------------

struct RunData {
    JsonValue config, summary;
    std::vector<EpochMetrics> epochs;
    std::vector<JsonValue> samples;  // diagnostics.jsonl lines
    LoadedModel model;
    LoadedDataset train, test;
    ClassificationReport report;
    std::vector<int> predicted;
    std::vector<float> confidence;
    std::vector<std::string> names;
};

// diagnostics.jsonl: one sample per line, each with the same number of layers, each layer with
// its statistics and a histogram. Anything else is an error naming the line.
bool parse_diagnostics(const std::string& text, std::vector<JsonValue>& samples, std::string& error) {
    size_t at = 0, layers = 0;
    for (int line = 1; at < text.size(); ++line) {
        const size_t end = text.find('\n', at);
        const std::string where = "line " + std::to_string(line) + ": ";
        JsonValue v;
        if (!parse_json(text.substr(at, end == std::string::npos ? std::string::npos : end - at), v, error)) {
            error = where + error;
            return false;
        }
        const JsonValue* list = v.find("layers");
        if (list == nullptr || list->kind != JsonValue::Kind::Array || list->items.empty() ||
            (layers != 0 && list->items.size() != layers)) {
            error = where + "expected \"layers\": a list with one entry per layer";
            return false;
        }
        layers = list->items.size();
        for (const JsonValue& layer : list->items) {
            const JsonValue* bins = layer.find("histogram");
            if (bins == nullptr || bins->kind != JsonValue::Kind::Array || bins->items.empty() ||
                layer.find("weight_min") == nullptr || layer.find("weight_max") == nullptr) {
                error = where + "each layer needs weight_min, weight_max and a histogram";
                return false;
            }
        }
        samples.push_back(v);
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return true;
}

bool load_run(const std::string& dir, const std::string& data_dir, const char* argv0, RunData& d, std::string& error) {
    std::string text;
    if (!read_text(dir + "/config.json", text) || !parse_json(text, d.config, error)) {
        error = dir + "/config.json: " + (error.empty() ? "cannot read it (is " + dir + " a run directory?)" : error);
        return false;
    }
    if (read_text(dir + "/summary.json", text)) parse_json(text, d.summary, error);
    if (!read_text(dir + "/metrics.csv", text)) {
        error = dir + "/metrics.csv: cannot read it";
        return false;
    }
    size_t start = text.find('\n') + 1;  // skip the header
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        EpochMetrics m;
        double v[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
        std::string line = text.substr(start, end - start), field;
        for (int f = 0, pos = 0; f < 6; ++f) {
            const size_t comma = line.find(',', static_cast<size_t>(pos));
            field = line.substr(static_cast<size_t>(pos), comma == std::string::npos ? std::string::npos : comma - static_cast<size_t>(pos));
            if (!field.empty()) v[f] = strtod(field.c_str(), nullptr);
            if (comma == std::string::npos) break;
            pos = static_cast<int>(comma + 1);
        }
        m.epoch = static_cast<int>(v[0]);
        m.train_loss = v[1], m.train_acc = v[2], m.val_loss = v[3], m.val_acc = v[4], m.seconds = v[5];
        d.epochs.push_back(m);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    if (read_text(dir + "/diagnostics.jsonl", text) && !parse_diagnostics(text, d.samples, error)) {
        error = dir + "/diagnostics.jsonl: " + error;
        return false;
    }
    const std::string dataset = d.config.text_or("dataset", "fashion_mnist");
    const std::string data = resolve_data_dir(data_dir, argv0);
    Split split;
    if (!load_model(dir + "/model.fnn", d.model, error) || !load_dataset(data, dataset, "train", d.train, error) ||
        !load_dataset(data, dataset, "test", d.test, error) || !select_split(d.train, d.test, "test", 0.1, split, error)) {
        return false;
    }
    if (static_cast<size_t>(d.test.view.features()) != d.model.inputs()) {
        error = dir + "/model.fnn does not take " + dataset + "'s inputs";
        return false;
    }
    d.report = evaluate_split(d.model, split, &d.predicted, &d.confidence);
    d.names = class_names(d.test.view);
    return true;
}

std::string image_cell(const Dataset& data, int index, const std::string& caption, bool wrong) {
    return "<div class=\"cell\"><img alt=\"test image " + std::to_string(index) + "\" src=\"" +
           sample_png_uri(data.sample(index), static_cast<int>(data.header.rows), static_cast<int>(data.header.cols),
                          static_cast<int>(data.header.channels)) +
           "\"><br><span" + (wrong ? " class=\"wrong\"" : "") + ">" + caption + "</span></div>";
}

// Where diagnostic sample i sits in training, in epochs: its epoch plus its share of that
// epoch's samples (4 samples in epoch 1 sit at 0.25, 0.5, 0.75, 1).
double training_position(const std::vector<JsonValue>& samples, size_t i) {
    const double epoch = samples[i].number_or("epoch", 1), step = samples[i].number_or("step", 0);
    int in_epoch = 0, of_epoch = 0;
    for (const JsonValue& t : samples) {
        if (t.number_or("epoch", 0) != epoch) continue;
        ++of_epoch;
        if (t.number_or("step", 0) <= step) ++in_epoch;
    }
    return epoch - 1 + static_cast<double>(in_epoch) / of_epoch;
}

// A setting as a reader wants it: strings without their JSON quotes, numbers to 6 digits.
std::string plain(const JsonValue& v) {
    if (v.kind == JsonValue::Kind::String) return v.text;
    if (v.kind != JsonValue::Kind::Number) return json_encode(v);
    char text[32];
    if (v.number == floor(v.number) && fabs(v.number) < 1e15) snprintf(text, sizeof text, "%.0f", v.number);
    else snprintf(text, sizeof text, "%.6g", v.number);
    return text;
}

std::string run_page(const std::string& dir, const RunData& d) {
    Page page;
    page.title = "fnn run " + dir;
    // Configuration.
    std::vector<std::vector<std::string>> rows;
    for (const auto& field : d.config.fields) rows.push_back({field.first, plain(field.second)});
    for (const char* key : {"status", "test_acc", "test_loss", "best_val_acc", "median_epoch_seconds"}) {
        if (const JsonValue* v = d.summary.find(key)) rows.push_back({key, plain(*v)});
    }
    page.section("config", "Configuration and result", table({"setting", "value"}, rows, 2));
    // Curves.
    Series train_loss{"train", {}, {}, "", false}, val_loss{"validation", {}, {}, "", true};
    Series train_acc{"train", {}, {}, "", false}, val_acc{"validation", {}, {}, "", true};
    for (const EpochMetrics& m : d.epochs) {
        train_loss.x.push_back(m.epoch), train_loss.y.push_back(m.train_loss);
        val_loss.x.push_back(m.epoch), val_loss.y.push_back(m.val_loss);
        train_acc.x.push_back(m.epoch), train_acc.y.push_back(m.train_acc);
        val_acc.x.push_back(m.epoch), val_acc.y.push_back(m.val_acc);
    }
    page.section("curves", "Loss and accuracy per epoch",
                 "<div class=\"grid\">" + svg_line_chart("epoch", "loss", {train_loss, val_loss}) +
                     svg_line_chart("epoch", "accuracy", {train_acc, val_acc}) + "</div>");
    // Confusion matrix and per-class metrics.
    const ClassificationReport& r = d.report;
    std::vector<double> counts(r.confusion.begin(), r.confusion.end());
    std::vector<std::vector<std::string>> per_class;
    for (int k = 0; k < r.classes; ++k) {
        const ClassMetrics& m = r.per_class[k];
        per_class.push_back({d.names[k], fixed(m.precision), fixed(m.recall), fixed(m.f1), std::to_string(m.support)});
    }
    per_class.push_back({"accuracy", "", "", fixed(r.accuracy), std::to_string(r.total)});
    per_class.push_back({"macro avg", fixed(r.macro.precision), fixed(r.macro.recall), fixed(r.macro.f1), std::to_string(r.total)});
    per_class.push_back({"weighted avg", fixed(r.weighted.precision), fixed(r.weighted.recall), fixed(r.weighted.f1), std::to_string(r.total)});
    page.section("confusion", "Confusion matrix on the test set (" + fixed(100 * r.accuracy, 2) + "% accuracy)",
                 svg_heatmap(d.names, d.names, counts, "true class", "predicted class") +
                     "<p class=\"note\">Cells are shaded by the share of their row (the true class).</p>");
    page.section("per-class", "Per-class metrics (test set)",
                 table({"class", "precision", "recall", "f1-score", "support"}, per_class));
    // Sample images: the first test image of each class.
    std::string samples = "<div class=\"grid\">";
    const Dataset& test = d.test.view;
    for (int k = 0; k < r.classes; ++k) {
        for (int i = 0; i < test.count(); ++i) {
            if (test.labels[i] != k) continue;
            const bool wrong = d.predicted[static_cast<size_t>(i)] != k;
            samples += image_cell(test, i, xml_escape(d.names[k]) + "<br>predicted " +
                                               xml_escape(d.names[d.predicted[static_cast<size_t>(i)]]) + " (" +
                                               fixed(d.confidence[static_cast<size_t>(i)], 2) + ")",
                                  wrong);
            break;
        }
    }
    page.section("samples", "One test image per class", samples + "</div>");
    // The most confident mistakes: where the model is surest and wrong (often label noise).
    const size_t kMistakesShown = 16;
    std::vector<int> mistakes;
    for (int i = 0; i < test.count(); ++i) {
        if (d.predicted[static_cast<size_t>(i)] != test.labels[i]) mistakes.push_back(i);
    }
    std::sort(mistakes.begin(), mistakes.end(), [&](int a, int b) {
        return d.confidence[static_cast<size_t>(a)] != d.confidence[static_cast<size_t>(b)]
                   ? d.confidence[static_cast<size_t>(a)] > d.confidence[static_cast<size_t>(b)]
                   : a < b;
    });
    std::string wrong = "<div class=\"grid\">";
    for (size_t m = 0; m < mistakes.size() && m < kMistakesShown; ++m) {
        const int i = mistakes[m];
        wrong += image_cell(test, i, "true " + xml_escape(d.names[test.labels[i]]) + "<br>predicted " +
                                         xml_escape(d.names[d.predicted[static_cast<size_t>(i)]]) + " (" +
                                         fixed(d.confidence[static_cast<size_t>(i)], 3) + ")",
                            true);
    }
    page.section("mistakes", "The most confident mistakes (" + std::to_string(std::min(mistakes.size(), kMistakesShown)) + " of " +
                                 std::to_string(mistakes.size()) + " test images misclassified)",
                 wrong + "</div>");
    // Weight histograms and gradient norms from diagnostics.jsonl.
    std::string weights = "<div class=\"grid\">";
    std::vector<Series> norms, peaks;
    const size_t layers = d.samples.empty() ? 0 : d.samples[0].find("layers")->items.size();
    for (size_t l = 0; l < layers; ++l) {
        std::vector<Series> hist;
        const size_t n = d.samples.size();
        const size_t picks[] = {0, n / 4, n / 2, 3 * n / 4, n - 1};
        for (size_t pick = 0; pick < 5; ++pick) {
            if (pick > 0 && picks[pick] == picks[pick - 1]) continue;
            const JsonValue& s = d.samples[picks[pick]];
            const JsonValue& layer = s.find("layers")->items[l];
            const double lo = layer.number_or("weight_min", 0), hi = layer.number_or("weight_max", 0);
            const std::vector<JsonValue>& bins = layer.find("histogram")->items;
            char label[32];
            snprintf(label, sizeof label, "epoch %.2f", training_position(d.samples, picks[pick]));
            Series h{label, {}, {}, scale_color(static_cast<double>(pick) / 4), false};
            // Samples have their own ranges, so plot densities: counts over total times bin width.
            double total = 0;
            for (const JsonValue& b : bins) total += b.number;
            const double width = (hi - lo) / static_cast<double>(bins.size());
            for (size_t b = 0; b < bins.size(); ++b) {
                h.x.push_back(lo + width * (static_cast<double>(b) + 0.5));
                h.y.push_back(total > 0 && width > 0 ? bins[b].number / (total * width) : 0);
            }
            hist.push_back(h);
        }
        weights += "<div><b>layer " + std::to_string(l + 1) + "</b><br>" + svg_line_chart("weight", "density", hist, 480, 240) + "</div>";
        Series norm{"layer " + std::to_string(l + 1), {}, {}, "", false}, peak = norm;
        for (size_t i = 0; i < d.samples.size(); ++i) {
            const JsonValue& layer = d.samples[i].find("layers")->items[l];
            const double at = training_position(d.samples, i);
            norm.x.push_back(at), norm.y.push_back(layer.number_or("grad_norm", NAN));
            peak.x.push_back(at), peak.y.push_back(layer.number_or("grad_max_abs", NAN));
        }
        norms.push_back(norm);
        peaks.push_back(peak);
    }
    page.section("weights", "Weight histograms per layer over training", weights + "</div>");
    page.section("gradients", "Weight gradients per layer (sampled " + std::to_string(kSamplesPerEpoch) + " times per epoch)",
                 "<div class=\"grid\">" + svg_line_chart("epoch", "gradient L2 norm", norms, 540, 280) +
                     svg_line_chart("epoch", "largest gradient magnitude", peaks, 540, 280) + "</div>");
    return page.html();
}

std::string run_text(const std::string& dir, const RunData& d) {
    std::vector<double> tl, vl, ta, va;
    for (const EpochMetrics& m : d.epochs) tl.push_back(m.train_loss), vl.push_back(m.val_loss), ta.push_back(m.train_acc), va.push_back(m.val_acc);
    return "run " + dir + "\n\n" + text_chart("loss", {{"train", '*', tl}, {"validation", 'o', vl}}) + "\n" +
           text_chart("accuracy", {{"train", '*', ta}, {"validation", 'o', va}}) + "\ntest set: accuracy " +
           fixed(100 * d.report.accuracy, 2) + "%\n\n" + report_text(d.report, d.names);
}

// --- sweep reports -------------------------------------------------------------------------------

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

std::string sweep_page(const std::string& dir, const SweepData& s, const SweepData* other, const std::string& other_dir) {
    const SweepSpec& spec = s.settings.spec;
    Page page;
    page.title = "fnn sweep " + dir;
    std::vector<size_t> varied;  // parameters that change between trials
    for (size_t p = 0; p < spec.params.size(); ++p) {
        if (spec.params[p].distribution != Distribution::Constant) varied.push_back(p);
    }
    page.section("overview", "Sweep",
                 table({"", ""}, {{"search", sweep_method_name(spec.method)},
                                  {"trials", std::to_string(s.rows.size()) + " of " + std::to_string(s.settings.trials)},
                                  {"ok / stopped early / diverged / failed", std::to_string(s.ok) + " / " + std::to_string(s.stopped) +
                                                                                  " / " + std::to_string(s.diverged) + " / " +
                                                                                  std::to_string(s.failed)},
                                  {"metric", spec.metric + (spec.maximize ? " (maximize)" : " (minimize)")},
                                  {"loss", sweep_loss(s)},
                                  {"best", s.rows.empty() ? "-" : fixed(s.rows[0].metric) + " (trial " + std::to_string(s.rows[0].result.trial) + ")"}},
                       2));
    std::vector<std::string> header{"rank", "trial", spec.metric, "test_acc", "status"};
    for (size_t p : varied) header.push_back(spec.params[p].name);
    std::vector<std::vector<std::string>> rows;
    for (size_t i = 0; i < s.rows.size() && i < 20; ++i) {
        const SweepRow& r = s.rows[i];
        std::vector<std::string> row{std::to_string(i + 1), std::to_string(r.result.trial), fixed(r.metric), fixed(r.result.test_acc),
                                     r.result.status};
        for (size_t p : varied) row.push_back(r.values[p]);
        rows.push_back(row);
    }
    page.section("leaderboard", "Leaderboard (best 20)", table(header, rows, 0));
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
        line.push_back(fixed(r.metric));
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
        corr_names.push_back(p.categorical ? p.name + " = " + p.strongest.substr(0, p.strongest.rfind(' ')) : p.name);
        correlation.push_back(p.correlation);
    }
    page.section("importance", "Hyperparameter importance (random forest) and correlation with " + spec.metric,
                 "<div class=\"grid\"><div>" + svg_bars(names, importance, 0, 1, "importance") + "</div><div>" +
                     svg_bars(corr_names, correlation, -1, 1, "Pearson correlation") + "</div></div>" +
                     "<p class=\"note\">A categorical hyperparameter's correlation is that of its most correlated value.</p>");
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
            std::sort(categories.begin(), categories.end(), [](const std::string& a, const std::string& b) {
                char *ea = nullptr, *eb = nullptr;
                const double va = strtod(a.c_str(), &ea), vb = strtod(b.c_str(), &eb);
                return *ea == '\0' && *eb == '\0' ? va < vb : a < b;
            });
            categories.erase(std::unique(categories.begin(), categories.end()), categories.end());
            for (const std::string& t : texts) x.push_back(static_cast<double>(std::find(categories.begin(), categories.end(), t) - categories.begin()));
        } else {
            for (const std::string& t : texts) x.push_back(strtod(t.c_str(), nullptr));
        }
        scatters += svg_scatter(spec.params[p].name, spec.metric, x, y, categories);
    }
    page.section("by-parameter", spec.metric + " against each hyperparameter", scatters + "</div>");
    // With a second sweep: both side by side. Otherwise, when this sweep varies the loss, the losses.
    std::vector<std::pair<std::string, std::vector<double>>> groups;
    auto add = [&](const SweepData& data, const std::string& fixed_name) {
        for (const SweepRow& r : data.rows) {
            if (!isfinite(r.metric)) continue;
            JsonValue c;
            std::string e;
            const std::string name = !fixed_name.empty() ? fixed_name : parse_json(r.result.config, c, e) ? c.text_or("loss", "?") : "?";
            auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
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
    const std::string other_name = short_name(other_dir) == name ? name + " (2)" : short_name(other_dir);
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
            rows_by_group.push_back({groups[g].first, std::to_string(v.size()), fixed(spec.maximize ? v.back() : v.front()),
                                     fixed(v[v.size() / 2]), fixed(mean)});
        }
        std::string content = "<div class=\"grid\">";
        if (other != nullptr) {
            std::vector<Series> progress = {best_so_far_series(s, name), best_so_far_series(*other, other_name)};
            content += svg_line_chart("trials run", "best " + spec.metric + " so far", progress, 520, 280);
        }
        content += svg_scatter(other != nullptr ? "sweep" : "loss", spec.metric, x, y, categories, 360, 280) + "<div>" +
                   table({other != nullptr ? "sweep" : "loss", "trials", "best", "median", "mean"}, rows_by_group) + "</div></div>";
        if (other != nullptr) page.section("compare", "This sweep against " + other_dir, content);
        else page.section("losses", "Cross-entropy against squared error", content);
    }
    return page.html();
}

}  // namespace

int cmd_report(int argc, char** argv) {
    std::string output, compare, data_dir;
    std::vector<std::string> dirs;
    FlagParser p("fnn report", "Report on a run or sweep directory: fnn report DIR [-o report.html] [--compare SWEEP_DIR]\n"
                               "Without -o the essentials are printed as text.");
    p.add({"-o", "--output", "FILE", "write one self-contained HTML page here", {},
           [&](const std::string& v, std::string&) { output = v; return true; }});
    p.add({"", "--compare", "DIR", "a second sweep (e.g. the same search with squared error) to compare with", {},
           [&](const std::string& v, std::string&) { compare = v; return true; }});
    p.add({"", "--data_dir", "DIR", "where the .fnnd files are (default: data/)", {},
           [&](const std::string& v, std::string&) { data_dir = v; return true; }});
    const ParseResult parsed = p.parse(argc, argv, 2, &dirs);
    if (parsed != ParseResult::Ok) return parsed == ParseResult::Help ? 0 : 2;
    if (dirs.size() != 1) {
        fprintf(stderr, "fnn report: give one run or sweep directory\n");
        return 2;
    }
    const std::string dir = dirs[0];
    std::string page, error;
    if (file_exists(dir + "/sweep.json")) {
        SweepData s, other;
        if (!load_sweep(dir, s, error) || (!compare.empty() && !load_sweep(compare, other, error))) {
            fprintf(stderr, "fnn report: %s\n", error.c_str());
            return 1;
        }
        if (output.empty()) {
            const int rc = summarize_sweep(dir, 10);
            return rc != 0 || compare.empty() ? rc : (printf("\n"), compare_sweeps(dir, compare));
        }
        page = sweep_page(dir, s, compare.empty() ? nullptr : &other, compare);
    } else {
        RunData d;
        if (!load_run(dir, data_dir, argv[0], d, error)) {
            fprintf(stderr, "fnn report: %s\n", error.c_str());
            return 1;
        }
        if (output.empty()) {
            fputs(run_text(dir, d).c_str(), stdout);
            return 0;
        }
        page = run_page(dir, d);
    }
    ErrorText err;
    if (write_file_atomic(output, page, &err) != Status::Ok) {
        fprintf(stderr, "fnn report: %s\n", err.text);
        return 1;
    }
    printf("%s: %zu bytes; open it in a browser\n", output.c_str(), page.size());
    return 0;
}

}  // namespace fnn
