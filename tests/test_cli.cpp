// The fnn and fnnpack binaries as a user runs them: exit codes, messages that name the problem
// and the valid choices, and the run directory's files.
#include <doctest/doctest.h>

#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "command.hpp"
#include "fnn/blob.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"

using namespace fnn;
using namespace fnn_test;

TEST_CASE("cli: unknown flags exit 2 and list the valid flags") {
    const CommandResult r = run("./fnn train --bogus 1");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "unknown flag '--bogus'"));
    CHECK(contains(r.output, "-lr/--learning_rate"));
    CHECK(contains(r.output, "-w_d/--weight_decay"));
}

TEST_CASE("cli: unknown values exit 2 and list the valid choices") {
    CommandResult r = run("./fnn train -o adamw");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "valid choices: sgd, momentum, nag, rmsprop, adam, nadam"));
    r = run("./fnn train --activation=gelu");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "sigmoid"));
    r = run("./fnn train -d cifar100");
    CHECK(r.exit_code == 2);
    CHECK(contains(r.output, "fashion_mnist, mnist"));
}

TEST_CASE("cli: malformed numbers and missing values exit 2 with the reason") {
    const struct {
        const char* args;
        const char* part;
    } cases[] = {{"-lr abc", "not a decimal number"},
                 {"-lr 0x10", "not a decimal number"},
                 {"-lr ' 0.1'", "not a decimal number"},
                 {"-e 0x10", "not an integer"},
                 {"-e 0", "not an integer in 1..100000"},
                 {"-b -4", "integer"},
                 {"-lr", "needs a value"},
                 {"-lr nan", "not a decimal number"},
                 {"-lr inf", "not a decimal number"},
                 {"-beta2 1", "outside [0, 0.9999999]"},
                 {"--seed -1", "non-negative"},
                 {"-nhl 3 -sz 64,32", "disagrees"},
                 {"-sz 64,,32", "integer"},
                 {"--quiet=1", "takes no value"},
                 {"extra", "unexpected argument"},
                 {"--val_fraction 0.9", "outside [0, 0.5]"},
                 {"-o adam -eps 0", "epsilon: adam divides by sqrt(v) + epsilon"},
                 {"-o rmsprop --epsilon=0", "must be > 0"}};
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const CommandResult r = run(std::string("./fnn train ") + c.args);
        CHECK(r.exit_code == 2);
        CHECK_MESSAGE(contains(r.output, c.part), r.output);
    }
    CHECK(run("./fnn frobnicate").exit_code == 2);
    CHECK(run("./fnn").exit_code == 2);
    CHECK(run("./fnnpack frobnicate").exit_code == 2);
}

TEST_CASE("cli: --help lists every flag of the course") {
    const CommandResult r = run("./fnn train --help");
    CHECK(r.exit_code == 0);
    for (const char* flag :
         {"-d/--dataset", "-e/--epochs", "-b/--batch_size", "-l/--loss", "-o/--optimizer",
          "-lr/--learning_rate", "-m/--momentum", "-beta/--beta", "-beta1/--beta1",
          "-beta2/--beta2", "-eps/--epsilon", "-w_d/--weight_decay", "-w_i/--weight_init",
          "-nhl/--num_layers", "-sz/--hidden_size", "-a/--activation", "--seed", "--val_fraction",
          "--out"}) {
        CHECK_MESSAGE(contains(r.output, flag), flag);
    }
}

TEST_CASE("cli: missing data says how to get it") {
    const CommandResult r = run("./fnn train --data_dir /nonexistent_fnn_data");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "/nonexistent_fnn_data/fashion_mnist-train.fnnd not found"));
    CHECK(contains(r.output, "make data"));
    CHECK(contains(run("./fnn train -d mnist --data_dir /nonexistent_fnn_data").output,
                   "make data-mnist"));
}

