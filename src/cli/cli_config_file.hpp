// `fnn train --config FILE.yaml`: training settings from a YAML file, in the subset the sweep
// reader parses (cli_yaml). Two shapes are read:
//   plain:  one `flag: value` per line, flags by their long or short name without dashes
//           (learning_rate: 0.001, nhl: 3); a list is a comma list (hidden_size: [256, 128]);
//           switches take true or false
//   sweep:  a W&B sweep file; its `parameters:` entries with `value: X` are the settings (an
//           entry with several `values:` is refused: a run takes one), everything else in the
//           file describes the search and is ignored
#pragma once

#include <string>

#include "cli/cli_flags.hpp"

namespace fnn {

// Reads FILE and applies its settings through `parser` as if they were flags at this point of
// the command line. On failure `error` reads "FILE:LINE: what is wrong".
bool apply_config_file(const std::string& path, FlagParser& parser, std::string& error);

}  // namespace fnn
