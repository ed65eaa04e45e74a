// SVG chart drawing.
#include "cli/report/cli_svg.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>

namespace fnn {
namespace {

std::string num(double v) {
    char text[32];
    snprintf(text, sizeof text, "%.1f", v);
    return text;
}

std::string tick_text(double v) {
    char text[32];
    if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e5)) snprintf(text, sizeof text, "%.0e", v);
    else snprintf(text, sizeof text, "%.4g", v);
    return text;
}

// About five round tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
    std::vector<double> out;
    if (!(hi > lo)) return {lo};
    const double raw = (hi - lo) / 5;
    const double mag = pow(10.0, floor(log10(raw)));
    const double step = raw / mag < 1.5   ? mag
                        : raw / mag < 3.5 ? 2 * mag
                        : raw / mag < 7.5 ? 5 * mag
                                          : 10 * mag;
    for (double t = ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
        out.push_back(fabs(t) < step * 1e-9 ? 0 : t);
    return out;
}

void range_of(const std::vector<double>& v, double& lo, double& hi) {
    lo = INFINITY;
    hi = -INFINITY;
    for (double x : v) {
        if (!isfinite(x)) continue;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    if (!isfinite(lo)) lo = 0, hi = 1;
    if (hi == lo) lo -= 0.5, hi += 0.5;
}

// `css_class` "chart" lets the page scale the drawing to the width it has (see the page style).
std::string open_svg(int width, int height, const char* css_class = nullptr) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\"" +
           std::string(css_class ? " class=\"" + std::string(css_class) + "\"" : "") +
           " width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
           "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
           "\" font-family=\"sans-serif\" font-size=\"11\">";
}

bool is_number(const std::string& s) {
    char* end = nullptr;
    strtod(s.c_str(), &end);
    return !s.empty() && *end == '\0';
}

// The plotting rectangle of a chart (pixels) and the data ranges it shows (the y range padded
// by 5 %): maps data to pixels and draws the frame, the y grid with its labels, numeric x tick
// labels and both axis titles.
struct PlotArea {
    double left, top, width, height;
    double x0, x1, y0, y1;
    bool log_y = false;  // y0, y1 and py() then take log10 of the data

    PlotArea(double left_px, double top_px, double width_px, double height_px, double x_lo,
             double x_hi, double y_lo, double y_hi, bool log_scale = false)
        : left(left_px),
          top(top_px),
          width(width_px),
          height(height_px),
          x0(x_lo),
          x1(x_hi),
          log_y(log_scale) {
        const double pad = (y_hi - y_lo) * 0.05;
        y0 = y_lo - pad;
        y1 = y_hi + pad;
    }
    // Where a data value sits on the y axis (its log10 on a log axis).
    double axis_y(double y) const { return log_y ? log10(y) : y; }
    double px(double x) const { return left + (x - x0) / (x1 - x0) * width; }
    double py(double y) const { return top + (1 - (y - y0) / (y1 - y0)) * height; }
    double bottom() const { return top + height; }

    std::string frame(const std::string& x_label, const std::string& y_label,
                      int svg_height) const {
        std::string out = "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" +
                          num(width) + "\" height=\"" + num(height) +
                          "\" fill=\"#fafafa\" stroke=\"#ccc\"/>";
        // A log axis ticks at whole powers of ten when it spans at least two of them.
        std::vector<double> y_ticks;
        if (log_y) {
            for (double k = ceil(y0); k <= floor(y1); ++k) y_ticks.push_back(k);
        }
        if (y_ticks.size() < 2) y_ticks = ticks(y0, y1);
        for (double t : y_ticks) {
            out += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + width) + "\" y1=\"" +
                   num(py(t)) + "\" y2=\"" + num(py(t)) + "\" stroke=\"#e4e4e4\"/><text x=\"" +
                   num(left - 4) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
                   tick_text(log_y ? pow(10.0, t) : t) + "</text>";
        }
        return out + "<text x=\"" + num(left + width / 2) + "\" y=\"" + num(svg_height - 4.0) +
               "\" text-anchor=\"middle\" font-weight=\"bold\">" + xml_escape(x_label) +
               "</text><text transform=\"translate(12," + num(top + height / 2) +
               ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(y_label) + "</text>";
    }
    std::string x_ticks(bool whole = false) const {
        std::string out;
        for (double t : ticks(x0, x1)) {
            if (whole && t != floor(t)) continue;  // epochs and trial counts are whole
            out += "<text x=\"" + num(px(t)) + "\" y=\"" + num(bottom() + 14) +
                   "\" text-anchor=\"middle\">" + tick_text(t) + "</text>";
        }
        return out;
    }
};

}  // namespace

