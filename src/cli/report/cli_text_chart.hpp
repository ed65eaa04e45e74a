// Line charts in a terminal: series drawn with one character each on a character grid, with
// the y range on the left and the x range below.
#pragma once

#include <string>
#include <vector>

namespace fnn {

struct TextSeries {
    std::string name;
    char mark;
    std::vector<double> y;  // at x = 1, 2, ... (epochs)
};

std::string text_chart(const std::string& title, const std::vector<TextSeries>& series,
                       int width = 60, int height = 10);

}  // namespace fnn
