// Exporting a device sweep's best trial and checking it on the board (see the header).
#include "cli/sweep/cli_sweep_export.hpp"

#include <math.h>
#include <stdio.h>

#include <map>
#include <vector>

#include "cli/cli_c_array.hpp"
#include "cli/cli_data.hpp"
#include "cli/cli_quote.hpp"
#include "cli/cli_train_options.hpp"
#include "cli/sweep/cli_device.hpp"
#include "cli/sweep/cli_sweep_summary.hpp"
#include "fnn/file_io.hpp"
#include "fnn/fnn.h"

namespace fnn {
namespace {

// The best trial that shipped a model: rows are sorted best first.
const SweepRow* best_shipped(const SweepData& data) {
    for (const SweepRow& r : data.rows) {
        if (isfinite(r.metric) && r.result.deployment.present &&
            (r.result.status == "ok" || r.result.status == "stopped"))
            return &r;
    }
    return nullptr;
}

// Runs `command`, returning its standard output's "key value" lines (and all of it in `text`).
bool run_check(const std::string& command, std::map<std::string, std::string>& values,
               std::string& text) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return false;
    char line[512];
    while (fgets(line, sizeof line, pipe) != nullptr) {
        text += line;
        std::string l(line);
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
        const size_t space = l.find(' ');
        if (space != std::string::npos) values[l.substr(0, space)] = l.substr(space + 1);
    }
    return pclose(pipe) == 0;
}

size_t value_of(const std::map<std::string, std::string>& v, const char* key) {
    const auto it = v.find(key);
    return it == v.end() ? 0 : static_cast<size_t>(strtoull(it->second.c_str(), nullptr, 10));
}

struct Written {
    std::string path;
    std::string text;
};

}  // namespace