TEST_CASE("cli: a corrupt dataset is rejected with the file and the problem") {
    const std::string dir = temp_dir();
    std::vector<uint8_t> bytes;
    ErrorText err;
    REQUIRE(read_file("data/fashion_mnist-test.fnnd", bytes, &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/fashion_mnist-test.fnnd", bytes.data(), bytes.size(), &err) ==
            Status::Ok);
    REQUIRE(write_file_atomic(dir + "/fashion_mnist-train.fnnd", bytes.data(), bytes.size() / 2,
                              &err) == Status::Ok);
    CommandResult r = run("./fnn train --data_dir " + dir);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, dir + "/fashion_mnist-train.fnnd: truncated"));
    bytes[1000] ^= 0x10;
    REQUIRE(write_file_atomic(dir + "/fashion_mnist-train.fnnd", bytes.data(), bytes.size(),
                              &err) == Status::Ok);
    r = run("./fnn train --data_dir " + dir);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "CRC-32 mismatch"));
    REQUIRE(write_file_atomic(dir + "/fashion_mnist-train.fnnd", std::string("FNNM not a dataset"),
                              &err) == Status::Ok);
    r = run("./fnn train --data_dir " + dir);
    CHECK(contains(r.output, "expected magic FNND"));
}

TEST_CASE("cli: a training run writes config, metrics, summary and a loadable model") {
    const std::string dir = temp_dir() + "/run";
    const CommandResult r =
        run("./fnn train -e 2 -nhl 2 -sz 48,24 -a tanh -o nadam -lr 0.002 -b 128 --seed 3 --out " +
            dir);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "epoch   2/2"));
    CHECK(contains(r.output, "784-48-24-10"));
    const std::string metrics = read_text(dir + "/metrics.csv");
    CHECK(metrics.rfind("epoch,train_loss,train_acc,val_loss,val_acc,seconds\n1,", 0) == 0);
    CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 3);
    const std::string config = read_text(dir + "/config.json");
    CHECK(contains(config, "\"optimizer\": \"nadam\""));
    CHECK(contains(config, "\"hidden_sizes\": [48, 24]"));
    CHECK(contains(config, "\"activation\": \"tanh\""));
    CHECK(contains(config, "\"train_samples\": 54000"));
    const std::string summary = read_text(dir + "/summary.json");
    CHECK(contains(summary, "\"status\": \"ok\""));
    CHECK(contains(summary, "\"test_loss\": "));
    CHECK(contains(summary, "\"test_acc\": 0.8"));  // two epochs of this network: 80-90 %
    std::vector<uint8_t> blob;
    ErrorText err;
    REQUIRE(read_file(dir + "/model.fnn", blob, &err) == Status::Ok);
    ModelBlob m;
    REQUIRE(parse_model_blob(blob.data(), blob.size(), m, &err) == Status::Ok);
    CHECK(m.header.n_layers == 3);
    CHECK(m.layers[0].n_out == 48);
    CHECK(m.layers[0].act == Activation::Tanh);
    CHECK(m.header.meta.rows == 28);
}

TEST_CASE("cli: a diverging run exits 1, says where, and still saves the model and summary") {
    const std::string dir = temp_dir();
    const CommandResult r = run("./fnn train -e 1 -a identity -o sgd -lr 1e6 -q --out " + dir);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "diverged at epoch 1, step"));
    CHECK(contains(read_text(dir + "/summary.json"), "\"status\": \"diverged\""));
    CHECK(read_text(dir + "/metrics.csv") ==
          "epoch,train_loss,train_acc,val_loss,val_acc,seconds\n");
    CHECK(file_exists(dir + "/model.fnn"));
}

TEST_CASE("cli: fnnpack converts IDX files and describes blobs") {
    const std::string dir = temp_dir();
    ErrorText err;
    // 3 images of 2x2 and their labels, written as IDX by hand.
    const uint8_t images[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2,  0,  0,
                              0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const uint8_t labels[] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 2};
    REQUIRE(write_file_atomic(dir + "/img", images, sizeof images, &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/lbl", labels, sizeof labels, &err) == Status::Ok);
    CommandResult r = run("./fnnpack dataset --images " + dir + "/img --labels " + dir +
                          "/lbl --names a,b,c -o " + dir + "/d.fnnd");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "3 samples of 2x2x1, 3 classes"));
    r = run("./fnnpack info " + dir + "/d.fnnd");
    CHECK(contains(r.output, "class 2: c"));
    // The blob exists now: converting again needs --overwrite.
    r = run("./fnnpack dataset --images " + dir + "/img --labels " + dir + "/lbl -o " + dir + "/d.fnnd");
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.output, "d.fnnd already exists; add --overwrite"), r.output);
    CHECK(contains(run("./fnnpack info " + dir + "/d.fnnd").output, "class 2: c"));
    r = run("./fnnpack dataset --images " + dir + "/img --labels " + dir + "/lbl -o " + dir +
            "/d.fnnd --overwrite");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(run("./fnnpack info " + dir + "/d.fnnd").output, "class 2: class 2"));  // no names now
    // Counts that disagree.
    const uint8_t two_labels[] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};
    REQUIRE(write_file_atomic(dir + "/lbl2", two_labels, sizeof two_labels, &err) == Status::Ok);
    r = run("./fnnpack dataset --images " + dir + "/img --labels " + dir + "/lbl2 -o " + dir +
            "/e.fnnd");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "has 3 images but"));
    CHECK(!file_exists(dir + "/e.fnnd"));
    r = run("./fnnpack dataset --images " + dir + "/nothere --labels " + dir + "/lbl -o " + dir +
            "/e.fnnd");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "nothere: cannot open"));
}

