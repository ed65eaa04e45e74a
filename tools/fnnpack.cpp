// fnnpack: converts datasets and models into fnn's blobs.
//   fnnpack dataset --images F --labels F [--names a,b,...] [--classes N] -o OUT.fnnd
//   fnnpack cifar10 BATCH.bin... -o OUT.fnnd
//   fnnpack info FILE            describe a dataset or model blob
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "../src/cli_flags.hpp"
#include "fnn/blob.hpp"
#include "fnn/cifar.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"
#include "fnn/idx.hpp"

using namespace fnn;

namespace {

void usage(FILE* out) {
    fputs("usage: fnnpack <command> [flags]\n"
          "\n"
          "commands:\n"
          "  dataset   IDX image + label files -> one dataset blob (.fnnd)\n"
          "  cifar10   CIFAR-10 binary batches -> one dataset blob (.fnnd)\n"
          "  info      describe a dataset (.fnnd) or model (.fnn) blob\n"
          "\n"
          "`fnnpack <command> --help` lists each command's flags.\n",
          out);
}

// "a,b,c" -> "a\nb\nc\n", the dataset blob's name block.
std::string names_block(const std::string& csv) {
    std::string out;
    size_t start = 0;
    for (;;) {
        const size_t comma = csv.find(',', start);
        out += csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start) + "\n";
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// Writes a dataset blob for pixels/labels already in memory; prints what it wrote.
int write_dataset(const std::string& out_path, const DatasetHeader& h, const std::string& names,
                  const uint8_t* pixels, const uint8_t* labels, const char* command) {
    ErrorText err;
    std::vector<uint8_t> blob(dataset_blob_bytes(h));
    if (write_dataset_blob(h, names.c_str(), pixels, labels, blob.data(), blob.size(), &err) != Status::Ok ||
        write_file_atomic(out_path, blob.data(), blob.size(), &err) != Status::Ok) {
        fprintf(stderr, "%s: %s\n", command, err.text);
        return 1;
    }
    printf("%s: %u samples of %ux%ux%u, %u classes, %zu bytes\n", out_path.c_str(), h.count, h.rows, h.cols,
           h.channels, h.classes, blob.size());
    return 0;
}

int cmd_dataset(int argc, char** argv) {
    std::string images_path, labels_path, names, out_path;
    long classes = 0;
    FlagParser p("fnnpack dataset", "Convert an IDX image file and its IDX label file into a dataset blob.");
    p.add({"", "--images", "FILE", "IDX images: count x rows x cols (x channels), unsigned bytes", {},
           [&](const std::string& v, std::string&) { images_path = v; return true; }});
    p.add({"", "--labels", "FILE", "IDX labels: count, unsigned bytes", {},
           [&](const std::string& v, std::string&) { labels_path = v; return true; }});
    p.add({"", "--names", "A,B,...", "class names, one per class", {},
           [&](const std::string& v, std::string&) { names = v; return true; }});
    p.add({"", "--classes", "N", "number of classes (default: largest label + 1)", {},
           [&](const std::string& v, std::string& e) { return parse_int_value(v, 2, 256, classes, e); }});
    p.add({"-o", "--output", "FILE", "dataset blob to write", {},
           [&](const std::string& v, std::string&) { out_path = v; return true; }});
    const ParseResult r = p.parse(argc, argv, 2, nullptr);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (images_path.empty() || labels_path.empty() || out_path.empty()) {
        fprintf(stderr, "fnnpack dataset: --images, --labels and --output are required\n");
        return 2;
    }
    std::vector<uint8_t> image_bytes, label_bytes;
    IdxArray images, labels;
    ErrorText err;
    if (read_file(images_path, image_bytes, &err) != Status::Ok ||
        parse_idx(image_bytes.data(), image_bytes.size(), images_path.c_str(), images, &err) != Status::Ok ||
        read_file(labels_path, label_bytes, &err) != Status::Ok ||
        parse_idx(label_bytes.data(), label_bytes.size(), labels_path.c_str(), labels, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack dataset: %s\n", err.text);
        return 1;
    }
    if (images.ndim != 3 && images.ndim != 4) {
        fprintf(stderr, "fnnpack dataset: %s: expected 3 or 4 IDX dimensions (count, rows, cols[, channels]), got %d\n",
                images_path.c_str(), images.ndim);
        return 1;
    }
    if (labels.ndim != 1) {
        fprintf(stderr, "fnnpack dataset: %s: expected 1 IDX dimension (count), got %d\n", labels_path.c_str(), labels.ndim);
        return 1;
    }
    if (images.dims[0] != labels.dims[0]) {
        fprintf(stderr, "fnnpack dataset: %s has %u images but %s has %u labels\n", images_path.c_str(),
                images.dims[0], labels_path.c_str(), labels.dims[0]);
        return 1;
    }
    int max_label = 0;
    for (size_t i = 0; i < labels.count; ++i) max_label = labels.data[i] > max_label ? labels.data[i] : max_label;
    DatasetHeader h;
    h.count = images.dims[0];
    h.rows = images.dims[1];
    h.cols = images.dims[2];
    h.channels = images.ndim == 4 ? images.dims[3] : 1;
    h.classes = classes ? static_cast<uint32_t>(classes) : static_cast<uint32_t>(max_label + 1 < 2 ? 2 : max_label + 1);
    const std::string block = names.empty() ? "" : names_block(names);
    h.names_bytes = static_cast<uint32_t>(block.size());
    if (validate_dataset_header(h, out_path.c_str(), &err) != Status::Ok) {
        fprintf(stderr, "fnnpack dataset: %s\n", err.text);
        return 1;
    }
    return write_dataset(out_path, h, block, images.data, labels.data, "fnnpack dataset");
}

int cmd_cifar10(int argc, char** argv) {
    std::string out_path;
    std::vector<std::string> batches;
    FlagParser p("fnnpack cifar10", "Concatenate CIFAR-10 binary batches (data_batch_*.bin or test_batch.bin) into a dataset blob.");
    p.add({"-o", "--output", "FILE", "dataset blob to write", {},
           [&](const std::string& v, std::string&) { out_path = v; return true; }});
    const ParseResult r = p.parse(argc, argv, 2, &batches);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (batches.empty() || out_path.empty()) {
        fprintf(stderr, "fnnpack cifar10: give one or more batch files and --output\n");
        return 2;
    }
    std::vector<uint8_t> pixels, labels;
    for (const std::string& path : batches) {
        std::vector<uint8_t> bytes;
        ErrorText err;
        size_t count = 0;
        if (read_file(path, bytes, &err) != Status::Ok ||
            check_cifar10_batch(bytes.data(), bytes.size(), path.c_str(), count, &err) != Status::Ok) {
            fprintf(stderr, "fnnpack cifar10: %s\n", err.text);
            return 1;
        }
        const size_t before = labels.size();
        labels.resize(before + count);
        pixels.resize(labels.size() * kCifarPixels);
        unpack_cifar10_batch(bytes.data(), count, pixels.data() + before * kCifarPixels, labels.data() + before);
    }
    DatasetHeader h;
    h.count = static_cast<uint32_t>(labels.size());
    h.rows = kCifarSide;
    h.cols = kCifarSide;
    h.channels = kCifarChannels;
    h.classes = kCifarClasses;
    const std::string names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
    h.names_bytes = static_cast<uint32_t>(names.size());
    ErrorText err;
    if (validate_dataset_header(h, out_path.c_str(), &err) != Status::Ok) {
        fprintf(stderr, "fnnpack cifar10: %s\n", err.text);
        return 1;
    }
    return write_dataset(out_path, h, names, pixels.data(), labels.data(), "fnnpack cifar10");
}

int cmd_info(int argc, char** argv) {
    if (argc != 3 || argv[2][0] == '-') {
        fputs("usage: fnnpack info FILE\n", argc == 3 && strcmp(argv[2], "--help") == 0 ? stdout : stderr);
        return argc == 3 && strcmp(argv[2], "--help") == 0 ? 0 : 2;
    }
    const std::string path = argv[2];
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack info: %s\n", err.text);
        return 1;
    }
    if (bytes.size() >= 4 && memcmp(bytes.data(), "FNND", 4) == 0) {
        Dataset d;
        if (parse_dataset_blob(bytes.data(), bytes.size(), path.c_str(), d, &err) != Status::Ok) {
            fprintf(stderr, "fnnpack info: %s\n", err.text);
            return 1;
        }
        printf("%s: dataset blob v%u, %d samples of %ux%ux%u, %d classes\n", path.c_str(), kDatasetVersion,
               d.count(), d.header.rows, d.header.cols, d.header.channels, d.classes());
        for (int c = 0; c < d.classes(); ++c) {
            char name[64];
            dataset_class_name(d, c, name, sizeof name);
            printf("  class %d: %s\n", c, name);
        }
        return 0;
    }
    ModelBlob m;
    if (parse_model_blob(bytes.data(), bytes.size(), m, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack info: %s: %s\n", path.c_str(), err.text);
        return 1;
    }
    printf("%s: model blob v%u, %s weights, %zu bytes, input %ux%ux%u\n", path.c_str(), kModelVersion,
           weight_type_name(m.header.weight_type), bytes.size(), m.header.meta.rows, m.header.meta.cols,
           m.header.meta.channels);
    for (int l = 0; l < m.header.n_layers; ++l) {
        printf("  layer %d: dense %d -> %d, %s\n", l, m.layers[l].n_in, m.layers[l].n_out,
               activation_name(m.layers[l].act));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "dataset") return cmd_dataset(argc, argv);
    if (command == "cifar10") return cmd_cifar10(argc, argv);
    if (command == "info") return cmd_info(argc, argv);
    if (command == "-h" || command == "--help" || command == "help") {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "fnnpack: unknown command '%s'; valid commands: dataset, cifar10, info\n", command.c_str());
    return 2;
}
