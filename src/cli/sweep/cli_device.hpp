// Device budgets for sweeps (an fnn extension of W&B's sweep format): the chip a model must fit,
// the variant it ships as, and every candidate's footprint on it computed before training, with
// the inference library's own planning (fnn_arena_bytes on the candidate's blob).
//
//   device:
//     profile: cortex-m0 | cortex-m4f    the chip (kDeviceProfiles: budget, code and stack)
//     variant: fp32 | fp16 | int8        what ships (int8: int8 weights and activations)
//     flash_bytes: N                     a custom budget, replacing the profile's
//     ram_bytes: N                       (N: bytes, or with a KiB or MiB suffix: 16KiB)
//     macs: N                            multiply-adds per inference (default: no limit)
//
// On the device:  flash = inference code + model blob (weights, layer table, class names)
//                 RAM   = arena + stack + input image (the n_in uint8 pixels fnn_run_u8 reads)
// Code and stack are the profile's figures, measured by make cross on its QEMU board; the blob,
// the arena and the multiply-adds are exact for each candidate. fnn_arena_bytes() gives the
// same figure on every target (infer.cpp reserves the model record at a fixed size).
#pragma once

#include <stddef.h>

#include <string>
#include <vector>

#include "cli/cli_deploy.hpp"
#include "cli/cli_yaml.hpp"
#include "fnn/dataset.hpp"
#include "fnn/summary.hpp"  // grouped(): 16384 -> "16,384"

namespace fnn {

struct DeviceProfile {
    const char* name;          // as a sweep file names it
    const char* board;         // the part and the QEMU machine fnn sweep --export verifies on
    const char* qemu_machine;  // qemu-system-arm -M
    size_t flash_bytes;        // the part's flash and RAM
    size_t ram_bytes;
    size_t code_bytes;   // inference library text, -Os (make cross: "inference code")
    size_t int8_only_code_bytes;  // the same built for int8 models only (runs_on_int8_only_build)
    size_t stack_bytes;  // deepest stack of fnn_load + fnn_run_u8 over make cross's models
};
extern const DeviceProfile kDeviceProfiles[2];
const DeviceProfile* find_device_profile(const std::string& name);  // null if unknown

struct DeviceBudget {
    const DeviceProfile* profile = nullptr;  // null: the sweep has no device section
    DeployVariant variant = DeployVariant::Int8;
    size_t flash_bytes = 0;
    size_t ram_bytes = 0;
    size_t macs = 0;  // 0: no limit
    bool custom = false;  // flash_bytes or ram_bytes replaced the profile's
    bool enabled() const { return profile != nullptr; }
};

// Reads a sweep file's device section. Problems go to `problems` as (line, message).
void parse_device(const YamlNode& node, DeviceBudget& out,
                  std::vector<std::pair<int, std::string>>& problems);

// The footprint of the network fnn train would build from `args` for `data` (its shape and
// class names), shipped as `budget.variant`. False, with `error`, when the flags are refused.
bool candidate_footprint(const DeviceBudget& budget, const std::vector<std::string>& args,
                         const Dataset& data, Footprint& out, std::string& error);

// The code a model's firmware links: the int8-only build's when it runs the blob, else the
// whole library's.
size_t firmware_code_bytes(const DeviceProfile& profile, const std::vector<uint8_t>& blob);

// "" when the footprint fits the budget, else what is over, e.g.
// "RAM 17,920 > 16,384 bytes (arena 16,136 + stack 1,000 + input 784)".
std::string over_budget(const DeviceBudget& budget, const Footprint& f);

// "flash 24,331 of 262,144, RAM 4,120 of 16,384, 192,064 MACs" for tables and READMEs.
std::string footprint_text(const DeviceBudget& budget, const Footprint& f);

}  // namespace fnn