TEST_CASE("cli: fnnpack reads CIFAR-10 binary batches it is given in the real format") {
    const std::string dir = temp_dir();
    ErrorText err;
    // Two batches of 3 and 2 records: label byte, then 1024 red, 1024 green, 1024 blue bytes.
    auto batch = [](int records, int first_label) {
        std::vector<uint8_t> b;
        for (int r = 0; r < records; ++r) {
            b.push_back(static_cast<uint8_t>((first_label + r) % 10));
            for (int c = 0; c < 3; ++c)
                for (int i = 0; i < 1024; ++i)
                    b.push_back(static_cast<uint8_t>(c * 80 + i % 7 + r));
        }
        return b;
    };
    const std::vector<uint8_t> b1 = batch(3, 8), b2 = batch(2, 1);
    REQUIRE(write_file_atomic(dir + "/data_batch_1.bin", b1.data(), b1.size(), &err) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/data_batch_2.bin", b2.data(), b2.size(), &err) == Status::Ok);
    CommandResult r = run("./fnnpack cifar10 " + dir + "/data_batch_1.bin " + dir +
                          "/data_batch_2.bin -o " + dir + "/c.fnnd");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "5 samples of 32x32x3, 10 classes"));
    std::vector<uint8_t> blob;
    REQUIRE(read_file(dir + "/c.fnnd", blob, &err) == Status::Ok);
    Dataset d;
    REQUIRE(parse_dataset_blob(blob.data(), blob.size(), "c", d, &err) == Status::Ok);
    CHECK(d.labels[0] == 8);
    CHECK(d.labels[2] == 0);
    CHECK(d.labels[3] == 1);
    CHECK(d.sample(4)[1024 + 9] == 80 + 9 % 7 + 1);  // green plane, pixel 9, of the fifth image
    CHECK(contains(run("./fnnpack info " + dir + "/c.fnnd").output, "class 9: truck"));
    // A truncated batch and a CIFAR-100-style label are rejected with the file named.
    REQUIRE(write_file_atomic(dir + "/cut.bin", b1.data(), b1.size() - 5, &err) == Status::Ok);
    r = run("./fnnpack cifar10 " + dir + "/cut.bin -o " + dir + "/x.fnnd");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "cut.bin: "));
    CHECK(contains(r.output, "whole number of 3073-byte"));
    std::vector<uint8_t> bad = b2;
    bad[3073] = 42;
    REQUIRE(write_file_atomic(dir + "/bad.bin", bad.data(), bad.size(), &err) == Status::Ok);
    r = run("./fnnpack cifar10 " + dir + "/bad.bin -o " + dir + "/x.fnnd");
    CHECK(contains(r.output, "record 1 has label 42"));
    CHECK(!file_exists(dir + "/x.fnnd"));
}

