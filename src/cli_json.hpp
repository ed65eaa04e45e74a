// A minimal JSON object writer for run files (config.json, summary.json): keys in insertion
// order, numbers printed so they read back exactly, NaN and infinities as null.
#pragma once

#include <string>
#include <vector>

namespace fnn {

class JsonObject {
public:
    JsonObject& add(const std::string& key, const std::string& value);
    JsonObject& add(const std::string& key, const char* value);
    JsonObject& add(const std::string& key, double value);
    JsonObject& add(const std::string& key, long value);
    JsonObject& add(const std::string& key, int value) { return add(key, static_cast<long>(value)); }
    JsonObject& add(const std::string& key, bool value);
    JsonObject& add(const std::string& key, const std::vector<int>& values);
    JsonObject& add_raw(const std::string& key, const std::string& json);  // already-encoded value
    std::string str() const;  // pretty-printed, one key per line, ending in a newline

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

std::string json_quote(const std::string& text);
std::string json_number(double value);  // shortest round-trip form; null when not finite

}  // namespace fnn