std::string xml_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string scale_color(double t) {
    // Anchor colours in the spirit of matplotlib's viridis, interpolated linearly.
    static const double anchors[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    t = std::min(std::max(isfinite(t) ? t : 0.0, 0.0), 1.0) * 4;
    const int i = std::min(static_cast<int>(t), 3);
    const double f = t - i;
    char text[16];
    snprintf(text, sizeof text, "#%02x%02x%02x",
             static_cast<int>(anchors[i][0] + f * (anchors[i + 1][0] - anchors[i][0])),
             static_cast<int>(anchors[i][1] + f * (anchors[i + 1][1] - anchors[i][1])),
             static_cast<int>(anchors[i][2] + f * (anchors[i + 1][2] - anchors[i][2])));
    return text;
}

std::string palette_color(size_t i) {
    static const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    return colors[i % 8];
}

std::string svg_line_chart(const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, const ChartOptions& o) {
    const double left = 56, right = 120, top = 12, bottom = 36;
    const int width = o.width, height = o.height;
    std::vector<double> xs, ys;
    for (const Series& s : series) {
        xs.insert(xs.end(), s.x.begin(), s.x.end());
        for (double y : s.y) ys.push_back(!o.log_y ? y : y > 0 ? log10(y) : NAN);
    }
    double x0, x1, y0, y1;
    range_of(xs, x0, x1);
    range_of(ys, y0, y1);
    const PlotArea area(left, top, width - left - right, height - top - bottom, x0, x1, y0, y1,
                        o.log_y);
    std::string out = open_svg(width, height, "chart") +
                      area.frame(x_label, y_label + (o.log_y ? " (log scale)" : ""), height) +
                      area.x_ticks(o.whole_x);
    if (isfinite(o.mark_x) && o.mark_x >= x0 && o.mark_x <= x1) {
        // The label sits inside the plot by the line's foot, on whichever side has room.
        const double mx = area.px(o.mark_x);
        const bool right_half = mx > left + area.width / 2;
        out += "<line x1=\"" + num(mx) + "\" x2=\"" + num(mx) + "\" y1=\"" + num(top) +
               "\" y2=\"" + num(area.bottom()) +
               "\" stroke=\"#d62728\" stroke-dasharray=\"2,3\"/><text x=\"" +
               num(right_half ? mx - 4 : mx + 4) + "\" y=\"" + num(area.bottom() - 6) +
               "\" fill=\"#d62728\" text-anchor=\"" + (right_half ? "end" : "start") + "\">" +
               xml_escape(o.mark_label) + "</text>";
    }
    for (size_t k = 0; k < series.size(); ++k) {
        const Series& s = series[k];
        const std::string color = s.color.empty() ? palette_color(k) : s.color;
        std::string points;
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            const bool drawable = isfinite(s.x[i]) && isfinite(s.y[i]) && (!o.log_y || s.y[i] > 0);
            if (drawable && s.points) {
                out += "<circle cx=\"" + num(area.px(s.x[i])) + "\" cy=\"" +
                       num(area.py(area.axis_y(s.y[i]))) + "\" r=\"3.5\" fill=\"" + color +
                       "\"><title>" +
                       xml_escape(i < s.point_names.size() ? s.point_names[i] : s.name) +
                       "</title></circle>";
            } else if (drawable) {
                points += num(area.px(s.x[i])) + "," + num(area.py(area.axis_y(s.y[i]))) + " ";
            }
        }
        if (!s.points) out += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"" +
               (o.legend ? "1.8" : "1.2") + "\"" + (s.dashed ? " stroke-dasharray=\"5,3\"" : "") +
               " points=\"" + points + "\"><title>" + xml_escape(s.name) + "</title></polyline>";
        if (s.end_mark && !s.x.empty() && isfinite(s.y.back()) && (!o.log_y || s.y.back() > 0)) {
            const double ex = area.px(s.x.back()), ey = area.py(area.axis_y(s.y.back()));
            out += "<path d=\"M" + num(ex - 3) + " " + num(ey - 3) + "L" + num(ex + 3) + " " +
                   num(ey + 3) + "M" + num(ex - 3) + " " + num(ey + 3) + "L" + num(ex + 3) + " " +
                   num(ey - 3) + "\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>";
        }
        if (!o.legend || s.name.empty()) continue;  // unnamed: a range helper, not data
        const double ly = top + 10 + 16 * k, lx = left + area.width;
        out += s.points ? "<circle cx=\"" + num(lx + 17) + "\" cy=\"" + num(ly) + "\" r=\"3.5\" fill=\"" +
                              color + "\"/>"
                        : "<line x1=\"" + num(lx + 8) + "\" x2=\"" + num(lx + 26) + "\" y1=\"" + num(ly) +
               "\" y2=\"" + num(ly) + "\" stroke=\"" + color + "\" stroke-width=\"2\"" +
               (s.dashed ? " stroke-dasharray=\"5,3\"" : "") + "/>";
        out += "<text x=\"" + num(lx + 30) +
               "\" y=\"" + num(ly + 4) + "\">" + xml_escape(s.name) + "</text>";
    }
    return out + "</svg>";
}

