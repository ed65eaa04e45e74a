// C array text for fnnpack c-array and fnn sweep --export.
#include "cli/cli_c_array.hpp"

#include <stdio.h>

#include "base/text_util.hpp"

namespace fnn {

bool is_c_identifier(const std::string& name) {
    bool ok = !name.empty() && !ascii_digit(name[0]);
    for (char c : name) ok = ok && (ascii_letter(c) || ascii_digit(c) || c == '_');
    return ok;
}

std::string c_array_source(const std::string& name, const std::vector<uint8_t>& bytes,
                           const std::string& origin) {
    std::string text =
        "/* " + name + ": " + std::to_string(bytes.size()) + " bytes of " + origin +
        ".\n   Declare it with: extern const unsigned char " + name +
        "[]; extern const size_t " + name +
        "_len; */\n"
        "#include <stddef.h>\n\n"
        "/* 16-byte alignment lets fp32 weights be read in place. */\n"
        "#if defined(__GNUC__) || defined(__clang__)\n"
        "__attribute__((aligned(16)))\n"
        "#endif\n"
        "const unsigned char " +
        name + "[" + std::to_string(bytes.size()) + "] = {";
    char hex[16];
    for (size_t i = 0; i < bytes.size(); ++i) {
        snprintf(hex, sizeof hex, "%s0x%02x,", i % 16 == 0 ? "\n    " : " ", bytes[i]);
        text += hex;
    }
    return text + "\n};\nconst size_t " + name + "_len = " + std::to_string(bytes.size()) + ";\n";
}

std::string c_array_header(const std::string& name, size_t size, const std::string& origin,
                           const std::string& source) {
    std::string guard = name + "_H";
    for (char& c : guard) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "/* " + name + ": " + std::to_string(size) + " bytes of " + origin + ", defined in " +
           source + ". */\n#ifndef " + guard + "\n#define " + guard +
           "\n\n#include <stddef.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n" +
           "extern const unsigned char " + name + "[" + std::to_string(size) + "];\n" +
           "extern const size_t " + name + "_len;\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
}

}  // namespace fnn
