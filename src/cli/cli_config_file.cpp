// Settings files for fnn train (format in cli_config_file.hpp).
#include "cli/cli_config_file.hpp"

#include <vector>

#include "cli/cli_yaml.hpp"
#include "fnn/file_io.hpp"

namespace fnn {
namespace {

// A setting's value as one flag value: a scalar, a comma list, or a sweep entry's `value:`.
bool setting_value(const std::string& where, const std::string& key, const YamlNode& node,
                   std::string& out, std::string& error) {
    if (node.kind == YamlNode::Kind::Scalar) {
        out = node.scalar;
        return true;
    }
    if (node.kind == YamlNode::Kind::List) {
        out.clear();
        for (const YamlNode& item : node.list) {
            if (item.kind != YamlNode::Kind::Scalar) {
                error = where + key + ": expected a list of plain values";
                return false;
            }
            out += (out.empty() ? "" : ",") + item.scalar;
        }
        return true;
    }
    for (const auto& field : node.map) {
        if (field.first == "value") return setting_value(where, key, field.second, out, error);
    }
    for (const auto& field : node.map) {
        if (field.first == "values" || field.first == "min" || field.first == "distribution") {
            error = where + key +
                    ": is searched over in this file; a run takes one setting (use value: X, or "
                    "run the file with fnn sweep)";
            return false;
        }
    }
    error = where + key + ": expected a value, a list, or value: X";
    return false;
}

}  // namespace

bool apply_config_file(const std::string& path, FlagParser& parser, std::string& error) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    YamlNode root;
    if (!read_yaml(std::string(bytes.begin(), bytes.end()), path, root, error)) return false;
    if (root.kind != YamlNode::Kind::Map) {
        error = path + ":" + std::to_string(root.line) + ": expected `setting: value` lines";
        return false;
    }
    const YamlNode* settings = &root;
    for (const auto& field : root.map) {
        if (field.first == "parameters") settings = &field.second;  // a sweep file
    }
    if (settings->kind != YamlNode::Kind::Map) {
        error = path + ":" + std::to_string(settings->line) + ": parameters: expected a mapping";
        return false;
    }
    for (const auto& field : settings->map) {
        const std::string& key = field.first;
        const std::string where = path + ":" + std::to_string(field.second.line) + ": ";
        if (key == "config") {
            error = where + "a settings file cannot name another one";
            return false;
        }
        const Flag* flag = parser.find("--" + key);
        if (flag == nullptr) flag = parser.find("-" + key);
        if (flag == nullptr) {
            const std::string guess = nearest("--" + key, parser.spellings());
            error = where + "'" + key + "' is not an fnn train setting" +
                    (guess.empty() ? "" : "; did you mean " + guess + "?") +
                    " (fnn train --help lists them)";
            return false;
        }
        std::string value;
        if (!setting_value(where, key, field.second, value, error)) return false;
        std::vector<std::string> args{flag->long_name};
        if (flag->metavar.empty()) {  // a switch
            const std::string v = match_choice(Flag{"", "", "", "", {"true", "false"}, {}}, value);
            if (v.empty()) {
                error = where + key + ": expected true or false, got '" + value + "'";
                return false;
            }
            if (v == "false") continue;
        } else {
            args.push_back(value);
        }
        std::string message;
        if (parser.parse_list(args, nullptr, message) != ParseResult::Ok) {
            error = where + message;
            return false;
        }
    }
    return true;
}

}  // namespace fnn