std::string svg_heatmap(const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels,
                        const std::vector<double>& values, const std::string& row_title,
                        const std::string& col_title) {
    const int rows = static_cast<int>(row_labels.size()),
              cols = static_cast<int>(col_labels.size());
    size_t longest = 0, longest_col = 0;
    for (const std::string& l : row_labels) longest = std::max(longest, l.size());
    for (const std::string& l : col_labels) longest_col = std::max(longest_col, l.size());
    // Column labels run up and to the right at 50 degrees, about 6.5 px a character: the top and
    // right margins make room for the longest, so none is cut off.
    const double label_px = 6.5 * static_cast<double>(longest_col);
    const double cell = 40, left = 30 + 6.5 * longest, top = 30 + label_px * sin(50 * M_PI / 180);
    const double scale_left = left + cell * cols + std::max(20.0, label_px * cos(50 * M_PI / 180));
    const int width = static_cast<int>(scale_left + 70),
              height = static_cast<int>(top + cell * rows + 10);
    std::string out = open_svg(width, height);
    // The colour scale: a cell's share of its row, bottom 0 % to top 100 %, sampled as the cells
    // are shaded (by the square root of the share, so small confusions stay visible).
    const double bar_h = cell * rows, steps = 20;
    for (int k = 0; k < steps; ++k) {
        const double share = (k + 0.5) / steps;
        out += "<rect x=\"" + num(scale_left) + "\" y=\"" + num(top + bar_h * (1 - (k + 1) / steps)) +
               "\" width=\"14\" height=\"" + num(bar_h / steps + 0.5) + "\" fill=\"" +
               scale_color(sqrt(share)) + "\"/>";
    }
    for (int pct : {0, 25, 50, 75, 100}) {
        out += "<text x=\"" + num(scale_left + 18) + "\" y=\"" +
               num(top + bar_h * (1 - pct / 100.0) + 4) + "\">" + std::to_string(pct) + "%</text>";
    }
    out += "<text transform=\"translate(" + num(scale_left + 58) + "," + num(top + bar_h / 2) +
           ") rotate(90)\" text-anchor=\"middle\">share of the row</text>";
    out += "<text x=\"" + num(left + cell * cols / 2) +
           "\" y=\"12\" text-anchor=\"middle\" font-weight=\"bold\">" + xml_escape(col_title) +
           "</text>";
    out += "<text transform=\"translate(10," + num(top + cell * rows / 2) +
           ") rotate(-90)\" text-anchor=\"middle\" font-weight=\"bold\">" + xml_escape(row_title) +
           "</text>";
    for (int c = 0; c < cols; ++c) {
        out += "<text transform=\"translate(" + num(left + cell * c + cell / 2 + 4) + "," +
               num(top - 6) + ") rotate(-50)\">" + xml_escape(col_labels[c]) + "</text>";
    }
    for (int r = 0; r < rows; ++r) {
        double total = 0;
        for (int c = 0; c < cols; ++c) total += values[static_cast<size_t>(r) * cols + c];
        out += "<text x=\"" + num(left - 6) + "\" y=\"" + num(top + cell * r + cell / 2 + 4) +
               "\" text-anchor=\"end\">" + xml_escape(row_labels[r]) + "</text>";
        for (int c = 0; c < cols; ++c) {
            const double v = values[static_cast<size_t>(r) * cols + c];
            const double share = total > 0 ? v / total : 0;
            out += "<rect x=\"" + num(left + cell * c) + "\" y=\"" + num(top + cell * r) +
                   "\" width=\"" + num(cell) + "\" height=\"" + num(cell) + "\" fill=\"" +
                   scale_color(sqrt(share)) + "\" stroke=\"#fff\"><title>" +
                   xml_escape(row_labels[r] + " -> " + col_labels[c]) + ": " + tick_text(v) +
                   "</title></rect>";
            out += "<text x=\"" + num(left + cell * c + cell / 2) + "\" y=\"" +
                   num(top + cell * r + cell / 2 + 4) + "\" text-anchor=\"middle\" fill=\"" +
                   (share > 0.3 ? "#000" : "#fff") + "\">" + tick_text(v) + "</text>";
        }
    }
    return out + "</svg>";
}

