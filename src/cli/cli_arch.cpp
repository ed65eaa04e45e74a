// The --arch grammar and presets (see cli_arch.hpp).
#include "cli/cli_arch.hpp"

#include <stdio.h>
#include <stdlib.h>

#include "base/text_util.hpp"
#include "fnn/activation.hpp"
#include "fnn/network.hpp"

namespace fnn {
namespace {

const char* const kGrammar =
    "conv<channels>k<kernel>[x<kernel>][s<stride>][p<pad>|psame|pvalid], pool<k>[s<stride>], "
    "avgpool<k>[s<stride>], bn, dropout<rate>, dense<units>, relu, sigmoid, tanh, identity, "
    "flatten; or a preset: cnn1, cnn2";

// The course's Architecture 1: two 3x3 convolutions (32 and 64 channels, no padding), each with
// ReLU and 2x2 max pooling, then 128 dense units. On 28x28x1: 26x26x32, 13x13x32, 11x11x64,
// 5x5x64 (1600 values), 128, 10: 225,034 parameters.
const char* const kCnn1 = "conv32k3,relu,pool2,conv64k3,relu,pool2,dense128,relu";
// Architecture 2 with a better recipe: 'same' padding keeps the 28x28 border information, batch
// norm after each convolution and the dense layer, dropout 0.25 and 0.5. On 28x28x1: 28x28x32,
// 14x14x32, 14x14x64, 7x7x64 (3136 values), 128, 10: 422,090 parameters (and 448 batch norm
// running statistics).
const char* const kCnn2 =
    "conv32k3psame,bn,relu,pool2,conv64k3psame,bn,relu,pool2,dropout0.25,dense128,bn,relu,"
    "dropout0.5";

// The text in lower case without spaces, as --arch strings and preset names compare.
std::string compact_lower(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c != ' ') out += ascii_lower(c);
    }
    return out;
}

// Reads an unsigned decimal integer at text[pos]; false when there is none.
bool number(const std::string& t, size_t& pos, int& out) {
    if (pos >= t.size() || !ascii_digit(t[pos])) return false;
    long v = 0;
    while (pos < t.size() && ascii_digit(t[pos]) && v < 100000)
        v = v * 10 + (t[pos++] - '0');
    out = static_cast<int>(v);
    return true;
}

bool starts(const std::string& t, const char* prefix, size_t& pos) {
    const std::string p(prefix);
    if (t.compare(0, p.size(), p) != 0) return false;
    pos = p.size();
    return true;
}

// One token into a spec; false when it is not a layer.
bool token(const std::string& t, LayerSpec& s) {
    size_t pos = 0;
    s = LayerSpec{};
    if (t == "relu" || t == "sigmoid" || t == "tanh" || t == "identity") {
        s.kind = LayerKind::Activation;
        parse_hidden_activation(t.c_str(), s.act);
        return true;
    }
    if (t == "bn" || t == "batchnorm") return s.kind = LayerKind::BatchNorm, true;
    if (t == "flatten") return s.kind = LayerKind::Flatten, true;
    if (starts(t, "dropout", pos)) {
        char* end = nullptr;
        const double rate = strtod(t.c_str() + pos, &end);
        s.kind = LayerKind::Dropout;
        s.rate = static_cast<float>(rate);
        return pos < t.size() && *end == '\0' && rate >= 0 && rate < 1;
    }
    if (starts(t, "dense", pos) || starts(t, "fc", pos)) {
        s.kind = LayerKind::Dense;
        return number(t, pos, s.units) && pos == t.size() && s.units > 0;
    }
    if (starts(t, "conv", pos)) {
        s.kind = LayerKind::Conv2d;
        if (!number(t, pos, s.units) || s.units < 1 || pos >= t.size() || t[pos++] != 'k') return false;
        if (!number(t, pos, s.kh) || s.kh < 1) return false;
        s.kw = s.kh;
        if (pos < t.size() && t[pos] == 'x' && !(++pos, number(t, pos, s.kw))) return false;
        if (pos < t.size() && t[pos] == 's' && !(++pos, number(t, pos, s.sh))) return false;
        s.sw = s.sh;
        if (pos < t.size() && t[pos] == 'p') {
            ++pos;
            if (t.compare(pos, std::string::npos, "same") == 0) s.padding = Padding::Same, pos = t.size();
            else if (t.compare(pos, std::string::npos, "valid") == 0) pos = t.size();
            else if (number(t, pos, s.pad)) s.padding = Padding::Explicit;
            else return false;
        }
        return pos == t.size() && s.kw >= 1 && (s.sh >= 1 || s.sh == 0);
    }
    const bool avg = starts(t, "avgpool", pos);
    if (avg || starts(t, "maxpool", pos) || starts(t, "pool", pos)) {
        s.kind = avg ? LayerKind::AvgPool : LayerKind::MaxPool;
        if (!number(t, pos, s.kh) || s.kh < 1) return false;
        s.kw = s.kh;
        if (pos < t.size() && t[pos] == 's' && !(++pos, number(t, pos, s.sh))) return false;
        s.sw = s.sh;
        return pos == t.size();
    }
    return false;
}

}  // namespace

