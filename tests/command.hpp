// Running the fnn binaries from tests as a user would: a shell command's exit code and output,
// scratch directories, and reading what the command wrote.
#pragma once

#include <doctest/doctest.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fnn/file_io.hpp"

namespace fnn_test {

struct CommandResult {
    int exit_code = -1;  // 128 + signal when the command was killed
    std::string output;  // stdout and stderr together
};

inline CommandResult run(const std::string& command) {
    CommandResult r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

// Directories made by temp_dir(), removed with their contents when the test program exits,
// unless FNN_KEEP_TEST_DIRS is set (to look at what a failing test left).
struct TempDirs {
    std::vector<std::string> paths;
    ~TempDirs() {
        if (getenv("FNN_KEEP_TEST_DIRS") != nullptr) return;
        for (const std::string& p : paths) {
            std::error_code ignored;
            std::filesystem::remove_all(p, ignored);
        }
    }
};

inline TempDirs& temp_dirs() {
    static TempDirs dirs;
    return dirs;
}

// A fresh directory under /tmp.
inline std::string temp_dir() {
    char tmpl[] = "/tmp/fnn_test_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    temp_dirs().paths.push_back(tmpl);
    return tmpl;
}

inline std::string read_text(const std::string& path) {
    std::vector<uint8_t> bytes;
    fnn::ErrorText err;
    REQUIRE_MESSAGE(fnn::read_file(path, bytes, &err) == fnn::Status::Ok, err.text);
    return std::string(bytes.begin(), bytes.end());
}

// The directory of a quiet `fnn train FLAGS` run, trained the first time these flags are asked
// for and reused after (tests share a run rather than each training one).
inline std::string trained_run(const std::string& flags) {
    static std::map<std::string, std::string> runs;
    std::string& dir = runs[flags];
    if (dir.empty()) {
        const std::string out = temp_dir() + "/run";
        const CommandResult r = run("./fnn train -q " + flags + " --out " + out);
        REQUIRE_MESSAGE(r.exit_code == 0, r.output);
        dir = out;
    }
    return dir;
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// How many times `part` occurs in `text` (overlaps included).
inline int count(const std::string& text, const std::string& part) {
    int n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

}  // namespace fnn_test
