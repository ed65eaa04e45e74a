// Model blob parser for untrusted bytes: every field is range-checked, every offset is proven to
// lie inside the blob before anything is read through it, and every stored number must be
// finite (format in blob.hpp). Built into both libfnn and the inference library, so it uses no
// C library header.
#include "base/byte_cursor.hpp"
#include "base/checked.hpp"
#include "base/class_names.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "base/half.hpp"

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

// Checks that [offset, offset + bytes) is 16-aligned, starts at or after `sections_end` (the end
// of the section before it, so sections are in order and never overlap) and ends before the CRC;
// then returns a pointer to it and moves `sections_end` past it.
Status section(const uint8_t* base, size_t& sections_end, size_t payload_end, uint32_t offset,
               size_t bytes, int layer, const char* what, const uint8_t*& out, ErrorText* err) {
    size_t end = 0;
    if (offset % 16 != 0 || offset < sections_end || !checked_add(offset, bytes, end) ||
        end > payload_end) {
        if (layer < 0) {
            return fail(err, Status::Format,
                        "model blob: %s at offset %u (+%zu bytes) is not a 16-aligned range after "
                        "the layer table and before the CRC [%zu, %zu)",
                        what, static_cast<unsigned>(offset), bytes, sections_end, payload_end);
        }
        return fail(err, Status::Format,
                    "model blob: layer %d %s at offset %u (+%zu bytes) is not a 16-aligned range "
                    "after the previous section and before the CRC [%zu, %zu)",
                    layer, what, static_cast<unsigned>(offset), bytes, sections_end, payload_end);
    }
    out = base + offset;
    sections_end = end;
    return Status::Ok;
}

bool valid_activation(uint8_t code, bool last) {
    if (last) return code == static_cast<uint8_t>(Activation::Softmax);
    return code <= static_cast<uint8_t>(Activation::Relu);
}

bool finite_nonnegative(float x) { return x >= 0.0f && x <= 3.4e38f; }  // false for NaN
bool finite(float x) { return x - x == 0.0f; }