std::string preset_architecture(const std::string& name) {
    if (name == "cnn1") return kCnn1;
    if (name == "cnn2") return kCnn2;
    return "";
}

std::vector<std::string> preset_defaults(const std::string& written) {
    const std::string name = compact_lower(written);
    // Measured choices (README, "Convolutional networks"): 15 epochs, He init for ReLU, a cosine
    // schedule; cnn1 with SGD and momentum as the course trains Architecture 1, cnn2 with Adam.
    if (name == "cnn1")
        return {"--epochs", "15", "--optimizer", "momentum", "--learning_rate", "0.02",
                "--weight_init", "he", "--lr_schedule", "cosine", "--batch_size", "64"};
    if (name == "cnn2")
        return {"--epochs", "15", "--optimizer", "adam", "--learning_rate", "0.002",
                "--weight_init", "he", "--lr_schedule", "cosine", "--batch_size", "64"};
    return {};
}

bool apply_dropout_rates(const std::string& text, std::vector<LayerSpec>& specs, std::string& error) {
    std::vector<float> rates;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
        char* end = nullptr;
        const double rate = strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(rate >= 0 && rate < 1)) {
            error = "'" + item + "' is not a rate in [0, 1)";
            return false;
        }
        rates.push_back(static_cast<float>(rate));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::vector<LayerSpec*> layers;
    for (LayerSpec& s : specs) {
        if (s.kind == LayerKind::Dropout) layers.push_back(&s);
    }
    if (layers.empty()) {
        error = "the architecture has no dropout layer";
        return false;
    }
    if (rates.size() != 1 && rates.size() != layers.size()) {
        error = std::to_string(rates.size()) + " rates for " + std::to_string(layers.size()) +
                " dropout layers (give one rate for all, or one per layer)";
        return false;
    }
    for (size_t i = 0; i < layers.size(); ++i) layers[i]->rate = rates[rates.size() == 1 ? 0 : i];
    return true;
}

std::string architecture_string(const NetworkShape& shape) {
    std::string out;
    auto add = [&out](const std::string& token) { out += (out.empty() ? "" : ",") + token; };
    for (int l = 0; l + 1 < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        const std::string stride = std::to_string(d.sh);
        switch (d.kind) {
            case LayerKind::Dense: add("dense" + std::to_string(d.out.c)); break;
            case LayerKind::Conv2d: {
                std::string t = "conv" + std::to_string(d.out.c) + "k" + std::to_string(d.kh);
                if (d.kw != d.kh) t += "x" + std::to_string(d.kw);
                if (d.sh != 1) t += "s" + stride;
                const bool even = d.pad_top == d.pad_left && d.pad_top == d.pad_bottom &&
                                  d.pad_top == d.pad_right;
                if (!even) t += "psame";  // only `same` plans unequal sides
                else if (d.pad_top > 0) t += "p" + std::to_string(d.pad_top);
                add(t);
                break;
            }
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                add((d.kind == LayerKind::MaxPool ? "pool" : "avgpool") + std::to_string(d.kh) +
                    (d.sh != d.kh ? "s" + stride : ""));
                break;
            case LayerKind::BatchNorm: add("bn"); break;
            case LayerKind::Dropout: {
                char rate[32];
                snprintf(rate, sizeof rate, "dropout%g", static_cast<double>(d.rate));
                add(rate);
                break;
            }
            case LayerKind::Activation:
            case LayerKind::Flatten: break;
        }
        if (d.act != Activation::Identity || d.kind == LayerKind::Activation) add(activation_name(d.act));
    }
    return out;
}

bool parse_architecture(const std::string& text, std::vector<LayerSpec>& out, std::string& error) {
    const std::string lower = compact_lower(text);
    const std::string preset = preset_architecture(lower);
    const std::string body = preset.empty() ? lower : preset;
    out.clear();
    size_t start = 0;
    for (int index = 1; start <= body.size(); ++index) {
        const size_t comma = body.find(',', start);
        const std::string t = body.substr(start, comma == std::string::npos ? comma : comma - start);
        LayerSpec s;
        if (!token(t, s)) {
            error = "token " + std::to_string(index) + " '" + t + "' is not a layer; valid: " + kGrammar;
            return false;
        }
        out.push_back(s);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.size() > 62) {
        error = "more than 62 layers";
        return false;
    }
    return true;
}

}  // namespace fnn
