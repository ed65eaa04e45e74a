// What training records for reports (diagnostics.jsonl), `fnn report` as text and as one
// self-contained HTML page for a run, a sweep and two compared sweeps, and those pages rendered
// in headless Chromium: every section filled, every image decoded, nothing on the console but
// the page's own check. Chromium is required: without it these tests fail, they do not skip.
#include <doctest/doctest.h>

#include <stdio.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/cli_json.hpp"
#include "cli/report/cli_png.hpp"
#include "command.hpp"
#include "fnn/crc32.hpp"
#include "fnn/file_io.hpp"
#include "fnn/trainer.hpp"

using namespace fnn;
using namespace fnn_test;

namespace {

// A two-epoch run for every test here.
std::string report_run() { return trained_run("-e 2 -sz 32 -lr 0.003 --limit_train 3000"); }

// A 20-trial sweep over both losses, run once.
const std::string& small_sweep() {
    static std::string dir;
    if (dir.empty()) {
        const std::string root = temp_dir();
        REQUIRE(write_file_atomic(
                    root + "/space.yaml",
                    std::string(
                        "method: random\nmetric:\n  name: val_acc\n  goal: maximize\nrun_cap: 20\n"
                        "parameters:\n  epochs:\n    value: 1\n"
                        "  loss:\n    values: [cross_entropy, mean_squared_error]\n"
                        "  hidden_size:\n    values: [16, 32]\n"
                        "  learning_rate:\n    values: [0.001, 0.003]\n"
                        "  optimizer:\n    values: [adam, nadam, rmsprop]\n"),
                    nullptr) == Status::Ok);
        dir = root + "/sweep";
        const CommandResult r = run("./fnn sweep " + root +
                                    "/space.yaml --set limit_train=1000 --workers 2 --out " + dir);
        REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    }
    return dir;
}

// Loads a page in headless Chromium. Returns the lines it logged to the console (all levels
// arrive as INFO:CONSOLE) and the page's body[data-check] after load ("" when absent).
struct Rendered {
    std::vector<std::string> console;
    std::string check;
};

Rendered render(const std::string& html_path) {
    REQUIRE_MESSAGE(run("command -v chromium").exit_code == 0,
                    "headless Chromium is needed to check reports: apt-get install chromium");
    const std::string profile = temp_dir(), dom = profile + "/dom.html", log = profile + "/log.txt";
    const CommandResult r = run(
        "{ timeout 120 chromium --headless --no-sandbox --disable-gpu "
        "--disable-background-networking "
        "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
        profile + " --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom file://" +
        html_path + " > " + dom + " 2> " + log + "; }");
    REQUIRE_MESSAGE(r.exit_code == 0, read_text(log));
    Rendered out;
    const std::string text = read_text(log);
    size_t at = 0;
    while ((at = text.find(":CONSOLE", at)) != std::string::npos) {
        const size_t end = text.find('\n', at);
        out.console.push_back(text.substr(at, end - at));
        at = end;
    }
    const std::string page = read_text(dom);
    const size_t check = page.find("data-check=\"");
    if (check != std::string::npos) {
        const size_t start = check + 12;
        out.check = page.substr(start, page.find('"', start) - start);
    }
    return out;
}

// The page rendered with every one of its sections filled and one console line: its own.
void check_renders(const std::string& html_path, int sections) {
    const Rendered r = render(html_path);
    const std::string all = std::to_string(sections) + "/" + std::to_string(sections);
    CHECK(r.check == all);
    REQUIRE(r.console.size() == 1);
    CHECK(contains(r.console[0], "\"fnn-report-check " + all + "\""));
}

// The page stands alone: no scripts, styles, fonts or images fetched from anywhere.
void check_self_contained(const std::string& html) {
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    for (const char* reference :
         {"<script src", "<link", "src=\"http", "href=\"http", "url(", "@import", "src=\"file"}) {
        CAPTURE(reference);
        CHECK_FALSE(contains(html, reference));
    }
}

}  // namespace

