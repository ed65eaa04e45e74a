// PNG images without a compression library (for report pages): 8-bit grey or RGB, the pixel
// data in uncompressed ("stored") deflate blocks, which every PNG reader accepts; and base64
// for data: URIs.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fnn {

// pixels: height rows of width x channels bytes (channels 1 = grey, 3 = RGB).
std::vector<uint8_t> encode_png(const uint8_t* pixels, int width, int height, int channels);

std::string base64(const std::vector<uint8_t>& bytes);

// "data:image/png;base64,..." of a dataset sample: planar channels (CIFAR-10) are interleaved.
std::string sample_png_uri(const uint8_t* sample, int rows, int cols, int channels);

}  // namespace fnn
