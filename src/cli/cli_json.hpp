// Minimal JSON for fnn's files: an object writer (keys in insertion order, numbers printed so
// they read back exactly, NaN and infinities as null) and a reader for what fnn writes (sweep
// journals, run files): objects, arrays, strings, numbers, true, false, null.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fnn {

// A parsed JSON value.
struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0.0;
    std::string text;
    std::vector<JsonValue> items;                           // arrays
    std::vector<std::pair<std::string, JsonValue>> fields;  // objects, in file order

    // The field `key` of an object, or nullptr.
    const JsonValue* find(const std::string& key) const;
    // Field accessors with a fallback for missing or mistyped fields.
    double number_or(const std::string& key, double fallback) const;
    std::string text_or(const std::string& key, const std::string& fallback) const;
};

// Whether `x` has no fraction and lies in [lo, hi] (false for NaN): fnn's files are untrusted,
// and converting any other double to an integer is undefined.
bool is_whole_in(double x, double lo, double hi);
// The same for a JSON value, false when it is missing or not a number.
bool is_whole_number_in(const JsonValue* v, double lo, double hi);

// Parses one JSON document (surrounding whitespace allowed). On failure `error` says where.
bool parse_json(const std::string& text, JsonValue& out, std::string& error);

// Encodes a value back to compact JSON (one line).
std::string json_encode(const JsonValue& value);

class JsonObject {
public:
    JsonObject& add(const std::string& key, const std::string& value);
    JsonObject& add(const std::string& key, const char* value);
    JsonObject& add(const std::string& key, double value);
    JsonObject& add(const std::string& key, float value);  // written with json_float
    JsonObject& add(const std::string& key, long value);
    JsonObject& add(const std::string& key, int value) {
        return add(key, static_cast<long>(value));
    }
    JsonObject& add(const std::string& key, bool value);
    JsonObject& add(const std::string& key, const std::vector<int>& values);
    JsonObject& add_raw(const std::string& key, const std::string& json);  // already-encoded value
    std::string str() const;      // pretty-printed, one key per line, ending in a newline
    std::string compact() const;  // one line, no spaces

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

std::string json_quote(const std::string& text);
std::string json_number(double value);  // shortest round-trip form; null when not finite
std::string json_float(float value);    // shortest text that reads back as this float

}  // namespace fnn
