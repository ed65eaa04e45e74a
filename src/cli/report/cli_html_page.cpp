// HTML report pages: sections, style, self-check script, tables.
#include "cli/report/cli_html_page.hpp"

#include <math.h>
#include <stdio.h>

#include "cli/report/cli_svg.hpp"

namespace fnn {
namespace {

const char* const kStyle =
    "body{font-family:sans-serif;margin:24px auto;max-width:1150px;color:#222}"
    "h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid "
    "#ddd;padding-bottom:4px;margin-top:30px}"
    "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px "
    "7px;text-align:right}"
    "th{background:#f3f3f3}td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:10px}"
    // Charts share the page's width: two side by side when there is room, scaled to fit.
    ".charts{display:flex;flex-wrap:wrap;gap:10px}.charts>*{flex:1 1 460px;min-width:0;"
    "max-width:760px}svg.chart{width:100%;height:auto}svg.pc{max-width:100%;height:auto}"
    ".cell{font-size:11px;text-align:center;width:96px}.cell "
    "img{width:84px;height:84px;image-rendering:pixelated;"
    "border:1px solid #ccc}.wrong{color:#b00}.note{color:#666;font-size:12px}";

// Runs once the page has loaded: counts the sections with content (a drawn SVG, a decoded image
// or a table cell) and the images that failed to decode, sets body[data-check] to
// "filled/sections" (plus what is wrong) and logs the same line, which tests read.
const char* const kSelfCheck =
    "<script>window.addEventListener('load',function(){var "
    "s=document.querySelectorAll('section'),ok=0,bad=[];"
    "for(var i=0;i<s.length;i++){var n=s[i].querySelectorAll('svg *,tbody "
    "td').length,im=s[i].querySelectorAll('img');"
    "for(var j=0;j<im.length;j++){if(im[j].naturalWidth>0)n++;else bad.push(s[i].id+' image '+j);}"
    "if(n>0)ok++;else bad.push(s[i].id+' empty');}"
    "var r=ok+'/'+s.length+(bad.length?' problems: '+bad.join(', '):'');"
    "document.body.setAttribute('data-check',r);console.log('fnn-report-check '+r);});</script>";

}  // namespace

void HtmlPage::section(const std::string& id, const std::string& heading,
                       const std::string& content) {
    body_ += "<section id=\"" + id + "\"><h2>" + xml_escape(heading) + "</h2>" + content +
             "</section>\n";
}

std::string HtmlPage::html() const {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
           xml_escape(title_) + "</title><style>" + kStyle + "</style></head><body><h1>" +
           xml_escape(title_) + "</h1>\n" + body_ + scripts_ + kSelfCheck + "</body></html>\n";
}

std::string fixed_digits(double v, int digits) {
    char text[32];
    snprintf(text, sizeof text, "%.*f", digits, v);
    return isfinite(v) ? text : "-";
}

std::string html_table(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows, size_t left_columns) {
    std::string out = "<table><thead><tr>";
    for (size_t c = 0; c < header.size(); ++c)
        out += std::string("<th") + (c < left_columns ? " class=\"l\"" : "") + ">" +
               xml_escape(header[c]) + "</th>";
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        out += "<tr>";
        for (size_t c = 0; c < row.size(); ++c)
            out += std::string("<td") + (c < left_columns ? " class=\"l\"" : "") + ">" +
                   xml_escape(row[c]) + "</td>";
        out += "</tr>";
    }
    return out + "</tbody></table>";
}

}  // namespace fnn
