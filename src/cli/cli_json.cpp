// JSON encoding and decoding.
#include "cli/cli_json.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace fnn {

std::string json_quote(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_number(double value) {
    if (!isfinite(value)) return "null";
    char buf[32];
    for (int precision = 6; precision <= 17;
         ++precision) {  // shortest text that reads back exactly
        snprintf(buf, sizeof buf, "%.*g", precision, value);
        if (strtod(buf, nullptr) == value) break;
    }
    return buf;
}

JsonObject& JsonObject::add(const std::string& key, const std::string& value) {
    fields_.emplace_back(key, json_quote(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const char* value) {
    return add(key, std::string(value));
}
JsonObject& JsonObject::add(const std::string& key, double value) {
    fields_.emplace_back(key, json_number(value));
    return *this;
}
std::string json_float(float value) {
    if (!isfinite(value)) return "null";
    char buf[32];
    for (int precision = 1; precision <= 9; ++precision) {  // shortest text that reads back exactly
        snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(value));
        if (strtof(buf, nullptr) == value) break;
    }
    return buf;
}

JsonObject& JsonObject::add(const std::string& key, float value) {
    fields_.emplace_back(key, json_float(value));
    return *this;
}

JsonObject& JsonObject::add(const std::string& key, long value) {
    fields_.emplace_back(key, std::to_string(value));
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, bool value) {
    fields_.emplace_back(key, value ? "true" : "false");
    return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<int>& values) {
    std::string list = "[";
    for (size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + std::to_string(values[i]);
    fields_.emplace_back(key, list + "]");
    return *this;
}
JsonObject& JsonObject::add_raw(const std::string& key, const std::string& json) {
    fields_.emplace_back(key, json);
    return *this;
}

std::string JsonObject::str() const {
    std::string out = "{\n";
    for (size_t i = 0; i < fields_.size(); ++i) {
        out += "  " + json_quote(fields_[i].first) + ": " + fields_[i].second;
        out += i + 1 < fields_.size() ? ",\n" : "\n";
    }
    return out + "}\n";
}

std::string JsonObject::compact() const {
    std::string out = "{";
    for (size_t i = 0; i < fields_.size(); ++i)
        out += (i ? "," : "") + json_quote(fields_[i].first) + ":" + fields_[i].second;
    return out + "}";
}

bool is_whole_in(double x, double lo, double hi) { return x >= lo && x <= hi && x == floor(x); }

bool is_whole_number_in(const JsonValue* v, double lo, double hi) {
    return v != nullptr && v->kind == JsonValue::Kind::Number && is_whole_in(v->number, lo, hi);
}

const JsonValue* JsonValue::find(const std::string& key) const {
    for (const auto& field : fields) {
        if (field.first == key) return &field.second;
    }
    return nullptr;
}

double JsonValue::number_or(const std::string& key, double fallback) const {
    const JsonValue* v = find(key);
    return v != nullptr && v->kind == Kind::Number ? v->number : fallback;
}

std::string JsonValue::text_or(const std::string& key, const std::string& fallback) const {
    const JsonValue* v = find(key);
    return v != nullptr && v->kind == Kind::String ? v->text : fallback;
}

namespace {

// Recursive-descent reader over `text`; `pos` is the next unread character.
class JsonReader {
public:
    explicit JsonReader(const std::string& text) : text_(text) {}

    bool document(JsonValue& out, std::string& error) {
        if (!value(out, 0)) {
            error = error_;
            return false;
        }
        skip_space();
        if (pos_ != text_.size()) {
            error = "unexpected text after the JSON value at offset " + std::to_string(pos_);
            return false;
        }
        return true;
    }

private:
    bool fail_at(const char* what) {
        error_ = std::string(what) + " at offset " + std::to_string(pos_);
        return false;
    }
    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                       text_[pos_] == '\t' || text_[pos_] == '\r'))
            ++pos_;
    }
    bool literal(const char* word) {
        const size_t n = strlen(word);
        if (text_.compare(pos_, n, word) != 0) return false;
        pos_ += n;
        return true;
    }
    bool string(std::string& out) {
        ++pos_;  // opening quote
        out.clear();
        while (pos_ < text_.size() && text_[pos_] != '"') {
            char c = text_[pos_++];
            if (c == '\\') {
                if (pos_ >= text_.size()) return fail_at("unterminated escape");
                const char e = text_[pos_++];
                switch (e) {
                    case 'n': c = '\n'; break;
                    case 't': c = '\t'; break;
                    case 'r': c = '\r'; break;
                    case 'b': c = '\b'; break;
                    case 'f': c = '\f'; break;
                    case 'u': {
                        if (pos_ + 4 > text_.size()) return fail_at("short \\u escape");
                        const unsigned code = static_cast<unsigned>(
                            strtoul(text_.substr(pos_, 4).c_str(), nullptr, 16));
                        pos_ += 4;
                        if (code >= 0x80)
                            return fail_at("non-ASCII \\u escape");  // fnn writes ASCII only
                        c = static_cast<char>(code);
                        break;
                    }
                    default: c = e; break;  // \" \\ \/
                }
            }
            out += c;
        }
        if (pos_ >= text_.size()) return fail_at("unterminated string");
        ++pos_;
        return true;
    }
    bool value(JsonValue& out, int depth) {
        if (depth > 64) return fail_at("nesting too deep");
        skip_space();
        if (pos_ >= text_.size()) return fail_at("missing value");
        const char c = text_[pos_];
        out = JsonValue{};
        if (c == '{') {
            out.kind = JsonValue::Kind::Object;
            ++pos_;
            skip_space();
            if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
            for (;;) {
                skip_space();
                if (pos_ >= text_.size() || text_[pos_] != '"') return fail_at("expected a key");
                std::string key;
                if (!string(key)) return false;
                skip_space();
                if (pos_ >= text_.size() || text_[pos_] != ':') return fail_at("expected ':'");
                ++pos_;
                JsonValue v;
                if (!value(v, depth + 1)) return false;
                out.fields.emplace_back(key, std::move(v));
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
                return fail_at("expected ',' or '}'");
            }
        }
        if (c == '[') {
            out.kind = JsonValue::Kind::Array;
            ++pos_;
            skip_space();
            if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
            for (;;) {
                JsonValue v;
                if (!value(v, depth + 1)) return false;
                out.items.push_back(std::move(v));
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
                return fail_at("expected ',' or ']'");
            }
        }
        if (c == '"') {
            out.kind = JsonValue::Kind::String;
            return string(out.text);
        }
        if (literal("true")) {
            out.kind = JsonValue::Kind::Bool;
            out.boolean = true;
            return true;
        }
        if (literal("false")) {
            out.kind = JsonValue::Kind::Bool;
            return true;
        }
        if (literal("null")) return true;
        const char* start = text_.c_str() + pos_;
        char* end = nullptr;
        out.number = strtod(start, &end);
        if (end == start) return fail_at("unexpected character");
        out.kind = JsonValue::Kind::Number;
        pos_ += static_cast<size_t>(end - start);
        return true;
    }

    const std::string& text_;
    size_t pos_ = 0;
    std::string error_;
};

}  // namespace

bool parse_json(const std::string& text, JsonValue& out, std::string& error) {
    return JsonReader(text).document(out, error);
}

std::string json_encode(const JsonValue& v) {
    switch (v.kind) {
        case JsonValue::Kind::Null: return "null";
        case JsonValue::Kind::Bool: return v.boolean ? "true" : "false";
        case JsonValue::Kind::Number: return json_number(v.number);
        case JsonValue::Kind::String: return json_quote(v.text);
        case JsonValue::Kind::Array: {
            std::string out = "[";
            for (size_t i = 0; i < v.items.size(); ++i)
                out += (i ? "," : "") + json_encode(v.items[i]);
            return out + "]";
        }
        case JsonValue::Kind::Object: {
            std::string out = "{";
            for (size_t i = 0; i < v.fields.size(); ++i) {
                out += (i ? "," : "") + json_quote(v.fields[i].first) + ":" +
                       json_encode(v.fields[i].second);
            }
            return out + "}";
        }
    }
    return "null";
}

}  // namespace fnn
