// One process at a time per sweep directory: an exclusive lock (flock) on DIR/lock, held by every
// command that writes the sweep's journal (a new sweep, --resume, --collect, --transfer). The
// file also names the holder's process id, so a second process can say who has it. The kernel
// drops the lock when its holder ends, even by kill -9, so no stale lock ever needs removing.
#pragma once

#include <string>

namespace fnn {

class SweepLock {
public:
    SweepLock() = default;
    SweepLock(const SweepLock&) = delete;
    SweepLock& operator=(const SweepLock&) = delete;
    ~SweepLock();

    // Takes the lock on `dir` (which must exist). False when another process holds it, with
    // `error` naming the directory and that process.
    bool acquire(const std::string& dir, std::string& error);

    // The process id holding the lock on `dir` now, or 0 when nobody does (for --check).
    static long holder(const std::string& dir);

private:
    int fd_ = -1;
};

}  // namespace fnn
