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

size_t weight_bytes(const LayerDesc& layer, WeightType type) {
    const size_t per = type == WeightType::F32 ? 4 : type == WeightType::F16 ? 2 : 1;
    return static_cast<size_t>(layer.w_rows) * layer.w_cols * per;
}

// Section offsets of one layer, in file order: weights, scales (int8), bias (batch norm: its
// gamma, beta, mean and variance); 0 for sections the layer does not have.
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
        const LayerDesc& layer = shape.layers[l];
        places[l] = LayerPlacement{};
        if (layer.has_weights()) {
            places[l].weights = offset;
            offset = align16(offset + weight_bytes(layer, type));
            if (type == WeightType::Int8) {
                places[l].scales = offset;
                offset = align16(offset + 4u * layer.w_cols);
            }
        }
        if (layer.has_bias()) {
            places[l].bias = offset;
            const size_t floats = layer.kind == LayerKind::BatchNorm ? 4u * layer.out.c : layer.out.c;
            offset = align16(offset + 4u * floats);
        }
    }
    return offset;
}

// Layer l's 64-byte table entry.
void write_entry(const LayerDesc& d, int l, const LayerPlacement& place, float input_qscale,
                 uint8_t* entry) {
    entry[0] = static_cast<uint8_t>(d.kind);
    entry[1] = static_cast<uint8_t>(d.act);
    entry[2] = l == 0 && d.kind != LayerKind::Dense && d.planar_in ? 1 : 0;
    store_u32le(entry + 4, static_cast<uint32_t>(d.n_in));
    store_u32le(entry + 8, static_cast<uint32_t>(d.n_out));
    if (d.kind != LayerKind::Dense) {
        const int dims[6] = {d.in.c, d.in.h, d.in.w, d.out.c, d.out.h, d.out.w};
        for (int i = 0; i < 6; ++i) store_u16le(entry + 12 + 2 * i, static_cast<uint16_t>(dims[i]));
        const int bytes[8] = {d.kh, d.kw, d.sh, d.sw, d.pad_top, d.pad_left, d.pad_bottom, d.pad_right};
        const bool has_window = d.kind == LayerKind::Conv2d || d.kind == LayerKind::MaxPool ||
                                d.kind == LayerKind::AvgPool;
        for (int i = 0; i < 8 && has_window; ++i) entry[24 + i] = static_cast<uint8_t>(bytes[i]);
    }
    store_u32le(entry + 32, static_cast<uint32_t>(place.weights));
    store_u32le(entry + 36, static_cast<uint32_t>(place.bias));
    store_u32le(entry + 40, static_cast<uint32_t>(place.scales));
    store_f32le(entry + 44, input_qscale);
    if (d.kind == LayerKind::BatchNorm) store_f32le(entry + 48, d.bn_eps);
    if (d.kind == LayerKind::Dropout) store_f32le(entry + 48, d.rate);
}

// The format's limits that a planned network might exceed (shape sides are u16).
Status check_representable(const NetworkShape& shape, ErrorText* err) {
    for (int l = 0; l < shape.n_layers; ++l) {
        const LayerDesc& d = shape.layers[l];
        if (d.kind == LayerKind::Dense) continue;
        const int dims[6] = {d.in.c, d.in.h, d.in.w, d.out.c, d.out.h, d.out.w};
        for (int v : dims) {
            if (v > 0xFFFF) {
                return fail(err, Status::Arg,
                            "model blob: layer %d (%s) has a tensor side of %d, the format holds "
                            "at most 65535", l + 1, layer_kind_name(d.kind), v);
            }
        }
    }
    return Status::Ok;
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

Status write_model_blob(const NetworkShape& shape, const float* params, const float* state,
                        const ModelMeta& meta, WeightType type, const float* input_qscales,
                        uint8_t* out, size_t out_size, ErrorText* err) {
    FNN_TRY(check_representable(shape, err));
    if (state == nullptr && shape.n_state > 0)
        return fail(err, Status::Arg, "model blob: batch norm needs its running statistics");
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
    for (int l = 0; input_qscales != nullptr && l < shape.n_layers; ++l) {
        if (type != WeightType::Int8 ||
            (input_qscales[l] != 0.0f && !shape.layers[l].has_weights())) {
            return fail(err, Status::Arg,
                        "model blob: int8 activations need int8 weights and dense or conv2d layers");
        }
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
        const LayerDesc& layer = shape.layers[l];
        write_entry(layer, l, places[l], input_qscales != nullptr ? input_qscales[l] : 0.0f,
                    out + kModelHeaderBytes + kModelLayerBytes * l);
        if (layer.kind == LayerKind::BatchNorm) {
            const int C = layer.out.c;
            uint8_t* p = out + places[l].bias;
            const float* arrays[4] = {params + layer.gamma_offset, params + layer.b_offset,
                                      state + layer.state_offset, state + layer.state_offset + C};
            for (int a = 0; a < 4; ++a) {
                for (int c = 0; c < C; ++c) store_f32le(p + 4 * (a * C + c), arrays[a][c]);
            }
            continue;
        }
        if (!layer.has_weights()) continue;
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
        for (int j = 0; j < w.cols; ++j) store_f32le(out + places[l].bias + 4 * j, b[j]);
    }
    store_u32le(out + crc_at, crc32(0, out, crc_at));
    return Status::Ok;
}

}  // namespace fnn
