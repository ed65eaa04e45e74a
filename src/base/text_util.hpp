// Small text helpers for parsing names, flags and numbers. ASCII only, on purpose: unlike
// <ctype.h> they do not depend on the C locale.
#pragma once

namespace fnn {

inline char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool ascii_letter(char c) { return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z'; }

// ASCII case-insensitive equality; `lower` must already be lower case.
inline bool equals_ignoring_case(const char* text, const char* lower) {
    for (; *text != '\0' && *lower != '\0'; ++text, ++lower) {
        if (ascii_lower(*text) != *lower) return false;
    }
    return *text == *lower;
}

}  // namespace fnn
