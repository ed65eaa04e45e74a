// CIFAR-10 binary batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin from
// cifar-10-binary.tar.gz): records of 1 label byte (0..9) followed by 3072 pixel bytes, the
// 1024 red, then 1024 green, then 1024 blue values of a 32x32 image, each plane row-major.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/status.hpp"

namespace fnn {

constexpr int kCifarSide = 32;
constexpr int kCifarChannels = 3;
constexpr size_t kCifarPixels = kCifarSide * kCifarSide * kCifarChannels;  // 3072
constexpr size_t kCifarRecordBytes = 1 + kCifarPixels;                     // 3073
constexpr int kCifarClasses = 10;

// Checks that `size` is a whole number of records and every label is below 10; returns the
// record count in `count`. `what` names the file in messages.
Status check_cifar10_batch(const void* bytes, size_t size, const char* what, size_t& count,
                           ErrorText* err);

// Splits validated records into pixels (count x 3072, channel planes as stored) and labels.
void unpack_cifar10_batch(const void* bytes, size_t count, uint8_t* pixels, uint8_t* labels);

}  // namespace fnn
