// fnnpack's dataset commands: IDX pairs and CIFAR-10 batches into dataset blobs.
#include <stdio.h>

#include <string>
#include <vector>

#include "cli/cli_flags.hpp"
#include "fnn/cifar.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"
#include "fnn/idx.hpp"
#include "fnnpack.hpp"

namespace fnn {
namespace {

// "a,b,c" -> "a\nb\nc\n", the dataset blob's name block.
std::string names_block(const std::string& csv) {
    std::string out;
    size_t start = 0;
    for (;;) {
        const size_t comma = csv.find(',', start);
        out += csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start) +
               "\n";
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
    if (write_dataset_blob(h, names.c_str(), pixels, labels, blob.data(), blob.size(), &err) !=
            Status::Ok ||
        write_file_atomic(out_path, blob.data(), blob.size(), &err) != Status::Ok) {
        fprintf(stderr, "%s: %s\n", command, err.text);
        return 1;
    }
    printf("%s: %u samples of %ux%ux%u, %u classes, %zu bytes\n", out_path.c_str(), h.count, h.rows,
           h.cols, h.channels, h.classes, blob.size());
    return 0;
}

}  // namespace

int cmd_dataset(int argc, char** argv) {
    std::string images_path, labels_path, names, out_path;
    bool overwrite = false;
    long classes = 0;
    FlagParser p("fnnpack dataset",
                 "Convert an IDX image file and its IDX label file into a dataset blob.");
    p.add(text_flag("", "--images", "FILE",
                    "IDX images: count x rows x cols (x channels), unsigned bytes", images_path));
    p.add(text_flag("", "--labels", "FILE", "IDX labels: count, unsigned bytes", labels_path));
    p.add(text_flag("", "--names", "A,B,...", "class names, one per class", names));
    p.add(int_flag("", "--classes", "N", "number of classes (default: largest label + 1)", classes,
                   2, 256));
    p.add(text_flag("-o", "--output", "FILE", "dataset blob to write", out_path));
    p.add(switch_flag("", "--overwrite", "replace the output file if it exists", overwrite));
    const ParseResult r = p.parse(argc, argv, 2, nullptr);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (images_path.empty() || labels_path.empty() || out_path.empty()) {
        fprintf(stderr, "fnnpack dataset: --images, --labels and --output are required\n");
        return 2;
    }
    std::vector<uint8_t> image_bytes, label_bytes;
    IdxArray images, labels;
    ErrorText err;
    if (check_new_output(out_path, overwrite, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack dataset: %s\n", err.text);
        return 1;
    }
    if (read_file(images_path, image_bytes, &err) != Status::Ok ||
        parse_idx(image_bytes.data(), image_bytes.size(), images_path.c_str(), images, &err) !=
            Status::Ok ||
        read_file(labels_path, label_bytes, &err) != Status::Ok ||
        parse_idx(label_bytes.data(), label_bytes.size(), labels_path.c_str(), labels, &err) !=
            Status::Ok) {
        fprintf(stderr, "fnnpack dataset: %s\n", err.text);
        return 1;
    }
    if (images.ndim != 3 && images.ndim != 4) {
        fprintf(stderr,
                "fnnpack dataset: %s: expected 3 or 4 IDX dimensions (count, rows, cols[, "
                "channels]), got %d\n",
                images_path.c_str(), images.ndim);
        return 1;
    }
    if (labels.ndim != 1) {
        fprintf(stderr, "fnnpack dataset: %s: expected 1 IDX dimension (count), got %d\n",
                labels_path.c_str(), labels.ndim);
        return 1;
    }
    if (images.dims[0] != labels.dims[0]) {
        fprintf(stderr, "fnnpack dataset: %s has %u images but %s has %u labels\n",
                images_path.c_str(), images.dims[0], labels_path.c_str(), labels.dims[0]);
        return 1;
    }
    int max_label = 0;
    for (size_t i = 0; i < labels.count; ++i)
        max_label = labels.data[i] > max_label ? labels.data[i] : max_label;
    DatasetHeader h;
    h.count = images.dims[0];
    h.rows = images.dims[1];
    h.cols = images.dims[2];
    h.channels = images.ndim == 4 ? images.dims[3] : 1;
    h.classes = classes ? static_cast<uint32_t>(classes)
                        : static_cast<uint32_t>(max_label + 1 < 2 ? 2 : max_label + 1);
    const std::string block = names.empty() ? "" : names_block(names);
    h.names_bytes = static_cast<uint32_t>(block.size());
    if (validate_dataset_header(h, out_path.c_str(), &err) != Status::Ok) {
        fprintf(stderr, "fnnpack dataset: %s\n", err.text);
        return 1;
    }
    if (h.channels == 1)
        return write_dataset(out_path, h, block, images.data, labels.data, "fnnpack dataset");
    // A 4-D IDX file stores each pixel's channels together (rows, cols, channels); dataset blobs
    // store one plane per channel (channels, rows, cols), as CIFAR-10 and convolutions want.
    const size_t plane = static_cast<size_t>(h.rows) * h.cols, features = plane * h.channels;
    std::vector<uint8_t> planar(static_cast<size_t>(h.count) * features);
    for (size_t i = 0; i < h.count; ++i) {
        const uint8_t* in = images.data + i * features;
        uint8_t* out = planar.data() + i * features;
        for (size_t px = 0; px < plane; ++px) {
            for (size_t c = 0; c < h.channels; ++c) out[c * plane + px] = in[px * h.channels + c];
        }
    }
    return write_dataset(out_path, h, block, planar.data(), labels.data, "fnnpack dataset");
}

int cmd_cifar10(int argc, char** argv) {
    std::string out_path;
    bool overwrite = false;
    std::vector<std::string> batches;
    FlagParser p("fnnpack cifar10",
                 "Concatenate CIFAR-10 binary batches (data_batch_*.bin or test_batch.bin) into a "
                 "dataset blob.");
    p.add(text_flag("-o", "--output", "FILE", "dataset blob to write", out_path));
    p.add(switch_flag("", "--overwrite", "replace the output file if it exists", overwrite));
    const ParseResult r = p.parse(argc, argv, 2, &batches);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (batches.empty() || out_path.empty()) {
        fprintf(stderr, "fnnpack cifar10: give one or more batch files and --output\n");
        return 2;
    }
    ErrorText out_err;
    if (check_new_output(out_path, overwrite, &out_err) != Status::Ok) {
        fprintf(stderr, "fnnpack cifar10: %s\n", out_err.text);
        return 1;
    }
    std::vector<uint8_t> pixels, labels;
    for (const std::string& path : batches) {
        std::vector<uint8_t> bytes;
        ErrorText err;
        size_t count = 0;
        if (read_file(path, bytes, &err) != Status::Ok ||
            check_cifar10_batch(bytes.data(), bytes.size(), path.c_str(), count, &err) !=
                Status::Ok) {
            fprintf(stderr, "fnnpack cifar10: %s\n", err.text);
            return 1;
        }
        const size_t before = labels.size();
        labels.resize(before + count);
        pixels.resize(labels.size() * kCifarPixels);
        unpack_cifar10_batch(bytes.data(), count, pixels.data() + before * kCifarPixels,
                             labels.data() + before);
    }
    DatasetHeader h;
    h.count = static_cast<uint32_t>(labels.size());
    h.rows = kCifarSide;
    h.cols = kCifarSide;
    h.channels = kCifarChannels;
    h.classes = kCifarClasses;
    const std::string names =
        "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n";
    h.names_bytes = static_cast<uint32_t>(names.size());
    ErrorText err;
    if (validate_dataset_header(h, out_path.c_str(), &err) != Status::Ok) {
        fprintf(stderr, "fnnpack cifar10: %s\n", err.text);
        return 1;
    }
    return write_dataset(out_path, h, names, pixels.data(), labels.data(), "fnnpack cifar10");
}

int cmd_images(int argc, char** argv) {
    std::string raw_path, pgm_dir;
    long first = 0, count = 16;
    std::vector<std::string> inputs;
    FlagParser p(
        "fnnpack images",
        "Export samples of a dataset blob: fnnpack images DATA.fnnd --raw FILE | --pgm DIR");
    p.add(int_flag("", "--first", "N", "index of the first sample (default 0)", first, 0,
                   kMaxSamples));
    p.add(int_flag("", "--count", "N", "number of samples (default 16)", count, 1, kMaxSamples));
    p.add(text_flag("", "--raw", "FILE", "write the samples' bytes back to back", raw_path));
    p.add(text_flag("", "--pgm", "DIR",
                    "write one PGM (grey) or PPM (colour) file per sample, named <index>-<label>",
                    pgm_dir));
    const ParseResult r = p.parse(argc, argv, 2, &inputs);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (inputs.size() != 1 || (raw_path.empty() && pgm_dir.empty())) {
        fprintf(stderr, "fnnpack images: give one dataset blob and --raw FILE or --pgm DIR\n");
        return 2;
    }
    std::vector<uint8_t> bytes;
    Dataset d;
    ErrorText err;
    if (read_file(inputs[0], bytes, &err) != Status::Ok ||
        parse_dataset_blob(bytes.data(), bytes.size(), inputs[0].c_str(), d, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack images: %s\n", err.text);
        return 1;
    }
    if (first + count > d.count()) {
        fprintf(stderr, "fnnpack images: %s has %d samples, asked for %ld..%ld\n",
                inputs[0].c_str(), d.count(), first, first + count - 1);
        return 2;
    }
    const size_t features = static_cast<size_t>(d.features());
    if (!raw_path.empty() &&
        write_file_atomic(raw_path, d.sample(static_cast<int>(first)),
                          static_cast<size_t>(count) * features, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack images: %s\n", err.text);
        return 1;
    }
    if (!pgm_dir.empty()) {
        const uint32_t channels = d.header.channels;
        if (channels != 1 && channels != 3) {
            fprintf(stderr, "fnnpack images: PGM/PPM need 1 or 3 channels, %s has %u\n",
                    inputs[0].c_str(), channels);
            return 1;
        }
        if (make_directories(pgm_dir, &err) != Status::Ok) {
            fprintf(stderr, "fnnpack images: %s\n", err.text);
            return 1;
        }
        const size_t plane = static_cast<size_t>(d.header.rows) * d.header.cols;
        for (long i = first; i < first + count; ++i) {
            const uint8_t* pixels = d.sample(static_cast<int>(i));
            std::string file = (channels == 1 ? "P5\n" : "P6\n") + std::to_string(d.header.cols) +
                               " " + std::to_string(d.header.rows) + "\n255\n";
            // Colour datasets store one plane per channel (CIFAR-10); PPM interleaves them.
            for (size_t px = 0; px < plane; ++px)
                for (uint32_t c = 0; c < channels; ++c)
                    file += static_cast<char>(pixels[c * plane + px]);
            char name[64];
            snprintf(name, sizeof name, "/%05ld-%u.%s", i, d.labels[i],
                     channels == 1 ? "pgm" : "ppm");
            if (write_file_atomic(pgm_dir + name, file, &err) != Status::Ok) {
                fprintf(stderr, "fnnpack images: %s\n", err.text);
                return 1;
            }
        }
    }
    printf("%ld samples of %s from %ld%s%s%s%s\n", count, inputs[0].c_str(), first,
           raw_path.empty() ? "" : " -> ", raw_path.c_str(), pgm_dir.empty() ? "" : " -> ",
           pgm_dir.c_str());
    return 0;
}

}  // namespace fnn
