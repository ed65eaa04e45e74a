// Model blob parser for untrusted bytes: every field is range-checked and every offset is
// proven to lie inside the blob before anything is read through it (format in blob.hpp).
#include <string.h>

#include "byte_cursor.hpp"
#include "checked.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "half.hpp"

namespace fnn {
namespace {

const uint8_t kMagic[4] = {'F', 'N', 'N', 'M'};
constexpr uint8_t kKindDense = 1;

size_t weight_bytes_per_value(WeightType t) {
    return t == WeightType::F32 ? 4 : t == WeightType::F16 ? 2 : 1;
}

Status expect_zero(const uint8_t* p, size_t n, const char* field, ErrorText* err) {
    for (size_t i = 0; i < n; ++i) {
        if (p[i] != 0) return fail(err, Status::Format, "model blob: %s must be zero", field);
    }
    return Status::Ok;
}

// Checks that [offset, offset + bytes) is 16-aligned and lies between the layer table's end
// and the CRC, then returns a pointer to it.
Status section(const uint8_t* base, size_t payload_begin, size_t payload_end, uint32_t offset,
               size_t bytes, int layer, const char* what, const uint8_t*& out, ErrorText* err) {
    size_t end = 0;
    if (offset % 16 != 0 || offset < payload_begin || !checked_add(offset, bytes, end) ||
        end > payload_end) {
        return fail(err, Status::Format,
                    "model blob: layer %d %s at offset %u (+%zu bytes) is not a 16-aligned range "
                    "inside the payload [%zu, %zu)",
                    layer, what, offset, bytes, payload_begin, payload_end);
    }
    out = base + offset;
    return Status::Ok;
}

bool valid_activation(uint8_t code, bool last) {
    if (last) return code == static_cast<uint8_t>(Activation::Softmax);
    return code <= static_cast<uint8_t>(Activation::Relu);
}

bool finite_nonnegative(float x) { return x >= 0.0f && x <= 3.4e38f; }

Status parse_layer(Cursor& cur, const uint8_t* base, size_t payload_begin, size_t payload_end,
                   WeightType type, int l, bool last, BlobLayer& layer, ErrorText* err) {
    uint8_t kind = 0, act = 0;
    uint16_t reserved = 0;
    uint32_t n_in = 0, n_out = 0, w_off = 0, b_off = 0, s_off = 0, reserved2 = 0;
    float qscale = 0.0f;
    FNN_TRY(cur.u8(kind));
    FNN_TRY(cur.u8(act));
    FNN_TRY(cur.u16(reserved));
    FNN_TRY(cur.u32(n_in));
    FNN_TRY(cur.u32(n_out));
    FNN_TRY(cur.u32(w_off));
    FNN_TRY(cur.u32(b_off));
    FNN_TRY(cur.u32(s_off));
    FNN_TRY(cur.f32(qscale));
    FNN_TRY(cur.u32(reserved2));
    if (kind != kKindDense) return fail(err, Status::Format, "model blob: layer %d has unknown kind %u", l, kind);
    if (!valid_activation(act, last)) {
        return fail(err, Status::Format, "model blob: layer %d has activation code %u, expected %s", l,
                    act, last ? "4 (softmax) on the output layer" : "0..3 on a hidden layer");
    }
    if (reserved != 0 || reserved2 != 0) return fail(err, Status::Format, "model blob: layer %d reserved fields must be zero", l);
    if (n_in < 1 || n_in > static_cast<uint32_t>(kMaxUnits) || n_out < 1 || n_out > static_cast<uint32_t>(kMaxUnits)) {
        return fail(err, Status::Format, "model blob: layer %d is %u x %u, each side must be 1..%d", l,
                    n_in, n_out, kMaxUnits);
    }
    if (!finite_nonnegative(qscale)) return fail(err, Status::Format, "model blob: layer %d input scale is not a finite value >= 0", l);
    if (qscale != 0.0f && type != WeightType::Int8) {
        return fail(err, Status::Format, "model blob: layer %d has int8 activations but %s weights", l,
                    weight_type_name(type));
    }
    // n_in, n_out <= 2^16: the product fits in 32 bits and the byte count in size_t.
    const size_t values = static_cast<size_t>(n_in) * n_out;
    FNN_TRY(section(base, payload_begin, payload_end, w_off, values * weight_bytes_per_value(type), l, "weights", layer.weights, err));
    FNN_TRY(section(base, payload_begin, payload_end, b_off, 4u * n_out, l, "bias", layer.bias, err));
    if (type == WeightType::Int8) {
        FNN_TRY(section(base, payload_begin, payload_end, s_off, 4u * n_out, l, "scales", layer.scales, err));
        for (uint32_t j = 0; j < n_out; ++j) {
            const float s = load_f32le(layer.scales + 4 * j);
            if (!finite_nonnegative(s)) return fail(err, Status::Format, "model blob: layer %d scale %u is not a finite value >= 0", l, j);
        }
    } else if (s_off != 0) {
        return fail(err, Status::Format, "model blob: layer %d has a scales offset but %s weights", l, weight_type_name(type));
    } else {
        layer.scales = nullptr;
    }
    layer.act = static_cast<Activation>(act);
    layer.n_in = static_cast<int>(n_in);
    layer.n_out = static_cast<int>(n_out);
    layer.input_qscale = qscale;
    return Status::Ok;
}

}  // namespace

const char* weight_type_name(WeightType t) {
    switch (t) {
        case WeightType::F32: return "fp32";
        case WeightType::F16: return "fp16";
        case WeightType::Int8: return "int8";
    }
    return "?";
}

Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err) {
    if (data == nullptr) return fail(err, Status::Arg, "model blob: null pointer");
    const uint8_t* base = static_cast<const uint8_t*>(data);
    Cursor cur(data, size, "model blob", err);
    const uint8_t* magic = nullptr;
    FNN_TRY(cur.take(4, magic));
    if (memcmp(magic, kMagic, 4) != 0) return fail(err, Status::Format, "model blob: not an fnn model (expected magic FNNM)");
    uint16_t version = 0, rows = 0, cols = 0, channels = 0, classes = 0;
    uint8_t type_code = 0, loss_code = 0;
    uint32_t total = 0, n_layers = 0, n_in = 0;
    float input_scale = 0.0f;
    FNN_TRY(cur.u16(version));
    if (version != kModelVersion) {
        return fail(err, Status::Version, "model blob: version %u, this build reads version %u", version, kModelVersion);
    }
    FNN_TRY(cur.u8(type_code));
    FNN_TRY(cur.u8(loss_code));
    FNN_TRY(cur.u32(total));
    FNN_TRY(cur.u32(n_layers));
    FNN_TRY(cur.u32(n_in));
    FNN_TRY(cur.u16(rows));
    FNN_TRY(cur.u16(cols));
    FNN_TRY(cur.u16(channels));
    FNN_TRY(cur.u16(classes));
    FNN_TRY(cur.f32(input_scale));
    const uint8_t* reserved = nullptr;
    FNN_TRY(cur.take(32, reserved));
    FNN_TRY(expect_zero(reserved, 32, "header bytes 32..63", err));
    if (type_code > static_cast<uint8_t>(WeightType::Int8)) return fail(err, Status::Format, "model blob: unknown weight type %u", type_code);
    if (loss_code > static_cast<uint8_t>(Loss::MeanSquaredError)) return fail(err, Status::Format, "model blob: unknown loss code %u", loss_code);
    if (total != size) {
        return fail(err, size < total ? Status::Truncated : Status::Format,
                    "model blob: header says %u bytes, got %zu", total, size);
    }
    if (n_layers < 1 || n_layers > static_cast<uint32_t>(kMaxLayers)) {
        return fail(err, Status::Format, "model blob: %u layers, expected 1..%d", n_layers, kMaxLayers);
    }
    if (static_cast<uint32_t>(rows) * cols * channels != n_in) {
        return fail(err, Status::Format, "model blob: input shape %ux%ux%u does not match %u features", rows, cols, channels, n_in);
    }
    if (!(input_scale > 0.0f && input_scale <= 3.4e38f)) return fail(err, Status::Format, "model blob: input scale must be finite and > 0");
    const size_t payload_begin = kModelHeaderBytes + kModelLayerBytes * n_layers;
    if (size < payload_begin + 4) {
        return fail(err, Status::Truncated, "model blob: %zu bytes cannot hold %u layer entries and a CRC", size, n_layers);
    }
    const uint32_t stored_crc = load_u32le(base + size - 4);
    const uint32_t actual_crc = crc32(0, base, size - 4);
    if (stored_crc != actual_crc) {
        return fail(err, Status::Checksum, "model blob: CRC-32 mismatch (stored %08x, computed %08x): the blob is damaged",
                    stored_crc, actual_crc);
    }
    ModelBlob m;
    m.weight_type = static_cast<WeightType>(type_code);
    m.meta = ModelMeta{rows, cols, channels, input_scale, static_cast<Loss>(loss_code)};
    m.n_layers = static_cast<int>(n_layers);
    m.n_in = static_cast<int>(n_in);
    m.n_classes = classes;
    int expected_in = m.n_in;
    for (int l = 0; l < m.n_layers; ++l) {
        const bool last = l == m.n_layers - 1;
        FNN_TRY(parse_layer(cur, base, payload_begin, size - 4, m.weight_type, l, last, m.layers[l], err));
        if (m.layers[l].n_in != expected_in) {
            return fail(err, Status::Format, "model blob: layer %d takes %d inputs, previous layer gives %d", l,
                        m.layers[l].n_in, expected_in);
        }
        expected_in = m.layers[l].n_out;
    }
    if (expected_in != m.n_classes || m.n_classes < 2) {
        return fail(err, Status::Format, "model blob: header says %d classes, output layer has %d", m.n_classes, expected_in);
    }
    out = m;
    return Status::Ok;
}

Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err) {
    NetworkSpec s;
    s.n_in = blob.n_in;
    s.n_classes = blob.n_classes;
    s.n_hidden = blob.n_layers - 1;
    s.hidden_act = blob.n_layers > 1 ? blob.layers[0].act : Activation::Relu;
    for (int l = 0; l + 1 < blob.n_layers; ++l) {
        if (blob.layers[l].act != s.hidden_act) {
            return fail(err, Status::Unsupported, "model blob: hidden layers mix activations %s and %s",
                        activation_name(s.hidden_act), activation_name(blob.layers[l].act));
        }
        s.hidden_widths[l] = blob.layers[l].n_out;
    }
    spec = s;
    return Status::Ok;
}

void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params) {
    FNN_ASSERT(shape.n_layers == blob.n_layers);
    memset(params, 0, shape.n_params * sizeof(float));
    for (int l = 0; l < blob.n_layers; ++l) {
        const BlobLayer& layer = blob.layers[l];
        MatView w = layer_weights(shape, params, l);
        for (int i = 0; i < layer.n_in; ++i) {
            float* row = w.row(i);
            for (int j = 0; j < layer.n_out; ++j) {
                const size_t k = static_cast<size_t>(i) * layer.n_out + j;
                switch (blob.weight_type) {
                    case WeightType::F32: row[j] = load_f32le(layer.weights + 4 * k); break;
                    case WeightType::F16: row[j] = half_to_float(load_u16le(layer.weights + 2 * k)); break;
                    case WeightType::Int8:
                        row[j] = static_cast<float>(static_cast<int8_t>(layer.weights[k])) * load_f32le(layer.scales + 4 * j);
                        break;
                }
            }
        }
        float* b = layer_bias(shape, params, l);
        for (int j = 0; j < layer.n_out; ++j) b[j] = load_f32le(layer.bias + 4 * j);
    }
}

}  // namespace fnn
