// Loading model blobs for the CLI.
#include "cli/cli_model.hpp"

#include <sys/stat.h>

#include "base/class_names.hpp"
#include "cli/cli_arch.hpp"
#include "cli/cli_json.hpp"
#include "fnn/activation.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"
#include "fnn/network.hpp"

namespace fnn {

bool HostModel::init(DecodedModel model, std::string& error) {
    model_ = std::move(model);
    const NetworkShape& shape = model_.shape;
    const size_t net = arena_buffer_bytes(Network::bytes(shape, 1, 1));
    const size_t work = arena_buffer_bytes(Network::scratch_bytes(shape, 1));
    memory_.assign(net + work, 0);
    persistent_ = Arena(memory_.data(), net);
    scratch_ = Arena(memory_.data() + net, work);
    ErrorText err;
    if (network_.init(shape, 1, 1, persistent_, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    std::copy(model_.params.begin(), model_.params.end(), network_.params());
    std::copy(model_.state.begin(), model_.state.end(), network_.state());
    x_.assign(static_cast<size_t>(shape.n_in()), 0.0f);
    return true;
}

ConstMatView HostModel::forward(const uint8_t* sample) {
    const float divisor = model_.blob.header.meta.input_divisor;
    for (size_t k = 0; k < x_.size(); ++k) x_[k] = static_cast<float>(sample[k]) / divisor;
    const int n = static_cast<int>(x_.size());
    const size_t mark = scratch_.mark();
    const ConstMatView logits = network_.forward(ConstMatView{x_.data(), 1, n, n}, scratch_,
                                                 GemmArithmetic::Reproducible, false);
    scratch_.rewind(mark);
    return logits;
}

bool HostModel::probabilities(const uint8_t* sample, float* out) {
    const ConstMatView logits = forward(sample);
    bool finite = true;
    for (int j = 0; j < logits.cols; ++j) {
        out[j] = logits.at(0, j);
        finite = finite && out[j] - out[j] == 0.0f;
    }
    if (!finite) return false;
    softmax_rows(MatView{out, 1, logits.cols, logits.cols});
    return true;
}

namespace {

// The class names a validated header carries (empty when none).
std::vector<std::string> class_names_of(const ModelHeader& header) {
    std::vector<std::string> names;
    for (int k = 0; header.meta.names != nullptr && k < header.n_classes; ++k) {
        size_t length = 0;
        const char* name = class_name_at(header.meta.names, k, length);
        names.emplace_back(name, length);
    }
    return names;
}

// Float-weight models with layers beyond dense ones run on the trainer's network: batched GEMM
// instead of one dot product per output position, the same bits by the arithmetic contract
// (tests compare the two). Dense models and int8 weights (whose arithmetic only the inference
// library has) run in the inference library.
bool uses_host(const std::vector<uint8_t>& blob) {
    ModelBlob m;
    if (parse_model_blob(blob.data(), blob.size(), m, nullptr) != Status::Ok) return false;
    if (m.header.weight_type == WeightType::Int8) return false;
    for (int l = 0; l < m.header.n_layers; ++l) {
        const LayerKind kind = m.layers[l].desc.kind;
        if (kind != LayerKind::Dense && kind != LayerKind::Dropout) return true;
    }
    return false;
}

}  // namespace

bool LoadedModel::probabilities(const uint8_t* sample, float* out) const {
    if (host != nullptr) return host->probabilities(sample, out);
    return fnn_run_u8(model, sample, inputs(), out, classes()) == FNN_OK;
}

bool decode_model(const std::vector<uint8_t>& bytes, const std::string& path, DecodedModel& out,
                  std::string& error) {
    ErrorText err;
    if (parse_model_blob(bytes.data(), bytes.size(), out.blob, &err) != Status::Ok ||
        network_from_blob(out.blob, out.shape, &err) != Status::Ok) {
        error = path + ": " + err.text;
        return false;
    }
    out.params.assign(out.shape.n_params, 0.0f);
    out.state.assign(out.shape.n_state, 0.0f);
    params_from_blob(out.blob, out.shape, out.params.data(), out.state.data());
    return true;
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
    return open_model(out, error);
}

bool copy_model(const LoadedModel& model, LoadedModel& out, std::string& error) {
    out.path = model.path;
    out.blob = model.blob;
    return open_model(out, error);
}

bool open_model(LoadedModel& out, std::string& error) {
    ErrorText err;
    const std::string& path = out.path;
    if (parse_model_header(out.blob.data(), out.blob.size(), out.header, &err) != Status::Ok) {
        error = path + ": " + err.text;
        return false;
    }
    char message[512];
    size_t need = 0;
    out.model = nullptr;
    out.host.reset();
    const fnn_status checked = fnn_check_blob(out.blob.data(), out.blob.size(), message, sizeof message);
    if (checked == FNN_OK && uses_host(out.blob)) {
        auto host = std::make_shared<HostModel>();
        DecodedModel decoded;
        if (!decode_model(out.blob, path, decoded, error) || !host->init(std::move(decoded), error))
            return false;
        out.host = host;
        out.names = class_names_of(out.header);
        return true;
    }
    if (checked != FNN_OK || fnn_arena_bytes(out.blob.data(), out.blob.size(), &need) != FNN_OK) {
        error = path + ": " + message;
        return false;
    }
    out.arena.assign(need, 0);
    if (fnn_load(out.blob.data(), out.blob.size(), out.arena.data(), out.arena.size(),
                 &out.model) != FNN_OK) {
        error = path + ": cannot load the model";
        return false;
    }
    out.names = class_names_of(out.header);
    return true;
}

namespace {

std::string describe(const NetworkShape& s) {
    if (!s.is_mlp()) return "--arch " + architecture_string(s);
    std::string text = std::to_string(s.n_in());
    for (int l = 0; l < s.n_layers; ++l) text += "-" + std::to_string(s.layers[l].n_out);
    if (s.n_layers > 1) text += std::string(" ") + activation_name(s.layers[0].act);
    return text;
}

// The first difference between two planned networks' layers, "" when they hold the same
// parameters the same way.
std::string first_difference(const NetworkShape& theirs, const NetworkShape& ours) {
    if (theirs.n_in() != ours.n_in()) {
        return std::to_string(theirs.n_in()) + " inputs there, " + std::to_string(ours.n_in()) +
               " here";
    }
    for (int l = 0; l < ours.n_layers && l < theirs.n_layers; ++l) {
        const LayerDesc& a = theirs.layers[l];
        const LayerDesc& b = ours.layers[l];
        const std::string where = "layer " + std::to_string(l + 1) + " ";
        if (a.kind != b.kind) {
            return where + "is " + layer_kind_name(a.kind) + " there, " + layer_kind_name(b.kind) +
                   " here";
        }
        if (a.out.size() != b.out.size() || a.out.c != b.out.c) {
            return where + "has " + std::to_string(a.n_out) + " outputs there, " +
                   std::to_string(b.n_out) + " here";
        }
        if (a.w_rows != b.w_rows || a.kh != b.kh || a.kw != b.kw) {
            return where + "has " + std::to_string(a.w_rows) + " x " + std::to_string(a.w_cols) +
                   " weights there, " + std::to_string(b.w_rows) + " x " +
                   std::to_string(b.w_cols) + " here";
        }
        if (a.act != b.act) {
            return std::string("activation ") + activation_name(a.act) + " there, " +
                   activation_name(b.act) + " here";
        }
    }
    if (theirs.n_layers != ours.n_layers) {
        return std::to_string(theirs.n_layers) + " layers there, " +
               std::to_string(ours.n_layers) + " here";
    }
    return "";
}

}  // namespace

bool read_parameters(const std::string& path, const NetworkShape& shape, std::vector<float>& params,
                     std::vector<float>& state, std::string& error) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    DecodedModel model;
    if (read_file(path, bytes, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    if (!decode_model(bytes, path, model, error)) return false;
    const std::string differs = first_difference(model.shape, shape);
    if (!differs.empty()) {
        error = path + " is " + describe(model.shape) + ", this run builds " + describe(shape) +
                ": " + differs + " (--arch, or -nhl, -sz and -a, must match the model)";
        return false;
    }
    // Same layers, so the same layout: the parameters transfer as they are.
    params = model.params;
    state = model.state;
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
