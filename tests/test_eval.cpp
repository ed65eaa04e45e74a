// Evaluation as scikit-learn defines it (confusion matrix, precision, recall, F1, macro and
// weighted averages), `fnn eval` in its three formats and `fnn predict` on a dataset split, an
// IDX file and PGM images, agreeing with each other; bad inputs give clear errors.
#include <doctest/doctest.h>

#include <math.h>
#include <stdio.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_metrics.hpp"
#include "command.hpp"
#include "fnn/file_io.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

// One small model for every test here (1 epoch on 3,000 images: about 75%).
std::string trained_model() {
    return trained_run("-e 1 -sz 32 -lr 0.003 --limit_train 3000") + "/model.fnn";
}

// predict's CSV rows as {label, predicted}; confidence must be a probability.
std::vector<std::pair<std::string, int>> parse_predictions(const std::string& csv) {
    std::vector<std::pair<std::string, int>> rows;
    REQUIRE(csv.rfind("index,label,predicted,confidence\n", 0) == 0);
    size_t at = csv.find('\n') + 1;
    for (long index = 0; at < csv.size(); ++index) {
        const size_t end = csv.find('\n', at);
        const std::string line = csv.substr(at, end - at);
        const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
        REQUIRE(c3 != std::string::npos);
        CHECK(std::stol(line.substr(0, c1)) == index);
        const double confidence = std::stod(line.substr(c3 + 1));
        CHECK(confidence > 0.0);
        CHECK(confidence <= 1.0);
        rows.push_back(
            {line.substr(c1 + 1, c2 - c1 - 1), std::stoi(line.substr(c2 + 1, c3 - c2 - 1))});
        at = end + 1;
    }
    return rows;
}

void append_be32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

}  // namespace

TEST_CASE("eval: metrics follow scikit-learn's definitions, including classes never predicted") {
    // Worked by hand: class 0 is predicted for 0 and one 1; class 1 never right; class 2 two of
    // three.
    const std::vector<int> truth = {0, 1, 2, 2, 2}, predicted = {0, 0, 2, 2, 1};
    const ClassificationReport r = classification_report(truth, predicted, 3);
    CHECK(r.total == 5);
    CHECK(r.accuracy == doctest::Approx(0.6));
    CHECK(r.at(0, 0) == 1);
    CHECK(r.at(1, 0) == 1);
    CHECK(r.at(2, 1) == 1);
    CHECK(r.at(2, 2) == 2);
    CHECK(r.per_class[0].precision == doctest::Approx(0.5));
    CHECK(r.per_class[0].recall == doctest::Approx(1.0));
    CHECK(r.per_class[0].f1 == doctest::Approx(2.0 / 3));
    CHECK(r.per_class[1].precision == 0.0);  // 0 of 1 predicted right
    CHECK(r.per_class[1].f1 == 0.0);         // P + R = 0: F1 is 0, not NaN
    CHECK(r.per_class[2].precision == doctest::Approx(1.0));
    CHECK(r.per_class[2].recall == doctest::Approx(2.0 / 3));
    CHECK(r.per_class[2].f1 == doctest::Approx(0.8));
    CHECK(r.per_class[2].support == 3);
    CHECK(r.macro.precision == doctest::Approx(0.5));
    CHECK(r.macro.recall == doctest::Approx((1.0 + 0.0 + 2.0 / 3) / 3));
    CHECK(r.macro.f1 == doctest::Approx((2.0 / 3 + 0.0 + 0.8) / 3));
    CHECK(r.weighted.precision == doctest::Approx((0.5 * 1 + 0.0 * 1 + 1.0 * 3) / 5));
    CHECK(r.weighted.f1 == doctest::Approx((2.0 / 3 * 1 + 0.0 + 0.8 * 3) / 5));
    // A class absent from both truth and predictions: every metric 0, support 0.
    const ClassificationReport absent = classification_report({0, 1}, {0, 1}, 3);
    CHECK(absent.per_class[2].support == 0);
    CHECK(absent.per_class[2].precision == 0.0);
    CHECK(absent.per_class[2].recall == 0.0);
}

TEST_CASE(
    "eval: --json agrees with predict's CSV, the text tables name the classes, --csv is complete") {
    const std::string model = trained_model();
    CommandResult r = run("./fnn eval --model " + model + " --json");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    JsonValue report;
    std::string error;
    REQUIRE_MESSAGE(parse_json(r.output, report, error), error);
    CHECK(report.number_or("samples", 0) == 10000);
    const double accuracy = report.number_or("accuracy", -1);
    CHECK(accuracy > 0.7);
    CHECK(report.number_or("loss", -1) > 0.0);
    const JsonValue* confusion = report.find("confusion_matrix");
    REQUIRE(confusion != nullptr);
    REQUIRE(confusion->items.size() == 10);

    // The confusion matrix rebuilt from predict's rows is eval's, cell by cell.
    r = run("./fnn predict --model " + model + " -d fashion_mnist");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output.substr(0, 500));
    const auto rows = parse_predictions(r.output);
    REQUIRE(rows.size() == 10000);
    std::vector<long> counts(100, 0);
    long right = 0;
    for (const auto& row : rows) {
        const int label = std::stoi(row.first);
        ++counts[static_cast<size_t>(label * 10 + row.second)];
        right += label == row.second;
    }
    for (int t = 0; t < 10; ++t) {
        for (int p = 0; p < 10; ++p)
            CHECK(confusion->items[t].items[p].number == counts[static_cast<size_t>(t * 10 + p)]);
    }
    CHECK(accuracy == doctest::Approx(right / 10000.0));

    r = run("./fnn eval --model " + model);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "rows: true class, columns: predicted class"));
    CHECK(contains(r.output, "Ankle boot"));
    CHECK(contains(r.output, "macro avg"));
    CHECK(contains(r.output, "weighted avg"));
    r = run("./fnn eval --model " + model + " --csv");
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.rfind("class,name,precision,recall,f1,support\n0,T-shirt/top,", 0) == 0);
    CHECK(contains(r.output, "macro avg"));

    // Splits as training made them (the run's config.json): it trained on the first 3,000
    // images with 10 % held out, so 2,700 train and 300 validation images.
    r = run("./fnn eval --model " + model + " --split val --json");
    REQUIRE(r.exit_code == 0);
    REQUIRE(parse_json(r.output, report, error));
    CHECK(report.number_or("samples", 0) == 300);
    r = run("./fnn eval --model " + model + " --split train --json");
    REQUIRE(parse_json(r.output, report, error));
    CHECK(report.number_or("samples", 0) == 2700);
    r = run("./fnn eval --model " + model + " --split val --val_fraction 0.2 --json");
    REQUIRE(parse_json(r.output, report, error));
    CHECK(report.number_or("samples", 0) == 600);
    // Away from its run directory a model gets the default split: 54,000 and 6,000.
    const std::string alone = temp_dir() + "/alone.fnn";
    REQUIRE(run("cp " + model + " " + alone).exit_code == 0);
    r = run("./fnn eval --model " + alone + " --split val --json");
    REQUIRE(parse_json(r.output, report, error));
    CHECK(report.number_or("samples", 0) == 6000);
}

