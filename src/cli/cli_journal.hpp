// A sweep journal: one JSON line per finished trial (cli_trial.hpp's trial_to_json), appended as
// trials finish. What keeps it readable whatever happens:
//   - each line is one write followed by fsync, so a crash leaves whole lines and at most one
//     torn last line, which readers drop (its trial runs again on --resume);
//   - an append that fails part-way (a full disk) cuts the file back to where it was, so a later
//     append never lands after a fragment;
//   - one process at a time appends (cli_sweep_lock.hpp);
//   - readers skip a line that is not a trial record, saying which, and keep the last record of
//     a trial that appears more than once (a --retry_failed run replaces a failed one);
//   - a device sweep's candidates over budget are lines with status "infeasible" and trial -1,
//     kept apart from the trials (one per configuration: the sweep writes each once).
#pragma once

#include <string>
#include <vector>

#include "cli/cli_trial.hpp"
#include "fnn/status.hpp"

namespace fnn {

// Appends `line` and a newline in one write, then fsyncs. On failure the file is cut back to its
// length before the write (the message says so) and Io is returned.
Status append_journal_line(const std::string& path, const std::string& line, ErrorText* err);

struct JournalRead {
    std::vector<TrialResult> trials;    // one per trial id, in the order the ids first appear
    std::vector<TrialResult> infeasible;  // device sweeps: candidates over budget, never trained
    bool torn_tail = false;             // the last line has no newline (a write cut by a crash)
    std::vector<int> bad_lines;         // 1-based numbers of lines that are not trial records
    std::vector<std::string> warnings;  // one per skipped line and per repeated trial, "FILE:LINE: ..."
};

// Reads a journal (a missing file is an empty journal). False only when it cannot be read.
bool read_journal(const std::string& path, JournalRead& out, std::string& error);

// Rewrites the journal with only its good records (atomically), moving the lines it skipped to
// PATH.damaged so nothing is lost. Used by --resume before it appends.
Status clean_journal(const std::string& path, const JournalRead& read, ErrorText* err);

}  // namespace fnn
