// The network sections of the run page (see cli_report_cnn.hpp).
#include "cli/report/cli_report_cnn.hpp"

#include "cli/cli_model.hpp"
#include "cli/report/cli_png.hpp"
#include "cli/report/cli_svg.hpp"
#include "fnn/network.hpp"
#include "fnn/summary.hpp"

namespace fnn {
namespace {

// Values as a PNG data URI (1 = grey, 3 = RGB channels per pixel), all scaled together so the
// smallest is black and the largest white (constant values are mid-grey).
std::string scaled_uri(const std::vector<float>& values, int width, int height, int channels) {
    float lo = values[0], hi = values[0];
    for (float v : values) lo = v < lo ? v : lo, hi = v > hi ? v : hi;
    std::vector<uint8_t> pixels(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        pixels[i] = hi > lo ? static_cast<uint8_t>(255.0f * (values[i] - lo) / (hi - lo) + 0.5f) : 128;
    }
    return "data:image/png;base64," + base64(encode_png(pixels.data(), width, height, channels));
}

std::string tile(const std::string& uri, const std::string& caption, int size) {
    const std::string px = std::to_string(size) + "px";
    return "<div class=\"cell\" style=\"width:" + std::to_string(size + 8) + "px\"><img alt=\"" +
           xml_escape(caption) + "\" style=\"width:" + px + ";height:" + px + "\" src=\"" + uri +
           "\"><br>" + xml_escape(caption) + "</div>";
}

std::string summary_table(const NetworkShape& shape) {
    std::vector<std::vector<std::string>> rows;
    const LayerDesc& first = shape.layers[0];
    rows.push_back({"", "input",
                    std::to_string(first.in.c) + "x" + std::to_string(first.in.h) + "x" +
                        std::to_string(first.in.w),
                    "", ""});
    size_t params = 0, macs = 0;
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        const std::string out = d.out.h * d.out.w == 1 ? std::to_string(d.out.c)
                                                       : std::to_string(d.out.c) + "x" +
                                                             std::to_string(d.out.h) + "x" +
                                                             std::to_string(d.out.w);
        params += layer_parameter_count(d);
        macs += layer_macs(d);
        rows.push_back({std::to_string(l + 1), layer_title(d), out,
                        std::to_string(layer_parameter_count(d)), std::to_string(layer_macs(d))});
    }
    rows.push_back({"total", "", "", std::to_string(params), std::to_string(macs)});
    return html_table({"layer", "kind", "output (channels x rows x cols)", "parameters",
                       "multiply-adds"},
                      rows, 3);
}

}  // namespace

bool add_network_sections(const std::vector<uint8_t>& blob, const Dataset& test, int sample,
                          HtmlPage& page, std::string& error) {
    DecodedModel decoded;
    HostModel host;
    if (!decode_model(blob, "model.fnn", decoded, error) || !host.init(std::move(decoded), error))
        return false;
    const DecodedModel& model = host.model();
    const NetworkShape& shape = model.shape;
    page.section("network", "Network", summary_table(shape));
    int first_conv = -1;
    for (int l = 0; l < shape.n_layers && first_conv < 0; ++l)
        if (shape.layers[l].kind == LayerKind::Conv2d) first_conv = l;
    if (first_conv < 0) return true;

    // Filters of the first conv layer: weights row (ky * kw + kx) * in_c + c, column = filter.
    const LayerDesc& conv = shape.layers[first_conv];
    const int colour = conv.in.c == 3 ? 3 : 1;
    std::string filters = "<div class=\"grid\">";
    for (int f = 0; f < conv.out.c; ++f) {
        std::vector<float> image;
        for (int ky = 0; ky < conv.kh; ++ky) {
            for (int kx = 0; kx < conv.kw; ++kx) {
                for (int c = 0; c < colour; ++c) {
                    const size_t row = static_cast<size_t>((ky * conv.kw + kx) * conv.in.c + c);
                    image.push_back(model.params[conv.w_offset + row * conv.w_cols + f]);
                }
            }
        }
        filters += tile(scaled_uri(image, conv.kw, conv.kh, colour), "filter " + std::to_string(f + 1), 48);
    }
    page.section("filters",
                 "Layer " + std::to_string(first_conv + 1) + " filters (" + layer_title(conv) +
                     ", each scaled to its own range" +
                     (conv.in.c == 1 || conv.in.c == 3 ? "" : ", input channel 1") + ")",
                 filters + "</div>");

    // Feature maps: one test image through the network in evaluation mode.
    const uint8_t* pixels = test.sample(sample);
    host.forward(pixels);
    std::string maps = "<p class=\"note\">Test image " + std::to_string(sample) +
                       "; each map is scaled to its own range (after the layer's activation).</p>";
    maps += "<div class=\"grid\">" +
            tile(sample_png_uri(pixels, static_cast<int>(test.header.rows),
                                static_cast<int>(test.header.cols),
                                static_cast<int>(test.header.channels)),
                 "input", 84) +
            "</div>";
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        if (d.kind != LayerKind::Conv2d) continue;
        const ConstMatView out = host.network().layer_output(l, 1);
        maps += "<p><b>layer " + std::to_string(l + 1) + ": " + xml_escape(layer_title(d)) + ", " +
                std::to_string(d.out.c) + " maps of " + std::to_string(d.out.h) + "x" +
                std::to_string(d.out.w) + "</b></p><div class=\"grid\">";
        for (int c = 0; c < d.out.c; ++c) {
            std::vector<float> map(static_cast<size_t>(d.out.h) * d.out.w);
            for (size_t p = 0; p < map.size(); ++p) map[p] = out.at(0, static_cast<int>(p * d.out.c + c));
            maps += tile(scaled_uri(map, d.out.w, d.out.h, 1), std::to_string(c + 1), 56);
        }
        maps += "</div>";
    }
    page.section("feature-maps", "Feature maps of one test image", maps);
    return true;
}

}  // namespace fnn
