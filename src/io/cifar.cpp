// CIFAR-10 binary batch validation and unpacking.
#include "fnn/cifar.hpp"

#include <string.h>

namespace fnn {

Status check_cifar10_batch(const void* bytes, size_t size, const char* what, size_t& count,
                           ErrorText* err) {
    if (size == 0 || size % kCifarRecordBytes != 0) {
        return fail(
            err, Status::Format,
            "%s: %zu bytes is not a whole number of 3073-byte CIFAR-10 records (label + 32x32x3)",
            what, size);
    }
    const uint8_t* p = static_cast<const uint8_t*>(bytes);
    count = size / kCifarRecordBytes;
    for (size_t i = 0; i < count; ++i) {
        const uint8_t label = p[i * kCifarRecordBytes];
        if (label >= kCifarClasses) {
            return fail(err, Status::Format,
                        "%s: record %zu has label %u, expected 0..9 (is this CIFAR-100?)", what, i,
                        label);
        }
    }
    return Status::Ok;
}

void unpack_cifar10_batch(const void* bytes, size_t count, uint8_t* pixels, uint8_t* labels) {
    const uint8_t* p = static_cast<const uint8_t*>(bytes);
    for (size_t i = 0; i < count; ++i, p += kCifarRecordBytes) {
        labels[i] = p[0];
        memcpy(pixels + i * kCifarPixels, p + 1, kCifarPixels);
    }
}

}  // namespace fnn
