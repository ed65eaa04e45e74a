// The inverse of plan_network() for one layer: the spec tokens that plan back to a planned layer
// (used to rebuild a network from a model file, and to re-plan a folded one).
#include "fnn/network.hpp"

namespace fnn {
namespace {

// The LayerSpec padding that plans to these pads: valid or a number (all sides equal), or
// same; false when none does (asymmetric pads that `same` would not choose).
bool padding_spec(const LayerDesc& d, LayerSpec& s) {
    if (d.pad_top == d.pad_left && d.pad_top == d.pad_bottom && d.pad_top == d.pad_right) {
        s.padding = d.pad_top == 0 ? Padding::Valid : Padding::Explicit;
        s.pad = d.pad_top;
        return true;
    }
    NetworkSpec probe;
    probe.input = d.in;
    probe.n_in = static_cast<int>(d.in.size());
    probe.n_classes = 2;
    s.padding = Padding::Same;
    probe.n_specs = 1;
    probe.specs[0] = s;
    NetworkShape planned;
    if (plan_network(probe, planned, nullptr) != Status::Ok) return false;
    const LayerDesc& p = planned.layers[0];
    return p.pad_top == d.pad_top && p.pad_left == d.pad_left && p.pad_bottom == d.pad_bottom &&
           p.pad_right == d.pad_right;
}

}  // namespace

Status append_layer_spec(const LayerDesc& d, int l, NetworkSpec& s, ErrorText* err) {
    LayerSpec ls;
    ls.kind = d.kind;
    ls.units = d.kind == LayerKind::Dense || d.kind == LayerKind::Conv2d ? d.out.c : 0;
    ls.kh = d.kh, ls.kw = d.kw, ls.sh = d.sh, ls.sw = d.sw;
    ls.rate = d.rate;
    if (d.kind == LayerKind::Activation) ls.act = d.act;
    if (d.kind == LayerKind::Conv2d && !padding_spec(d, ls)) {
        return fail(err, Status::Unsupported,
                    "layer %d pads %d/%d/%d/%d (top/left/bottom/right), which no conv2d padding "
                    "option plans", l, d.pad_top, d.pad_left, d.pad_bottom, d.pad_right);
    }
    // Two spec slots per layer at most (the layer and its fused activation).
    if (s.n_specs + 2 > kMaxLayers - 1)
        return fail(err, Status::Unsupported, "more layers than a network holds");
    s.specs[s.n_specs++] = ls;
    if (d.kind != LayerKind::Activation) append_activation_spec(d.act, s);
    return Status::Ok;
}

void append_activation_spec(Activation act, NetworkSpec& s) {
    if (act == Activation::Identity) return;
    LayerSpec spec;
    spec.kind = LayerKind::Activation;
    spec.act = act;
    s.specs[s.n_specs++] = spec;
}

}  // namespace fnn
