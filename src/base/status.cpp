// Status texts, message formatting and the default invariant-failure handler.
#include "fnn/status.hpp"

#include <stdarg.h>
#if !defined(FNN_NO_MESSAGES)
#include <stdio.h>
#include <stdlib.h>
#endif

namespace fnn {

const char* status_str(Status s) {
#if defined(FNN_NO_MESSAGES)
    (void)s;
    return "";
#else
    switch (s) {
        case Status::Ok: return "ok";
        case Status::Arg: return "invalid argument";
        case Status::Format: return "malformed data";
        case Status::Version: return "unsupported format version";
        case Status::NoMem: return "buffer too small";
        case Status::Truncated: return "data truncated";
        case Status::Checksum: return "checksum mismatch";
        case Status::Io: return "input/output error";
        case Status::Diverged: return "training diverged";
        case Status::Unsupported: return "unsupported";
        case Status::Numeric: return "non-finite result";
    }
    return "unknown status";
#endif
}

#if !defined(FNN_NO_MESSAGES)
Status fail(ErrorText* err, Status s, const char* format, ...) {
    if (err == nullptr) return s;
    va_list args;
    va_start(args, format);
    vsnprintf(err->text, sizeof err->text, format, args);
    va_end(args);
    return s;
}
#endif

}  // namespace fnn

#if !defined(FNN_NO_MESSAGES)
extern "C" __attribute__((weak)) void fnn_assert_failed(const char* expr, const char* file,
                                                        int line) {
    fprintf(stderr, "fnn internal error: %s:%d: FNN_ASSERT(%s) failed\n", file, line, expr);
    abort();
}
#endif
