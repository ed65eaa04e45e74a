// A file's bytes as C source: a 16-byte-aligned const byte array NAME and its length NAME_len,
// and a header declaring both, so firmware embeds a model with no filesystem (fnnpack c-array,
// fnn sweep --export).
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fnn {

bool is_c_identifier(const std::string& name);

// The .c text defining NAME[] and NAME_len; `origin` names where the bytes came from.
std::string c_array_source(const std::string& name, const std::vector<uint8_t>& bytes,
                           const std::string& origin);
// The .h text declaring them; `source` is the .c file's name, for the comment.
std::string c_array_header(const std::string& name, size_t size, const std::string& origin,
                           const std::string& source);

}  // namespace fnn
