// Loading model blobs for the CLI.
#include "cli_model.hpp"

#include "cli_json.hpp"
#include "fnn/file_io.hpp"

namespace fnn {

bool LoadedModel::probabilities(const uint8_t* sample, float* out) const {
    return fnn_run_u8(model, sample, inputs(), out, classes()) == FNN_OK;
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
    char message[128];
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
    return true;
}

std::string model_dataset(const std::string& model_path) {
    const size_t slash = model_path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : model_path.substr(0, slash);
    std::vector<uint8_t> bytes;
    JsonValue config;
    std::string error;
    if (read_file(dir + "/config.json", bytes, nullptr) == Status::Ok &&
        parse_json(std::string(bytes.begin(), bytes.end()), config, error)) {
        return config.text_or("dataset", "fashion_mnist");
    }
    return "fashion_mnist";
}

}  // namespace fnn
