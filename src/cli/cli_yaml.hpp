// The YAML subset fnn's sweep files use, read into a tree whose nodes remember their line:
// block mappings by indentation (spaces), `- item` block sequences, `[a, b]` flow sequences,
// plain and quoted scalars, `#` comments. What the keys mean is cli_sweep_spec's business.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fnn {

struct YamlNode {
    // A scalar, a mapping (keys in file order) or a list; `line` is where it starts.
    enum class Kind { Scalar, Map, List } kind = Kind::Scalar;
    std::string scalar;
    std::vector<std::pair<std::string, YamlNode>> map;
    std::vector<YamlNode> list;
    int line = 0;
};

// Reads `text`; on failure `error` is "<file>:<line>: what is wrong".
bool read_yaml(const std::string& text, const std::string& file, YamlNode& root,
               std::string& error);

}  // namespace fnn
