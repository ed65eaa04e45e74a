// The network summary table (see summary.hpp).
#include "fnn/summary.hpp"

#include <stdio.h>

namespace fnn {
namespace {


std::string shape_text(const LayerDesc& d) {
    if (d.out.h == 1 && d.out.w == 1) return std::to_string(d.out.c);
    return std::to_string(d.out.c) + "x" + std::to_string(d.out.h) + "x" + std::to_string(d.out.w);
}

}  // namespace

std::string layer_title(const LayerDesc& d) {
    std::string t = layer_kind_name(d.kind);
    if (d.kind == LayerKind::Conv2d || d.kind == LayerKind::MaxPool || d.kind == LayerKind::AvgPool) {
        t += " " + std::to_string(d.kh) + "x" + std::to_string(d.kw);
        const bool default_stride = d.kind == LayerKind::Conv2d ? d.sh == 1 && d.sw == 1
                                                                : d.sh == d.kh && d.sw == d.kw;
        if (!default_stride) t += " s" + std::to_string(d.sh) + (d.sw != d.sh ? "x" + std::to_string(d.sw) : "");
        if (d.pad_top == d.pad_left && d.pad_top == d.pad_bottom && d.pad_top == d.pad_right) {
            if (d.pad_top > 0) t += " p" + std::to_string(d.pad_top);
        } else {
            t += " p" + std::to_string(d.pad_top) + "," + std::to_string(d.pad_left) + "," +
                 std::to_string(d.pad_bottom) + "," + std::to_string(d.pad_right);
        }
    }
    if (d.kind == LayerKind::Dropout) {
        char rate[32];
        snprintf(rate, sizeof rate, " %g", static_cast<double>(d.rate));
        t += rate;
    }
    if (d.kind == LayerKind::Activation) t = activation_name(d.act);
    else if (d.act != Activation::Identity) t += std::string(" + ") + activation_name(d.act);
    return t;
}

std::string network_summary(const NetworkShape& shape, int indent) {
    const std::string pad(static_cast<size_t>(indent), ' ');
    std::string out;
    char line[256];
    snprintf(line, sizeof line, "%s%-5s %-26s %-14s %12s %14s\n", pad.c_str(), "layer", "kind",
             "output", "parameters", "multiply-adds");
    out += line;
    const LayerDesc& first = shape.layers[0];
    snprintf(line, sizeof line, "%s%-5s %-26s %-14s %12s %14s\n", pad.c_str(), "", "input",
             (std::to_string(first.in.c) + (first.in.h * first.in.w > 1 ? "x" + std::to_string(first.in.h) + "x" + std::to_string(first.in.w) : "")).c_str(),
             "", "");
    out += line;
    size_t params = 0, macs = 0;
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        params += layer_parameter_count(d);
        macs += layer_macs(d);
        snprintf(line, sizeof line, "%s%-5d %-26s %-14s %12s %14s\n", pad.c_str(), l + 1,
                 layer_title(d).c_str(), shape_text(d).c_str(),
                 grouped(layer_parameter_count(d)).c_str(), grouped(layer_macs(d)).c_str());
        out += line;
    }
    snprintf(line, sizeof line, "%s%-5s %-26s %-14s %12s %14s\n", pad.c_str(), "total", "", "",
             grouped(params).c_str(), grouped(macs).c_str());
    out += line;
    if (shape.n_state > 0) {
        snprintf(line, sizeof line, "%s      plus %s batch norm running statistics (not trained)\n",
                 pad.c_str(), grouped(shape.n_state).c_str());
        out += line;
    }
    return out;
}

std::string grouped(size_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace fnn
