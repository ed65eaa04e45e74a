// Run files read back: metrics.csv through parse_metrics_csv (what fnn report reads), and its
// refusal of damaged files.
#include <doctest/doctest.h>

#include <math.h>

#include <string>
#include <vector>

#include "cli/cli_run_files.hpp"

using namespace fnn;

TEST_CASE("run files: metrics.csv reads back what metrics_csv wrote") {
    EpochMetrics first;
    first.epoch = 1;
    first.train_loss = 0.5;
    first.train_acc = 0.8125;
    first.val_loss = 0.625;
    first.val_acc = 0.75;
    first.seconds = 1.5;
    EpochMetrics second = first;
    second.epoch = 2;
    second.val_loss = NAN;  // nothing held out: empty columns
    second.val_acc = NAN;
    std::vector<EpochMetrics> back;
    std::string error;
    REQUIRE_MESSAGE(parse_metrics_csv(metrics_csv({first, second}), back, error), error);
    REQUIRE(back.size() == 2);
    CHECK(back[0].epoch == 1);
    CHECK(back[0].train_acc == 0.8125);
    CHECK(back[0].val_loss == 0.625);
    CHECK(back[1].epoch == 2);
    CHECK(isnan(back[1].val_loss));
    CHECK(isnan(back[1].val_acc));
    CHECK(back[1].seconds == 1.5);
    CHECK(parse_metrics_csv(metrics_csv({}), back, error));
    CHECK(back.empty());
}

TEST_CASE("run files: a damaged metrics.csv is refused with the line") {
    const std::string header = std::string(kMetricsHeader) + "\n";
    const struct {
        std::string text;
        const char* error;
    } cases[] = {
        {"", "line 1: expected the header epoch,train_loss,train_acc,val_loss,val_acc,seconds"},
        {"epoch,loss\n1,0.5\n", "line 1: expected the header"},
        {header + "1,0.5,0.8,0.6,0.7,1.0\n1e300,0.5,0.8,0.6,0.7,1.0\n",
         "line 3: the epoch is not a whole number"},
        {header + ",0.5,0.8,0.6,0.7,1.0\n", "line 2: the epoch is not a whole number"},
        {header + "-1,0.5,0.8,0.6,0.7,1.0\n", "line 2: the epoch is not a whole number"},
        {header + "2.5,0.5,0.8,0.6,0.7,1.0\n", "line 2: the epoch is not a whole number"},
        {header + "1,0.5x,0.8,0.6,0.7,1.0\n", "line 2: '0.5x' is not a number"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        std::vector<EpochMetrics> back;
        std::string error;
        CHECK_FALSE(parse_metrics_csv(c.text, back, error));
        CHECK_MESSAGE(error.find(c.error) == 0, error);
    }
}
