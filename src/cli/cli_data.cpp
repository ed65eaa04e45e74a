// Dataset lookup and loading for the CLI, with messages that say how to get missing data.
#include "cli/cli_data.hpp"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "fnn/file_io.hpp"

namespace fnn {

const std::vector<std::string>& known_datasets() {
    static const std::vector<std::string> names{"fashion_mnist", "mnist", "cifar10"};
    return names;
}

std::string executable_path(const char* argv0) {
    char exe[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    return n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string(argv0 ? argv0 : "");
}

std::string resolve_data_dir(const std::string& flag_value, const char* argv0) {
    if (!flag_value.empty()) return flag_value;
    if (const char* env = getenv("FNN_DATA_DIR")) {
        if (*env != '\0') return env;
    }
    const std::string path = executable_path(argv0);
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos) {
        const std::string dir = path.substr(0, slash);
        if (file_exists(dir + "/data")) return dir + "/data";  // the source tree
        if (file_exists(dir + "/../share/fnn/data"))
            return dir + "/../share/fnn/data";  // make install
    }
    return "data";
}

bool load_dataset_file(const std::string& path, LoadedDataset& out, std::string& error) {
    ErrorText err;
    out.path = path;
    if (read_file(path, out.bytes, &err) != Status::Ok ||
        parse_dataset_blob(out.bytes.data(), out.bytes.size(), path.c_str(), out.view, &err) !=
            Status::Ok) {
        error = err.text;
        return false;
    }
    return true;
}

bool load_dataset(const std::string& dir, const std::string& name, const std::string& split,
                  LoadedDataset& out, std::string& error) {
    const std::string path = dir + "/" + name + "-" + split + ".fnnd";
    if (!file_exists(path)) {
        const std::string how = name == "fashion_mnist" ? "run `make data` in the fnn source tree"
                                : name == "mnist" ? "run `make data-mnist` in the fnn source tree"
                                                  : "convert it with fnnpack (see README)";
        error = path + " not found: " + how + ", or point --data_dir at the converted files";
        return false;
    }
    return load_dataset_file(path, out, error);
}

}  // namespace fnn
