// Dataset blob: labelled uint8 images in one checksummed little-endian file (made by fnnpack
// from IDX or CIFAR-10 files, read by the trainer). This comment is the format's specification.
// Integers are unsigned little-endian; offsets count from the file's first byte. Version 1:
//
//   offset  size  field
//        0     4  magic "FNND" (0x46 0x4E 0x4E 0x44)
//        4     2  version = 1
//        6     2  reserved, 0
//        8     4  count: number of samples (1 .. 2^24)
//       12     4  rows     (1 .. 4096)
//       16     4  cols     (1 .. 4096)  rows*cols*channels = features per sample (<= 65536)
//       20     4  channels (1 .. 4)
//       24     4  classes  (2 .. 256)
//       28     4  names_bytes: length of the class-name block alone, padding not included
//                 (0 = no names)
//       32     N  class names, N = names_bytes: `classes` lines in class order, each 1..255
//                 printable ASCII bytes (0x20..0x7E) followed by '\n'; nothing else
//   32 + N     P  zero padding, P = 0..15 bytes, so that the pixels start at P0 = the first
//                 multiple of 16 (counted from the file's start) at or after 32 + N; readers
//                 refuse nonzero padding
//       P0     -  pixels: count * features bytes, sample after sample. Within a sample, one
//                 plane per channel (channel-planar, as CIFAR-10 and PyTorch store images):
//                 byte c*rows*cols + r*cols + x is channel c of the pixel in row r, column x
//                 (rows top to bottom, columns left to right). Pixel values are 0..255; the
//                 trainer feeds value / 255 to the network.
//       P1     -  labels: count bytes, P1 = P0 + count * features, each < classes
//  P1+count    4  CRC-32 of every byte before it (the same CRC as model blobs: zlib's)
//
// The file size must equal exactly P1 + count + 4; anything else is rejected. fnnpack writes
// IDX images with channels (count, rows, cols, channels) transposed into planes.
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
