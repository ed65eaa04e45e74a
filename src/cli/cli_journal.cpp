// Sweep journal appends and reads (see cli_journal.hpp).
#include "cli/cli_journal.hpp"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <map>

#include "fnn/file_io.hpp"

namespace fnn {

Status append_journal_line(const std::string& path, const std::string& line, ErrorText* err) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail(err, Status::Io, "%s: cannot open: %s", path.c_str(), strerror(errno));
    const off_t before = lseek(fd, 0, SEEK_END);
    const std::string text = line + "\n";
    const ssize_t n = write(fd, text.data(), text.size());
    const int saved = n < 0 ? errno : ENOSPC;
    bool ok = n == static_cast<ssize_t>(text.size());
    if (ok && fsync(fd) != 0) ok = false;
    if (!ok) {
        // Cut back to the last complete line: a later append then starts on a line of its own.
        const bool cut = before >= 0 && ftruncate(fd, before) == 0;
        close(fd);
        return fail(err, Status::Io, "%s: cannot append a trial: %s; %s", path.c_str(),
                    strerror(saved),
                    cut ? "the journal is unchanged" : "the journal may end in a torn line");
    }
    close(fd);
    return Status::Ok;
}

bool read_journal(const std::string& path, JournalRead& out, std::string& error) {
    out = JournalRead{};
    if (!file_exists(path)) return true;  // no trial finished yet
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    const std::string text(bytes.begin(), bytes.end());
    std::map<long, size_t> index;    // trial id -> position in out.trials
    std::map<long, int> first_line;  // trial id -> where its first record was
    size_t start = 0;
    for (int line_no = 1; start < text.size(); ++line_no) {
        const size_t end = text.find('\n', start);
        if (end == std::string::npos) {  // cut off by a crash mid-write
            out.torn_tail = true;
            break;
        }
        TrialResult r;
        std::string why;
        const std::string where = path + ":" + std::to_string(line_no) + ": ";
        if (!trial_from_json(text.substr(start, end - start), r, why)) {
            out.bad_lines.push_back(line_no);
            out.warnings.push_back(where + "not a trial record (" + why + "); skipped");
        } else if (r.status == "infeasible") {
            out.infeasible.push_back(r);
        } else if (index.count(r.trial) == 0) {
            index[r.trial] = out.trials.size();
            first_line[r.trial] = line_no;
            out.trials.push_back(r);
        } else {
            TrialResult& earlier = out.trials[index[r.trial]];
            if (earlier.status != "failed") {
                out.warnings.push_back(where + "trial " + std::to_string(r.trial) +
                                       " is recorded again (first on line " +
                                       std::to_string(first_line[r.trial]) +
                                       "; did two processes run it?); the last record counts");
            }
            earlier = r;
        }
        start = end + 1;
    }
    return true;
}

Status clean_journal(const std::string& path, const JournalRead& read, ErrorText* err) {
    if (read.bad_lines.empty() && !read.torn_tail) return Status::Ok;
    std::vector<uint8_t> bytes;
    FNN_TRY(read_file(path, bytes, err));
    const std::string text(bytes.begin(), bytes.end());
    std::string damaged;
    size_t start = 0, bad = 0;
    for (int line_no = 1; start < text.size(); ++line_no) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (bad < read.bad_lines.size() && read.bad_lines[bad] == line_no) {
            damaged += text.substr(start, end - start) + "\n";
            ++bad;
        } else if (end == text.size()) {
            damaged += text.substr(start) + "\n";  // the torn tail
        }
        start = end + 1;
    }
    std::string good;
    for (const TrialResult& r : read.trials) good += trial_to_json(r) + "\n";
    for (const TrialResult& r : read.infeasible) good += trial_to_json(r) + "\n";
    // The damaged lines are kept beside the journal before the journal loses them.
    std::vector<uint8_t> old;
    if (file_exists(path + ".damaged")) FNN_TRY(read_file(path + ".damaged", old, err));
    FNN_TRY(write_file_atomic(path + ".damaged", std::string(old.begin(), old.end()) + damaged, err));
    return write_file_atomic(path, good, err);
}

}  // namespace fnn