std::string svg_bars(const std::vector<std::string>& labels, const std::vector<double>& values,
                     double lo, double hi, const std::string& value_label) {
    size_t longest = 0;
    for (const std::string& l : labels) longest = std::max(longest, l.size());
    const double left = 10 + 6.5 * longest, bar = 20, plot = 300, top = 8;
    const int width = static_cast<int>(left + plot + 60),
              height = static_cast<int>(top + bar * labels.size() + 34);
    auto px = [&](double v) {
        return left + (std::min(std::max(v, lo), hi) - lo) / (hi - lo) * plot;
    };
    std::string out = open_svg(width, height);
    for (double t : ticks(lo, hi)) {
        out += "<line x1=\"" + num(px(t)) + "\" x2=\"" + num(px(t)) + "\" y1=\"" + num(top) +
               "\" y2=\"" + num(top + bar * labels.size()) + "\" stroke=\"" +
               (t == 0 ? "#888" : "#e4e4e4") + "\"/><text x=\"" + num(px(t)) + "\" y=\"" +
               num(top + bar * labels.size() + 14) + "\" text-anchor=\"middle\">" + tick_text(t) +
               "</text>";
    }
    for (size_t i = 0; i < labels.size(); ++i) {
        const double v = values[i], a = px(std::min(0.0, v) < lo ? lo : std::min(0.0, v)),
                     b = px(std::max(0.0, v));
        const double x = std::min(a, b), w = std::max(std::fabs(b - a), 1.0);
        out += "<text x=\"" + num(left - 6) + "\" y=\"" + num(top + bar * i + 14) +
               "\" text-anchor=\"end\">" + xml_escape(labels[i]) + "</text><rect x=\"" + num(x) +
               "\" y=\"" + num(top + bar * i + 3) + "\" width=\"" + num(w) + "\" height=\"" +
               num(bar - 6) + "\" fill=\"" + (v < 0 ? "#d62728" : "#1f77b4") + "\"><title>" +
               xml_escape(labels[i]) + ": " + tick_text(v) + "</title></rect><text x=\"" +
               num(left + plot + 4) + "\" y=\"" + num(top + bar * i + 14) + "\">" + tick_text(v) +
               "</text>";
    }
    out += "<text x=\"" + num(left + plot / 2) + "\" y=\"" + num(height - 4.0) +
           "\" text-anchor=\"middle\">" + xml_escape(value_label) + "</text>";
    return out + "</svg>";
}

