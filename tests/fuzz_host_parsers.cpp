// libFuzzer target for the host's parsers of untrusted files (make fuzz): IDX, dataset blobs,
// CIFAR-10 batches, sweep YAML, JSON, sweep journal lines, model blobs decoded for the trainer
// (what fnnpack model does) and metrics.csv (what fnn report reads). The first input byte picks the
// parser, the rest is the file. Besides not crashing, what a parser accepts must be usable:
// every byte it points at lies inside the input, and JSON reads back the same after a round trip.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_run_files.hpp"
#include "cli/sweep/cli_sweep_search.hpp"
#include "cli/sweep/cli_sweep_spec.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/cifar.hpp"
#include "fnn/crc32.hpp"
#include "fnn/dataset.hpp"
#include "fnn/blob.hpp"
#include "fnn/idx.hpp"
#include "fnn/network.hpp"

namespace {

void require(bool ok) {
    if (!ok) __builtin_trap();
}

// Sums the bytes so that reading past the input would be caught by AddressSanitizer.
unsigned touch(const uint8_t* p, size_t n) {
    unsigned sum = 0;
    for (size_t i = 0; i < n; ++i) sum += p[i];
    return sum;
}

void fuzz_idx(const std::vector<uint8_t>& file) {
    fnn::IdxArray idx;
    if (fnn::parse_idx(file.data(), file.size(), "fuzz", idx, nullptr) != fnn::Status::Ok) return;
    size_t product = 1;
    for (int d = 0; d < idx.ndim; ++d) product *= idx.dims[d];
    require(idx.ndim >= 1 && idx.ndim <= fnn::kIdxMaxDims && product == idx.count);
    touch(idx.data, idx.count);
}

// Blobs end in a CRC-32 of the bytes before it: writes a valid one so that the checks behind the
// CRC are reached too. False when there is no room for it.
bool fix_crc(std::vector<uint8_t>& file) {
    if (file.size() < 4) return false;
    fnn::store_u32le(file.data() + file.size() - 4, fnn::crc32(0, file.data(), file.size() - 4));
    return true;
}

void fuzz_dataset(std::vector<uint8_t> file) {
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1 && !fix_crc(file)) return;
        fnn::Dataset d;
        if (fnn::parse_dataset_blob(file.data(), file.size(), "fuzz", d, nullptr) !=
            fnn::Status::Ok)
            continue;
        const size_t pixels = static_cast<size_t>(d.count()) * d.features();
        touch(d.pixels, pixels);
        for (int i = 0; i < d.count(); ++i) require(d.labels[i] < d.header.classes);
        touch(reinterpret_cast<const uint8_t*>(d.names), d.header.names_bytes);
    }
}

void fuzz_cifar(const std::vector<uint8_t>& file) {
    size_t count = 0;
    if (fnn::check_cifar10_batch(file.data(), file.size(), "fuzz", count, nullptr) !=
        fnn::Status::Ok)
        return;
    std::vector<uint8_t> pixels(count * fnn::kCifarPixels), labels(count);
    fnn::unpack_cifar10_batch(file.data(), count, pixels.data(), labels.data());
    for (uint8_t label : labels) require(label < fnn::kCifarClasses);
}

void fuzz_sweep_yaml(const std::string& text) {
    fnn::SweepSpec spec;
    std::string error;
    if (!fnn::parse_sweep_spec(text, "fuzz.yaml", spec, error)) {
        require(!error.empty());
        return;
    }
    const long trials = fnn::sweep_trial_count(spec);
    require(trials >= 0 && trials <= fnn::kMaxSweepTrials);
    if (trials <= 64 && fnn::discrete_space_size(spec) <= 1e5) {  // quick enough to plan
        const std::vector<fnn::Assignment> planned = fnn::planned_assignments(spec, trials, 7);
        require(static_cast<long>(planned.size()) == trials);
    }
}

void fuzz_json(const std::string& text) {
    fnn::JsonValue value;
    std::string error;
    if (!fnn::parse_json(text, value, error)) {
        require(!error.empty());
        return;
    }
    const std::string encoded = fnn::json_encode(value);
    fnn::JsonValue again;
    require(fnn::parse_json(encoded, again, error));
    require(fnn::json_encode(again) == encoded);
}

void fuzz_journal_line(const std::string& line) {
    fnn::TrialResult trial;
    std::string error;
    if (!fnn::trial_from_json(line, trial, error)) {
        require(!error.empty());
        return;
    }
    fnn::TrialResult again;
    require(fnn::trial_from_json(fnn::trial_to_json(trial), again, error));
}

void fuzz_model_decode(std::vector<uint8_t> file) {
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1 && !fix_crc(file)) return;
        fnn::ModelBlob blob;
        fnn::NetworkShape shape;
        if (fnn::parse_model_blob(file.data(), file.size(), blob, nullptr) != fnn::Status::Ok ||
            fnn::network_from_blob(blob, shape, nullptr) != fnn::Status::Ok)
            continue;
        std::vector<float> params(shape.n_params), state(shape.n_state);
        fnn::params_from_blob(blob, shape, params.data(), state.data());
    }
}

void fuzz_metrics_csv(const std::string& text) {
    std::vector<fnn::EpochMetrics> epochs;
    std::string error;
    if (!fnn::parse_metrics_csv(text, epochs, error)) require(!error.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::vector<uint8_t> file(data + 1, data + size);
    const std::string text(file.begin(), file.end());
    switch (data[0] % 8) {
        case 0: fuzz_idx(file); break;
        case 1: fuzz_dataset(file); break;
        case 2: fuzz_cifar(file); break;
        case 3: fuzz_sweep_yaml(text); break;
        case 4: fuzz_json(text); break;
        case 5: fuzz_journal_line(text); break;
        case 6: fuzz_model_decode(file); break;
        case 7: fuzz_metrics_csv(text); break;
    }
    return 0;
}
