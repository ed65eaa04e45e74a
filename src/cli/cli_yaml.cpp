// The YAML subset reader: lines with their indentation, then blocks, lists and scalars.
#include "cli/cli_yaml.hpp"

namespace fnn {
namespace {

struct Line {
    int number;
    int indent;
    std::string text;  // without indentation, comment and trailing spaces
};

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(' ');
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

class YamlReader {
public:
    explicit YamlReader(const std::string& file) : file_(file) {}

    bool read(const std::string& text, YamlNode& root, std::string& error) {
        if (!split_lines(text)) {
            error = error_;
            return false;
        }
        if (lines_.empty()) {
            error = file_ + ":1: the file is empty";
            return false;
        }
        size_t i = 0;
        if (!block(i, lines_[0].indent, root)) {
            error = error_;
            return false;
        }
        if (i != lines_.size()) {
            error = at(lines_[i].number) + "unexpected indentation";
            return false;
        }
        return true;
    }

private:
    std::string at(int line) const { return file_ + ":" + std::to_string(line) + ": "; }
    bool fail(int line, const std::string& what) {
        error_ = at(line) + what;
        return false;
    }

    bool split_lines(const std::string& text) {
        int number = 0;
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            std::string raw = text.substr(start, end - start);
            start = end + 1;
            ++number;
            if (!raw.empty() && raw.back() == '\r') raw.pop_back();
            if (raw.find('\t') != std::string::npos)
                return fail(number, "tab character: indent with spaces");
            // A '#' at the start or after a space, outside quotes, starts a comment.
            char quote = 0;
            for (size_t k = 0; k < raw.size(); ++k) {
                const char c = raw[k];
                if (quote != 0) {
                    if (c == quote) quote = 0;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '#' && (k == 0 || raw[k - 1] == ' ')) {
                    raw.resize(k);
                    break;
                }
            }
            const size_t first = raw.find_first_not_of(' ');
            if (first == std::string::npos) continue;  // blank or comment-only
            const std::string body = trim(raw);
            if (body == "---" || body == "...") {
                if (lines_.empty()) continue;  // a leading document marker is harmless
                return fail(number, "more than one YAML document");
            }
            if (body[0] == '%' || body[0] == '&' || body[0] == '*' || body[0] == '!' ||
                body[0] == '?') {
                return fail(number, "'" + body.substr(0, 1) +
                                        "' (YAML directives, anchors, aliases, tags, complex "
                                        "keys) is outside the subset fnn reads");
            }
            // A flow collection may go on over the next lines until its brackets close
            // ("values: [0.001,\n          0.0001]"): those lines join this one.
            if (!lines_.empty() && open_brackets_ > 0) {
                lines_.back().text += " " + body;
            } else {
                lines_.push_back(Line{number, static_cast<int>(first), body});
            }
            open_brackets_ = unclosed_brackets(lines_.back().text);
        }
        return true;
    }

    // A block (map or list) whose lines are at exactly `indent`, starting at lines_[i].
    bool block(size_t& i, int indent, YamlNode& out) {
        out = YamlNode{};
        out.line = lines_[i].number;
        const bool is_list = lines_[i].text == "-" || lines_[i].text.rfind("- ", 0) == 0;
        out.kind = is_list ? YamlNode::Kind::List : YamlNode::Kind::Map;
        while (i < lines_.size() && lines_[i].indent == indent) {
            const Line& l = lines_[i];
            const bool item = l.text == "-" || l.text.rfind("- ", 0) == 0;
            if (item != is_list)
                return fail(l.number, is_list ? "expected a '- item'" : "expected 'key: value'");
            if (is_list) {
                YamlNode value;
                const std::string rest = trim(l.text.substr(1));
                if (rest.empty() ||
                    (rest.find(": ") != std::string::npos && rest[0] != '"' && rest[0] != '\'') ||
                    rest.back() == ':') {
                    return fail(l.number,
                                "list items must be plain values (maps inside lists are outside "
                                "the subset)");
                }
                if (!scalar_or_flow(rest, l.number, value)) return false;
                out.list.push_back(value);
                ++i;
                continue;
            }
            std::string key, rest;
            if (!split_key(l, key, rest)) return false;
            for (const auto& entry : out.map) {
                if (entry.first == key) return fail(l.number, "duplicate key '" + key + "'");
            }
            YamlNode value;
            ++i;
            if (rest.empty()) {
                if (i >= lines_.size() || lines_[i].indent <= indent)
                    return fail(l.number, "'" + key + "' has no value");
                if (!block(i, lines_[i].indent, value)) return false;
            } else if (!scalar_or_flow(rest, l.number, value)) {
                return false;
            }
            value.line = l.number;
            out.map.emplace_back(key, value);
        }
        if (i < lines_.size() && lines_[i].indent > indent)
            return fail(lines_[i].number, "unexpected indentation");
        return true;
    }

