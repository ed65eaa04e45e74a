// IDX header validation with overflow-checked sizes.
#include "fnn/idx.hpp"

#include "base/checked.hpp"

namespace fnn {
namespace {

constexpr uint8_t kTypeUnsignedByte = 0x08;
constexpr uint32_t kMaxDim =
    1u << 26;  // larger than any real dataset axis, small enough to multiply

uint32_t load_u32be(const uint8_t* p) {
    return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
           (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

}  // namespace

Status parse_idx(const void* bytes, size_t size, const char* what, IdxArray& out, ErrorText* err) {
    const uint8_t* p = static_cast<const uint8_t*>(bytes);
    if (size < 4)
        return fail(err, Status::Truncated, "%s: %zu bytes is too short for an IDX header", what,
                    size);
    if (p[0] != 0 || p[1] != 0) {
        return fail(
            err, Status::Format,
            "%s: not an IDX file (first two bytes %02x %02x, expected 00 00)%s", what, p[0], p[1],
            p[0] == 0x1f && p[1] == 0x8b ? "; it is gzip-compressed, decompress it first" : "");
    }
    if (p[2] != kTypeUnsignedByte) {
        return fail(err, Status::Unsupported,
                    "%s: IDX type 0x%02x, only unsigned bytes (0x08) are supported", what, p[2]);
    }
    const int ndim = p[3];
    if (ndim < 1 || ndim > kIdxMaxDims) {
        return fail(err, Status::Format, "%s: IDX dimension count %d, expected 1..%d", what, ndim,
                    kIdxMaxDims);
    }
    const size_t header = 4 + 4 * static_cast<size_t>(ndim);
    if (size < header) {
        return fail(err, Status::Truncated, "%s: truncated IDX header (%zu of %zu bytes)", what,
                    size, header);
    }
    IdxArray a;
    a.ndim = ndim;
    size_t count = 1;
    for (int d = 0; d < ndim; ++d) {
        a.dims[d] = load_u32be(p + 4 + 4 * d);
        if (a.dims[d] < 1 || a.dims[d] > kMaxDim) {
            return fail(err, Status::Format, "%s: IDX dimension %d is %u, expected 1..%u", what, d,
                        a.dims[d], kMaxDim);
        }
        if (!checked_mul(count, a.dims[d], count)) {
            return fail(err, Status::Format, "%s: IDX dimensions overflow the address space", what);
        }
    }
    if (size - header < count) {
        return fail(err, Status::Truncated,
                    "%s: truncated: header describes %zu data bytes, file has %zu", what, count,
                    size - header);
    }
    if (size - header > count) {
        return fail(err, Status::Format, "%s: %zu unexpected bytes after the IDX data", what,
                    size - header - count);
    }
    a.data = p + header;
    a.count = count;
    out = a;
    return Status::Ok;
}

}  // namespace fnn
