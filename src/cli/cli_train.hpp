// `fnn train`: data loading, the training run with its console output, and the run directory.
// Its flags are in cli_train_options.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "cli/cli_train_options.hpp"

namespace fnn {

// Exit status: 0 trained, 1 failed (missing data, I/O error, diverged), 2 bad usage.
int cmd_train(int argc, char** argv);

}  // namespace fnn
