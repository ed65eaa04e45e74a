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

// Reads and validates a model blob; `error` names the file and the problem.
bool load_model(const std::string& path, LoadedModel& out, std::string& error);

// The dataset a model in a run directory was trained on (its config.json), else "fashion_mnist".
std::string model_dataset(const std::string& model_path);

}  // namespace fnn
