// Atomic file writes: replacement, failure leaves the old file and no temp file behind, and a
// full disk (simulated with RLIMIT_FSIZE, which fails writes past a size like ENOSPC does).
#include <doctest/doctest.h>

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fnn/file_io.hpp"

#include "command.hpp"

using namespace fnn;

namespace {

using fnn_test::temp_dir;

int files_in(const std::string& dir) {
    int n = 0;
    DIR* d = opendir(dir.c_str());
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

std::string read_text(const std::string& path) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    REQUIRE(read_file(path, bytes, &err) == Status::Ok);
    return std::string(bytes.begin(), bytes.end());
}

}  // namespace

TEST_CASE("file io: atomic write replaces the file and leaves no temp file") {
    const std::string dir = temp_dir();
    ErrorText err;
    REQUIRE(write_file_atomic(dir + "/a.txt", std::string("first"), &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/a.txt", std::string("second"), &err) == Status::Ok);
    CHECK(read_text(dir + "/a.txt") == "second");
    CHECK(files_in(dir) == 1);
    REQUIRE(write_file_atomic(dir + "/empty", std::string(), &err) == Status::Ok);
    CHECK(read_text(dir + "/empty").empty());
}

TEST_CASE("file io: a full disk keeps the previous file intact and says why") {
    const std::string dir = temp_dir();
    ErrorText err;
    REQUIRE(write_file_atomic(dir + "/model.fnn", std::string("good old model"), &err) ==
            Status::Ok);
    // Writes beyond 4 KiB now fail with EFBIG, the way a full disk fails with ENOSPC.
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old_limit;
    getrlimit(RLIMIT_FSIZE, &old_limit);
    struct rlimit small = old_limit;
    small.rlim_cur = 4096;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    const std::vector<uint8_t> big(100000, 7);
    const Status s = write_file_atomic(dir + "/model.fnn", big.data(), big.size(), &err);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    signal(SIGXFSZ, SIG_DFL);
    CHECK(s == Status::Io);
    CHECK(std::string(err.text).find("model.fnn") != std::string::npos);
    CHECK(std::string(err.text).find("unchanged") != std::string::npos);
    CHECK(read_text(dir + "/model.fnn") == "good old model");
    CHECK(files_in(dir) == 1);
}

TEST_CASE("file io: missing directories and files give Io with the path") {
    ErrorText err;
    CHECK(write_file_atomic("/nonexistent_dir_fnn/x", std::string("x"), &err) == Status::Io);
    CHECK(std::string(err.text).find("/nonexistent_dir_fnn/x") != std::string::npos);
    std::vector<uint8_t> bytes;
    CHECK(read_file("/nonexistent_dir_fnn/y", bytes, &err) == Status::Io);
    CHECK(std::string(err.text).find("No such file") != std::string::npos);
    CHECK(read_file("/tmp", bytes, &err) == Status::Io);  // a directory
}

TEST_CASE("file io: make_directories creates parents and refuses a file in the way") {
    const std::string dir = temp_dir();
    ErrorText err;
    CHECK(make_directories(dir + "/a/b/c", &err) == Status::Ok);
    CHECK(file_exists(dir + "/a/b/c"));
    CHECK(make_directories(dir + "/a/b/c", &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/f", std::string("x"), &err) == Status::Ok);
    CHECK(make_directories(dir + "/f/g", &err) == Status::Io);
}
