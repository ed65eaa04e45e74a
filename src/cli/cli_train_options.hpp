// fnn train's flags and the settings they make (shared with sweeps, which express every trial
// as fnn train flags).
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "cli/cli_flags.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

// Everything `fnn train` reads from its flags. The defaults reach 89.4-89.7 % test accuracy on
// Fashion-MNIST in about 30 s here (seeds 1-4; README "Quick start").
struct TrainOptions {
    TrainConfig config = default_config();
    std::string dataset = "fashion_mnist";
    std::string data_dir;
    std::string out_dir;
    long num_layers = 1;
    std::vector<int> widths{512};
    long limit_train = 0;  // use only the first N training samples (0: all)
    std::string journal;   // also append the run as one JSON line to this file (sweeps)
    long trial = -1;       // the trial id written into that line
    bool quiet = false;
    bool overwrite = false;          // --out may already hold a run, which is replaced
    std::string init_model;          // --init: start from this model's parameters
    std::string arch;                // --arch: layers (cli_arch.hpp); empty: the MLP flags
    std::string dropout;             // --dropout: rates for the arch's dropout layers
    std::vector<std::string> ignored;  // accepted flags fnn does not use (W&B's), for a notice

    static TrainConfig default_config();
};

// Registers fnn train's flags on `parser`, storing values into `options`. --config FILE reads
// settings from a YAML file where it stands among the flags (later flags win).
void add_train_flags(FlagParser& parser, TrainOptions& options);

// After parsing: turns --arch, or -nhl/-sz/-a, into the network; a preset's settings fill the
// flags that were not given. False with a message when they clash.
bool finish_train_options(FlagParser& parser, TrainOptions& options, std::string& error);

// The fnn train setting a name stands for, as its long flag name without dashes: the name
// itself, a short flag name (lr, nhl) or another usual spelling (eta, hidden_layers, wd,
// activation_function, bs, ...); "init" is the weight init (as sweep files use it). "" for
// anything else, and for flags that are not training settings (out, journal, ...).
std::string setting_name(const std::string& written);
// Every name setting_name() accepts, for suggestions.
std::vector<std::string> setting_names();
// A value as fnn writes it: a choice in its canonical spelling ("ReLU" -> "relu", "nesterov" ->
// "nag"), anything else unchanged. `name` is a setting_name().
std::string canonical_value(const std::string& name, const std::string& value);

// Every training setting of `o` as fnn train flags, defaults included (what --plan prints).
std::vector<std::string> full_train_args(const TrainOptions& o);

// Parses fnn train flags from a list ("-e", "10", ...) into `out`, printing nothing.
bool train_options_from_args(const std::vector<std::string>& args, TrainOptions& out,
                             std::string& error);

}  // namespace fnn
