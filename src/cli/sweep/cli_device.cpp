// Device profiles, the device section of a sweep file, and candidate footprints.
#include "cli/sweep/cli_device.hpp"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_train_options.hpp"
#include "fnn/fnn.h"
#include "fnn/fold.hpp"
#include "fnn/network.hpp"

namespace fnn {

// Code and stack: `make cross` on this source (tools/cross/run.sh prints both per target; update
// these when it changes them). The stack is the deepest measured, a CNN (a chain of conv-pool
// groups is the deepest path: 1,520 bytes on the Cortex-M0 for the batch-norm CNN that
// data/sweeps/fashion-m0-small.yaml exports, against 832 for an MLP; 1,504 for cnn2 on the
// Cortex-M4F). The code is the whole library's (every layer kind and weight type), then the
// library built for int8 models only (make cross measures it on the Cortex-M4F as
// cortex-m4f-int8-only; the Cortex-M0 figure comes from the export check below).
// fnn sweep --export measures code and stack again for the model it ships.
const DeviceProfile kDeviceProfiles[2] = {
    {"cortex-m0", "BBC micro:bit (nRF51822 Cortex-M0; QEMU -M microbit)", "microbit", 256 * 1024,
     16 * 1024, 15651, 12887, 1520},
    {"cortex-m4f", "Arm MPS2 AN386 (Cortex-M4F; QEMU -M mps2-an386)", "mps2-an386", 4 << 20,
     4 << 20, 10367, 8091, 1504},
};

size_t firmware_code_bytes(const DeviceProfile& profile, const std::vector<uint8_t>& blob) {
    return runs_on_int8_only_build(blob) ? profile.int8_only_code_bytes : profile.code_bytes;
}

const DeviceProfile* find_device_profile(const std::string& name) {
    for (const DeviceProfile& p : kDeviceProfiles) {
        if (name == p.name) return &p;
    }
    return nullptr;
}


namespace {

// "16384", "16KiB", "16 KiB", "1MiB"; false for anything else or above 1 GiB.
bool parse_bytes(const std::string& text, size_t& out) {
    char* end = nullptr;
    const unsigned long long v = strtoull(text.c_str(), &end, 10);
    if (end == text.c_str() || text[0] == '-') return false;
    std::string unit(end);
    while (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
    unsigned long long scale = unit.empty() ? 1 : unit == "KiB" ? 1024 : unit == "MiB" ? 1 << 20 : 0;
    if (scale == 0 || v > (1ull << 30) / scale) return false;
    out = static_cast<size_t>(v * scale);
    return true;
}

}  // namespace

void parse_device(const YamlNode& node, DeviceBudget& out,
                  std::vector<std::pair<int, std::string>>& problems) {
    if (node.kind != YamlNode::Kind::Map) {
        problems.push_back({node.line, "device must be a mapping (profile, variant, flash_bytes, "
                                       "ram_bytes, macs)"});
        return;
    }
    size_t flash = 0, ram = 0, macs = 0;
    for (const auto& [key, value] : node.map) {
        if (value.kind != YamlNode::Kind::Scalar) {
            problems.push_back({value.line, "device." + key + " must be a single value"});
            continue;
        }
        const std::string& v = value.scalar;
        if (key == "profile") {
            out.profile = find_device_profile(v);
            if (out.profile == nullptr) {
                std::string known;
                for (const DeviceProfile& p : kDeviceProfiles) known += std::string(known.empty() ? "" : ", ") + p.name;
                problems.push_back({value.line, "device.profile: unknown profile '" + v + "' (" + known + ")"});
            }
        } else if (key == "variant") {
            if (!parse_deploy_variant(v, out.variant))
                problems.push_back({value.line, "device.variant: expected fp32, fp16 or int8, got '" + v + "'"});
        } else if (key == "flash_bytes" || key == "ram_bytes" || key == "macs") {
            size_t& target = key == "flash_bytes" ? flash : key == "ram_bytes" ? ram : macs;
            if (!parse_bytes(v, target) || target == 0) {
                problems.push_back({value.line, "device." + key + ": expected a positive whole number up to 1 GiB " +
                                                    "(a byte count may end in KiB or MiB), got '" + v + "'"});
            }
        } else {
            problems.push_back({value.line, "device: unknown key '" + key +
                                                "' (profile, variant, flash_bytes, ram_bytes, macs)"});
        }
    }
    if (out.profile == nullptr) {
        bool named = false;
        for (const auto& entry : node.map) named = named || entry.first == "profile";
        if (!named) problems.push_back({node.line, "device needs profile: cortex-m0 or cortex-m4f (the chip whose code "
                                                   "and stack the budget includes)"});
        return;
    }
    out.flash_bytes = flash > 0 ? flash : out.profile->flash_bytes;
    out.ram_bytes = ram > 0 ? ram : out.profile->ram_bytes;
    out.macs = macs;
    out.custom = flash > 0 || ram > 0;
}

bool candidate_footprint(const DeviceBudget& budget, const std::vector<std::string>& args,
                         const Dataset& data, Footprint& out, std::string& error) {
    TrainOptions o;
    if (!train_options_from_args(args, o, error)) return false;
    NetworkSpec net = o.config.net;
    net.n_in = data.features();
    net.n_classes = data.classes();
    net.input = Shape3{static_cast<int>(data.header.channels), static_cast<int>(data.header.rows),
                       static_cast<int>(data.header.cols)};
    NetworkShape shape;
    ErrorText err;
    if (plan_network(net, shape, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    // Any finite weights give the same sizes; int8 activation scales only need to be set. An
    // int8 blob holds the folded network, as deploy_blob() writes it.
    const std::vector<float> params(shape.n_params, 0.01f),
        state(shape.n_state > 0 ? shape.n_state : 1, 1.0f);
    const bool int8 = budget.variant == DeployVariant::Int8;
    const FoldedNetwork folded =
        int8 ? fold_for_inference(shape, params.data(), state.data())
             : FoldedNetwork{shape, params, state};
    std::vector<float> scales(folded.shape.n_layers, 0.0f);
    for (int l = 0; l < folded.shape.n_layers; ++l)
        scales[l] = folded.shape.layers[l].has_weights() ? 1.0f / 127 : 0.0f;
    const ModelMeta meta = model_meta(o.config.loss, data);
    const WeightType type = deploy_weight_type(budget.variant);
    std::vector<uint8_t> blob(model_blob_bytes(folded.shape, type, meta.names_bytes));
    const float* qscales = int8 ? scales.data() : nullptr;
    if (write_model_blob(folded.shape, folded.params.data(), folded.state.data(), meta, type,
                         qscales, blob.data(), blob.size(), &err) != Status::Ok ||
        fnn_arena_bytes(blob.data(), blob.size(), &out.arena) != FNN_OK) {
        error = std::string("the inference library cannot plan this network: ") + err.text;
        return false;
    }
    out.blob = blob.size();
    out.code = firmware_code_bytes(*budget.profile, blob);
    out.stack = budget.profile->stack_bytes;
    out.input = static_cast<size_t>(data.features());
    out.macs = shape.macs();
    return true;
}

std::string over_budget(const DeviceBudget& budget, const Footprint& f) {
    std::string out;
    if (f.flash() > budget.flash_bytes) {
        out += "flash " + grouped(f.flash()) + " > " + grouped(budget.flash_bytes) +
               " bytes (code " + grouped(f.code) + " + model " + grouped(f.blob) + ")";
    }
    if (f.ram() > budget.ram_bytes) {
        out += std::string(out.empty() ? "" : "; ") + "RAM " + grouped(f.ram()) + " > " +
               grouped(budget.ram_bytes) + " bytes (arena " + grouped(f.arena) + " + stack " +
               grouped(f.stack) + " + input " + grouped(f.input) + ")";
    }
    if (budget.macs > 0 && f.macs > budget.macs) {
        out += std::string(out.empty() ? "" : "; ") + grouped(f.macs) + " MACs > " +
               grouped(budget.macs);
    }
    return out;
}

std::string footprint_text(const DeviceBudget& budget, const Footprint& f) {
    std::string out = "flash " + grouped(f.flash()) + " of " + grouped(budget.flash_bytes) +
                      ", RAM " + grouped(f.ram()) + " of " + grouped(budget.ram_bytes) + ", " +
                      grouped(f.macs) + " MACs";
    if (budget.macs > 0) out += " of " + grouped(budget.macs);
    return out;
}

}  // namespace fnn