TEST_CASE("report: training samples weight histograms and gradient statistics 4 times per epoch") {
    const std::string text = read_text(report_run() + "/diagnostics.jsonl");
    CHECK(count(text, "\n") == 2 * kSamplesPerEpoch);
    size_t at = 0;
    int line = 0;
    while (at < text.size()) {
        const size_t end = text.find('\n', at);
        JsonValue sample;
        std::string error;
        REQUIRE_MESSAGE(parse_json(text.substr(at, end - at), sample, error), error);
        CHECK(sample.number_or("epoch", 0) == 1 + line / kSamplesPerEpoch);
        const JsonValue* layers = sample.find("layers");
        REQUIRE(layers != nullptr);
        REQUIRE(layers->items.size() == 2);
        const double weights[2] = {784 * 32, 32 * 10};
        for (size_t l = 0; l < 2; ++l) {
            const JsonValue& layer = layers->items[l];
            double total = 0;
            for (const JsonValue& bin : layer.find("histogram")->items) total += bin.number;
            CHECK(total == weights[l]);
            CHECK(layer.number_or("grad_norm", 0) > 0);
            CHECK(layer.number_or("grad_max_abs", 0) > 0);
            CHECK(layer.number_or("grad_max_abs", 0) <= layer.number_or("grad_norm", 0));
            CHECK(layer.number_or("weight_norm", 0) > 0);
            CHECK(layer.number_or("weight_min", 0) < layer.number_or("weight_max", 0));
        }
        ++line;
        at = end + 1;
    }
}

TEST_CASE("report: PNG images decode to the pixels they were given; base64 follows RFC 4648") {
    // 3x2 grey image. The encoder writes stored (uncompressed) deflate blocks: read them back by
    // hand, with the zlib header, the Adler-32 trailer and every chunk's CRC checked.
    const uint8_t pixels[6] = {0, 50, 100, 150, 200, 255};
    const std::vector<uint8_t> png = encode_png(pixels, 3, 2, 1);
    REQUIRE(png.size() > 57);
    CHECK(std::equal(png.begin(), png.begin() + 8,
                     std::vector<uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}.begin()));
    auto be32 = [&](size_t at) {
        return static_cast<uint32_t>(png[at]) << 24 | static_cast<uint32_t>(png[at + 1]) << 16 |
               static_cast<uint32_t>(png[at + 2]) << 8 | png[at + 3];
    };
    std::vector<std::string> chunks;
    std::vector<uint8_t> zlib_stream;
    for (size_t at = 8; at < png.size();) {
        const uint32_t n = be32(at);
        REQUIRE(at + 12 + n <= png.size());
        const std::string type(png.begin() + static_cast<long>(at) + 4,
                               png.begin() + static_cast<long>(at) + 8);
        chunks.push_back(type);
        CHECK(be32(at + 8 + n) == fnn::crc32(0, png.data() + at + 4, n + 4));
        if (type == "IHDR") {
            CHECK(be32(at + 8) == 3);   // width
            CHECK(be32(at + 12) == 2);  // height
            CHECK(png[at + 16] == 8);   // bit depth
            CHECK(png[at + 17] == 0);   // grey
        }
        if (type == "IDAT")
            zlib_stream.insert(zlib_stream.end(), png.begin() + static_cast<long>(at) + 8,
                               png.begin() + static_cast<long>(at + 8 + n));
        at += 12 + n;
    }
    CHECK(chunks == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    REQUIRE(zlib_stream.size() >= 2 + 5 + 4);
    CHECK(((zlib_stream[0] << 8) | zlib_stream[1]) % 31 == 0);  // the zlib header check
    std::vector<uint8_t> raw;
    size_t at = 2;
    for (bool last = false; !last;) {
        REQUIRE(at + 5 <= zlib_stream.size());
        last = zlib_stream[at] & 1;
        CHECK((zlib_stream[at] >> 1) == 0);  // stored block
        const unsigned len = zlib_stream[at + 1] | zlib_stream[at + 2] << 8,
                       nlen = zlib_stream[at + 3] | zlib_stream[at + 4] << 8;
        CHECK((len ^ nlen) == 0xffffu);
        REQUIRE(at + 5 + len <= zlib_stream.size());
        raw.insert(raw.end(), zlib_stream.begin() + static_cast<long>(at) + 5,
                   zlib_stream.begin() + static_cast<long>(at + 5 + len));
        at += 5 + len;
    }
    CHECK(raw ==
          std::vector<uint8_t>{0, 0, 50, 100, 0, 150, 200, 255});  // filter byte 0, then each row
    uint32_t a = 1, b = 0;
    for (uint8_t v : raw) a = (a + v) % 65521, b = (b + a) % 65521;
    REQUIRE(at + 4 == zlib_stream.size());
    CHECK((static_cast<uint32_t>(zlib_stream[at]) << 24 |
           static_cast<uint32_t>(zlib_stream[at + 1]) << 16 |
           static_cast<uint32_t>(zlib_stream[at + 2]) << 8 | zlib_stream[at + 3]) == (b << 16 | a));

    auto b64 = [](const std::string& text) {
        return base64(std::vector<uint8_t>(text.begin(), text.end()));
    };
    CHECK(b64("") == "");
    CHECK(b64("f") == "Zg==");
    CHECK(b64("fo") == "Zm8=");
    CHECK(b64("foo") == "Zm9v");
    CHECK(b64("foobar") == "Zm9vYmFy");
}

