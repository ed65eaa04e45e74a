// libFuzzer target for the model loader (make fuzz). Every input is tried twice: as given
// (nearly always stopped by the CRC), and with a valid CRC-32 written into its last 4 bytes, so
// that the field, offset and value checks behind the CRC are fuzzed too. Whatever loads must run:
// fnn_run either returns FNN_E_NUMERIC or finite probabilities that sum to about 1.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "base/byte_cursor.hpp"
#include "fnn/crc32.hpp"
#include "fnn/fnn.h"

namespace {

void require(bool ok) {
    if (!ok) __builtin_trap();
}

void check(const std::vector<uint8_t>& blob) {
    size_t need = 0;
    if (fnn_arena_bytes(blob.data(), blob.size(), &need) != FNN_OK) return;
    std::vector<unsigned char> arena(need);
    fnn_model* model = nullptr;
    require(fnn_load(blob.data(), blob.size(), arena.data(), need, &model) == FNN_OK);
    require(fnn_load(blob.data(), blob.size(), arena.data(), need - 1, &model) == FNN_E_NOMEM);
    require(fnn_load(blob.data(), blob.size(), arena.data(), need, &model) == FNN_OK);
    const size_t n_in = fnn_input_size(model), n_out = fnn_output_size(model);
    std::vector<uint8_t> pixels(n_in);
    std::vector<float> probs(n_out);
    for (int pattern = 0; pattern < 3; ++pattern) {
        for (size_t k = 0; k < n_in; ++k)
            pixels[k] = static_cast<uint8_t>(pattern == 0 ? 0 : pattern == 1 ? 255 : k * 37);
        const fnn_status s = fnn_run_u8(model, pixels.data(), n_in, probs.data(), n_out);
        require(s == FNN_OK || s == FNN_E_NUMERIC);
        if (s != FNN_OK) continue;
        float sum = 0.0f;
        for (float p : probs) {
            require(p >= 0.0f && p <= 1.0f);  // false for NaN
            sum += p;
        }
        require(sum > 0.99f && sum < 1.01f);
    }
    std::vector<float> floats(n_in, 0.5f);
    floats[n_in / 2] = __builtin_nanf("");
    require(fnn_run(model, floats.data(), n_in, probs.data(), n_out) == FNN_E_ARG);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<uint8_t> blob(data, data + size);
    check(blob);
    if (size >= 4) {
        fnn::store_u32le(blob.data() + size - 4, fnn::crc32(0, blob.data(), size - 4));
        check(blob);
    }
    return 0;
}
