// Terminal line charts.
#include "cli/report/cli_text_chart.hpp"

#include <math.h>
#include <stdio.h>

#include <algorithm>

namespace fnn {

std::string text_chart(const std::string& title, const std::vector<TextSeries>& series, int width,
                       int height) {
    double lo = INFINITY, hi = -INFINITY;
    size_t points = 0;
    for (const TextSeries& s : series) {
        points = std::max(points, s.y.size());
        for (double v : s.y) {
            if (isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        }
    }
    if (!isfinite(lo) || points == 0) return title + ": no data\n";
    if (hi == lo) hi = lo + 1e-9;
    std::vector<std::string> grid(static_cast<size_t>(height),
                                  std::string(static_cast<size_t>(width), ' '));
    for (const TextSeries& s : series) {
        for (size_t i = 0; i < s.y.size(); ++i) {
            if (!isfinite(s.y[i])) continue;
            const int col = points == 1 ? 0
                                        : static_cast<int>(llround(static_cast<double>(i) *
                                                                   (width - 1) / (points - 1)));
            const int row = static_cast<int>(llround((hi - s.y[i]) / (hi - lo) * (height - 1)));
            char& cell = grid[static_cast<size_t>(row)][static_cast<size_t>(col)];
            cell = (cell == ' ' || cell == s.mark) ? s.mark : '#';  // '#': series overlap here
        }
    }
    std::string out = title + "  (";
    for (size_t k = 0; k < series.size(); ++k)
        out += (k ? ", " : "") + std::string(1, series[k].mark) + " " + series[k].name;
    out += series.size() > 1 ? ", # overlap)\n" : ")\n";
    char label[32];
    for (int r = 0; r < height; ++r) {
        if (r == 0 || r == height - 1) snprintf(label, sizeof label, "%9.4f |", r == 0 ? hi : lo);
        else snprintf(label, sizeof label, "%9s |", "");
        out += label + grid[static_cast<size_t>(r)] + "\n";
    }
    out += std::string(10, ' ') + "+" + std::string(static_cast<size_t>(width), '-') + "\n";
    std::string axis = std::string(11, ' ') + "epoch 1";
    const std::string last = "epoch " + std::to_string(points);
    axis +=
        std::string(std::max<size_t>(1, static_cast<size_t>(width) - 7 - last.size()), ' ') + last;
    return out + axis + "\n";
}

}  // namespace fnn
