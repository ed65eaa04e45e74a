// Model blob encoder (host side): lays out the sections, converts weights to the chosen type
// and seals the blob with its CRC. Format in blob.hpp.
#include <math.h>
#include <string.h>

#include "base/byte_cursor.hpp"
#include "base/class_names.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "base/half.hpp"

namespace fnn {
namespace {

size_t align16(size_t n) { return (n + 15u) & ~size_t(15); }

size_t weight_bytes(const LayerShape& layer, WeightType type) {
    const size_t per = type == WeightType::F32 ? 4 : type == WeightType::F16 ? 2 : 1;
    return static_cast<size_t>(layer.n_in) * layer.n_out * per;
}

// Section offsets of one layer, in file order: weights, scales (int8), bias.
struct LayerPlacement {
    size_t weights = 0;
    size_t scales = 0;
    size_t bias = 0;
};

// Places every section in the format's order (class names, then each layer's weights, scales
// and bias) and returns the offset where the CRC goes.
size_t place_sections(const NetworkShape& shape, WeightType type, uint32_t names_bytes,
                      LayerPlacement* places) {
    size_t offset = align16(kModelHeaderBytes + kModelLayerBytes * shape.n_layers);
    offset = align16(offset + names_bytes);  // the names start at the first aligned offset
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerShape& layer = shape.layers[l];
        places[l].weights = offset;
        offset = align16(offset + weight_bytes(layer, type));
        if (type == WeightType::Int8) {
            places[l].scales = offset;
            offset = align16(offset + 4u * layer.n_out);
        }
        places[l].bias = offset;
        offset = align16(offset + 4u * layer.n_out);
    }
    return offset;
}

// Symmetric per-column int8: scale_j = max_i |w_ij| / 127, q = round(w / scale_j).
void write_int8_weights(ConstMatView w, uint8_t* q_out, uint8_t* scales_out) {
    for (int j = 0; j < w.cols; ++j) {
        float max_abs = 0.0f;
        for (int i = 0; i < w.rows; ++i)
            max_abs = fabsf(w.at(i, j)) > max_abs ? fabsf(w.at(i, j)) : max_abs;
        const float scale = max_abs / 127.0f;
        store_f32le(scales_out + 4 * j, scale);
        for (int i = 0; i < w.rows; ++i) {
            float q = scale > 0.0f ? nearbyintf(w.at(i, j) / scale) : 0.0f;
            q = q > 127.0f ? 127.0f : (q < -127.0f ? -127.0f : q);
            q_out[static_cast<size_t>(i) * w.cols + j] =
                static_cast<uint8_t>(static_cast<int8_t>(q));
        }
    }
}

}  // namespace

size_t model_blob_bytes(const NetworkShape& shape, WeightType type, uint32_t names_bytes) {
    LayerPlacement places[kMaxLayers];
    return place_sections(shape, type, names_bytes, places) + 4;
}

Status write_model_blob(const NetworkShape& shape, const float* params, const ModelMeta& meta,
                        WeightType type, const float* input_qscales, uint8_t* out, size_t out_size,
                        ErrorText* err) {
    LayerPlacement places[kMaxLayers];
    const uint32_t names_bytes = meta.names != nullptr ? meta.names_bytes : 0;
    if (names_bytes != 0) {
        FNN_TRY(check_class_names(meta.names, names_bytes, static_cast<uint32_t>(shape.n_out()),
                                  "model blob", err));
    }
    const size_t crc_at = place_sections(shape, type, names_bytes, places);
    const size_t total = crc_at + 4;
    if (out_size < total)
        return fail(err, Status::NoMem, "model blob: buffer has %zu bytes, needs %zu", out_size,
                    total);
    if (total > 0xFFFFFFFFu)
        return fail(err, Status::Arg, "model blob: %zu bytes exceed the format's 4 GiB limit",
                    total);
    if (static_cast<uint32_t>(meta.rows) * meta.cols * meta.channels !=
        static_cast<uint32_t>(shape.n_in())) {
        return fail(err, Status::Arg, "model blob: input shape %ux%ux%u does not match %d features",
                    meta.rows, meta.cols, meta.channels, shape.n_in());
    }
    if (input_qscales != nullptr && type != WeightType::Int8) {
        return fail(err, Status::Arg, "model blob: int8 activations need int8 weights");
    }
    memset(out, 0, total);
    memcpy(out, "FNNM", 4);
    store_u16le(out + 4, kModelVersion);
    out[6] = static_cast<uint8_t>(type);
    out[7] = static_cast<uint8_t>(meta.loss);
    store_u32le(out + 8, static_cast<uint32_t>(total));
    store_u32le(out + 12, static_cast<uint32_t>(shape.n_layers));
    store_u32le(out + 16, static_cast<uint32_t>(shape.n_in()));
    store_u16le(out + 20, meta.rows);
    store_u16le(out + 22, meta.cols);
    store_u16le(out + 24, meta.channels);
    store_u16le(out + 26, static_cast<uint16_t>(shape.n_out()));
    store_f32le(out + 28, meta.input_divisor);
    if (names_bytes != 0) {
        const size_t names_at = align16(kModelHeaderBytes + kModelLayerBytes * shape.n_layers);
        store_u32le(out + 32, static_cast<uint32_t>(names_at));
        store_u32le(out + 36, names_bytes);
        memcpy(out + names_at, meta.names, names_bytes);
    }
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerShape& layer = shape.layers[l];
        uint8_t* entry = out + kModelHeaderBytes + kModelLayerBytes * l;
        entry[0] = 1;  // dense
        entry[1] = static_cast<uint8_t>(layer.act);
        store_u32le(entry + 4, static_cast<uint32_t>(layer.n_in));
        store_u32le(entry + 8, static_cast<uint32_t>(layer.n_out));
        store_u32le(entry + 12, static_cast<uint32_t>(places[l].weights));
        store_u32le(entry + 16, static_cast<uint32_t>(places[l].bias));
        store_u32le(entry + 20, static_cast<uint32_t>(places[l].scales));
        store_f32le(entry + 24, input_qscales != nullptr ? input_qscales[l] : 0.0f);

        const ConstMatView w = layer_weights(shape, params, l);
        uint8_t* wp = out + places[l].weights;
        if (type == WeightType::Int8) {
            write_int8_weights(w, wp, out + places[l].scales);
        } else {
            for (int i = 0; i < w.rows; ++i) {
                for (int j = 0; j < w.cols; ++j) {
                    const size_t k = static_cast<size_t>(i) * w.cols + j;
                    if (type == WeightType::F32) store_f32le(wp + 4 * k, w.at(i, j));
                    else store_u16le(wp + 2 * k, float_to_half(w.at(i, j)));
                }
            }
        }
        const float* b = params + layer.b_offset;
        for (int j = 0; j < layer.n_out; ++j) store_f32le(out + places[l].bias + 4 * j, b[j]);
    }
    store_u32le(out + crc_at, crc32(0, out, crc_at));
    return Status::Ok;
}

}  // namespace fnn