TEST_CASE("cli: fnnpack model converts, calibrates and reports; c-array embeds a blob") {
    const std::string dir = temp_dir();
    CommandResult r = run("./fnn train -q -e 1 -nhl 1 -sz 32 --out " + dir + "/run");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    const std::string model = dir + "/run/model.fnn";
    r = run("./fnnpack model " + model +
            " --to int8 --int8_activations --calibrate data/fashion_mnist-train.fnnd "
            "--calibration_samples 500 -o " +
            dir + "/q.fnn --report data/fashion_mnist-test.fnnd");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(contains(r.output, "int8 weights, int8 activations"));
    CHECK(contains(r.output, "input (fp32)"));
    CHECK(contains(r.output, "output (int8 + int8 act)"));
    CHECK(contains(r.output, "25408"));  // MACs: 784*32 + 32*10
    CHECK(contains(run("./fnnpack info " + dir + "/q.fnn").output, "int8 activations"));
    r = run("./fnnpack model " + model + " --to fp16 -o " + dir + "/h.fnn");
    CHECK(r.exit_code == 0);
    CHECK(contains(run("./fnnpack info " + dir + "/h.fnn").output, "fp16 weights"));
    CHECK(run("./fnnpack model " + model + " --to int8 --int8_activations -o " + dir + "/x.fnn")
              .exit_code == 2);
    CHECK(run("./fnnpack model " + model + " --to int4 -o " + dir + "/x.fnn").exit_code == 2);
    r = run("./fnnpack model data/fashion_mnist-test.fnnd -o " + dir + "/x.fnn");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.output, "not an fnn model"));
    r = run("./fnnpack c-array " + dir + "/h.fnn --name my_model -o " + dir + "/m.c");
    REQUIRE(r.exit_code == 0);
    const std::string c = read_text(dir + "/m.c");
    CHECK(contains(c, "__attribute__((aligned(16)))"));
    CHECK(contains(c, "const unsigned char my_model["));
    CHECK(contains(c, "const size_t my_model_len = "));
    CHECK(run("./fnnpack c-array " + dir + "/h.fnn --name 9lives -o " + dir + "/m.c").exit_code ==
          2);
    // An existing output is never replaced without --overwrite, by any command that takes -o
    // (the file keeps its bytes); with it, it is.
    const std::string before = read_text(dir + "/m.c");
    const std::string refused[] = {
        "./fnnpack c-array " + dir + "/q.fnn -o " + dir + "/m.c",
        "./fnnpack model " + model + " --to fp16 -o " + dir + "/m.c",
        "./fnn predict --model " + model + " -d fashion_mnist -o " + dir + "/m.c",
        "./fnn report " + dir + "/run -o " + dir + "/m.c"};
    for (const std::string& command : refused) {
        r = run(command);
        CHECK_MESSAGE(r.exit_code == 1, command);
        CHECK_MESSAGE(contains(r.output, "m.c already exists; add --overwrite to replace it"), r.output);
        CHECK(read_text(dir + "/m.c") == before);
    }
    r = run("./fnnpack c-array " + dir + "/q.fnn --name my_model -o " + dir + "/m.c");
    CHECK(r.exit_code == 1);  // the header exists too
    r = run("./fnnpack c-array " + dir + "/h.fnn --name my_model -o " + dir + "/m.c --overwrite");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn predict --model " + model + " -d fashion_mnist -o " + dir + "/m.csv");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    r = run("./fnn predict --model " + model + " -d fashion_mnist -o " + dir + "/m.csv --overwrite");
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    // The generated files compile as C99 (the program includes the generated header) and hold
    // exactly the blob's bytes.
    CHECK(contains(read_text(dir + "/m.h"), "extern const unsigned char my_model["));
    const std::string check = dir + "/check.c";
    REQUIRE(write_file_atomic(
                check,
                std::string("#include <stdio.h>\n#include \"m.h\"\n"
                            "int main(void) { fwrite(my_model, 1, my_model_len, stdout); return "
                            "((size_t)my_model % 16) != 0; }\n"),
                nullptr) == Status::Ok);
    r = run("gcc -std=c99 -pedantic -Wall -Werror " + check + " " + dir + "/m.c -o " + dir +
            "/check && " + dir + "/check > " + dir + "/back.fnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    CHECK(read_text(dir + "/back.fnn") == read_text(dir + "/h.fnn"));
}

TEST_CASE("cli: make install, then a plain C program embeds a model and builds with pkg-config") {
    const std::string dir = temp_dir();
    CommandResult r = run("make -s install PREFIX=" + dir + "/prefix");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    for (const char* f :
         {"/prefix/bin/fnn", "/prefix/bin/fnnpack", "/prefix/lib/libfnn.a",
          "/prefix/lib/libfnn_infer.a", "/prefix/include/fnn/fnn.h",
          "/prefix/include/fnn/trainer.hpp", "/prefix/lib/pkgconfig/fnn-infer.pc",
          "/prefix/lib/pkgconfig/fnn.pc", "/prefix/share/fnn/data/fashion_mnist-test.fnnd"}) {
        CHECK_MESSAGE(file_exists(dir + f), f);
    }
    const std::string env = "PKG_CONFIG_PATH=" + dir + "/prefix/lib/pkgconfig ";
    r = run(env + "pkg-config --cflags --libs fnn-infer");
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "-I" + dir + "/prefix/include"));
    CHECK(contains(r.output, "-lfnn_infer"));
    // The installed fnn finds the installed data and trains; the example embeds the model.
    r = run(dir + "/prefix/bin/fnn train -q -e 1 -nhl 1 -sz 32 --out " + dir + "/run");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(dir + "/prefix/bin/fnnpack c-array " + dir + "/run/model.fnn -o " + dir +
            "/model.c && " + dir + "/prefix/bin/fnnpack images " + dir +
            "/prefix/share/fnn/data/fashion_mnist-test.fnnd --count 40 --pgm " + dir + "/pgm");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
