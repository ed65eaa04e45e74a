// Finding and loading the converted datasets the CLI trains and evaluates on.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "fnn/dataset.hpp"

namespace fnn {

// Dataset names the CLI knows, as `make` names their files: data/<name>-train.fnnd, -test.fnnd.
const std::vector<std::string>& known_datasets();

// The running fnn executable's path (argv0 when /proc/self/exe cannot be read).
std::string executable_path(const char* argv0);

// --data_dir if given, else $FNN_DATA_DIR, else data/ next to the fnn executable (a source
// tree), else ../share/fnn/data from it (an installed copy), else ./data.
std::string resolve_data_dir(const std::string& flag_value, const char* argv0);

// A dataset blob read into memory and validated.
struct LoadedDataset {
    std::string path;
    std::vector<uint8_t> bytes;
    Dataset view;
};

// Loads <dir>/<name>-<split>.fnnd. On failure `error` says what went wrong and, for a missing
// file, how to make it.
bool load_dataset(const std::string& dir, const std::string& name, const std::string& split,
                  LoadedDataset& out, std::string& error);

// Loads a dataset blob from an explicit path.
bool load_dataset_file(const std::string& path, LoadedDataset& out, std::string& error);

}  // namespace fnn
