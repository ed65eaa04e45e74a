// Small text helpers for parsing names of enums (activations, inits, optimizers, losses).
#pragma once

namespace fnn {

// ASCII case-insensitive equality; `lower` must already be lower case.
inline bool equals_ignoring_case(const char* text, const char* lower) {
    for (; *text != '\0' && *lower != '\0'; ++text, ++lower) {
        const char c =
            (*text >= 'A' && *text <= 'Z') ? static_cast<char>(*text - 'A' + 'a') : *text;
        if (c != *lower) return false;
    }
    return *text == *lower;
}

}  // namespace fnn
