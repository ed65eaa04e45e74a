// Loading model blobs for the CLI.
#include "cli/cli_model.hpp"

#include <sys/stat.h>

#include "cli/cli_json.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"

namespace fnn {

bool LoadedModel::probabilities(const uint8_t* sample, float* out) const {
    return fnn_run_u8(model, sample, inputs(), out, classes()) == FNN_OK;
}

bool model_path_of(const std::string& arg, bool best, std::string& path, std::string& error) {
    struct stat st;
    if (stat(arg.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        path = arg;
        return true;
    }
    path = arg + (best ? "/best.fnn" : "/model.fnn");
    if (!file_exists(path)) {
        error = file_exists(arg + "/config.json")
                    ? arg + " has no " + (best ? "best.fnn" : "model.fnn") +
                          " yet: the run has not finished its first epoch"
                    : arg + " is not a run directory (no config.json or model.fnn)";
        return false;
    }
    return true;
}

bool load_model(const std::string& path, LoadedModel& out, std::string& error) {
    ErrorText err;
    out.path = path;
    if (read_file(path, out.blob, &err) != Status::Ok) {
        error = err.text;  // names the file already
        return false;
    }
    if (parse_model_header(out.blob.data(), out.blob.size(), out.header, &err) != Status::Ok) {
        error = path + ": " + err.text;
        return false;
    }
    char message[512];
    size_t need = 0;
    if (fnn_check_blob(out.blob.data(), out.blob.size(), message, sizeof message) != FNN_OK ||
        fnn_arena_bytes(out.blob.data(), out.blob.size(), &need) != FNN_OK) {
        error = path + ": " + message;
        return false;
    }
    out.arena.assign(need, 0);
    if (fnn_load(out.blob.data(), out.blob.size(), out.arena.data(), out.arena.size(),
                 &out.model) != FNN_OK) {
        error = path + ": cannot load the model";
        return false;
    }
    out.names.clear();
    char name[256];
    for (size_t k = 0; k < out.classes() && fnn_class_name(out.model, k, name, sizeof name) == FNN_OK;
         ++k)
        out.names.push_back(name);
    if (out.names.size() != out.classes()) out.names.clear();
    return true;
}

namespace {

std::string describe(const NetworkShape& s) {
    std::string text = std::to_string(s.n_in());
    for (int l = 0; l < s.n_layers; ++l) text += "-" + std::to_string(s.layers[l].n_out);
    if (s.n_layers > 1) text += std::string(" ") + activation_name(s.layers[0].act);
    return text;
}

}  // namespace

bool read_parameters(const std::string& path, const NetworkShape& shape, std::vector<float>& out,
                     std::string& error) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    ModelBlob blob;
    NetworkSpec spec;
    NetworkShape theirs;
    if (read_file(path, bytes, &err) != Status::Ok ||
        parse_model_blob(bytes.data(), bytes.size(), blob, &err) != Status::Ok ||
        network_spec_from_blob(blob, spec, &err) != Status::Ok ||
        plan_network(spec, theirs, &err) != Status::Ok) {
        error = path + ": " + err.text;
        return false;
    }
    std::string differs;
    if (theirs.n_layers != shape.n_layers) {
        differs = std::to_string(theirs.n_layers - 1) + " hidden layers there, " +
                  std::to_string(shape.n_layers - 1) + " here";
    } else if (theirs.n_in() != shape.n_in()) {
        differs = std::to_string(theirs.n_in()) + " inputs there, " +
                  std::to_string(shape.n_in()) + " here";
    } else {
        for (int l = 0; l < shape.n_layers && differs.empty(); ++l) {
            if (theirs.layers[l].n_out != shape.layers[l].n_out) {
                differs = "layer " + std::to_string(l + 1) + " has " +
                          std::to_string(theirs.layers[l].n_out) + " outputs there, " +
                          std::to_string(shape.layers[l].n_out) + " here";
            } else if (theirs.layers[l].act != shape.layers[l].act) {
                differs = std::string("activation ") + activation_name(theirs.layers[l].act) +
                          " there, " + activation_name(shape.layers[l].act) + " here";
            }
        }
    }
    if (!differs.empty()) {
        error = path + " is " + describe(theirs) + ", this run builds " + describe(shape) + ": " +
                differs + " (the -nhl, -sz and -a flags must match the model)";
        return false;
    }
    out.assign(shape.n_params, 0.0f);
    params_from_blob(blob, shape, out.data());
    return true;
}

ModelOrigin model_origin(const std::string& model_path) {
    const size_t slash = model_path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : model_path.substr(0, slash);
    std::vector<uint8_t> bytes;
    JsonValue config;
    std::string error;
    ModelOrigin origin;
    if (read_file(dir + "/config.json", bytes, nullptr) == Status::Ok &&
        parse_json(std::string(bytes.begin(), bytes.end()), config, error)) {
        origin.dataset = config.text_or("dataset", origin.dataset);
        const double fraction = config.number_or("val_fraction", origin.val_fraction);
        if (fraction >= 0 && fraction <= 0.5) origin.val_fraction = fraction;
        const JsonValue* limit = config.find("limit_train");
        if (is_whole_number_in(limit, 0, kMaxSamples)) origin.limit_train = static_cast<long>(limit->number);
    }
    return origin;
}

}  // namespace fnn
