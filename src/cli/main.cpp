// fnn command-line entry: dispatches to the subcommands.
#include <stdio.h>
#include <string.h>

#include "cli/cli_eval.hpp"
#include "cli/report/cli_report.hpp"
#include "cli/sweep/cli_sweep.hpp"
#include "cli/cli_train.hpp"
#include "fnn/blob.hpp"
#include "fnn/dataset.hpp"
#include "fnn/version.h"

namespace {

void print_usage(FILE* out) {
    fputs(
        "usage: fnn <command> [flags]\n"
        "\n"
        "commands:\n"
        "  train     train a multilayer perceptron (fnn train --help for flags)\n"
        "  sweep     search hyperparameters (fnn sweep --help)\n"
        "  eval      accuracy, loss, confusion matrix and per-class metrics of a model\n"
        "  predict   class predictions of a model as CSV\n"
        "  report    a run's or a sweep's results as text or one HTML page\n"
        "  --version print fnn's version\n"
        "\n"
        "`make && ./fnn train` trains on Fashion-MNIST with the default settings.\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char* command = argv[1];
    if (strcmp(command, "train") == 0) return fnn::cmd_train(argc, argv);
    if (strcmp(command, "sweep") == 0) return fnn::cmd_sweep(argc, argv);
    if (strcmp(command, "eval") == 0) return fnn::cmd_eval(argc, argv);
    if (strcmp(command, "predict") == 0) return fnn::cmd_predict(argc, argv);
    if (strcmp(command, "report") == 0) return fnn::cmd_report(argc, argv);
    if (strcmp(command, "--version") == 0 || strcmp(command, "version") == 0) {
        printf("fnn %s (model files version %u, dataset files version %u)\n", FNN_VERSION,
               static_cast<unsigned>(fnn::kModelVersion), static_cast<unsigned>(fnn::kDatasetVersion));
        return 0;
    }
    if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0 ||
        strcmp(command, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    fprintf(stderr,
            "fnn: unknown command '%s'; valid commands: train, sweep, eval, predict, report\n",
            command);
    return 2;
}
