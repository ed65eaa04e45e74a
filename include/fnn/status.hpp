// Status codes every fallible fnn function returns, and the fixed-size message buffer that
// carries "where: expected X, got Y" next to them. No exceptions, no globals: the caller owns
// the ErrorText, so two threads never share one.
#pragma once

#include <stddef.h>

namespace fnn {

// Same numbering as fnn_status in fnn.h (tests/test_status.cpp checks they stay equal).
enum class Status : int {
    Ok = 0,
    Arg = 1,          // a caller passed an invalid argument, flag or value
    Format = 2,       // bytes do not follow the documented format (magic, field, layout)
    Version = 3,      // a format version this build cannot read
    NoMem = 4,        // the arena or output buffer is too small
    Truncated = 5,    // the input ends before its header says it should
    Checksum = 6,     // CRC-32 mismatch: the bytes were damaged
    Io = 7,           // a file could not be opened, read or written
    Diverged = 8,     // training produced a non-finite loss
    Unsupported = 9,  // valid input that this build or target does not handle
    Numeric = 10,     // a computation produced NaN or infinity (only a damaged model can)
};

const char* status_str(Status s);

// Bytes of one message. On the host that is room for two of the longest paths Linux accepts
// (PATH_MAX 4096) and the problem, so no message loses its file name or its point; a build with
// FNN_NO_MESSAGES keeps no text at all, and a small target may define its own size.
#if !defined(FNN_ERROR_TEXT_BYTES)
#if defined(FNN_NO_MESSAGES)
#define FNN_ERROR_TEXT_BYTES 1
#else
#define FNN_ERROR_TEXT_BYTES 9216
#endif
#endif

// One failure's description, owned by the caller (usually on its stack).
struct ErrorText {
    char text[FNN_ERROR_TEXT_BYTES] = "";
};

// Formats a message into `err` (when non-null) and returns `s`, so a failure is one line:
//   return fail(err, Status::Format, "%s: expected magic FNND", name);
// With FNN_NO_MESSAGES defined the text is compiled out and only the status remains: fail() is
// then an inline no-op, so the compiler drops the format strings from the binary too.
#if defined(FNN_NO_MESSAGES)
// (An ErrorText starts empty and nothing writes to one in this build, so none is touched.)
inline Status fail(ErrorText* /*err*/, Status s, const char* /*format*/, ...) { return s; }
#else
Status fail(ErrorText* err, Status s, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#endif

}  // namespace fnn

// Propagates a non-Ok status to the caller; the only control-flow macro in fnn.
#define FNN_TRY(expr)                                                     \
    do {                                                                  \
        const ::fnn::Status fnn_try_status_ = (expr);                     \
        if (fnn_try_status_ != ::fnn::Status::Ok) return fnn_try_status_; \
    } while (0)

// Internal invariants (shapes between our own calls), never bad outside input. The handler is a
// weak symbol: the library's version prints and aborts, a test binary may define its own.
extern "C" void fnn_assert_failed(const char* expr, const char* file, int line);
#if defined(FNN_NO_ASSERT)
#define FNN_ASSERT(cond) ((void)0)
#else
#define FNN_ASSERT(cond) ((cond) ? (void)0 : fnn_assert_failed(#cond, __FILE__, __LINE__))
#endif
