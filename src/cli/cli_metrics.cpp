// Confusion matrix, per-class metrics and their renderings.
#include "cli/cli_metrics.hpp"

#include <stdio.h>

#include <algorithm>

#include "cli/cli_json.hpp"
#include "cli/cli_quote.hpp"

namespace fnn {
namespace {

std::string fixed4(double v) {
    char text[32];
    snprintf(text, sizeof text, "%.4f", v);
    return text;
}

}  // namespace

ClassificationReport classification_report(const std::vector<int>& labels,
                                           const std::vector<int>& predicted, int classes) {
    ClassificationReport r;
    r.classes = classes;
    r.total = static_cast<long>(labels.size());
    r.confusion.assign(static_cast<size_t>(classes) * classes, 0);
    long correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        ++r.confusion[static_cast<size_t>(labels[i]) * classes + predicted[i]];
        correct += labels[i] == predicted[i];
    }
    r.accuracy = r.total > 0 ? static_cast<double>(correct) / r.total : 0.0;
    for (int k = 0; k < classes; ++k) {
        long tp = r.at(k, k), predicted_k = 0, actual_k = 0;
        for (int j = 0; j < classes; ++j) {
            predicted_k += r.at(j, k);
            actual_k += r.at(k, j);
        }
        ClassMetrics m;
        m.precision = predicted_k > 0 ? static_cast<double>(tp) / predicted_k : 0.0;
        m.recall = actual_k > 0 ? static_cast<double>(tp) / actual_k : 0.0;
        m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall)
                                          : 0.0;
        m.support = actual_k;
        r.per_class.push_back(m);
        r.macro.precision += m.precision / classes;
        r.macro.recall += m.recall / classes;
        r.macro.f1 += m.f1 / classes;
        if (r.total > 0) {
            const double w = static_cast<double>(actual_k) / r.total;
            r.weighted.precision += w * m.precision;
            r.weighted.recall += w * m.recall;
            r.weighted.f1 += w * m.f1;
        }
    }
    r.macro.support = r.weighted.support = r.total;
    return r;
}

std::string report_text(const ClassificationReport& r, const std::vector<std::string>& names) {
    size_t width = 5;
    for (const std::string& n : names) width = std::max(width, n.size());
    std::string out = "confusion matrix (rows: true class, columns: predicted class)\n";
    out += std::string(width + 2, ' ');
    for (int k = 0; k < r.classes; ++k) {
        char head[16];
        snprintf(head, sizeof head, "%6d", k);
        out += head;
    }
    out += "\n";
    for (int t = 0; t < r.classes; ++t) {
        char head[64];
        snprintf(head, sizeof head, "%*s %d", static_cast<int>(width), names[t].c_str(), t);
        out += head;
        for (int p = 0; p < r.classes; ++p) {
            char cell[16];
            snprintf(cell, sizeof cell, "%6ld", r.at(t, p));
            out += cell;
        }
        out += "\n";
    }
    char line[256];
    snprintf(line, sizeof line, "\n%*s %9s %9s %9s %9s\n", static_cast<int>(width + 2), "",
             "precision", "recall", "f1-score", "support");
    out += line;
    for (int k = 0; k < r.classes; ++k) {
        const ClassMetrics& m = r.per_class[k];
        snprintf(line, sizeof line, "%*s %d %9.4f %9.4f %9.4f %9ld\n", static_cast<int>(width),
                 names[k].c_str(), k, m.precision, m.recall, m.f1, m.support);
        out += line;
    }
    snprintf(line, sizeof line, "\n%*s %9s %9s %9.4f %9ld\n", static_cast<int>(width + 2),
             "accuracy", "", "", r.accuracy, r.total);
    out += line;
    for (const auto& [name, m] :
         {std::make_pair("macro avg", r.macro), std::make_pair("weighted avg", r.weighted)}) {
        snprintf(line, sizeof line, "%*s %9.4f %9.4f %9.4f %9ld\n", static_cast<int>(width + 2),
                 name, m.precision, m.recall, m.f1, m.support);
        out += line;
    }
    return out;
}

std::string report_json(const ClassificationReport& r, const std::vector<std::string>& names) {
    auto metrics = [](const ClassMetrics& m) {
        return "{\"precision\": " + json_number(m.precision) +
               ", \"recall\": " + json_number(m.recall) + ", \"f1\": " + json_number(m.f1) +
               ", \"support\": " + std::to_string(m.support) + "}";
    };
    std::string classes = "[";
    for (int k = 0; k < r.classes; ++k) {
        const ClassMetrics& m = r.per_class[k];
        classes += std::string(k ? ",\n    " : "\n    ") + "{\"class\": " + std::to_string(k) +
                   ", \"name\": " + json_quote(names[k]) +
                   ", \"precision\": " + json_number(m.precision) +
                   ", \"recall\": " + json_number(m.recall) + ", \"f1\": " + json_number(m.f1) +
                   ", \"support\": " + std::to_string(m.support) + "}";
    }
    classes += "\n  ]";
    std::string matrix = "[";
    for (int t = 0; t < r.classes; ++t) {
        matrix += std::string(t ? ",\n    [" : "\n    [");
        for (int p = 0; p < r.classes; ++p) matrix += (p ? ", " : "") + std::to_string(r.at(t, p));
        matrix += "]";
    }
    matrix += "\n  ]";
    JsonObject o;
    o.add("samples", r.total)
        .add("accuracy", r.accuracy)
        .add("loss", r.loss)
        .add_raw("classes", classes)
        .add_raw("macro_avg", metrics(r.macro))
        .add_raw("weighted_avg", metrics(r.weighted))
        .add_raw("confusion_matrix", matrix);
    return o.str();
}

std::string report_csv(const ClassificationReport& r, const std::vector<std::string>& names) {
    std::string out = "class,name,precision,recall,f1,support\n";
    for (int k = 0; k < r.classes; ++k) {
        const ClassMetrics& m = r.per_class[k];
        out += std::to_string(k) + "," + csv_field(names[k]) + "," + fixed4(m.precision) + "," +
               fixed4(m.recall) + "," + fixed4(m.f1) + "," + std::to_string(m.support) + "\n";
    }
    out += ",accuracy,,," + fixed4(r.accuracy) + "," + std::to_string(r.total) + "\n";
    out += ",macro avg," + fixed4(r.macro.precision) + "," + fixed4(r.macro.recall) + "," +
           fixed4(r.macro.f1) + "," + std::to_string(r.total) + "\n";
    out += ",weighted avg," + fixed4(r.weighted.precision) + "," + fixed4(r.weighted.recall) + "," +
           fixed4(r.weighted.f1) + "," + std::to_string(r.total) + "\n\ntrue\\predicted";
    for (int k = 0; k < r.classes; ++k) out += "," + std::to_string(k);
    out += "\n";
    for (int t = 0; t < r.classes; ++t) {
        out += std::to_string(t);
        for (int p = 0; p < r.classes; ++p) out += "," + std::to_string(r.at(t, p));
        out += "\n";
    }
    return out;
}

}  // namespace fnn