TEST_CASE(
    "predict: an IDX file and PGM images give the dataset's predictions for the same pixels") {
    const std::string model = trained_model(), dir = temp_dir();
    LoadedDataset test;
    std::string error;
    REQUIRE_MESSAGE(load_dataset("data", "fashion_mnist", "test", test, error), error);
    CommandResult r = run("./fnn predict --model " + model + " -d fashion_mnist");
    const auto expected = parse_predictions(r.output);

    // Images 0..4 as one IDX file (big-endian header, as the originals).
    std::string idx;
    append_be32(idx, 0x00000803);
    for (uint32_t dim : {5u, 28u, 28u}) append_be32(idx, dim);
    idx.append(reinterpret_cast<const char*>(test.view.sample(0)), 5 * 784);
    REQUIRE(write_file_atomic(dir + "/five.idx", idx, nullptr) == Status::Ok);
    r = run("./fnn predict --model " + model + " --idx " + dir + "/five.idx");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const auto from_idx = parse_predictions(r.output);
    REQUIRE(from_idx.size() == 5);
    for (size_t i = 0; i < 5; ++i) {
        CHECK(from_idx[i].first.empty());  // no label known
        CHECK(from_idx[i].second == expected[i].second);
    }

    // Images 7 and 3 as PGMs, written to a file with -o.
    std::string pgms;
    for (int index : {7, 3}) {
        const std::string path = dir + "/image" + std::to_string(index) + ".pgm";
        std::string pgm = "P5\n28 28\n255\n";
        pgm.append(reinterpret_cast<const char*>(test.view.sample(index)), 784);
        REQUIRE(write_file_atomic(path, pgm, nullptr) == Status::Ok);
        pgms += " " + path;
    }
    r = run("./fnn predict --model " + model + " -o " + dir + "/out.csv --pgm" + pgms);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const auto from_pgm = parse_predictions(read_text(dir + "/out.csv"));
    REQUIRE(from_pgm.size() == 2);
    CHECK(from_pgm[0].second == expected[7].second);
    CHECK(from_pgm[1].second == expected[3].second);
}

TEST_CASE("eval and predict: bad models, inputs and flags give clear errors") {
    const std::string model = trained_model(), dir = temp_dir();
    CommandResult r = run("./fnn eval");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "give one run directory or --model FILE"));
    r = run("./fnn eval --model " + model + " --split holdout");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "train, val, test"));
    r = run("./fnn eval --model " + dir + "/missing.fnn");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "missing.fnn"));

    // A model with one flipped byte fails its CRC.
    std::string bytes = read_text(model);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
    REQUIRE(write_file_atomic(dir + "/flipped.fnn", bytes, nullptr) == Status::Ok);
    r = run("./fnn eval --model " + dir + "/flipped.fnn");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "CRC-32 mismatch"));

    // Predict: exactly one input; images of the wrong size; not an image at all.
    r = run("./fnn predict --model " + model);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "exactly one of --dataset, --idx FILE, --pgm FILE"));
    // Each bad input file: predict exits 1 with a message containing `expected`.
    auto rejects = [&](const std::string& name, const std::string& content,
                       const std::string& expected) {
        CAPTURE(name);
        REQUIRE(write_file_atomic(dir + "/" + name, content, nullptr) == Status::Ok);
        const bool pgm = name.size() > 4 && name.compare(name.size() - 4, 4, ".pgm") == 0;
        const CommandResult bad = run("./fnn predict --model " + model +
                                      (pgm ? " --pgm " : " --idx ") + dir + "/" + name);
        CHECK(bad.exit_code == 1);
        CHECK(contains(bad.output, expected));
    };
    rejects("small.pgm", "P5\n10 10\n255\n" + std::string(100, '\x40'),
            "10x10 image, the model takes 784 pixels");
    rejects("text.pgm", "hello, world\n", "not a binary PGM");
    rejects("truncated.pgm", "P5\n28 28\n255\n" + std::string(700, '\x10'), "truncated.pgm");
    std::string idx;
    append_be32(idx, 0x00000803);
    for (uint32_t dim : {2u, 10u, 10u}) append_be32(idx, dim);
    idx += std::string(200, '\0');
    rejects("small.idx", idx, "100 values per image, the model takes 784");
    idx.resize(idx.size() - 1);
    rejects("short.idx", idx, "short.idx");
}