int export_sweep(const std::string& dir, const std::string& out, const char* argv0) {
    SweepData data;
    std::string error;
    if (!load_sweep(dir, data, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    const SweepSettings& s = data.settings;
    const DeviceBudget& device = s.spec.device;
    if (!device.enabled()) {
        fprintf(stderr, "fnn sweep: --export needs a device sweep; %s/sweep.yaml has no device: section\n",
                dir.c_str());
        return 2;
    }
    const SweepRow* best = best_shipped(data);
    if (best == nullptr) {
        fprintf(stderr, "fnn sweep: %s has no finished trial to export yet\n", dir.c_str());
        return 1;
    }
    const TrialResult& trial = best->result;
    char name[48];
    snprintf(name, sizeof name, "/deploy/trial-%05ld.fnn", trial.trial);
    std::vector<uint8_t> blob;
    ErrorText err;
    size_t arena = 0;
    if (read_file(dir + name, blob, &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    if (fnn_arena_bytes(blob.data(), blob.size(), &arena) != FNN_OK ||
        blob.size() != trial.deployment.footprint.blob) {
        fprintf(stderr, "fnn sweep: %s%s is not the model trial %ld recorded (damaged?)\n",
                dir.c_str(), name, trial.trial);
        return 1;
    }
    // The test images of the trial's dataset.
    TrainOptions options;
    LoadedDataset test;
    if (!train_options_from_args(trial.args, options, error) ||
        !load_dataset(resolve_data_dir(s.data_dir, argv0), options.dataset, "test", test, error)) {
        fprintf(stderr, "fnn sweep: %s\n", error.c_str());
        return 1;
    }
    const int images = std::min(kExportImages, test.view.count());
    const std::vector<uint8_t> pixels(
        test.view.sample(0), test.view.sample(0) + static_cast<size_t>(images) * test.view.features());
    const std::string script = [&] {
        const std::string exe = executable_path(argv0);
        return exe.substr(0, exe.rfind('/') + 1) + "tools/cross/firmware.sh";
    }();
    if (!file_exists(script)) {
        fprintf(stderr, "fnn sweep: --export checks the model with %s, which is not there (it needs fnn's "
                        "source tree)\n", script.c_str());
        return 1;
    }
    if (file_exists(out)) {
        fprintf(stderr, "fnn sweep: %s already exists; choose another --out (nothing was written)\n",
                out.c_str());
        return 1;
    }
    const std::string origin = dir + name + " (trial " + std::to_string(trial.trial) + ")";
    const std::vector<Written> files = {
        {"model.c", c_array_source("fnn_model_blob", blob, origin)},
        {"model.h", c_array_header("fnn_model_blob", blob.size(), origin, "model.c")},
        {"test_images.c", c_array_source("test_images", pixels, "the first test images of " + test.path)},
        {"test_images.h", c_array_header("test_images", pixels.size(), test.path, "test_images.c")},
    };
    if (make_directories(out, &err) != Status::Ok ||
        write_file_atomic(out + "/model.fnn", blob.data(), blob.size(), &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    for (const Written& f : files) {
        if (write_file_atomic(out + "/" + f.path, f.text, &err) != Status::Ok) {
            fprintf(stderr, "fnn sweep: %s\n", err.text);
            return 1;
        }
    }
    printf("fnn sweep: trial %ld (%s %.4f, %s) -> %s; checking it on %s\n", trial.trial,
           s.spec.metric.c_str(), best->metric, deploy_variant_name(device.variant), out.c_str(),
           device.profile->board);
    fflush(stdout);
    std::map<std::string, std::string> v;
    std::string report;
    // The firmware links the library built for int8 models only when that build runs the model.
    const bool int8_only = runs_on_int8_only_build(blob);
    const bool ran = run_check(shell_quote(script) + " " + shell_quote(out) + " " +
                                   device.profile->name + " " + std::to_string(arena) + " " +
                                   (int8_only ? "int8-only" : "full") + " 2>&1",
                               v, report);
    Footprint measured;
    measured.code = value_of(v, "code");
    measured.blob = value_of(v, "blob");
    measured.arena = value_of(v, "arena");
    measured.stack = value_of(v, "stack");
    measured.input = static_cast<size_t>(test.view.features());
    measured.macs = value_of(v, "macs");
    const size_t instructions = value_of(v, "instructions");
    const Footprint& planned = trial.deployment.footprint;
    std::vector<std::string> problems;
    if (!ran) problems.push_back("the check did not finish (see verify.txt)");
    if (v["identical"] != "yes")
        problems.push_back("the board's outputs differ from the host's (see verify.txt)");
    if (value_of(v, "lines") != static_cast<size_t>(images) + 1)
        problems.push_back("the board ran " + v["lines"] + " lines, expected " + std::to_string(images + 1));
    if (measured.arena != planned.arena)
        problems.push_back("arena " + grouped(measured.arena) + " bytes on the board, planned " +
                           grouped(planned.arena));
    const std::string over = over_budget(device, measured);
    if (!over.empty()) problems.push_back("over budget on the board: " + over);
    std::vector<std::string> notes;
    if (measured.code > planned.code || measured.stack > planned.stack) {
        notes.push_back("the board's code (" + grouped(measured.code) + ") or stack (" +
                        grouped(measured.stack) + ") exceeds the profile's figures (" +
                        grouped(planned.code) + ", " + grouped(planned.stack) +
                        ") the sweep planned with: update kDeviceProfiles (cli_device.cpp)");
    }
    const double per_mac = measured.macs > 0 ? static_cast<double>(instructions) / measured.macs : 0.0;
    char row[256];
    std::string readme =
        "# " + std::string(deploy_variant_name(device.variant)) + " Fashion-MNIST model for " +
        device.profile->board + "\n\nExported by `fnn sweep --export " + dir + " --out " + out +
        "` from trial " + std::to_string(trial.trial) + " of the sweep in `" + dir +
        "`, the most accurate of its trials within the budget.\n\n";
    snprintf(row, sizeof row,
             "Accuracy of this model through the inference library: validation %.2f %%, test %.2f %% "
             "(its fp32 parent: %.2f %% / %.2f %%).\n\n",
             100 * trial.val_acc, 100 * trial.test_acc, 100 * trial.deployment.parent_val_acc,
             100 * trial.deployment.parent_test_acc);
    readme += row;
    readme += "Trained with: `" + reproduce_command(s, trial) + "`\n\n";
    readme += "| bytes | planned before training | measured on the board | budget |\n|---|---:|---:|---:|\n";
    auto line = [&](const char* what, size_t p, size_t m, const std::string& b) {
        snprintf(row, sizeof row, "| %s | %s | %s | %s |\n", what, grouped(p).c_str(),
                 grouped(m).c_str(), b.c_str());
        readme += row;
    };
    line("inference code (text, -Os)", planned.code, measured.code, "");
    line("model blob (weights)", planned.blob, measured.blob, "");
    line("**flash**", planned.flash(), measured.flash(), grouped(device.flash_bytes));
    line("arena", planned.arena, measured.arena, "");
    line("stack", planned.stack, measured.stack, "");
    line("input image", planned.input, measured.input, "");
    line("**RAM**", planned.ram(), measured.ram(), grouped(device.ram_bytes));
    line("multiply-adds", planned.macs, measured.macs, device.macs > 0 ? grouped(device.macs) : "");
    snprintf(row, sizeof row,
             "\nInstructions per inference on the board (QEMU -icount): %s (%.1f per multiply-add).\n",
             grouped(instructions).c_str(), per_mac);
    readme += row;
    readme += std::string("\nCheck: ") +
              (problems.empty() ? "passed: the board's outputs for the " + std::to_string(images) +
                                      " test images equal the host's bit for bit, in the planned arena."
                                : "FAILED: " + problems[0]) +
              "\n\n## Using it\n\n```c\n#include \"fnn/fnn.h\"\n#include \"model.h\"\n\n"
              "static unsigned char arena[" + std::to_string(arena) + "];  /* fnn_arena_bytes() */\n"
              "fnn_model *m;\nfloat probs[10];\n"
              "fnn_load(fnn_model_blob, fnn_model_blob_len, arena, sizeof arena, &m);\n"
              "fnn_run_u8(m, pixels, 784, probs, 10);  /* pixels: 28 x 28 uint8 */\n"
              "int label = (int)fnn_argmax(probs, 10);\n```\n\nLink with libfnn_infer.a built for the "
              "chip (tools/cross/common.sh has the flags make cross uses" +
              std::string(int8_only ? "; this model runs on the build for int8 models only, with "
                                      "-DFNN_INT8_ONLY -DFNN_NO_AVGPOOL -DFNN_NO_SIGMOID_TANH, "
                                      "which the code figure above is"
                                    : "") +
              ").\n";
    if (write_file_atomic(out + "/README.md", readme, &err) != Status::Ok ||
        write_file_atomic(out + "/verify.txt", report, &err) != Status::Ok) {
        fprintf(stderr, "fnn sweep: %s\n", err.text);
        return 1;
    }
    printf("  flash %s of %s bytes (code %s + model %s), RAM %s of %s bytes (arena %s + stack %s + "
           "input %s), %s MACs, %s instructions\n",
           grouped(measured.flash()).c_str(), grouped(device.flash_bytes).c_str(),
           grouped(measured.code).c_str(), grouped(measured.blob).c_str(),
           grouped(measured.ram()).c_str(), grouped(device.ram_bytes).c_str(),
           grouped(measured.arena).c_str(), grouped(measured.stack).c_str(),
           grouped(measured.input).c_str(), grouped(measured.macs).c_str(),
           grouped(instructions).c_str());
    for (const std::string& n : notes) printf("  note: %s\n", n.c_str());
    for (const std::string& p : problems) fprintf(stderr, "fnn sweep: export check: %s\n", p.c_str());
    if (!problems.empty()) return 1;
    printf("  check passed: %d test images give the host's outputs bit for bit on the board; see "
           "%s/README.md\n", images, out.c_str());
    return 0;
}

}  // namespace fnn