std::string svg_scatter(const std::string& x_label, const std::string& y_label,
                        const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::string>& categories, int width, int height) {
    const double left = 46, right = 10, top = 10, bottom = 48;
    double x0, x1, y0, y1;
    range_of(y, y0, y1);
    if (categories.empty()) {
        range_of(x, x0, x1);
        const double pad = (x1 - x0) * 0.05;
        x0 -= pad, x1 += pad;
    } else {
        x0 = -0.5, x1 = categories.size() - 0.5;
    }
    const PlotArea area(left, top, width - left - right, height - top - bottom, x0, x1, y0, y1);
    std::string out = open_svg(width, height) + area.frame(x_label, y_label, height);
    if (categories.empty()) {
        out += area.x_ticks();
    } else {
        // Long names that would run into each other alternate between two rows (about 6.5 px a
        // character).
        size_t longest = 0;
        for (const std::string& c : categories) longest = std::max(longest, c.size());
        const bool stagger = static_cast<double>(longest) * 6.5 >
                             area.width / static_cast<double>(categories.size());
        for (size_t c = 0; c < categories.size(); ++c) {
            const double row = area.bottom() + 14 + (stagger && c % 2 ? 11 : 0);
            out += "<text x=\"" + num(area.px(static_cast<double>(c))) + "\" y=\"" + num(row) +
                   "\" text-anchor=\"middle\">" + xml_escape(categories[c]) + "</text>";
        }
    }
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        // Categorical points spread sideways a little (deterministically) so they do not overlap.
        const double jitter = categories.empty() ? 0 : ((static_cast<int>(i * 37 % 11) - 5) * 0.03);
        out += "<circle cx=\"" + num(area.px(x[i] + jitter)) + "\" cy=\"" + num(area.py(y[i])) +
               "\" r=\"3\" fill=\"#1f77b4\" fill-opacity=\"0.6\"/>";
    }
    return out + "</svg>";
}