// Every weight, bias and scale must be a finite number: a model that holds NaN or infinity can
// only produce them.
Status check_finite_values(const BlobLayer& layer, WeightType type, int l, ErrorText* err) {
    const size_t values = static_cast<size_t>(layer.n_in) * layer.n_out;
    if (type == WeightType::F32) {
        for (size_t k = 0; k < values; ++k) {
            if (!finite(load_f32le(layer.weights + 4 * k))) {
                return fail(err, Status::Format,
                            "model blob: layer %d weight %zu is not a finite number", l, k);
            }
        }
    } else if (type == WeightType::F16) {
        for (size_t k = 0; k < values; ++k) {
            if ((load_u16le(layer.weights + 2 * k) & 0x7C00u) == 0x7C00u) {
                return fail(err, Status::Format,
                            "model blob: layer %d weight %zu is not a finite number", l, k);
            }
        }
    }
    for (int j = 0; j < layer.n_out; ++j) {
        if (!finite(load_f32le(layer.bias + 4 * j))) {
            return fail(err, Status::Format, "model blob: layer %d bias %d is not a finite number",
                        l, j);
        }
        if (layer.scales != nullptr && !finite_nonnegative(load_f32le(layer.scales + 4 * j))) {
            return fail(err, Status::Format,
                        "model blob: layer %d scale %d is not a finite value >= 0", l, j);
        }
    }
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

Status parse_model_header(const void* data, size_t size, ModelHeader& out, ErrorText* err) {
    if (size == 0) return fail(err, Status::Truncated, "model blob: empty (0 bytes)");
    if (data == nullptr) return fail(err, Status::Arg, "model blob: null pointer");
    const uint8_t* base = static_cast<const uint8_t*>(data);
    Cursor cur(data, size, "model blob", err);
    const uint8_t* magic = nullptr;
    FNN_TRY(cur.take(4, magic));
    if (magic[0] != kMagic[0] || magic[1] != kMagic[1] || magic[2] != kMagic[2] ||
        magic[3] != kMagic[3]) {
        return fail(err, Status::Format, "model blob: not an fnn model (expected magic FNNM)");
    }
    uint16_t version = 0, rows = 0, cols = 0, channels = 0, classes = 0;
    uint8_t type_code = 0, loss_code = 0;
    uint32_t total = 0, n_layers = 0, n_in = 0;
    float input_divisor = 0.0f;
    FNN_TRY(cur.u16(version));
    if (version != 1 && version != 2) {
        return fail(err, Status::Version,
                    "model blob: version %u, this build reads versions 1 and 2", version);
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
    FNN_TRY(cur.f32(input_divisor));
    uint32_t names_offset = 0, names_bytes = 0;
    FNN_TRY(cur.u32(names_offset));
    FNN_TRY(cur.u32(names_bytes));
    const uint8_t* reserved = nullptr;
    FNN_TRY(cur.take(24, reserved));
    FNN_TRY(expect_zero(reserved, 24, "header bytes 40..63", err));
    if (version == 1 && (names_offset != 0 || names_bytes != 0))
        return fail(err, Status::Format, "model blob: version 1 has no class names (bytes 32..39)");
    if ((names_offset == 0) != (names_bytes == 0)) {
        return fail(err, Status::Format,
                    "model blob: class names offset %u and size %u: both or neither must be 0",
                    static_cast<unsigned>(names_offset), static_cast<unsigned>(names_bytes));
    }
    if (type_code > static_cast<uint8_t>(WeightType::Int8))
        return fail(err, Status::Format, "model blob: unknown weight type %u", type_code);
    if (loss_code > static_cast<uint8_t>(Loss::MeanSquaredError))
        return fail(err, Status::Format, "model blob: unknown loss code %u", loss_code);
    if (total != size) {
        return fail(err, size < total ? Status::Truncated : Status::Format,
                    "model blob: header says %u bytes, got %zu", static_cast<unsigned>(total),
                    size);
    }
    if (n_layers < 1 || n_layers > static_cast<uint32_t>(kMaxLayers)) {
        return fail(err, Status::Format, "model blob: %u layers, expected 1..%d",
                    static_cast<unsigned>(n_layers), kMaxLayers);
    }
    if (static_cast<uint32_t>(rows) * cols * channels != n_in || n_in < 1 ||
        n_in > static_cast<uint32_t>(kMaxUnits)) {
        return fail(err, Status::Format,
                    "model blob: input shape %ux%ux%u does not match %u features (1..%d)", rows,
                    cols, channels, static_cast<unsigned>(n_in), kMaxUnits);
    }
    if (classes < 2 || classes > kMaxClasses) {
        return fail(err, Status::Format, "model blob: %u classes, expected 2..%d", classes,
                    kMaxClasses);
    }
    if (!finite_nonnegative(input_divisor) || input_divisor == 0.0f) {
        return fail(err, Status::Format, "model blob: input divisor must be finite and > 0");
    }
    if (size < kModelHeaderBytes + kModelLayerBytes * n_layers + 4) {
        return fail(err, Status::Truncated,
                    "model blob: %zu bytes cannot hold %u layer entries and a CRC", size,
                    static_cast<unsigned>(n_layers));
    }
    const uint32_t stored_crc = load_u32le(base + size - 4);
    const uint32_t actual_crc = crc32(0, base, size - 4);
    if (stored_crc != actual_crc) {
        return fail(err, Status::Checksum,
                    "model blob: CRC-32 mismatch (stored %08x, computed %08x): the blob is damaged",
                    static_cast<unsigned>(stored_crc), static_cast<unsigned>(actual_crc));
    }
    ModelHeader h;
    h.version = version;
    h.weight_type = static_cast<WeightType>(type_code);
    h.meta = ModelMeta{rows, cols, channels, input_divisor, static_cast<Loss>(loss_code)};
    h.n_layers = static_cast<int>(n_layers);
    h.n_in = static_cast<int>(n_in);
    h.n_classes = classes;
    h.sections_begin = kModelHeaderBytes + kModelLayerBytes * static_cast<size_t>(n_layers);
    if (names_bytes != 0) {
        const uint8_t* names = nullptr;
        FNN_TRY(section(base, h.sections_begin, size - 4, names_offset, names_bytes, -1,
                        "class names", names, err));
        FNN_TRY(check_class_names(reinterpret_cast<const char*>(names), names_bytes, classes,
                                  "model blob", err));
        h.meta.names = reinterpret_cast<const char*>(names);
        h.meta.names_bytes = names_bytes;
    }
    out = h;
    return Status::Ok;
}

Status parse_model_layer(const void* data, size_t size, const ModelHeader& header, int l, int n_in,
                         size_t& sections_end, BlobLayer& out, ErrorText* err) {
    FNN_ASSERT(l >= 0 && l < header.n_layers);
    const uint8_t* base = static_cast<const uint8_t*>(data);
    const size_t payload_end = size - 4;
    const bool last = l == header.n_layers - 1;
    const WeightType type = header.weight_type;
    Cursor cur(base + kModelHeaderBytes + kModelLayerBytes * static_cast<size_t>(l),
               kModelLayerBytes, "model blob", err);
    uint8_t kind = 0, act = 0;
    uint16_t reserved = 0;
    uint32_t layer_in = 0, n_out = 0, w_off = 0, b_off = 0, s_off = 0, reserved2 = 0;
    float qscale = 0.0f;
    FNN_TRY(cur.u8(kind));
    FNN_TRY(cur.u8(act));
    FNN_TRY(cur.u16(reserved));
    FNN_TRY(cur.u32(layer_in));
    FNN_TRY(cur.u32(n_out));
    FNN_TRY(cur.u32(w_off));
    FNN_TRY(cur.u32(b_off));
    FNN_TRY(cur.u32(s_off));
    FNN_TRY(cur.f32(qscale));
    FNN_TRY(cur.u32(reserved2));
    if (kind != kKindDense)
        return fail(err, Status::Format, "model blob: layer %d has unknown kind %u", l, kind);
    if (!valid_activation(act, last)) {
        return fail(err, Status::Format, "model blob: layer %d has activation code %u, expected %s",
                    l, act, last ? "4 (softmax) on the output layer" : "0..3 on a hidden layer");
    }
    if (reserved != 0 || reserved2 != 0)
        return fail(err, Status::Format, "model blob: layer %d reserved fields must be zero", l);
    if (layer_in < 1 || layer_in > static_cast<uint32_t>(kMaxUnits) || n_out < 1 ||
        n_out > static_cast<uint32_t>(kMaxUnits)) {
        return fail(err, Status::Format, "model blob: layer %d is %u x %u, each side must be 1..%d",
                    l, static_cast<unsigned>(layer_in), static_cast<unsigned>(n_out), kMaxUnits);
    }
    if (static_cast<int>(layer_in) != n_in) {
        return fail(err, Status::Format,
                    "model blob: layer %d takes %u inputs, previous layer gives %d", l,
                    static_cast<unsigned>(layer_in), n_in);
    }
    if (last && static_cast<int>(n_out) != header.n_classes) {
        return fail(err, Status::Format, "model blob: header says %d classes, output layer has %u",
                    header.n_classes, static_cast<unsigned>(n_out));
    }
    if (!finite_nonnegative(qscale)) {
        return fail(err, Status::Format,
                    "model blob: layer %d input scale is not a finite value >= 0", l);
    }
    if (qscale != 0.0f && type != WeightType::Int8) {
        return fail(err, Status::Format, "model blob: layer %d has int8 activations but %s weights",
                    l, weight_type_name(type));
    }
    BlobLayer layer;
    // n_in, n_out <= 2^16: the product fits in 32 bits and the byte count in size_t.
    const size_t values = static_cast<size_t>(layer_in) * n_out;
    // Sections in file order: weights, scales (int8), bias.
    FNN_TRY(section(base, sections_end, payload_end, w_off, values * weight_bytes_per_value(type),
                    l, "weights", layer.weights, err));
    if (type == WeightType::Int8) {
        FNN_TRY(section(base, sections_end, payload_end, s_off, 4u * n_out, l, "scales",
                        layer.scales, err));
    } else if (s_off != 0) {
        return fail(err, Status::Format, "model blob: layer %d has a scales offset but %s weights",
                    l, weight_type_name(type));
    }
    FNN_TRY(
        section(base, sections_end, payload_end, b_off, 4u * n_out, l, "bias", layer.bias, err));
    layer.act = static_cast<Activation>(act);
    layer.n_in = static_cast<int>(layer_in);
    layer.n_out = static_cast<int>(n_out);
    layer.input_qscale = qscale;
    FNN_TRY(check_finite_values(layer, type, l, err));
    out = layer;
    return Status::Ok;
}

Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err) {
    FNN_TRY(parse_model_header(data, size, out.header, err));
    int n_in = out.header.n_in;
    size_t sections_end = out.header.sections_begin;
    for (int l = 0; l < out.header.n_layers; ++l) {
        FNN_TRY(
            parse_model_layer(data, size, out.header, l, n_in, sections_end, out.layers[l], err));
        n_in = out.layers[l].n_out;
    }
    return Status::Ok;
}

}  // namespace fnn
