// Class-name blocks (format in class_names.hpp).
#include "base/class_names.hpp"

namespace fnn {

Status check_class_names(const char* names, uint32_t size, uint32_t classes, const char* what,
                         ErrorText* err) {
    uint32_t lines = 0;
    uint32_t line_len = 0;
    for (uint32_t i = 0; i < size; ++i) {
        const unsigned char c = static_cast<unsigned char>(names[i]);
        if (c == '\n') {
            if (line_len == 0)
                return fail(err, Status::Format, "%s: class name %u is empty", what, lines);
            ++lines;
            line_len = 0;
        } else if (c < 0x20 || c > 0x7E) {
            return fail(err, Status::Format, "%s: class names: byte %u is not printable ASCII",
                        what, i);
        } else if (++line_len > 255) {
            return fail(err, Status::Format, "%s: class name %u is longer than 255 bytes", what,
                        lines);
        }
    }
    if (line_len != 0 || lines != classes) {
        return fail(err, Status::Format, "%s: expected %u newline-terminated class names, got %u",
                    what, classes, lines);
    }
    return Status::Ok;
}

const char* class_name_at(const char* names, int i, size_t& length) {
    const char* p = names;
    for (int line = 0; line < i; ++line) {
        while (*p != '\n') ++p;
        ++p;
    }
    length = 0;
    while (p[length] != '\n') ++length;
    return p;
}

}  // namespace fnn
