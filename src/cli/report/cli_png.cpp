// PNG encoding (PNG specification, ISO/IEC 15948) with stored deflate blocks (RFC 1951 3.2.4)
// inside a zlib stream (RFC 1950).
#include "cli/report/cli_png.hpp"

#include <algorithm>

#include "fnn/crc32.hpp"

namespace fnn {
namespace {

void put_u32be(std::vector<uint8_t>& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

void chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
    put_u32be(out, static_cast<uint32_t>(data.size()));
    std::vector<uint8_t> body(type, type + 4);
    body.insert(body.end(), data.begin(), data.end());
    out.insert(out.end(), body.begin(), body.end());
    put_u32be(out, crc32(0, body.data(), body.size()));  // over type and data
}

}  // namespace

std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels) {
    std::vector<uint8_t> raw;  // each row: filter byte 0 (none), then its pixels
    const size_t row = static_cast<size_t>(width) * channels;
    for (int y = 0; y < height; ++y) {
        raw.push_back(0);
        raw.insert(raw.end(), pixels + y * row, pixels + (y + 1) * row);
    }
    std::vector<uint8_t> z{0x78, 0x01};  // zlib header: deflate, 32K window, no dictionary
    for (size_t at = 0; at < raw.size() || raw.empty(); at += 65535) {
        const size_t n = std::min<size_t>(65535, raw.size() - at);
        z.push_back(at + n >= raw.size() ? 1 : 0);  // BFINAL on the last block, BTYPE 00 = stored
        z.push_back(static_cast<uint8_t>(n));
        z.push_back(static_cast<uint8_t>(n >> 8));
        z.push_back(static_cast<uint8_t>(~n));
        z.push_back(static_cast<uint8_t>(~n >> 8));
        z.insert(z.end(), raw.begin() + static_cast<long>(at),
                 raw.begin() + static_cast<long>(at + n));
        if (raw.empty()) break;
    }
    uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed data
    for (uint8_t byte : raw) {
        a = (a + byte) % 65521;
        b = (b + a) % 65521;
    }
    put_u32be(z, (b << 16) | a);
    std::vector<uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> header;
    put_u32be(header, static_cast<uint32_t>(width));
    put_u32be(header, static_cast<uint32_t>(height));
    header.push_back(8);                      // bit depth
    header.push_back(channels == 1 ? 0 : 2);  // colour type: grey or RGB
    header.push_back(0);                      // compression: deflate
    header.push_back(0);                      // filter method
    header.push_back(0);                      // no interlace
    chunk(png, "IHDR", header);
    chunk(png, "IDAT", z);
    chunk(png, "IEND", {});
    return png;
}

std::string base64(const std::vector<uint8_t>& bytes) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const uint32_t n = static_cast<uint32_t>(bytes[i]) << 16 |
                           (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                           (i + 2 < bytes.size() ? bytes[i + 2] : 0);
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? digits[n & 63] : '=';
    }
    return out;
}

std::string sample_png_uri(const uint8_t* sample, int rows, int cols, int channels) {
    const int out_channels = channels == 3 ? 3 : 1;
    std::vector<uint8_t> pixels(static_cast<size_t>(rows) * cols * out_channels);
    const size_t plane = static_cast<size_t>(rows) * cols;
    for (size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < out_channels; ++c) pixels[p * out_channels + c] = sample[c * plane + p];
    }
    return "data:image/png;base64," + base64(encode_png(pixels.data(), cols, rows, out_channels));
}

}  // namespace fnn
