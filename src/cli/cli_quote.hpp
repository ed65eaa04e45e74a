// Quoting text for the formats fnn prints: CSV fields and POSIX shell words.
#pragma once

#include <string>

namespace fnn {

// RFC 4180: the text as is, or in double quotes (inner quotes doubled) when it holds a comma, a
// quote or a line break. Class names and parameter values may.
std::string csv_field(const std::string& text);

// The text as one shell word: as is when it holds only safe characters, else in single quotes.
std::string shell_quote(const std::string& text);

}  // namespace fnn
