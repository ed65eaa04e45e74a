// Device-constrained sweeps: the device section's mistakes, footprints planned before training
// equal the trained model's, feasible-only search, infeasible records that survive kill -9 and
// resume, the summary's front, and what --export and --plan refuse. (--export's QEMU check runs
// in make cross, which has the cross toolchains.)
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "cli/cli_journal.hpp"
#include "cli/cli_trial.hpp"
#include "cli/sweep/cli_device.hpp"
#include "cli/sweep/cli_sweep_search.hpp"
#include "cli/sweep/cli_sweep_spec.hpp"
#include "command.hpp"
#include "fnn/fnn.h"

using namespace fnn;
using namespace fnn_test;

namespace {

std::string parse_error(const std::string& text) {
    SweepSpec spec;
    std::string error;
    CHECK_FALSE(parse_sweep_spec(text, "d.yaml", spec, error));
    return error;
}

const std::string kHead = "method: grid\nmetric: {name: val_acc, goal: maximize}\n";
const std::string kParams = "parameters:\n  hidden_size: {values: [16, 32]}\n";

// Two architectures: a tiny MLP that fits 16 KiB of RAM, and a CNN whose arena does not.
const std::string kTwoArchs =
    "method: grid\nmetric: {name: val_acc, goal: maximize}\ndevice: {profile: cortex-m0, variant: "
    "int8}\nparameters:\n  arch:\n    values: [\"dense16,relu\", \"conv32k3psame,relu,"
    "conv32k3psame,relu,pool2\"]\n  learning_rate: {values: [0.002, 0.004]}\n"
    "  epochs: {value: 1}\n  limit_train: {value: 2000}\n";

std::string write_spec(const std::string& dir, const std::string& text) {
    const std::string path = dir + "/device.yaml";
    REQUIRE(write_file_atomic(path, text, nullptr) == Status::Ok);
    return path;
}

size_t count_lines_with(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("sweep device: the device section's mistakes are named with their lines") {
    SweepSpec spec;
    std::string error;
    REQUIRE_MESSAGE(parse_sweep_spec(kHead + "device:\n  profile: cortex-m0\n  variant: int8\n" +
                                         "  ram_bytes: 4KiB\n  flash_bytes: 32768\n" + kParams,
                                     "d.yaml", spec, error),
                    error);
    CHECK(spec.device.enabled());
    CHECK(spec.device.ram_bytes == 4096);
    CHECK(spec.device.flash_bytes == 32768);
    CHECK(spec.device.custom);
    CHECK(spec.device.variant == DeployVariant::Int8);
    REQUIRE(parse_sweep_spec(kHead + "device: {profile: cortex-m4f, variant: fp16}\n" + kParams,
                             "d.yaml", spec, error));
    CHECK(spec.device.flash_bytes == 4u << 20);
    CHECK_FALSE(spec.device.custom);

    const std::string e = parse_error(kHead + "device:\n  profile: esp32\n  variant: int4\n" +
                                      "  ram_bytes: -3\n  flash_bytes: 12 GB\n  speed: fast\n" + kParams);
    CHECK(contains(e, "d.yaml:4: device.profile: unknown profile 'esp32' (cortex-m0, cortex-m4f)"));
    CHECK(contains(e, "d.yaml:5: device.variant: expected fp32, fp16 or int8, got 'int4'"));
    CHECK(contains(e, "d.yaml:6: device.ram_bytes: expected a positive whole number"));
    CHECK(contains(e, "d.yaml:7: device.flash_bytes:"));
    CHECK(contains(e, "d.yaml:8: device: unknown key 'speed'"));
    CHECK(contains(parse_error(kHead + "device:\n  variant: int8\n" + kParams),
                   "d.yaml:3: device needs profile"));
    CHECK(contains(parse_error(kHead + "device: cortex-m0\n" + kParams),
                   "d.yaml:3: device must be a mapping"));
}

TEST_CASE("sweep device: the footprint planned before training is the trained model's") {
    LoadedDataset train, test;
    std::string error;
    REQUIRE_MESSAGE(load_dataset("data", "fashion_mnist", "train", train, error), error);
    REQUIRE_MESSAGE(load_dataset("data", "fashion_mnist", "test", test, error), error);
    Dataset small_test = test.view;
    small_test.header.count = 500;
    for (const std::string variant : {"fp32", "fp16", "int8"}) {
        for (const std::string arch : {"dense24,relu", "conv4k3,bn,relu,pool2,dense16,relu"}) {
            CAPTURE(variant);
            CAPTURE(arch);
            SweepSpec spec;
            REQUIRE(parse_sweep_spec(kHead + "device: {profile: cortex-m0, variant: " + variant +
                                         "}\n" + kParams,
                                     "d.yaml", spec, error));
            const std::vector<std::string> args{"--arch", arch, "--epochs", "1", "--limit_train",
                                                "1200", "--seed", "3"};
            Footprint planned;
            REQUIRE_MESSAGE(candidate_footprint(spec.device, args, train.view, planned, error), error);
            const std::string blob_path = temp_dir() + "/shipped.fnn";
            const TrialResult r =
                run_trial(0, args, train.view, small_test, nullptr, 1, "", &spec.device, blob_path);
            REQUIRE_MESSAGE(r.status == "ok", r.reason);
            REQUIRE(r.deployment.present);
            const Footprint& f = r.deployment.footprint;
            CHECK(f.blob == planned.blob);
            CHECK(f.arena == planned.arena);
            CHECK(f.macs == planned.macs);
            CHECK(f.flash() == planned.flash());
            CHECK(f.ram() == planned.ram());
            CHECK(f.input == 784);
            // int8 exports of these (folded: no batch norm left) link the int8-only build.
            const DeviceProfile& profile = *spec.device.profile;
            CHECK(f.code == (variant == "int8" ? profile.int8_only_code_bytes : profile.code_bytes));
            CHECK(planned.code == f.code);
            // The kept blob is that size, loads in that arena, and scores what the trial says.
            std::vector<uint8_t> blob;
            REQUIRE(read_file(blob_path, blob, nullptr) == Status::Ok);
            CHECK(blob.size() == f.blob);
            size_t arena = 0;
            REQUIRE(fnn_arena_bytes(blob.data(), blob.size(), &arena) == FNN_OK);
            CHECK(arena == f.arena);
            CHECK(blob_accuracy(blob, small_test, 0, small_test.count()) == r.test_acc);
            // The metric is the shipped model's on the trainer's validation samples (the last 10 %
            // of the 1,200 it was given), not its fp32 parent's.
            CHECK(trial_metric("val_acc", r) == r.val_acc);
            CHECK(r.val_acc == blob_accuracy(blob, train.view, 1080, 120));
            CHECK(r.deployment.parent_val_acc == r.epochs.back().val_acc);
        }
    }
}

TEST_CASE("sweep device: searches propose feasible configurations only") {
    SweepSpec spec;
    std::string error;
    REQUIRE(parse_sweep_spec("method: grid\nparameters:\n  hidden_size: {values: [8, 16, 32, 64, "
                             "128, 256]}\n  learning_rate: {values: [0.1, 0.01, 0.001]}\n",
                             "g.yaml", spec, error));
    // "Fits" when the width is at most 32: 9 of the 18 configurations.
    int asked = 0;
    const Feasible small = [&asked](const Assignment& a) {
        ++asked;
        return std::stoi(a[0]) <= 32;
    };
    const std::vector<Assignment> grid = planned_assignments(spec, 18, 7, small);
    CHECK(grid.size() == 9);
    for (const Assignment& a : grid) CHECK(std::stoi(a[0]) <= 32);
    spec.method = SweepMethod::Random;
    const std::vector<Assignment> random = planned_assignments(spec, 6, 7, small);
    CHECK(random.size() == 6);
    for (const Assignment& a : random) CHECK(std::stoi(a[0]) <= 32);
    // Asking for more than fit gives what fits, each once.
    CHECK(planned_assignments(spec, 12, 7, small).size() == 9);
    spec.method = SweepMethod::Bayes;
    std::vector<Observation> history;
    std::vector<Assignment> taken;
    for (int i = 0; i < 12; ++i) {
        const Assignment a{std::to_string(8 << (i % 3)), i % 2 ? "0.1" : "0.01"};
        history.push_back({a, 0.1 * (i % 3)});
        taken.push_back(a);
    }
    const std::vector<Assignment> proposed = propose_bayes(spec, history, taken, 3, 7, 2, small);
    CHECK(proposed.size() == 3);
    for (const Assignment& a : proposed) CHECK(std::stoi(a[0]) <= 32);
    // Nothing fits: no proposal at all, never a configuration over budget.
    const Feasible none = [](const Assignment&) { return false; };
    CHECK(propose_bayes(spec, history, taken, 3, 7, 2, none).empty());
    spec.method = SweepMethod::Random;
    CHECK(planned_assignments(spec, 4, 7, none).empty());
    CHECK(asked > 0);
}

TEST_CASE("sweep device: candidates over budget are recorded, never trained, and survive kill -9 "
          "and resume") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, kTwoArchs);
    const std::string sweep = dir + "/s";
    // Killed as soon as its first trial is recorded; the over-budget records come before it.
    run("{ ./fnn sweep " + spec + " --out " + sweep + " > /dev/null 2>&1 & pid=$!; " +
        "for i in $(seq 1 600); do grep -q '\"status\":\"ok\"' " + sweep +
        "/journal.jsonl 2>/dev/null && break; sleep 0.05; done; kill -9 $pid; wait $pid; }");
    JournalRead read;
    std::string error;
    REQUIRE(read_journal(sweep + "/journal.jsonl", read, error));
    REQUIRE(read.infeasible.size() == 2);
    for (const TrialResult& r : read.infeasible) {
        CHECK(r.trial == -1);
        CHECK(r.epochs.empty());  // never trained
        CHECK(contains(r.reason, "RAM"));
        CHECK(r.deployment.footprint.ram() > 16384);
        CHECK(r.args[1] == "conv32k3psame,relu,conv32k3psame,relu,pool2");
    }
    const CommandResult resumed = run("./fnn sweep --resume " + sweep);
    REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
    CHECK(contains(resumed.output, "only 2 configurations fit the device (2 over budget): 2 trials"));
    const std::string journal = read_text(sweep + "/journal.jsonl");
    CHECK(count_lines_with(journal, "\"status\":\"infeasible\"") == 2);  // not recorded twice
    REQUIRE(read_journal(sweep + "/journal.jsonl", read, error));
    REQUIRE(read.trials.size() == 2);
    for (const TrialResult& r : read.trials) {
        CHECK(r.args[1] == "dense16,relu");
        CHECK(r.deployment.present);
        CHECK(r.deployment.footprint.ram() <= 16384);
        CHECK(file_exists(sweep + "/deploy/trial-0000" + std::to_string(r.trial) + ".fnn"));
    }
    // The summary shows the budget, the infeasible records and the front with the chosen trial.
    const CommandResult summary = run("./fnn sweep --summary " + sweep);
    REQUIRE(summary.exit_code == 0);
    CHECK(contains(summary.output, "device: cortex-m0"));
    CHECK(contains(summary.output, "2 candidate configurations over budget, recorded and never trained"));
    CHECK(contains(summary.output, "<- chosen (fnn sweep --export)"));
    // The report page has the device section.
    REQUIRE(run("./fnn report " + sweep + " -o " + dir + "/report.html").exit_code == 0);
    CHECK(contains(read_text(dir + "/report.html"), "Device: accuracy against flash and RAM"));
}

TEST_CASE("sweep device: --plan and --export refuse what they cannot do, writing nothing") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, kTwoArchs);
    CommandResult r = run("./fnn sweep " + spec + " --plan --out " + dir + "/planned");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "--plan runs trials as separate fnn train commands"));
    CHECK_FALSE(file_exists(dir + "/planned"));
    r = run("./fnn sweep --export " + dir + "/nothing");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "--export DIR needs --out FIRMWARE_DIR"));
    // A sweep without a device section has nothing to export.
    const std::string plain = dir + "/plain.yaml";
    REQUIRE(write_file_atomic(plain, kHead + "parameters:\n  hidden_size: {values: [16]}\n  "
                                             "epochs: {value: 1}\n  limit_train: {value: 500}\n",
                              nullptr) == Status::Ok);
    REQUIRE(run("./fnn sweep " + plain + " --out " + dir + "/p").exit_code == 0);
    r = run("./fnn sweep --export " + dir + "/p --out " + dir + "/fw");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "has no device: section"));
    CHECK_FALSE(file_exists(dir + "/fw"));
}
