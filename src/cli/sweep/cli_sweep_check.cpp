// Sweep directory checks (see cli_sweep_check.hpp).
#include "cli/sweep/cli_sweep_check.hpp"

#include <stdio.h>

#include <set>

#include "cli/cli_journal.hpp"
#include "cli/sweep/cli_sweep_lock.hpp"
#include "cli/sweep/cli_sweep_run.hpp"

namespace fnn {

int check_sweep(const std::string& dir) {
    SweepSettings s;
    std::string error;
    if (!load_sweep_dir(dir, s, error)) {
        printf("%s: cannot be read: %s\n", dir.c_str(), error.c_str());
        return 1;
    }
    printf("%s: %s search over %zu parameters, %ld trials planned\n", dir.c_str(),
           sweep_method_name(s.spec.method), s.spec.params.size(), s.trials);
    const long holder = SweepLock::holder(dir);
    if (holder > 0) printf("  in use by process %ld\n", holder);
    else if (holder < 0) printf("  in use by another process\n");
    else printf("  not in use\n");
    JournalRead read;
    const std::string journal = dir + "/journal.jsonl";
    if (!read_journal(journal, read, error)) {
        printf("  %s\n", error.c_str());
        return 1;
    }
    size_t failed = 0;
    std::set<long> ids;
    for (const TrialResult& r : read.trials) {
        ids.insert(r.trial);
        failed += r.status == "failed";
    }
    long missing = 0;
    for (long t = 0; t < s.trials; ++t) missing += ids.count(t) == 0;
    printf("  journal: %zu trials recorded, %zu failed, %ld not run yet\n", read.trials.size(),
           failed, missing);
    for (const std::string& w : read.warnings) printf("  damage: %s\n", w.c_str());
    if (read.torn_tail) printf("  damage: %s: the last line is torn (a crash mid-write)\n", journal.c_str());
    const bool damaged = !read.warnings.empty() || read.torn_tail;
    if (damaged) {
        printf("  fnn sweep --resume %s moves the damaged lines to journal.jsonl.damaged and runs "
               "their trials again\n",
               dir.c_str());
    } else {
        printf("  no damage\n");
    }
    return damaged ? 1 : 0;
}

}  // namespace fnn
