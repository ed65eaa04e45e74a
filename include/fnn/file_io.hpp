// Host-side file access: whole-file reads with a size cap, and atomic writes (temp file in the
// same directory, fsync, rename) so an interrupted or failed save never leaves a half-written
// file and never destroys the previous one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "fnn/status.hpp"

namespace fnn {

constexpr size_t kMaxFileBytes = size_t(1) << 32;  // 4 GiB: far above any blob fnn writes

// Reads all of `path`. Io for a missing or unreadable file, Format for one above kMaxFileBytes.
Status read_file(const std::string& path, std::vector<uint8_t>& out, ErrorText* err);

// Replaces `path` with exactly these bytes, or leaves it untouched and returns Io (the message
// names the file and the system's reason, e.g. "No space left on device").
Status write_file_atomic(const std::string& path, const void* data, size_t size, ErrorText* err);
Status write_file_atomic(const std::string& path, const std::string& text, ErrorText* err);

bool file_exists(const std::string& path);

// Whether write_file_atomic(path) could succeed now: `path` is not a directory and its
// directory takes a new file (checked by creating and removing one). Commands check every
// output before long work, so a typo in -o costs nothing. Leaves nothing behind.
Status check_writable(const std::string& path, ErrorText* err);
// check_writable for a file a command is told to write (-o): an existing file is refused,
// naming the flag that allows replacing it, unless `overwrite` (nothing a user made is
// replaced without being asked).
Status check_new_output(const std::string& path, bool overwrite, ErrorText* err);
// The same for appending to `path` (sweep journals): an existing file must open for writing.
Status check_appendable(const std::string& path, ErrorText* err);
// Creates a directory and its missing parents (like mkdir -p).
Status make_directories(const std::string& path, ErrorText* err);

}  // namespace fnn
