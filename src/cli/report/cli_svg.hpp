// Inline SVG charts for report pages: each function returns one self-contained <svg> element
// (no scripts, no external fonts). Text is XML-escaped.
#pragma once

#include <math.h>

#include <string>
#include <utility>
#include <vector>

namespace fnn {

struct Series {
    Series(std::string name_ = "", std::vector<double> x_ = {}, std::vector<double> y_ = {},
           std::string color_ = "", bool dashed_ = false, bool end_mark_ = false)
        : name(std::move(name_)), x(std::move(x_)), y(std::move(y_)), color(std::move(color_)),
          dashed(dashed_), end_mark(end_mark_) {}
    std::string name;
    std::vector<double> x, y;
    std::string color;  // CSS colour; empty picks one from the palette
    bool dashed;
    bool end_mark;  // a cross at the last point (a trial stopped there)
    bool points = false;    // dots (each with its own tooltip in point_names) instead of a line
    std::vector<std::string> point_names;
};

std::string xml_escape(const std::string& text);

// A colour from a perceptually ordered scale (dark blue -> green -> yellow) for t in [0, 1].
std::string scale_color(double t);
// The i-th colour of a categorical palette.
std::string palette_color(size_t i);

struct ChartOptions {
    ChartOptions(int w = 560, int h = 300, bool log = false) : width(w), height(h), log_y(log) {}
    int width;  // drawing units; the page scales charts to its width
    int height;
    bool log_y;           // logarithmic y axis, for values that span decades (> 0 only)
    double mark_x = NAN;  // a dashed vertical line at this x (the best epoch), when finite
    std::string mark_label;
    bool legend = true;   // off for many series (every trial of a sweep): names go in tooltips
    bool whole_x = false;  // x is a count (epochs, trials): ticks only at whole numbers
};

// Lines over a shared x axis; non-finite points (and, on a log axis, points <= 0) are skipped.
std::string svg_line_chart(const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, const ChartOptions& options = {});

// A labelled matrix of counts; each cell's shade is its value over its row's total, explained by
// a colour scale beside it.
std::string svg_heatmap(const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& col_labels,
                        const std::vector<double>& values, const std::string& row_title,
                        const std::string& col_title);

// Horizontal bars, possibly negative, one per label, over [lo, hi].
std::string svg_bars(const std::vector<std::string>& labels, const std::vector<double>& values,
                     double lo, double hi, const std::string& value_label);

// Points (x, y): x numeric, or categorical when `categories` is non-empty (x = category index).
std::string svg_scatter(const std::string& x_label, const std::string& y_label,
                        const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<std::string>& categories, int width = 280,
                        int height = 200);

// One polyline per trial across one vertical axis per column; an axis is categorical unless
// all its values are numbers. Lines are coloured by `metric` (the last axis). For the page's
// script: the <svg> has class "pc", each line data-trial (its id) and data-pos (its position on
// each axis, 0 bottom to 1 top) and a tooltip, and each axis a transparent rect of class
// "pc-axis" (data-axis, data-top, data-height) that takes brushing.
std::string svg_parallel_coordinates(const std::vector<std::string>& axes,
                                     const std::vector<std::vector<std::string>>& rows,
                                     const std::vector<double>& metric,
                                     const std::string& metric_name,
                                     const std::vector<long>& trials);

}  // namespace fnn
