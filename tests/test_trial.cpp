// Journal lines: a trial record reads back exactly, and hostile lines (found by
// tests/fuzz_host_parsers.cpp) are refused with the field at fault instead of being converted.
#include <doctest/doctest.h>

#include <math.h>

#include <string>

#include "cli/cli_journal.hpp"
#include "cli/cli_trial.hpp"
#include "fnn/file_io.hpp"

using namespace fnn;

namespace {

TrialResult sample_trial() {
    TrialResult r;
    r.trial = 17;
    r.status = "stopped";
    r.reason = "hyperband: below the best third at epoch 2";
    r.config = "{\"epochs\":5,\"optimizer\":\"adam\"}";
    r.args = {"-e", "5", "-o", "adam"};
    EpochMetrics first;
    first.epoch = 1;
    first.train_loss = 0.61;
    first.train_acc = 0.78;
    first.val_loss = NAN;  // nothing held out
    first.val_acc = 0.8123456789012345;
    first.seconds = 0.25;
    EpochMetrics second = first;
    second.epoch = 2;
    r.epochs = {first, second};
    r.val_acc = 0.8123456789012345;
    r.val_loss = 0.5;
    r.test_acc = 0.80;
    r.test_loss = NAN;
    r.seconds = 0.5;
    return r;
}

std::string refusal(const std::string& line) {
    TrialResult r;
    std::string error;
    CHECK_FALSE(trial_from_json(line, r, error));
    return error;
}

}  // namespace

TEST_CASE("trial: a journal line reads back as the same trial") {
    const TrialResult r = sample_trial();
    TrialResult back;
    std::string error;
    REQUIRE_MESSAGE(trial_from_json(trial_to_json(r), back, error), error);
    CHECK(back.trial == 17);
    CHECK(back.status == r.status);
    CHECK(back.reason == r.reason);
    CHECK(back.config == r.config);
    CHECK(back.args == r.args);
    REQUIRE(back.epochs.size() == 2);
    CHECK(back.epochs[1].epoch == 2);
    CHECK(back.epochs[0].val_acc == r.epochs[0].val_acc);  // exact
    CHECK(isnan(back.epochs[0].val_loss));
    CHECK(back.val_acc == r.val_acc);
    CHECK(isnan(back.test_loss));
    CHECK(trial_to_json(back) == trial_to_json(r));
}

TEST_CASE("trial: ids and epochs that are not whole numbers in range are refused") {
    const std::string config = "\"config\":{}";
    CHECK(refusal("{\"trial\":1e300," + config + "}").find("trial:") == 0);
    CHECK(refusal("{\"trial\":2.5," + config + "}").find("trial:") == 0);
    CHECK(refusal("{\"trial\":-2," + config + "}").find("trial:") == 0);
    CHECK(refusal("{\"trial\":\"7\"," + config + "}").find("trial:") == 0);
    CHECK(refusal("{\"trial\":0," + config + ",\"epochs\":[{\"epoch\":1},{\"epoch\":1.6e16}]}")
              .find("epochs[1].epoch:") == 0);
    CHECK(refusal("{\"trial\":0," + config + ",\"epochs\":[{\"epoch\":-1}]}")
              .find("epochs[0].epoch:") == 0);
    CHECK(refusal("{\"trial\":0," + config + ",\"epochs\":[{\"val_acc\":0.5}]}")
              .find("epochs[0].epoch:") == 0);
    CHECK(refusal("{\"trial\":0}") == "not a trial record (needs trial and config)");

    TrialResult r;
    std::string error;
    CHECK(trial_from_json("{\"trial\":-1," + config + ",\"epochs\":[{\"epoch\":0}]}", r, error));
    CHECK(r.trial == -1);
}

TEST_CASE("trial: a journal's hostile or garbage line is skipped, named by file and line") {
    const std::string dir = "build/tests/trial";
    REQUIRE(make_directories(dir, nullptr) == Status::Ok);
    const std::string path = dir + "/journal.jsonl";
    TrialResult second = sample_trial();
    second.trial = 9;
    REQUIRE(write_file_atomic(path,
                              trial_to_json(sample_trial()) + "\n" +
                                  "{\"trial\":4e40,\"config\":{}}\n" + "garbage\n" +
                                  trial_to_json(second) + "\n",
                              nullptr) == Status::Ok);
    JournalRead read;
    std::string error;
    REQUIRE(read_journal(path, read, error));
    REQUIRE(read.trials.size() == 2);
    CHECK(read.trials[1].trial == 9);
    CHECK(read.bad_lines == std::vector<int>{2, 3});
    REQUIRE(read.warnings.size() == 2);
    CHECK(read.warnings[0] ==
          path + ":2: not a trial record (trial: expected a whole number from -1 to 2147483647); "
                 "skipped");
    CHECK(read.warnings[1].rfind(path + ":3: not a trial record", 0) == 0);
}

TEST_CASE("trial: a trial recorded twice counts once, the last record, and is named") {
    const std::string dir = "build/tests/trial";
    REQUIRE(make_directories(dir, nullptr) == Status::Ok);
    const std::string path = dir + "/twice.jsonl";
    TrialResult failed = sample_trial(), ok = sample_trial();
    failed.status = "failed";
    ok.status = "ok";
    REQUIRE(write_file_atomic(path,
                              trial_to_json(failed) + "\n" + trial_to_json(ok) + "\n" +
                                  trial_to_json(ok) + "\n",
                              nullptr) == Status::Ok);
    JournalRead read;
    std::string error;
    REQUIRE(read_journal(path, read, error));
    REQUIRE(read.trials.size() == 1);
    CHECK(read.trials[0].status == "ok");
    // The failed-then-ok pair is a retry (no warning); the third line repeats a finished trial.
    REQUIRE(read.warnings.size() == 1);
    CHECK(read.warnings[0].find(":3: trial " + std::to_string(ok.trial) +
                                " is recorded again (first on line 1") != std::string::npos);
}
