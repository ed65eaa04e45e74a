// A model blob loaded for the CLI (eval, predict, report), so the numbers these commands print
// are the ones an embedded copy of the model produces: dense models and int8 weights through
// the inference library; float-weight CNNs on the trainer's network in evaluation mode with
// reproducible arithmetic (batched GEMM, much faster than the library's one dot product per
// output position, and the same bits by the arithmetic contract in blob.hpp; tests compare).
#pragma once

#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "fnn/blob.hpp"
#include "fnn/fnn.h"
#include "fnn/network.hpp"

namespace fnn {

// A model blob decoded into the trainer's network description and parameters.
struct DecodedModel {
    ModelBlob blob;
    NetworkShape shape;
    std::vector<float> params;
    std::vector<float> state;  // batch norm running statistics
};
// `bytes` is a model blob read from `path` (named in `error`).
bool decode_model(const std::vector<uint8_t>& bytes, const std::string& path, DecodedModel& out,
                  std::string& error);

// A decoded model on the trainer's network, one sample at a time in evaluation mode (batch norm
// on its running statistics, no dropout) with the inference library's arithmetic: reproducible
// GEMM, then softmax. For models the library does not run yet, and to look inside a model.
class HostModel {
public:
    // Takes the model and carves the network; false, saying why, when it cannot.
    bool init(DecodedModel model, std::string& error);
    // One sample of raw features (each divided by the model's input divisor): the logits. Every
    // layer's output stays readable in network().layer_output(l, 1) until the next call.
    ConstMatView forward(const uint8_t* sample);
    // Class probabilities; false if the model overflowed.
    bool probabilities(const uint8_t* sample, float* out);
    const DecodedModel& model() const { return model_; }
    const Network& network() const { return network_; }

private:
    DecodedModel model_;
    std::vector<unsigned char> memory_;
    Arena persistent_, scratch_;
    Network network_;
    std::vector<float> x_;
};

struct LoadedModel {
    std::string path;
    std::vector<uint8_t> blob;
    std::vector<unsigned char> arena;
    fnn_model* model = nullptr;        // null when `host` runs the model
    std::shared_ptr<HostModel> host;   // shared: LoadedModel is copied, the network is not
    ModelHeader header;
    std::vector<std::string> names;  // the blob's class names; empty when it carries none

    size_t inputs() const { return static_cast<size_t>(header.n_in); }
    size_t classes() const { return static_cast<size_t>(header.n_classes); }
    // Class probabilities of one sample of raw uint8 features; false if the model overflowed.
    bool probabilities(const uint8_t* sample, float* out) const;
};

// The model file a command was given: `arg` itself, or for a run directory its model.fnn
// (best.fnn with `best`). False, saying why, when there is none yet.
bool model_path_of(const std::string& arg, bool best, std::string& path, std::string& error);

// Reads and validates a model blob; `error` names the file and the problem.
bool load_model(const std::string& path, LoadedModel& out, std::string& error);
// Validates and opens out.blob (read from out.path): what load_model does after reading.
bool open_model(LoadedModel& out, std::string& error);
// A second, independent instance of a loaded model (its own arena or network), for another
// thread: one instance runs one sample at a time.
bool copy_model(const LoadedModel& model, LoadedModel& out, std::string& error);

// What a model in a run directory was trained on, from the run's config.json: the dataset and
// how its training file was split. Defaults (fashion_mnist, 0.1, all) for a model elsewhere.
struct ModelOrigin {
    std::string dataset = "fashion_mnist";
    double val_fraction = 0.1;
    long limit_train = 0;  // the run used only the first N training samples (0: all)
};
ModelOrigin model_origin(const std::string& model_path);

// Decodes the model at `path` into parameters and batch norm statistics laid out by `shape` (fnn
// train --init). False, naming what differs, when the model's architecture is not `shape`'s.
bool read_parameters(const std::string& path, const NetworkShape& shape, std::vector<float>& params,
                     std::vector<float>& state, std::string& error);


}  // namespace fnn