    bool split_key(const Line& l, std::string& key, std::string& rest) {
        std::string text = l.text;
        size_t colon;
        if (text[0] == '"' || text[0] == '\'') {
            const size_t close = text.find(text[0], 1);
            if (close == std::string::npos) return fail(l.number, "unterminated quoted key");
            key = text.substr(1, close - 1);
            colon = close + 1;
            if (colon >= text.size() || text[colon] != ':')
                return fail(l.number, "expected ':' after the key");
        } else {
            colon = text.find(':');
            while (colon != std::string::npos && colon + 1 < text.size() && text[colon + 1] != ' ')
                colon = text.find(':', colon + 1);
            if (colon == std::string::npos) return fail(l.number, "expected 'key: value'");
            key = trim(text.substr(0, colon));
        }
        rest = trim(text.substr(colon + 1));
        if (key.empty()) return fail(l.number, "empty key");
        return true;
    }

    bool scalar(const std::string& text, int line, std::string& out) {
        if (text.empty()) return fail(line, "empty value");
        if (text[0] == '"' || text[0] == '\'') {
            const char q = text[0];
            std::string value;
            size_t k = 1;
            for (; k < text.size() && text[k] != q; ++k) {
                if (q == '"' && text[k] == '\\' && k + 1 < text.size()) ++k;
                value += text[k];
            }
            if (k >= text.size() || trim(text.substr(k + 1)) != "")
                return fail(line, "bad quoted string " + text);
            out = value;
            return true;
        }
        const char c = text[0];
        if (c == '|' || c == '>' || c == '&' || c == '*' || c == '!' || c == '{' || c == '}' ||
            c == ']') {
            return fail(line, "'" + std::string(1, c) + "' is outside the YAML subset fnn reads");
        }
        out = text;
        return true;
    }

    // A scalar, or a flow collection: "[a, b]", "{k: v, ...}", nested to any depth
    // ("{values: [[128, 64], [256]]}").
    bool scalar_or_flow(const std::string& text, int line, YamlNode& out) {
        if (text[0] != '[' && text[0] != '{') {
            out = YamlNode{};
            out.line = line;
            out.kind = YamlNode::Kind::Scalar;
            return scalar(text, line, out.scalar);
        }
        size_t pos = 0;
        if (!flow(text, pos, line, out)) return false;
        skip_spaces(text, pos);
        if (pos != text.size())
            return fail(line, "unexpected '" + text.substr(pos) + "' after " + text.substr(0, pos));
        return true;
    }

    static void skip_spaces(const std::string& text, size_t& pos) {
        while (pos < text.size() && text[pos] == ' ') ++pos;
    }

    // One flow value starting at text[pos]: a nested collection or a scalar ending at ',', ']'
    // or '}' (outside quotes).
    bool flow(const std::string& text, size_t& pos, int line, YamlNode& out) {
        out = YamlNode{};
        out.line = line;
        skip_spaces(text, pos);
        if (pos >= text.size()) return fail(line, "a value is missing in " + text);
        const char open = text[pos];
        if (open != '[' && open != '{') {
            const size_t start = pos;
            char quote = 0;
            for (; pos < text.size(); ++pos) {
                const char c = text[pos];
                if (quote != 0) {
                    if (c == quote) quote = 0;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == ',' || c == ']' || c == '}') {
                    break;
                }
            }
            out.kind = YamlNode::Kind::Scalar;
            return scalar(trim(text.substr(start, pos - start)), line, out.scalar);
        }
        const char close = open == '[' ? ']' : '}';
        out.kind = open == '[' ? YamlNode::Kind::List : YamlNode::Kind::Map;
        ++pos;
        skip_spaces(text, pos);
        if (pos < text.size() && text[pos] == close) {
            ++pos;
            return true;
        }
        while (true) {
            if (out.kind == YamlNode::Kind::List) {
                YamlNode item;
                if (!flow(text, pos, line, item)) return false;
                out.list.push_back(item);
            } else {
                // A key (plain or quoted) up to ': ', then its value.
                size_t colon = pos;
                while (colon < text.size() && text[colon] != ':' && text[colon] != ',' &&
                       text[colon] != close)
                    ++colon;
                if (colon >= text.size() || text[colon] != ':')
                    return fail(line, "expected 'key: value' in " + text);
                std::string key;
                if (!scalar(trim(text.substr(pos, colon - pos)), line, key)) return false;
                pos = colon + 1;
                YamlNode value;
                if (!flow(text, pos, line, value)) return false;
                for (const auto& entry : out.map) {
                    if (entry.first == key) return fail(line, "duplicate key '" + key + "'");
                }
                out.map.emplace_back(key, value);
            }
            skip_spaces(text, pos);
            if (pos < text.size() && text[pos] == ',') {
                ++pos;
                continue;
            }
            if (pos < text.size() && text[pos] == close) {
                ++pos;
                return true;
            }
            return fail(line, std::string("expected ',' or '") + close + "' in " + text);
        }
    }

    // '[' and '{' minus ']' and '}' outside quotes.
    static int unclosed_brackets(const std::string& text) {
        int depth = 0;
        char quote = 0;
        for (char c : text) {
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '[' || c == '{') {
                ++depth;
            } else if (c == ']' || c == '}') {
                --depth;
            }
        }
        return depth;
    }

    std::string file_;
    std::vector<Line> lines_;
    int open_brackets_ = 0;  // of the last line kept, while a flow collection is open
    std::string error_;
};

}  // namespace

bool read_yaml(const std::string& text, const std::string& file, YamlNode& root,
               std::string& error) {
    return YamlReader(file).read(text, root, error);
}

}  // namespace fnn
