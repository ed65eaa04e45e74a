// Dataset blobs and IDX parsing: round trips, every truncated prefix and flipped byte, and
// hostile headers (sizes that overflow, mismatched counts, bad labels, trailing bytes).
#include <doctest/doctest.h>

#include <string.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "fnn/crc32.hpp"
#include "fnn/dataset.hpp"
#include "fnn/idx.hpp"
#include "fnn/rng.hpp"

using namespace fnn;

namespace {

const char kNames[] = "zero\none\ntwo\n";

std::vector<uint8_t> small_blob(DatasetHeader& h, bool names = true) {
    h.count = 5;
    h.rows = 2;
    h.cols = 3;
    h.channels = 1;
    h.classes = 3;
    h.names_bytes = names ? static_cast<uint32_t>(strlen(kNames)) : 0;
    std::vector<uint8_t> pixels(5 * 6);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
    const uint8_t labels[5] = {0, 2, 1, 1, 0};
    std::vector<uint8_t> blob(dataset_blob_bytes(h));
    ErrorText err;
    REQUIRE(write_dataset_blob(h, kNames, pixels.data(), labels, blob.data(), blob.size(), &err) ==
            Status::Ok);
    return blob;
}

Status parse(const std::vector<uint8_t>& b, std::string* message = nullptr) {
    Dataset d;
    ErrorText err;
    const Status s = parse_dataset_blob(b.data(), b.size(), "t.fnnd", d, &err);
    if (message) *message = err.text;
    return s;
}

void reseal(std::vector<uint8_t>& blob) {
    store_u32le(blob.data() + blob.size() - 4, crc32(0, blob.data(), blob.size() - 4));
}

std::vector<uint8_t> idx(uint8_t type, std::vector<uint32_t> dims, size_t data_bytes) {
    std::vector<uint8_t> out{0, 0, type, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(d >> s));
    }
    for (size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<uint8_t>(i));
    return out;
}

}  // namespace

