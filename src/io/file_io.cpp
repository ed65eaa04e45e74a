// POSIX implementation of whole-file reads and atomic replacement.
#include "fnn/file_io.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fnn {

Status read_file(const std::string& path, std::vector<uint8_t>& out, ErrorText* err) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(err, Status::Io, "%s: cannot open: %s", path.c_str(), strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, Status::Io, "%s: not a regular file", path.c_str());
    }
    if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
        close(fd);
        return fail(err, Status::Format, "%s: %lld bytes is larger than fnn reads", path.c_str(),
                    static_cast<long long>(st.st_size));
    }
    out.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = read(fd, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int saved = n < 0 ? errno : 0;
            close(fd);
            return fail(err, Status::Io, "%s: read failed after %zu bytes: %s", path.c_str(), done,
                        saved ? strerror(saved) : "file shrank while reading");
        }
        done += static_cast<size_t>(n);
    }
    close(fd);
    return Status::Ok;
}

Status write_file_atomic(const std::string& path, const void* data, size_t size, ErrorText* err) {
    const std::string temp = path + ".tmp." + std::to_string(getpid());
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(err, Status::Io, "%s: cannot create: %s", temp.c_str(), strerror(errno));
    const uint8_t* p = static_cast<const uint8_t*>(data);
    size_t done = 0;
    int error = 0;
    while (done < size) {
        const ssize_t n = write(fd, p + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : ENOSPC;
            break;
        }
        done += static_cast<size_t>(n);
    }
    if (error == 0 && fsync(fd) != 0) error = errno;
    if (close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && rename(temp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        unlink(temp.c_str());
        return fail(err, Status::Io,
                    "%s: not saved (%zu of %zu bytes written): %s; the previous file is unchanged",
                    path.c_str(), done, size, strerror(error));
    }
    return Status::Ok;
}

Status write_file_atomic(const std::string& path, const std::string& text, ErrorText* err) {
    return write_file_atomic(path, text.data(), text.size(), err);
}

namespace {

std::string directory_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status check_writable(const std::string& path, ErrorText* err) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return fail(err, Status::Io, "%s: is a directory, not a file", path.c_str());
    const std::string dir = directory_of(path);
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, Status::Io, "%s: cannot write: directory %s does not exist", path.c_str(),
                    dir.c_str());
    const std::string probe = dir + "/.fnn-write-check." + std::to_string(getpid());
    const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail(err, Status::Io, "%s: cannot write in %s: %s", path.c_str(), dir.c_str(),
                    strerror(errno));
    }
    close(fd);
    unlink(probe.c_str());
    return Status::Ok;
}

Status check_new_output(const std::string& path, bool overwrite, ErrorText* err) {
    struct stat st;
    if (!overwrite && stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
        return fail(err, Status::Io, "%s already exists; add --overwrite to replace it",
                    path.c_str());
    return check_writable(path, err);
}

Status check_appendable(const std::string& path, ErrorText* err) {
    if (!file_exists(path)) return check_writable(path, err);
    const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return fail(err, Status::Io, "%s: cannot append: %s", path.c_str(), strerror(errno));
    close(fd);
    return Status::Ok;
}

bool file_exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

Status make_directories(const std::string& path, ErrorText* err) {
    for (size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/') continue;
        const std::string prefix = path.substr(0, pos);
        if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
            return fail(err, Status::Io, "%s: cannot create directory: %s", prefix.c_str(),
                        strerror(errno));
        }
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(err, Status::Io, "%s: not a directory", path.c_str());
    }
    return Status::Ok;
}

}  // namespace fnn
