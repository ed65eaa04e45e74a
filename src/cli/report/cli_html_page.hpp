// Report pages as HTML: one self-contained document (inline CSS, no external resources) made
// of titled sections, with a small script that checks the page once it has loaded; and the
// tables and number formats the pages share. The charts themselves are in cli_svg.
#pragma once

#include <string>
#include <vector>

namespace fnn {

class HtmlPage {
public:
    explicit HtmlPage(std::string title) : title_(std::move(title)) {}
    // `content` is HTML; `id` names the section in the page's self-check.
    void section(const std::string& id, const std::string& heading, const std::string& content);
    // A <script> element of the page's own, after its sections (no external scripts, ever).
    void script(const std::string& element) { scripts_ += element; }
    std::string html() const;

private:
    std::string title_;
    std::string body_;
    std::string scripts_;
};

// A table of text cells (escaped here); the first `left_columns` columns are left-aligned.
std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows, size_t left_columns = 1);

// v with `digits` decimals, "-" when not finite.
std::string fixed_digits(double v, int digits = 4);

}  // namespace fnn