TEST_CASE("crc32: the standard check value") {
    CHECK(crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(crc32(crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u);
    CHECK(crc32(0, "", 0) == 0);
    CHECK(crc32_small(0, "123456789", 9) == 0xCBF43926u);
}

TEST_CASE("crc32: the fast and the small implementation agree on every length and split") {
    std::vector<uint8_t> bytes(1000);
    Rng rng(8);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng.next_u32());
    for (size_t len = 0; len < bytes.size(); len += 37) {
        REQUIRE(crc32(0, bytes.data(), len) == crc32_small(0, bytes.data(), len));
        const size_t half = len / 3;
        REQUIRE(crc32(crc32(0, bytes.data(), half), bytes.data() + half, len - half) ==
                crc32_small(0, bytes.data(), len));
    }
}

TEST_CASE("dataset: round trip keeps pixels, labels and names") {
    DatasetHeader h;
    const std::vector<uint8_t> blob = small_blob(h);
    Dataset d;
    ErrorText err;
    REQUIRE(parse_dataset_blob(blob.data(), blob.size(), "t.fnnd", d, &err) == Status::Ok);
    CHECK(d.count() == 5);
    CHECK(d.features() == 6);
    CHECK(d.sample(2)[1] == static_cast<uint8_t>(13 * 7));
    CHECK(d.labels[1] == 2);
    CHECK((d.pixels - blob.data()) % 16 == 0);
    char name[16];
    dataset_class_name(d, 1, name, sizeof name);
    CHECK(std::string(name) == "one");
    dataset_class_name(d, 7, name, sizeof name);
    CHECK(std::string(name) == "class 7");
    DatasetHeader h2;
    const std::vector<uint8_t> unnamed = small_blob(h2, false);
    REQUIRE(parse_dataset_blob(unnamed.data(), unnamed.size(), "u.fnnd", d, &err) == Status::Ok);
    dataset_class_name(d, 2, name, sizeof name);
    CHECK(std::string(name) == "class 2");
}

TEST_CASE("dataset: every truncated prefix and every flipped byte is rejected") {
    DatasetHeader h;
    const std::vector<uint8_t> blob = small_blob(h);
    for (size_t n = 0; n < blob.size(); ++n)
        REQUIRE(parse(std::vector<uint8_t>(blob.begin(), blob.begin() + static_cast<long>(n))) !=
                Status::Ok);
    for (size_t i = 0; i < blob.size(); ++i) {
        std::vector<uint8_t> bad = blob;
        bad[i] ^= 0x40;
        REQUIRE(parse(bad) != Status::Ok);
    }
    std::string message;
    std::vector<uint8_t> bad = blob;
    bad[40] ^= 1;
    CHECK(parse(bad, &message) == Status::Checksum);
    CHECK(message.find("t.fnnd") != std::string::npos);
}

TEST_CASE("dataset: hostile headers with a valid CRC are rejected by name") {
    DatasetHeader h;
    const std::vector<uint8_t> good = small_blob(h);
    struct Edit {
        size_t offset;
        uint32_t value;
        Status expected;
        const char* part;
    };
    const Edit edits[] = {
        {4, 9, Status::Version, "version 9"},       {8, 0xFFFFFFFFu, Status::Format, "count"},
        {12, 100000, Status::Format, "rows"},       {16, 0, Status::Format, "cols"},
        {20, 5, Status::Format, "channels"},        {24, 1, Status::Format, "classes"},
        {28, 0x10000000u, Status::Format, "names"}, {8, 6, Status::Truncated, "truncated"},
        {8, 4, Status::Format, "unexpected bytes"}, {24, 2, Status::Format, "class names"},
    };
    for (const Edit& e : edits) {
        CAPTURE(e.offset);
        CAPTURE(e.value);
        std::vector<uint8_t> bad = good;
        store_u32le(bad.data() + e.offset, e.value);
        if (e.offset == 4) store_u16le(bad.data() + 4, static_cast<uint16_t>(e.value));
        reseal(bad);
        std::string message;
        CHECK(parse(bad, &message) == e.expected);
        CHECK_MESSAGE(message.find(e.part) != std::string::npos, message);
    }
    // A label outside the class range.
    std::vector<uint8_t> bad = good;
    bad[bad.size() - 4 - 5] = 3;
    reseal(bad);
    std::string message;
    CHECK(parse(bad, &message) == Status::Format);
    CHECK(message.find("label 3") != std::string::npos);
}

TEST_CASE("dataset: write validates labels and buffer size") {
    DatasetHeader h;
    small_blob(h);
    const std::vector<uint8_t> pixels(30, 1);
    const uint8_t bad_labels[5] = {0, 1, 2, 3, 0};
    std::vector<uint8_t> out(dataset_blob_bytes(h));
    ErrorText err;
    CHECK(write_dataset_blob(h, kNames, pixels.data(), bad_labels, out.data(), out.size(), &err) ==
          Status::Arg);
    const uint8_t labels[5] = {0, 1, 2, 2, 0};
    CHECK(write_dataset_blob(h, kNames, pixels.data(), labels, out.data(), out.size() - 1, &err) ==
          Status::NoMem);
    CHECK(write_dataset_blob(h, "a\n\nb\n", pixels.data(), labels, out.data(), out.size(), &err) !=
          Status::Ok);
}

TEST_CASE("idx: valid files parse; every malformation is named") {
    IdxArray a;
    ErrorText err;
    std::vector<uint8_t> f = idx(0x08, {4, 2, 3}, 24);
    REQUIRE(parse_idx(f.data(), f.size(), "img", a, &err) == Status::Ok);
    CHECK(a.ndim == 3);
    CHECK(a.dims[0] == 4);
    CHECK(a.count == 24);
    CHECK(a.data[5] == 5);

    struct Bad {
        std::vector<uint8_t> bytes;
        Status expected;
        const char* part;
    };
    std::vector<uint8_t> gz = {0x1f, 0x8b, 8, 0, 0, 0};
    std::vector<uint8_t> extra = idx(0x08, {4}, 5);
    const Bad bads[] = {
        {{0, 0}, Status::Truncated, "too short"},
        {gz, Status::Format, "gzip"},
        {idx(0x0D, {4}, 16), Status::Unsupported, "type 0x0d"},
        {idx(0x08, {}, 0), Status::Format, "dimension count 0"},
        {idx(0x08, {1, 1, 1, 1, 1}, 1), Status::Format, "dimension count 5"},
        {idx(0x08, {0, 28}, 0), Status::Format, "dimension 0 is 0"},
        {idx(0x08, {0xFFFFFFFFu}, 0), Status::Format, "dimension 0"},
        {idx(0x08, {60000, 28, 28}, 100), Status::Truncated, "truncated"},
        {idx(0x08, {1u << 26, 1u << 26, 1u << 26}, 0), Status::Format, "overflow"},
        {extra, Status::Format, "unexpected bytes"},
    };
    for (const Bad& b : bads) {
        CAPTURE(b.part);
        CHECK(parse_idx(b.bytes.data(), b.bytes.size(), "file.idx", a, &err) == b.expected);
        CHECK_MESSAGE(std::string(err.text).find(b.part) != std::string::npos, err.text);
    }
    std::vector<uint8_t> header_cut = idx(0x08, {4, 2}, 0);
    header_cut.resize(9);
    CHECK(parse_idx(header_cut.data(), header_cut.size(), "f", a, &err) == Status::Truncated);
}
