// `fnn sweep`: hyperparameter search from a W&B-style sweep file (cli_sweep_spec.hpp), with
// resume, plan/collect for other machines, summaries, comparisons and transfer.
#pragma once

namespace fnn {

// Exit status: 0 done, 1 failed (a trial could not be recorded, missing data...), 2 bad usage.
int cmd_sweep(int argc, char** argv);

}  // namespace fnn