TEST_CASE("report: a run in the terminal: curves, labelled confusion matrix, per-class table") {
    const CommandResult r = run("./fnn report " + report_run());
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "loss  (* train, o validation, # overlap)"));
    CHECK(contains(r.output, "accuracy  (* train, o validation, # overlap)"));
    CHECK(contains(r.output, "confusion matrix (rows: true class, columns: predicted class)"));
    CHECK(contains(r.output, " Ankle boot 9 "));
    CHECK(contains(r.output, "precision    recall  f1-score   support"));
    CHECK(contains(r.output, "weighted avg"));
}

TEST_CASE("report: a run as one self-contained page that renders every section in Chromium") {
    const std::string out = temp_dir() + "/run.html";
    const CommandResult r = run("./fnn report " + report_run() + " -o " + out);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string html = read_text(out);
    check_self_contained(html);
    for (const char* id : {"config", "network", "curves", "confusion", "per-class", "samples",
                           "mistakes", "weights", "gradients"}) {
        CAPTURE(id);
        CHECK(contains(html, "<section id=\"" + std::string(id) + "\">"));
    }
    CHECK(count(html, "<img ") == 10 + 16);  // one per class, 16 mistakes
    CHECK(contains(html, "T-shirt/top"));
    // Only the settings that apply (an adam run: no momentum or rmsprop decay, no step schedule);
    // accuracies in percent; the best epoch marked on both curves; gradients on a log axis; the
    // mistakes heading says what it counts; the confusion matrix has its colour scale.
    CHECK(contains(html, "<td class=\"l\">beta1</td>"));
    CHECK_FALSE(contains(html, "<td class=\"l\">momentum</td>"));
    CHECK_FALSE(contains(html, "<td class=\"l\">beta</td>"));
    CHECK_FALSE(contains(html, "<td class=\"l\">lr_gamma</td>"));
    CHECK(contains(html, "<td class=\"l\">test accuracy</td><td class=\"l\">"));
    CHECK(contains(html, "accuracy (%)"));
    CHECK(count(html, ">best epoch ") == 2);
    CHECK(count(html, "(log scale)") == 2);
    CHECK(contains(html, "most confident of the "));
    CHECK(contains(html, "misclassified test images (of 10000)"));
    CHECK(contains(html, "share of the row"));
    CHECK(contains(html, "class=\"chart\""));
    CHECK(contains(html, "dense + softmax"));  // the network table
    check_renders(out, 9);
}

TEST_CASE("report: a CNN run's page adds its filters and feature maps, rendered in Chromium") {
    const std::string dir = trained_run(
        "-e 1 --limit_train 1000 --arch conv6k3,relu,pool2,conv12k3,bn,relu,pool2,dense16,relu");
    const std::string out = temp_dir() + "/cnn.html";
    const CommandResult r = run("./fnn report " + dir + " -o " + out);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string html = read_text(out);
    check_self_contained(html);
    for (const char* id : {"network", "filters", "feature-maps"}) {
        CAPTURE(id);
        CHECK(contains(html, "<section id=\"" + std::string(id) + "\">"));
    }
    // 10 class samples, 16 mistakes, 6 filters, the input and 6 + 12 maps.
    CHECK(count(html, "<img ") == 10 + 16 + 6 + 1 + 6 + 12);
    CHECK(contains(html, "6 maps of 26x26"));
    CHECK(contains(html, "12 maps of 11x11"));
    check_renders(out, 11);
}

