// Dataset blob: labelled uint8 images in one checksummed little-endian file (made by fnnpack
// from IDX or CIFAR-10 files, read by the trainer). Byte layout, version 1:
//
//   offset  size  field
//        0     4  magic "FNND"
//        4     2  version = 1
//        6     2  reserved, 0
//        8     4  count: number of samples (1 .. 2^24)
//       12     4  rows     (1 .. 4096)
//       16     4  cols     (1 .. 4096)  rows*cols*channels = features per sample (<= 65536)
//       20     4  channels (1 .. 4)
//       24     4  classes  (2 .. 256)
//       28     4  names_bytes: length of the class-name block that follows (0 = no names)
//       32     -  class names: `classes` lines, each ending in '\n', printable ASCII
//        -     -  zero padding to a multiple of 16
//        -     -  pixels: count * features bytes, sample after sample, in the source's order
//        -     -  labels: count bytes, each < classes
//        -     4  CRC-32 of every byte before it
//
// The file size must equal exactly what the header implies; anything else is rejected.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/status.hpp"

namespace fnn {

constexpr uint32_t kDatasetVersion = 1;
constexpr uint32_t kMaxSamples = 1u << 24;
constexpr uint32_t kMaxImageSide = 4096;
constexpr uint32_t kMaxChannels = 4;
constexpr uint32_t kMaxFeatures = 1u << 16;
constexpr uint32_t kMaxNamesBytes = 1u << 16;

struct DatasetHeader {
    uint32_t count = 0;
    uint32_t rows = 0;
    uint32_t cols = 0;
    uint32_t channels = 1;
    uint32_t classes = 0;
    uint32_t names_bytes = 0;
};

// A validated view into dataset blob bytes (which must outlive it).
struct Dataset {
    DatasetHeader header;
    const uint8_t* pixels = nullptr;  // (count, features)
    const uint8_t* labels = nullptr;  // (count)
    const char* names = nullptr;      // names_bytes bytes, '\n'-terminated lines

    int count() const { return static_cast<int>(header.count); }
    int features() const { return static_cast<int>(header.rows * header.cols * header.channels); }
    int classes() const { return static_cast<int>(header.classes); }
    const uint8_t* sample(int i) const { return pixels + static_cast<size_t>(i) * features(); }
};

// Checks every header field against the limits above; `what` names the input in messages.
Status validate_dataset_header(const DatasetHeader& h, const char* what, ErrorText* err);

// Total blob bytes for a valid header.
size_t dataset_blob_bytes(const DatasetHeader& h);

// Validates magic, version, sizes, names, labels and CRC, and points `out` into `bytes`.
Status parse_dataset_blob(const void* bytes, size_t size, const char* what, Dataset& out,
                          ErrorText* err);

// Writes a blob of exactly dataset_blob_bytes(h) bytes into `out`. `names` may be null when
// h.names_bytes == 0. Labels must be < h.classes.
Status write_dataset_blob(const DatasetHeader& h, const char* names, const uint8_t* pixels,
                          const uint8_t* labels, uint8_t* out, size_t out_size, ErrorText* err);

// The i-th class name (without '\n') into buf; "class <i>" when the blob has no names.
void dataset_class_name(const Dataset& d, int i, char* buf, size_t buf_size);

}  // namespace fnn
