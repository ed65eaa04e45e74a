// Dataset blob reading and writing; the byte layout is documented in dataset.hpp.
#include "fnn/dataset.hpp"

#include <stdio.h>
#include <string.h>

#include "base/byte_cursor.hpp"
#include "base/checked.hpp"
#include "base/class_names.hpp"
#include "fnn/crc32.hpp"

namespace fnn {
namespace {

constexpr size_t kHeaderBytes = 32;
const uint8_t kMagic[4] = {'F', 'N', 'N', 'D'};

size_t names_end_padded(uint32_t names_bytes) {
    return (kHeaderBytes + names_bytes + 15u) & ~size_t(15);
}

}  // namespace

Status validate_dataset_header(const DatasetHeader& h, const char* what, ErrorText* err) {
    struct Limit {
        const char* field;
        uint32_t value;
        uint32_t lo;
        uint32_t hi;
    };
    const Limit limits[] = {
        {"count", h.count, 1, kMaxSamples}, {"rows", h.rows, 1, kMaxImageSide},
        {"cols", h.cols, 1, kMaxImageSide}, {"channels", h.channels, 1, kMaxChannels},
        {"classes", h.classes, 2, 256},     {"names_bytes", h.names_bytes, 0, kMaxNamesBytes}};
    for (const Limit& l : limits) {
        if (l.value < l.lo || l.value > l.hi) {
            return fail(err, Status::Format, "%s: %s: expected %u..%u, got %u", what, l.field, l.lo,
                        l.hi, l.value);
        }
    }
    // Each factor is <= 4096 and channels <= 4, so the product cannot overflow 64 bits.
    const uint64_t features = static_cast<uint64_t>(h.rows) * h.cols * h.channels;
    if (features > kMaxFeatures) {
        return fail(err, Status::Format, "%s: rows*cols*channels: expected <= %u, got %llu", what,
                    kMaxFeatures, static_cast<unsigned long long>(features));
    }
    return Status::Ok;
}

size_t dataset_blob_bytes(const DatasetHeader& h) {
    const size_t features = static_cast<size_t>(h.rows) * h.cols * h.channels;
    // count <= 2^24 and features <= 2^16: at most 2^40 + small, fits size_t on 64-bit hosts;
    // on 32-bit hosts the checked arithmetic below reports overflow as SIZE_MAX.
    size_t pixels = 0, total = 0;
    if (!checked_mul(h.count, features, pixels)) return SIZE_MAX;
    if (!checked_add(names_end_padded(h.names_bytes), pixels, total)) return SIZE_MAX;
    if (!checked_add(total, static_cast<size_t>(h.count) + 4u, total)) return SIZE_MAX;
    return total;
}

Status parse_dataset_blob(const void* bytes, size_t size, const char* what, Dataset& out,
                          ErrorText* err) {
    Cursor cur(bytes, size, what, err);
    const uint8_t* magic = nullptr;
    FNN_TRY(cur.take(4, magic));
    if (memcmp(magic, kMagic, 4) != 0) {
        return fail(err, Status::Format, "%s: not an fnn dataset blob (expected magic FNND)", what);
    }
    uint16_t version = 0, reserved = 0;
    FNN_TRY(cur.u16(version));
    FNN_TRY(cur.u16(reserved));
    if (version != kDatasetVersion) {
        return fail(err, Status::Version,
                    "%s: dataset blob version %u, this build reads version %u", what, version,
                    kDatasetVersion);
    }
    if (reserved != 0)
        return fail(err, Status::Format, "%s: reserved header field is %u, expected 0", what,
                    reserved);
    DatasetHeader h;
    FNN_TRY(cur.u32(h.count));
    FNN_TRY(cur.u32(h.rows));
    FNN_TRY(cur.u32(h.cols));
    FNN_TRY(cur.u32(h.channels));
    FNN_TRY(cur.u32(h.classes));
    FNN_TRY(cur.u32(h.names_bytes));
    FNN_TRY(validate_dataset_header(h, what, err));
    const size_t expected = dataset_blob_bytes(h);
    if (size < expected) {
        return fail(err, Status::Truncated,
                    "%s: truncated: header describes %zu bytes, file has %zu", what, expected,
                    size);
    }
    if (size > expected) {
        return fail(err, Status::Format, "%s: %zu unexpected bytes after the end of the data", what,
                    size - expected);
    }
    const uint8_t* base = static_cast<const uint8_t*>(bytes);
    const uint32_t stored_crc = load_u32le(base + size - 4);
    const uint32_t actual_crc = crc32(0, base, size - 4);
    if (stored_crc != actual_crc) {
        return fail(err, Status::Checksum,
                    "%s: CRC-32 mismatch (stored %08x, computed %08x): the file is damaged", what,
                    stored_crc, actual_crc);
    }
    const char* names = reinterpret_cast<const char*>(base + kHeaderBytes);
    FNN_TRY(check_class_names(names, h.names_bytes, h.names_bytes ? h.classes : 0, what, err));
    for (size_t i = kHeaderBytes + h.names_bytes; i < names_end_padded(h.names_bytes); ++i) {
        if (base[i] != 0)
            return fail(err, Status::Format, "%s: padding byte %zu is not zero", what, i);
    }
    Dataset d;
    d.header = h;
    d.names = h.names_bytes ? names : nullptr;
    d.pixels = base + names_end_padded(h.names_bytes);
    d.labels = d.pixels + static_cast<size_t>(h.count) * d.features();
    for (uint32_t i = 0; i < h.count; ++i) {
        if (d.labels[i] >= h.classes) {
            return fail(err, Status::Format, "%s: label %u of sample %u is not below %u classes",
                        what, d.labels[i], i, h.classes);
        }
    }
    out = d;
    return Status::Ok;
}

Status write_dataset_blob(const DatasetHeader& h, const char* names, const uint8_t* pixels,
                          const uint8_t* labels, uint8_t* out, size_t out_size, ErrorText* err) {
    FNN_TRY(validate_dataset_header(h, "dataset", err));
    if (h.names_bytes != 0) FNN_TRY(check_class_names(names, h.names_bytes, h.classes, "dataset", err));
    const size_t total = dataset_blob_bytes(h);
    if (out_size < total) {
        return fail(err, Status::NoMem, "dataset: output buffer has %zu bytes, needs %zu", out_size,
                    total);
    }
    for (uint32_t i = 0; i < h.count; ++i) {
        if (labels[i] >= h.classes) {
            return fail(err, Status::Arg, "dataset: label %u of sample %u is not below %u classes",
                        labels[i], i, h.classes);
        }
    }
    memset(out, 0, names_end_padded(h.names_bytes));
    memcpy(out, kMagic, 4);
    store_u16le(out + 4, static_cast<uint16_t>(kDatasetVersion));
    const uint32_t fields[] = {h.count, h.rows, h.cols, h.channels, h.classes, h.names_bytes};
    for (int i = 0; i < 6; ++i) store_u32le(out + 8 + 4 * i, fields[i]);
    if (h.names_bytes != 0) memcpy(out + kHeaderBytes, names, h.names_bytes);
    uint8_t* p = out + names_end_padded(h.names_bytes);
    const size_t pixel_bytes = static_cast<size_t>(h.count) * h.rows * h.cols * h.channels;
    memcpy(p, pixels, pixel_bytes);
    memcpy(p + pixel_bytes, labels, h.count);
    store_u32le(out + total - 4, crc32(0, out, total - 4));
    return Status::Ok;
}

void dataset_class_name(const Dataset& d, int i, char* buf, size_t buf_size) {
    if (buf_size == 0) return;
    if (d.names != nullptr && i >= 0 && i < d.classes()) {
        size_t len = 0;
        const char* p = class_name_at(d.names, i, len);  // validated when parsed
        if (len >= buf_size) len = buf_size - 1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        return;
    }
    snprintf(buf, buf_size, "class %d", i);
}

}  // namespace fnn