std::string svg_parallel_coordinates(const std::vector<std::string>& axes,
                                     const std::vector<std::vector<std::string>>& rows,
                                     const std::vector<double>& metric,
                                     const std::string& metric_name,
                                     const std::vector<long>& trials) {
    const double left = 50, right = 60, top = 30, bottom = 20, height = 340;
    // Axes far enough apart that neither their titles nor their value labels (about 6.5 px a
    // character, written to the right of each axis) run into the next axis.
    size_t longest = 0;
    for (const std::string& a : axes) longest = std::max(longest, a.size());
    for (const auto& r : rows)
        for (const std::string& v : r) longest = std::max(longest, v.size());
    const double step = std::max(110.0, 6.5 * static_cast<double>(longest) + 24);
    const int width = static_cast<int>(left + right + step * (axes.size() - 1));
    // Each axis maps its values to [0, 1]. A handful of distinct values (a grid of choices) are
    // spaced evenly in order, numeric ones by value, so 0 and 5e-4 stay apart next to 0.5. Other
    // numbers are spaced linearly, or logarithmically when positive over more than two decades.
    const size_t kMaxLevels = 8;
    std::vector<std::vector<std::string>> levels(axes.size());
    std::vector<bool> numeric(axes.size(), true), logscale(axes.size(), false);
    std::vector<double> lo(axes.size(), INFINITY), hi(axes.size(), -INFINITY);
    for (size_t a = 0; a < axes.size(); ++a) {
        for (const auto& r : rows) numeric[a] = numeric[a] && is_number(r[a]);
        for (const auto& r : rows) {
            if (numeric[a]) {
                const double v = strtod(r[a].c_str(), nullptr);
                lo[a] = std::min(lo[a], v), hi[a] = std::max(hi[a], v);
            }
            if (std::find(levels[a].begin(), levels[a].end(), r[a]) == levels[a].end())
                levels[a].push_back(r[a]);
        }
        const bool by_value = numeric[a];
        std::sort(levels[a].begin(), levels[a].end(),
                  [by_value](const std::string& x, const std::string& y) {
                      return by_value ? strtod(x.c_str(), nullptr) < strtod(y.c_str(), nullptr)
                                      : x < y;
                  });
        if (numeric[a] && levels[a].size() <= kMaxLevels && a + 1 < axes.size())
            numeric[a] = false;  // the metric stays continuous
        if (numeric[a]) levels[a].clear();
        logscale[a] = numeric[a] && lo[a] > 0 && hi[a] / lo[a] > 100;
    }
    auto position = [&](size_t a, const std::string& v) {
        if (!numeric[a]) {
            const auto it = std::find(levels[a].begin(), levels[a].end(), v);
            return levels[a].size() < 2
                       ? 0.5
                       : static_cast<double>(it - levels[a].begin()) / (levels[a].size() - 1);
        }
        const double x = strtod(v.c_str(), nullptr);
        if (!(hi[a] > lo[a])) return 0.5;
        return logscale[a] ? (log(x) - log(lo[a])) / (log(hi[a]) - log(lo[a]))
                           : (x - lo[a]) / (hi[a] - lo[a]);
    };
    double m0, m1;
    range_of(metric, m0, m1);
    const double ph = height - top - bottom;
    std::string out = open_svg(width, static_cast<int>(height), "pc");
    // Worst first, so the best trials are drawn on top. Colour follows rank, not value: one
    // diverged trial would otherwise paint every other line the same yellow.
    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return metric[a] < metric[b]; });
    for (size_t k = 0; k < order.size(); ++k) {
        const size_t i = order[k];
        std::string points, positions, tip = "trial " + std::to_string(trials[i]);
        for (size_t a = 0; a < axes.size(); ++a) {
            const double pos = position(a, rows[i][a]);
            points += num(left + step * a) + "," + num(top + (1 - pos) * ph) + " ";
            char text[16];
            snprintf(text, sizeof text, "%s%.4f", a ? "," : "", pos);
            positions += text;
            tip += (a ? ", " : ": ") + axes[a] + " " + rows[i][a];
        }
        out += "<polyline class=\"pc-line\" data-trial=\"" + std::to_string(trials[i]) +
               "\" data-pos=\"" + positions + "\" fill=\"none\" stroke=\"" +
               scale_color(order.size() < 2 ? 1.0 : static_cast<double>(k) / (order.size() - 1)) +
               "\" stroke-opacity=\"0.7\" stroke-width=\"1.3\" points=\"" + points +
               "\"><title>" + xml_escape(tip) + "</title></polyline>";
    }
    for (size_t a = 0; a < axes.size(); ++a) {
        const double x = left + step * a;
        out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(top) + "\" y2=\"" +
               num(top + ph) + "\" stroke=\"#333\"/><text x=\"" + num(x) +
               "\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">" + xml_escape(axes[a]) +
               "</text><rect class=\"pc-axis\" data-axis=\"" + std::to_string(a) + "\" data-top=\"" +
               num(top) + "\" data-height=\"" + num(ph) + "\" x=\"" + num(x - 8) + "\" y=\"" +
               num(top) + "\" width=\"16\" height=\"" + num(ph) +
               "\" fill=\"#000\" fill-opacity=\"0\" style=\"cursor:ns-resize\"><title>drag to "
               "keep the trials in a range of " + xml_escape(axes[a]) +
               "; click to clear</title></rect>";
        std::vector<std::string> labels = levels[a];
        if (numeric[a]) labels = {tick_text(lo[a]), tick_text(hi[a])};
        for (const std::string& l : labels) {
            out += "<text x=\"" + num(x + 4) + "\" y=\"" +
                   num(top + (1 - position(a, l)) * ph + 4) + "\" fill=\"#333\">" + xml_escape(l) +
                   "</text>";
        }
    }
    out += "<text x=\"" + num(static_cast<double>(width) - 4) + "\" y=\"" + num(height - 4) +
           "\" text-anchor=\"end\">colour: " + xml_escape(metric_name) +
           " rank (dark = worst, yellow = best)</text>";
    return out + "</svg>";
}

}  // namespace fnn
