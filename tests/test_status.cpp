// Status texts and message formatting.
#include <doctest/doctest.h>

#include <string.h>

#include <string>

#include "fnn/status.hpp"

using namespace fnn;

TEST_CASE("status: every code has its own text") {
    for (int a = 0; a <= 10; ++a) {
        CHECK(strlen(status_str(static_cast<Status>(a))) > 0);
        for (int b = 0; b < a; ++b)
            CHECK(std::string(status_str(static_cast<Status>(a))) !=
                  status_str(static_cast<Status>(b)));
    }
    CHECK(std::string(status_str(static_cast<Status>(99))) == "unknown status");
}

TEST_CASE("status: fail formats into the caller's buffer, cut to its size") {
    ErrorText err;
    CHECK(fail(&err, Status::Format, "file %s: expected %d, got %d", "x.fnn", 3, 4) ==
          Status::Format);
    CHECK(std::string(err.text) == "file x.fnn: expected 3, got 4");
    const std::string long_text(FNN_ERROR_TEXT_BYTES + 500, 'a');
    CHECK(fail(&err, Status::Io, "%s", long_text.c_str()) == Status::Io);
    CHECK(strlen(err.text) == sizeof err.text - 1);
    CHECK(fail(nullptr, Status::Arg, "no buffer") == Status::Arg);
}
