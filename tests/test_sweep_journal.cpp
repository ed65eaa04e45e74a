// A sweep journal that cannot be corrupted: one process at a time per sweep directory, a disk
// that fills and frees mid-sweep, a garbage line in the middle, every trial failing and being
// retried, --check, and metric.target stopping a sweep.
#include <doctest/doctest.h>

#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "cli/cli_journal.hpp"
#include "command.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

std::string write_spec(const std::string& dir, const std::string& text) {
    const std::string path = dir + "/space.yaml";
    REQUIRE(write_file_atomic(path, text, nullptr) == Status::Ok);
    return path;
}

// Trial id -> number of records of it in the raw journal (duplicates included).
std::map<long, int> record_counts(const std::string& journal) {
    std::map<long, int> counts;
    const std::string text = read_text(journal);
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        TrialResult r;
        std::string error;
        if (trial_from_json(text.substr(start, end - start), r, error)) ++counts[r.trial];
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return counts;
}

const std::string kSpace =
    "method: random\nrun_cap: 16\nparameters:\n  hidden_size:\n    values: [64, 96, 128, 160, "
    "192, 224, 256, 288, 320, 352, 384, 416, 448, 480, 512, 544]\n";
const std::string kSlow = " --set limit_train=8000 --set epochs=1";

}  // namespace

TEST_CASE("sweep journal: a second process on the same sweep directory is refused, naming the "
          "holder") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, kSpace);
    const std::string sweep = dir + "/s";
    // The first sweep runs in the background; a resume and a new sweep on its directory refuse.
    const CommandResult r = run(
        "{ ./fnn sweep " + spec + kSlow + " --out " + sweep + " > " + dir + "/first.txt 2>&1 & " +
        "pid=$!; for i in $(seq 1 600); do [ -s " + sweep + "/journal.jsonl ] && break; sleep "
        "0.05; done; echo \"first=$pid\"; ./fnn sweep --resume " + sweep + "; echo \"resume=$?\"; "
        "./fnn sweep " + spec + " --out " + sweep + "; echo \"again=$?\"; wait $pid; echo "
        "\"done=$?\"; }");
    const size_t at = r.output.find("first=");
    REQUIRE(at != std::string::npos);
    const std::string pid = r.output.substr(at + 6, r.output.find('\n', at) - at - 6);
    CHECK_MESSAGE(contains(r.output, sweep + " is in use by another fnn process (pid " + pid + ")"),
                  r.output);
    CHECK(contains(r.output, "resume=1"));
    CHECK(contains(r.output, "again=1"));
    CHECK(contains(r.output, "done=0"));
    for (const auto& entry : record_counts(sweep + "/journal.jsonl")) CHECK(entry.second == 1);
    CHECK(record_counts(sweep + "/journal.jsonl").size() == 16);
}

TEST_CASE("sweep journal: two resumes at once after a kill -9 never run a trial twice") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(dir, kSpace);
    const std::string sweep = dir + "/s";
    run("{ ./fnn sweep " + spec + kSlow + " --out " + sweep + " > /dev/null 2>&1 & pid=$!; " +
        "for i in $(seq 1 600); do [ \"$(wc -l < " + sweep + "/journal.jsonl 2>/dev/null || echo " +
        "0)\" -ge 3 ] && break; sleep 0.05; done; kill -9 $pid; wait $pid; }");
    const size_t before = record_counts(sweep + "/journal.jsonl").size();
    REQUIRE(before < 16);
    const CommandResult r = run("{ ./fnn sweep --resume " + sweep + " > " + dir +
                                "/a.txt 2>&1 & ./fnn sweep --resume " + sweep + " > " + dir +
                                "/b.txt 2>&1 & wait; }");
    const std::string a = read_text(dir + "/a.txt"), b = read_text(dir + "/b.txt");
    // At most one of them ran (the other refused, or started after the first had finished).
    CHECK((contains(a, "in use by another fnn process") || contains(b, "in use by another fnn process") ||
           contains(a, "(16 trials already done)") || contains(b, "(16 trials already done)")));
    REQUIRE(run("./fnn sweep --resume " + sweep).exit_code == 0);
    const std::map<long, int> counts = record_counts(sweep + "/journal.jsonl");
    CHECK(counts.size() == 16);
    for (const auto& entry : counts) CHECK_MESSAGE(entry.second == 1, "trial " << entry.first);
}

