// fnnpack: converts datasets and models into fnn's blobs.
//   fnnpack dataset --images F --labels F [--names a,b,...] [--classes N] -o OUT.fnnd
//   fnnpack cifar10 BATCH.bin... -o OUT.fnnd
//   fnnpack model IN.fnn --to fp32|fp16|int8 [--int8_activations --calibrate DATA] -o OUT.fnn
//   fnnpack c-array IN -o OUT.c [--name NAME]
//   fnnpack images DATA.fnnd [--first N] [--count N] (--raw FILE | --pgm DIR)
//   fnnpack info FILE            describe a dataset or model blob
#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "fnn/blob.hpp"
#include "fnn/summary.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"
#include "fnn/fnn.h"
#include "fnnpack.hpp"

using namespace fnn;

namespace {

void usage(FILE* out) {
    fputs(
        "usage: fnnpack <command> [flags]\n"
        "\n"
        "commands:\n"
        "  dataset   IDX image + label files -> one dataset blob (.fnnd)\n"
        "  cifar10   CIFAR-10 binary batches -> one dataset blob (.fnnd)\n"
        "  model     model blob -> fp32, fp16 or int8 model blob, with a comparison report\n"
        "  c-array   any file (a model blob) -> C source holding an aligned const array\n"
        "  images    samples of a dataset blob -> raw bytes or PGM/PPM files\n"
        "  info      describe a dataset (.fnnd) or model (.fnn) blob\n"
        "\n"
        "`fnnpack <command> --help` lists each command's flags.\n",
        out);
}

int cmd_info(int argc, char** argv) {
    if (argc != 3 || argv[2][0] == '-') {
        fputs("usage: fnnpack info FILE\n",
              argc == 3 && strcmp(argv[2], "--help") == 0 ? stdout : stderr);
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
        printf("%s: dataset blob v%u, %d samples of %ux%ux%u, %d classes\n", path.c_str(),
               kDatasetVersion, d.count(), d.header.rows, d.header.cols, d.header.channels,
               d.classes());
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
    NetworkShape shape;
    if (network_from_blob(m, shape, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack info: %s: %s\n", path.c_str(), err.text);
        return 1;
    }
    size_t arena_bytes = 0;
    const fnn_status runs = fnn_arena_bytes(bytes.data(), bytes.size(), &arena_bytes);
    printf("%s: model blob v%u, %s weights, %zu bytes, input %ux%ux%u, %d classes%s\n",
           path.c_str(), m.header.version, weight_type_name(m.header.weight_type), bytes.size(),
           m.header.meta.rows, m.header.meta.cols, m.header.meta.channels, m.header.n_classes,
           m.header.meta.names != nullptr ? " (named)" : "");
    if (runs == FNN_OK) printf("  inference library arena: %zu bytes\n", arena_bytes);
    else printf("  inference library: %s (fnn eval and predict run it)\n", fnn_status_str(runs));
    fputs(network_summary(shape, 2).c_str(), stdout);
    for (int l = 0; l < m.header.n_layers; ++l) {
        if (m.layers[l].input_qscale != 0.0f) printf("  layer %d: int8 activations\n", l + 1);
    }
    if (runs != FNN_OK) return 0;
    // What each layer keeps live in the inference library's arena while it runs.
    printf("  arena in use while each layer runs (activations + scratch), bytes:");
    for (int l = 0; l < m.header.n_layers; ++l) {
        size_t live = 0;
        if (fnn_layer_bytes(bytes.data(), bytes.size(), static_cast<size_t>(l), &live) != FNN_OK) break;
        printf("%s%d: %zu", l % 6 == 0 ? "\n    " : ", ", l + 1, live);
    }
    printf("\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace fnn;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "dataset") return cmd_dataset(argc, argv);
    if (command == "cifar10") return cmd_cifar10(argc, argv);
    if (command == "model") return cmd_model(argc, argv);
    if (command == "c-array") return cmd_c_array(argc, argv);
    if (command == "images") return cmd_images(argc, argv);
    if (command == "info") return cmd_info(argc, argv);
    if (command == "-h" || command == "--help" || command == "help") {
        usage(stdout);
        return 0;
    }
    fprintf(stderr,
            "fnnpack: unknown command '%s'; valid commands: dataset, cifar10, model, c-array, "
            "images, info\n",
            command.c_str());
    return 2;
}