#if defined(__SANITIZE_ADDRESS__)
    const std::string link_like_the_library =
        " -fsanitize=address,undefined";  // a sanitizer build of fnn
#else
    const std::string link_like_the_library;
#endif
    r = run(env + "gcc -std=c99 -Wall -Werror tools/example/classify.c " + dir + "/model.c $(" +
            env + "pkg-config --cflags --libs fnn-infer)" + link_like_the_library + " -o " + dir +
            "/classify");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(dir + "/classify " + dir + "/pgm/*.pgm");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    // Each line: <dir>/pgm/<index>-<label>.pgm <class> <probability>; most must be right.
    int lines = 0, correct = 0;
    size_t pos = 0;
    while ((pos = r.output.find(".pgm ", pos)) != std::string::npos) {
        ++lines;
        correct += r.output[pos - 1] == r.output[pos + 5];
        pos += 5;
    }
    CHECK(lines == 40);
    CHECK(correct >= 28);
    CHECK(contains(r.output, "Ankle boot\n"));  // the model's class names travel with it
    CHECK(run(dir + "/classify " + dir + "/model.c").exit_code == 1);  // not a PGM
    // The same program, unchanged, embeds a small CNN (its arena fits the example's 16 KB).
    r = run(dir + "/prefix/bin/fnn train -q -e 1 --arch conv8k3,relu,pool2,dense32,relu -o adam "
            "-lr 0.002 --out " + dir + "/cnn && " + dir + "/prefix/bin/fnnpack c-array " + dir +
            "/cnn/model.fnn -o " + dir + "/cnn.c");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(env + "gcc -std=c99 -Wall -Werror tools/example/classify.c " + dir + "/cnn.c $(" +
            env + "pkg-config --cflags --libs fnn-infer)" + link_like_the_library + " -o " + dir +
            "/classify_cnn");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    r = run(dir + "/classify_cnn " + dir + "/pgm/*.pgm");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    int cnn_correct = 0;
    for (pos = 0; (pos = r.output.find(".pgm ", pos)) != std::string::npos; pos += 5)
        cnn_correct += r.output[pos - 1] == r.output[pos + 5];
    CHECK(cnn_correct >= 30);
}

TEST_CASE("cli: fnnpack stores multi-channel IDX images channel-planar, as dataset blobs specify") {
    // Two 2x2 RGB images; pixel (r, x) of image i has channel c = 100*i + 10*(2r + x) + c.
    const std::string dir = temp_dir();
    std::string images = {0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < 2; ++i)
        for (int p = 0; p < 4; ++p)
            for (int c = 0; c < 3; ++c) images += static_cast<char>(100 * i + 10 * p + c);
    const std::string labels = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};
    REQUIRE(write_file_atomic(dir + "/i.idx", images, nullptr) == Status::Ok);
    REQUIRE(write_file_atomic(dir + "/l.idx", labels, nullptr) == Status::Ok);
    const CommandResult r = run("./fnnpack dataset --images " + dir + "/i.idx --labels " + dir +
                                "/l.idx -o " + dir + "/d.fnnd");
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    std::vector<uint8_t> bytes;
    REQUIRE(read_file(dir + "/d.fnnd", bytes, nullptr) == Status::Ok);
    Dataset d;
    REQUIRE(parse_dataset_blob(bytes.data(), bytes.size(), "d", d, nullptr) == Status::Ok);
    REQUIRE(d.features() == 12);
    for (int i = 0; i < 2; ++i)
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 4; ++p)
                CHECK(d.sample(i)[c * 4 + p] == 100 * i + 10 * p + c);
}
