// fnn sweep --export DIR --out FIRMWARE_DIR: the best trial of a device sweep as firmware
// sources, checked on the device profile's board under QEMU.
//
// FIRMWARE_DIR gets model.fnn (the shipped variant, as the sweep scored it), model.c/model.h
// (the C array fnn_model_blob), test_images.c/.h (the first kExportImages test images),
// README.md (figures and how to call it) and verify.txt (the check's output). The check is
// tools/cross/firmware.sh in fnn's source tree (the machinery of make cross): the model runs on
// the board in exactly the arena the planner gave and must print the host's outputs bit for bit;
// its flash (measured code + blob) and RAM (measured arena + stack + input) must fit the budget,
// and the measured arena must equal the planned one. Exit status 0 only when all of it holds.
#pragma once

#include <string>

namespace fnn {

constexpr int kExportImages = 16;

int export_sweep(const std::string& dir, const std::string& out, const char* argv0);

}  // namespace fnn