TEST_CASE("report: a 20-trial sweep and a comparison render every section in Chromium") {
    const std::string sweep = small_sweep(), out = temp_dir();
    CommandResult r = run("./fnn report " + sweep);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "20 of 20 trials"));
    r = run("./fnn report " + sweep + " -o " + out + "/sweep.html");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string html = read_text(out + "/sweep.html");
    check_self_contained(html);
    for (const char* id : {"overview", "trials", "parallel", "curves", "progress", "importance",
                           "by-parameter", "losses"}) {
        CAPTURE(id);
        CHECK(contains(html, "<section id=\"" + std::string(id) + "\">"));
    }
    CHECK(contains(html, "mean_squared_error"));
    // The swept loss shows as swept; the best trial's command is there; 20 trials over 5 swept
    // parameters are too few to rank importance, and the page says so; every trial is a row.
    CHECK(contains(html, "swept: cross_entropy, mean_squared_error"));
    CHECK(contains(html, "<td class=\"l\">fnn train "));
    CHECK(contains(html, "these importances are rough"));
    CHECK(count(html, "<tr data-trial=") == 20);
    CHECK(count(html, "class=\"pc-line\"") == 20);
    check_renders(out + "/sweep.html", 8);
    // The interactive parts, driven by the page's own self-test with real mouse events: a brush
    // along the metric's axis hides some trials' rows, sorting by the metric orders the rows,
    // and a click on the axis brings every row back.
    const Rendered driven = render(out + "/sweep.html#selftest");
    std::string check;
    for (const std::string& line : driven.console)
        if (contains(line, "fnn-sweep-check")) check = line;
    REQUIRE_MESSAGE(!check.empty(), driven.console.size());
    const size_t at = check.find("brush ");
    REQUIRE(at != std::string::npos);
    int before = 0, after = 0, total = 0, cleared = 0;
    char sort[8] = "";
    REQUIRE(sscanf(check.c_str() + at, "brush %d->%d of %d, sort %3[a-z], cleared %d", &before,
                   &after, &total, sort, &cleared) == 5);
    CHECK(total == 20);
    CHECK(before == 20);
    CHECK(after > 0);
    CHECK(after < 20);
    CHECK(std::string(sort) == "ok");
    CHECK(cleared == 20);

    // The same sweep against itself: one more section, both named.
    r = run("./fnn report " + sweep + " --compare " + sweep + " -o " + out + "/compare.html");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(read_text(out + "/compare.html"), "<section id=\"compare\">"));
    check_renders(out + "/compare.html", 8);
}

TEST_CASE("report: the browser check catches console errors, script errors and broken images") {
    const std::string dir = temp_dir();
    REQUIRE(write_file_atomic(
                dir + "/errors.html",
                std::string("<!DOCTYPE html><html><body><script>console.error('boom');</script>"
                            "<script>no_such_function();</script></body></html>"),
                nullptr) == Status::Ok);
    Rendered r = render(dir + "/errors.html");
    CHECK(r.check.empty());
    REQUIRE(r.console.size() == 2);
    CHECK(contains(r.console[0], "boom"));
    CHECK(contains(r.console[1], "no_such_function"));
    // A report whose first sample image no longer decodes: the page's own check names it.
    REQUIRE(run("./fnn report " + report_run() + " -o " + dir + "/run.html").exit_code == 0);
    std::string html = read_text(dir + "/run.html");
    const size_t image = html.find("data:image/png;base64,");
    REQUIRE(image != std::string::npos);
    html.replace(image + 22, 12, "AAAAAAAAAAAA");
    REQUIRE(write_file_atomic(dir + "/broken.html", html, nullptr) == Status::Ok);
    r = render(dir + "/broken.html");
    CHECK(r.check == "9/9 problems: samples image 0");
}

TEST_CASE("report: missing and damaged inputs give clear errors") {
    const std::string dir = temp_dir();
    CommandResult r = run("./fnn report");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "give a run or sweep directory, or several runs to compare"));
    r = run("./fnn report " + dir + "/nothing");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "is " + dir + "/nothing a run directory?"));
    // A run whose diagnostics are damaged on line 2.
    const std::string copy = dir + "/run";
    REQUIRE(run("cp -r " + report_run() + " " + copy).exit_code == 0);
    std::string diagnostics = read_text(copy + "/diagnostics.jsonl");
    diagnostics.insert(diagnostics.find('\n') + 1,
                       "{\"epoch\":1,\"layers\":[{\"grad_norm\":1}]}\n");
    REQUIRE(write_file_atomic(copy + "/diagnostics.jsonl", diagnostics, nullptr) == Status::Ok);
    r = run("./fnn report " + copy + " -o " + dir + "/r.html");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "diagnostics.jsonl: line 2: "));
    CHECK_FALSE(file_exists(dir + "/r.html"));
    REQUIRE(write_file_atomic(copy + "/diagnostics.jsonl",
                              std::string("{\"epoch\":1,\"layers\":[{\"histogram\":[1"),
                              nullptr) == Status::Ok);
    r = run("./fnn report " + copy + " -o " + dir + "/r.html");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "diagnostics.jsonl: line 1: "));
    // An output that cannot be written: the error names it.
    r = run("./fnn report " + report_run() + " -o " + dir + "/no/such/dir/r.html");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "no/such/dir"));
}
