// JSON encoding helpers.
#include "cli_json.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
    for (int precision = 6; precision <= 17; ++precision) {  // shortest text that reads back exactly
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

}  // namespace fnn
