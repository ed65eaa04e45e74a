// A model blob loaded for the CLI (eval, predict, report) through the inference library, so the
// numbers these commands print are the ones an embedded copy of the model produces.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "fnn/blob.hpp"
#include "fnn/fnn.h"

namespace fnn {

struct LoadedModel {
    std::string path;
    std::vector<uint8_t> blob;
    std::vector<unsigned char> arena;
    fnn_model* model = nullptr;
    ModelHeader header;

    size_t inputs() const { return fnn_input_size(model); }
    size_t classes() const { return fnn_output_size(model); }
    // Class probabilities of one sample of raw uint8 features; false if the model overflowed.
    bool probabilities(const uint8_t* sample, float* out) const;
};

// The model file a command was given: `arg` itself, or for a run directory its model.fnn
// (best.fnn with `best`). False, saying why, when there is none yet.
bool model_path_of(const std::string& arg, bool best, std::string& path, std::string& error);

// Reads and validates a model blob; `error` names the file and the problem.
bool load_model(const std::string& path, LoadedModel& out, std::string& error);

// The dataset a model in a run directory was trained on (its config.json), else "fashion_mnist".
std::string model_dataset(const std::string& model_path);

// Decodes the model at `path` into parameters laid out by `shape` (fnn train --init). False,
// naming what differs, when the model's architecture is not `shape`'s.
bool read_parameters(const std::string& path, const NetworkShape& shape, std::vector<float>& out,
                     std::string& error);

}  // namespace fnn
