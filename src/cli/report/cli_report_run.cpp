// Run reports: loading a run directory, its HTML page and its text summary.
#include "cli/report/cli_report_run.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

#include "cli/cli_eval.hpp"
#include "cli/report/cli_html_page.hpp"
#include "cli/report/cli_report_cnn.hpp"
#include "cli/report/cli_png.hpp"
#include "cli/cli_run_files.hpp"
#include "cli/report/cli_svg.hpp"
#include "cli/report/cli_text_chart.hpp"
#include "fnn/file_io.hpp"
#include "fnn/gemm_threads.hpp"

namespace fnn {
namespace {

bool read_text(const std::string& path, std::string& out) {
    std::vector<uint8_t> bytes;
    if (read_file(path, bytes, nullptr) != Status::Ok) return false;
    out.assign(bytes.begin(), bytes.end());
    return true;
}

// diagnostics.jsonl: one sample per line, each with the same number of layers, each layer with
// its statistics and a histogram. Anything else is an error naming the line.
bool parse_diagnostics(const std::string& text, std::vector<JsonValue>& samples,
                       std::string& error) {
    size_t at = 0, layers = 0;
    for (int line = 1; at < text.size(); ++line) {
        const size_t end = text.find('\n', at);
        const std::string where = "line " + std::to_string(line) + ": ";
        JsonValue v;
        if (!parse_json(text.substr(at, end == std::string::npos ? std::string::npos : end - at), v,
                        error)) {
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

std::string percent(double v) { return isfinite(v) ? fixed_digits(100 * v, 2) + "%" : "-"; }

std::string image_cell(const Dataset& data, int index, const std::string& caption, bool wrong) {
    return "<div class=\"cell\"><img alt=\"test image " + std::to_string(index) + "\" src=\"" +
           sample_png_uri(data.sample(index), static_cast<int>(data.header.rows),
                          static_cast<int>(data.header.cols),
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

// Whether a config.json setting means anything for this run: momentum only for momentum and
// nag, beta for rmsprop, and so on. The page shows these only.
bool setting_applies(const std::string& key, const JsonValue& config) {
    const std::string optimizer = config.text_or("optimizer", "");
    const std::string schedule = config.text_or("lr_schedule", "constant");
    const bool adaptive = optimizer == "rmsprop" || optimizer == "adam" || optimizer == "nadam";
    if (key == "momentum") return optimizer == "momentum" || optimizer == "nag";
    if (key == "beta") return optimizer == "rmsprop";
    if (key == "beta1" || key == "beta2") return optimizer == "adam" || optimizer == "nadam";
    if (key == "epsilon") return adaptive;
    if (key == "hidden_size") return config.find("hidden_sizes") == nullptr;
    if (key == "lr_step_epochs" || key == "lr_gamma") return schedule == "step";
    if (key == "lr_min") return schedule == "cosine";
    if (key == "limit_train" || key == "lr_warmup_epochs" || key == "early_stop")
        return config.number_or(key, 0) > 0;
    return true;
}

// A setting as a reader wants it: strings without their JSON quotes, numbers to 6 digits.
std::string plain(const JsonValue& v) {
    if (v.kind == JsonValue::Kind::String) return v.text;
    if (v.kind != JsonValue::Kind::Number) return json_encode(v);
    char text[32];
    if (v.number == floor(v.number) && fabs(v.number) < 1e15)
        snprintf(text, sizeof text, "%.0f", v.number);
    else snprintf(text, sizeof text, "%.6g", v.number);
    return text;
}

}  // namespace

bool load_run(const std::string& dir, const std::string& data_dir, const char* argv0, RunData& d,
              std::string& error) {
    std::string text;
    if (!read_text(dir + "/config.json", text) || !parse_json(text, d.config, error)) {
        error = dir + "/config.json: " +
                (error.empty() ? "cannot read it (is " + dir + " a run directory?)" : error);
        return false;
    }
    if (read_text(dir + "/summary.json", text)) parse_json(text, d.summary, error);
    if (!read_text(dir + "/metrics.csv", text)) {
        error = dir + "/metrics.csv: cannot read it";
        return false;
    }
    if (!parse_metrics_csv(text, d.epochs, error)) {
        error = dir + "/metrics.csv: " + error;
        return false;
    }
    if (read_text(dir + "/diagnostics.jsonl", text) && !parse_diagnostics(text, d.samples, error)) {
        error = dir + "/diagnostics.jsonl: " + error;
        return false;
    }
    const std::string dataset = d.config.text_or("dataset", "fashion_mnist");
    const std::string data = resolve_data_dir(data_dir, argv0);
    Split split;
    if (!load_model(dir + "/model.fnn", d.model, error) ||
        !load_dataset(data, dataset, "train", d.train, error) ||
        !load_dataset(data, dataset, "test", d.test, error) ||
        !select_split(d.train, d.test, "test", 0.1, 0, split, error)) {
        return false;
    }
    if (static_cast<size_t>(d.test.view.features()) != d.model.inputs()) {
        error = dir + "/model.fnn does not take " + dataset + "'s inputs";
        return false;
    }
    if (!evaluate_split(d.model, split, GemmThreads::available_cores(), d.report, &d.predicted,
                        &d.confidence, error))
        return false;
    d.names = class_names(d.test.view);
    return true;
}

std::string run_page(const std::string& dir, const RunData& d) {
    HtmlPage page("fnn run " + dir);
    // Configuration (the settings that apply to this run) and result. Accuracies are percent
    // everywhere on the page.
    std::vector<std::vector<std::string>> rows;
    for (const auto& field : d.config.fields) {
        if (setting_applies(field.first, d.config)) rows.push_back({field.first, plain(field.second)});
    }
    const int best_epoch = static_cast<int>(d.summary.number_or("best_epoch", 0));
    rows.push_back({"status", d.summary.text_or("status", "(no summary.json: still starting)")});
    rows.push_back({"test accuracy", percent(d.summary.number_or("test_acc", NAN))});
    rows.push_back({"test loss", fixed_digits(d.summary.number_or("test_loss", NAN))});
    rows.push_back({"best validation accuracy",
                    percent(d.summary.number_or("best_val_acc", NAN)) +
                        (best_epoch > 0 ? " (epoch " + std::to_string(best_epoch) + ")" : "")});
    rows.push_back({"median epoch", fixed_digits(d.summary.number_or("median_epoch_seconds", NAN), 3) + " s"});
    page.section("config", "Configuration and result", html_table({"setting", "value"}, rows, 2));
    // The layers, and for a CNN what its convolutions learned (first test image's maps).
    std::string error;
    if (!add_network_sections(d.model.blob, d.test.view, 0, page, error))
        page.section("network", "Network", "<p class=\"note\">" + xml_escape(error) + "</p>");
    // Curves, with the best epoch (by the monitored metric; best.fnn holds its model) marked.
    Series train_loss{"train", {}, {}, "", false}, val_loss{"validation", {}, {}, "", true};
    Series train_acc{"train", {}, {}, "", false}, val_acc{"validation", {}, {}, "", true};
    for (const EpochMetrics& m : d.epochs) {
        train_loss.x.push_back(m.epoch), train_loss.y.push_back(m.train_loss);
        val_loss.x.push_back(m.epoch), val_loss.y.push_back(m.val_loss);
        train_acc.x.push_back(m.epoch), train_acc.y.push_back(100 * m.train_acc);
        val_acc.x.push_back(m.epoch), val_acc.y.push_back(100 * m.val_acc);
    }
    ChartOptions marked;
    marked.whole_x = true;
    if (best_epoch > 0) {
        marked.mark_x = best_epoch;
        marked.mark_label = "best epoch " + std::to_string(best_epoch);
    }
    page.section("curves", "Loss and accuracy per epoch",
                 "<div class=\"charts\">" +
                     svg_line_chart("epoch", "loss", {train_loss, val_loss}, marked) +
                     svg_line_chart("epoch", "accuracy (%)", {train_acc, val_acc}, marked) +
                     "</div>");
    // Confusion matrix and per-class metrics.
    const ClassificationReport& r = d.report;
    std::vector<double> counts(r.confusion.begin(), r.confusion.end());
    std::vector<std::vector<std::string>> per_class;
    for (int k = 0; k < r.classes; ++k) {
        const ClassMetrics& m = r.per_class[k];
        per_class.push_back({d.names[k], fixed_digits(m.precision), fixed_digits(m.recall),
                             fixed_digits(m.f1), std::to_string(m.support)});
    }
    per_class.push_back({"accuracy", "", "", percent(r.accuracy), std::to_string(r.total)});
    per_class.push_back({"macro avg", fixed_digits(r.macro.precision), fixed_digits(r.macro.recall),
                         fixed_digits(r.macro.f1), std::to_string(r.total)});
    per_class.push_back({"weighted avg", fixed_digits(r.weighted.precision),
                         fixed_digits(r.weighted.recall), fixed_digits(r.weighted.f1),
                         std::to_string(r.total)});
    page.section(
        "confusion",
        "Confusion matrix on the test set (" + fixed_digits(100 * r.accuracy, 2) + "% accuracy)",
        svg_heatmap(d.names, d.names, counts, "true class", "predicted class") +
            "<p class=\"note\">Cells are shaded by the share of their row (the true class).</p>");
    page.section("per-class", "Per-class metrics (test set)",
                 html_table({"class", "precision", "recall", "f1-score", "support"}, per_class));
    // Sample images: the first test image of each class.
    std::string samples = "<div class=\"grid\">";
    const Dataset& test = d.test.view;
    for (int k = 0; k < r.classes; ++k) {
        for (int i = 0; i < test.count(); ++i) {
            if (test.labels[i] != k) continue;
            const bool wrong = d.predicted[static_cast<size_t>(i)] != k;
            samples +=
                image_cell(test, i,
                           xml_escape(d.names[k]) + "<br>predicted " +
                               xml_escape(d.names[d.predicted[static_cast<size_t>(i)]]) + " (" +
                               fixed_digits(d.confidence[static_cast<size_t>(i)], 2) + ")",
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
        wrong += image_cell(test, i,
                            "true " + xml_escape(d.names[test.labels[i]]) + "<br>predicted " +
                                xml_escape(d.names[d.predicted[static_cast<size_t>(i)]]) + " (" +
                                fixed_digits(d.confidence[static_cast<size_t>(i)], 3) + ")",
                            true);
    }
    page.section("mistakes",
                 "The " + std::to_string(std::min(mistakes.size(), kMistakesShown)) +
                     " most confident of the " + std::to_string(mistakes.size()) +
                     " misclassified test images (of " + std::to_string(test.count()) + ")",
                 wrong + "</div>");
    // Weight histograms and gradient norms from diagnostics.jsonl.
    std::string weights = "<div class=\"charts\">";
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
            const double lo = layer.number_or("weight_min", 0),
                         hi = layer.number_or("weight_max", 0);
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
        weights += "<div><b>layer " + std::to_string(l + 1) + "</b><br>" +
                   svg_line_chart("weight", "density", hist, {480, 240}) + "</div>";
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
    page.section(
        "gradients",
        "Weight gradients per layer (sampled " + std::to_string(kSamplesPerEpoch) +
            " times per epoch)",
        // Gradient sizes span decades over training (and between layers): a log axis.
        "<div class=\"charts\">" +
            svg_line_chart("epoch", "gradient L2 norm", norms, {540, 280, true}) +
            svg_line_chart("epoch", "largest gradient magnitude", peaks, {540, 280, true}) +
            "</div>");
    return page.html();
}

std::string run_text(const std::string& dir, const RunData& d) {
    std::vector<double> tl, vl, ta, va;
    for (const EpochMetrics& m : d.epochs)
        tl.push_back(m.train_loss), vl.push_back(m.val_loss), ta.push_back(m.train_acc),
            va.push_back(m.val_acc);
    return "run " + dir + "\n\n" +
           text_chart("loss", {{"train", '*', tl}, {"validation", 'o', vl}}) + "\n" +
           text_chart("accuracy", {{"train", '*', ta}, {"validation", 'o', va}}) +
           "\ntest set: accuracy " + fixed_digits(100 * d.report.accuracy, 2) + "%\n\n" +
           report_text(d.report, d.names);
}

}  // namespace fnn
