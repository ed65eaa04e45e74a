// Sweep directory locks (see cli_sweep_lock.hpp).
#include "cli/sweep/cli_sweep_lock.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

namespace fnn {
namespace {

std::string lock_path(const std::string& dir) { return dir + "/lock"; }

// The pid written in an open lock file, 0 when unreadable.
long written_pid(int fd) {
    char text[32] = {};
    const ssize_t n = pread(fd, text, sizeof text - 1, 0);
    return n > 4 && strncmp(text, "pid ", 4) == 0 ? strtol(text + 4, nullptr, 10) : 0;
}

}  // namespace

SweepLock::~SweepLock() {
    if (fd_ >= 0) close(fd_);  // closing the descriptor releases the lock
}

bool SweepLock::acquire(const std::string& dir, std::string& error) {
    const int fd = open(lock_path(dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = lock_path(dir) + ": cannot open: " + strerror(errno);
        return false;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const long pid = written_pid(fd);
        close(fd);
        error = dir + " is in use by another fnn process" +
                (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                "; wait for it to finish, or stop it, before running this";
        return false;
    }
    char text[32];
    const int n = snprintf(text, sizeof text, "pid %ld\n", static_cast<long>(getpid()));
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, static_cast<size_t>(n), 0) != n) {
        // The lock holds all the same; only the name of its holder could not be written.
    }
    fd_ = fd;
    return true;
}

long SweepLock::holder(const std::string& dir) {
    const int fd = open(lock_path(dir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    long pid = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {  // someone holds it exclusively
        pid = written_pid(fd);
        if (pid == 0) pid = -1;  // held, holder unknown
    }
    close(fd);
    return pid;
}

}  // namespace fnn