TEST_CASE("sweep journal: a disk that fills and frees during a sweep never makes it unreadable") {
    // A 320 KB tmpfs holds the sweep; once two trials are in, a file fills it until the sweep
    // reports an append it could not make (however slow the build: sanitizers slow trials down
    // tenfold), then it is removed and the sweep goes on.
    const std::string mnt = temp_dir();
    const std::string sudo = getuid() == 0 ? "" : "sudo -n ";
    REQUIRE_MESSAGE(run(sudo + "mount -t tmpfs -o size=320k tmpfs " + mnt).exit_code == 0,
                    "mounting a small tmpfs needs root or password-less sudo");
    const std::string spec = write_spec(temp_dir(), kSpace);
    const std::string sweep = mnt + "/s";
    const std::string log = temp_dir() + "/sweep.log";
    run("{ ./fnn sweep " + spec + kSlow + " --out " + sweep + " > " + log + " 2>&1 & pid=$!; " +
        "for i in $(seq 1 2400); do [ \"$(wc -l < " + sweep + "/journal.jsonl 2>/dev/null || " +
        "echo 0)\" -ge 2 ] && break; sleep 0.05; done; dd if=/dev/zero of=" + mnt +
        "/fill bs=4k 2>/dev/null; for i in $(seq 1 2400); do grep -q 'not recorded' " + log +
        " && break; sleep 0.05; done; rm " + mnt + "/fill; wait $pid; echo \"sweep=$?\" >> " +
        log + "; }");
    CommandResult r;
    r.output = read_text(log);
    const std::string journal = sweep + "/journal.jsonl";
    JournalRead read;
    std::string error;
    REQUIRE(read_journal(journal, read, error));
    // Some appends failed while the disk was full (the sweep says so and exits 1), but every
    // line of the journal is a whole trial record.
    CHECK_MESSAGE(contains(r.output, "not recorded"), r.output);
    CHECK(contains(r.output, "sweep=1"));
    CHECK(read.warnings.empty());
    CHECK_FALSE(read.torn_tail);
    CHECK(read.trials.size() < 16);
    CHECK(read.trials.size() >= 2);
    // --resume runs exactly the unrecorded trials.
    const CommandResult resumed = run("./fnn sweep --resume " + sweep);
    CHECK_MESSAGE(resumed.exit_code == 0, resumed.output);
    const std::map<long, int> counts = record_counts(journal);
    CHECK(counts.size() == 16);
    for (const auto& entry : counts) CHECK(entry.second == 1);
    run(sudo + "umount " + mnt);
}

TEST_CASE("sweep journal: a garbage line in the middle is skipped with its line, reported by "
          "--check, and its trial rerun by --resume") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(
        dir, "method: grid\nparameters:\n  hidden_size:\n    values: [8, 16, 24, 32, 40]\n");
    const std::string sweep = dir + "/s";
    REQUIRE(run("./fnn sweep " + spec + " --set limit_train=1000 --set epochs=1 --out " + sweep)
                .exit_code == 0);
    // Line 3 becomes garbage (a stray write, a bad merge).
    const std::string journal = sweep + "/journal.jsonl";
    std::string text = read_text(journal);
    const size_t third = text.find('\n', text.find('\n') + 1) + 1;
    const std::string lost = text.substr(third, text.find('\n', third) - third);
    TrialResult lost_trial;
    std::string error;
    REQUIRE(trial_from_json(lost, lost_trial, error));
    text.replace(third, lost.size(), "{\"trial\": 3, \"conf");
    REQUIRE(write_file_atomic(journal, text, nullptr) == Status::Ok);

    CommandResult r = run("./fnn sweep --summary " + sweep);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "warning: " + journal + ":3: not a trial record"));
    CHECK(contains(r.output, "4 of 5 trials"));
    r = run("./fnn report " + sweep + " -o " + dir + "/page.html");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn sweep --check " + sweep);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "damage: " + journal + ":3: not a trial record"));
    CHECK(contains(r.output, "1 not run yet"));
    r = run("./fnn sweep --resume " + sweep);
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "trial " + std::to_string(lost_trial.trial)));
    CHECK(read_text(journal + ".damaged") == "{\"trial\": 3, \"conf\n");
    CHECK(run("./fnn sweep --check " + sweep).exit_code == 0);
    CHECK(record_counts(journal).size() == 5);
}

TEST_CASE("sweep journal: a sweep where every trial fails exits 1; --retry_failed runs them again") {
    const std::string dir = temp_dir(), data = temp_dir();
    const std::string spec = write_spec(
        dir, "method: grid\nparameters:\n  hidden_size:\n    values: [8, 16, 24]\n");
    const std::string sweep = dir + "/s";
    // No dataset where the sweep looks: every trial fails.
    CommandResult r = run("./fnn sweep " + spec + " --set limit_train=1000 --set epochs=1 "
                          "--data_dir " + data + " --out " + sweep);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "every trial failed"));
    CHECK(contains(r.output, "--retry_failed"));
    // The data arrives; a plain resume has nothing to do, --retry_failed reruns the three.
    char cwd[4096];
    REQUIRE(getcwd(cwd, sizeof cwd) != nullptr);
    REQUIRE(run("ln -s " + std::string(cwd) + "/data/fashion_mnist-train.fnnd " + std::string(cwd) +
                "/data/fashion_mnist-test.fnnd " + data)
                .exit_code == 0);
    r = run("./fnn sweep --resume " + sweep);
    CHECK(r.exit_code == 1);  // still all failed
    r = run("./fnn sweep --resume " + sweep + " --retry_failed");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "running 3 failed trials again"));
    JournalRead read;
    std::string error;
    REQUIRE(read_journal(sweep + "/journal.jsonl", read, error));
    REQUIRE(read.trials.size() == 3);
    for (const TrialResult& t : read.trials) CHECK(t.status == "ok");
    CHECK(read.warnings.empty());  // a retry replacing a failed record is not a duplicate
    CHECK(run("./fnn sweep --retry_failed").exit_code == 2);
}

TEST_CASE("sweep journal: metric.target stops a sweep once a trial reaches it") {
    const std::string dir = temp_dir();
    const std::string spec = write_spec(
        dir, "method: random\nrun_cap: 20\nmetric:\n  name: val_accuracy\n  goal: maximize\n"
             "  target: 0.3\nparameters:\n  hidden_size:\n    min: 8\n    max: 64\n");
    const CommandResult r =
        run("./fnn sweep " + spec + " --set limit_train=2000 --set epochs=1 --out " + dir + "/s");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "reached the target val_acc 0.3 (metric.target): no new trials"));
    CHECK(record_counts(dir + "/s/journal.jsonl").size() == 8);  // one round of 8
}
