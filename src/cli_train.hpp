// `fnn train`: flags -> TrainConfig, data loading, the training run with its console output,
// and the run directory.
#pragma once

namespace fnn {

// Exit status: 0 trained, 1 failed (missing data, I/O error, diverged), 2 bad usage.
int cmd_train(int argc, char** argv);

}  // namespace fnn
