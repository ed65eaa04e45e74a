// Model blob parser for untrusted bytes: every field is range-checked, every offset is proven to
// lie inside the blob before anything is read through it, and every stored number must be
// finite (format in blob.hpp). Built into both libfnn and the inference library, so it uses no
// C library header.
#include "base/build_options.hpp"
#include "base/byte_cursor.hpp"
#include "base/checked.hpp"
#include "base/class_names.hpp"
#include "fnn/blob.hpp"
#include "fnn/crc32.hpp"
#include "base/half.hpp"

namespace fnn {
namespace {

const uint8_t kMagic[4] = {'F', 'N', 'N', 'M'};

size_t weight_bytes_per_value(WeightType t) {
    return t == WeightType::F32 ? 4 : t == WeightType::F16 ? 2 : 1;
}

bool all_zero(const uint8_t* p, size_t n) {
    uint8_t any = 0;
    for (size_t i = 0; i < n; ++i) any |= p[i];
    return any == 0;
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

bool finite_nonnegative(float x) { return x >= 0.0f && x <= 3.4e38f; }  // false for NaN
bool finite(float x) { return x - x == 0.0f; }

// Every weight, bias, scale and batch norm value must be a finite number (a running variance
// also >= 0): a model that holds NaN or infinity can only produce them.
Status check_finite_values(const BlobLayer& layer, WeightType type, int l, ErrorText* err) {
    const size_t values = static_cast<size_t>(layer.desc.w_rows) * layer.desc.w_cols;
    // (A build without float layers refuses these models before: see build_has_kind().)
    if (kBuildFloatLayers && type == WeightType::F32) {
        for (size_t k = 0; k < values; ++k) {
            if (!finite(load_f32le(layer.weights + 4 * k))) {
                return fail(err, Status::Format,
                            "model blob: layer %d weight %zu is not a finite number", l, k);
            }
        }
    } else if (kBuildFloatLayers && type == WeightType::F16) {
        for (size_t k = 0; k < values; ++k) {
            if ((load_u16le(layer.weights + 2 * k) & 0x7C00u) == 0x7C00u) {
                return fail(err, Status::Format,
                            "model blob: layer %d weight %zu is not a finite number", l, k);
            }
        }
    }
    const int channels = layer.desc.out.c;
    if (layer.desc.kind == LayerKind::BatchNorm) {
        for (int k = 0; k < 4 * channels; ++k) {
            const float v = load_f32le(layer.bias + 4 * k);
            const bool variance = k >= 3 * channels;
            if (variance ? !finite_nonnegative(v) : !finite(v)) {
                return fail(err, Status::Format,
                            "model blob: layer %d batch norm value %d is not a finite number%s", l,
                            k, variance ? " >= 0" : "");
            }
        }
        return Status::Ok;
    }
    for (int j = 0; layer.bias != nullptr && j < layer.desc.w_cols; ++j) {
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
    // The magic and the version are judged on as many bytes as there are, so a short blob that
    // is not a model (or a newer one) says so; then the rest of the header must be there.
    for (size_t i = 0; i < 4 && i < size; ++i) {
        if (base[i] != kMagic[i])
            return fail(err, Status::Format, "model blob: not an fnn model (expected magic FNNM)");
    }
    const uint16_t version = size >= 6 ? load_u16le(base + 4) : 1;
    if (version < 1 || version > kModelVersion) {
        return fail(err, Status::Version,
                    "model blob: version %u, this build reads versions 1 to %u", version,
                    kModelVersion);
    }
    if (size < kModelHeaderBytes)
        return fail(err, Status::Truncated, "model blob: %zu bytes, the header alone is %zu", size,
                    kModelHeaderBytes);
    const uint8_t type_code = base[6], loss_code = base[7];
    const uint32_t total = load_u32le(base + 8), n_layers = load_u32le(base + 12),
                   n_in = load_u32le(base + 16);
    const uint16_t rows = load_u16le(base + 20), cols = load_u16le(base + 22),
                   channels = load_u16le(base + 24), classes = load_u16le(base + 26);
    const float input_divisor = load_f32le(base + 28);
    const uint32_t names_offset = load_u32le(base + 32), names_bytes = load_u32le(base + 36);
    if (!all_zero(base + 40, 24))
        return fail(err, Status::Format, "model blob: header bytes 40..63 must be zero");
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
    if (static_cast<uint64_t>(rows) * cols * channels != n_in || n_in < 1 ||
        n_in > static_cast<uint32_t>(kMaxTensor)) {
        return fail(err, Status::Format,
                    "model blob: input shape %ux%ux%u does not match %u features (1..%d)", rows,
                    cols, channels, static_cast<unsigned>(n_in), kMaxTensor);
    }
    if (classes < 2 || classes > kMaxClasses) {
        return fail(err, Status::Format, "model blob: %u classes, expected 2..%d", classes,
                    kMaxClasses);
    }
    if (!finite_nonnegative(input_divisor) || input_divisor == 0.0f) {
        return fail(err, Status::Format, "model blob: input divisor must be finite and > 0");
    }
    const size_t layer_bytes = version < 3 ? kModelLayerBytesV2 : kModelLayerBytes;
    if (size < kModelHeaderBytes + layer_bytes * n_layers + 4) {
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
    h.layer_bytes = layer_bytes;
    h.sections_begin = kModelHeaderBytes + layer_bytes * static_cast<size_t>(n_layers);
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

Shape3 model_input(const ModelHeader& header) {
    return Shape3{header.meta.channels, header.meta.rows, header.meta.cols};
}

namespace {

// One layer table entry as stored (version 3 layout; older entries are widened into it).
struct Entry {
    uint8_t kind = 0, act = 0, order = 0;
    uint32_t n_in = 0, n_out = 0;
    uint16_t in[3] = {}, out[3] = {};  // c, h, w
    uint8_t kernel[2] = {}, stride[2] = {}, pad[4] = {};  // pad: top, left, bottom, right
    uint32_t w_off = 0, b_off = 0, s_off = 0;
    float qscale = 0.0f, extra = 0.0f;
    bool reserved_zero = true;
};

// The entry at p, whose bytes parse_model_header() proved to be inside the blob (the layout in
// blob.hpp; versions 1 and 2 keep the four section fields at 12..27, version 3 at 32..47).
Entry read_entry(const uint8_t* p, int version) {
    Entry e;
    e.kind = p[0];
    e.act = p[1];
    e.n_in = load_u32le(p + 4);
    e.n_out = load_u32le(p + 8);
    const uint8_t* sections = p + 12;
    if (version < 3) {
        e.reserved_zero = all_zero(p + 2, 2) && all_zero(p + 28, 4);
    } else {
        e.order = p[2];
        for (int i = 0; i < 3; ++i) {
            e.in[i] = load_u16le(p + 12 + 2 * i);
            e.out[i] = load_u16le(p + 18 + 2 * i);
        }
        __builtin_memcpy(e.kernel, p + 24, 2);
        __builtin_memcpy(e.stride, p + 26, 2);
        __builtin_memcpy(e.pad, p + 28, 4);
        e.extra = load_f32le(p + 48);
        e.reserved_zero = p[3] == 0 && all_zero(p + 52, 12);
        sections = p + 32;
    }
    e.w_off = load_u32le(sections);
    e.b_off = load_u32le(sections + 4);
    e.s_off = load_u32le(sections + 8);
    e.qscale = load_f32le(sections + 12);
    return e;
}

bool has_activation(LayerKind kind) {
    return kind == LayerKind::Dense || kind == LayerKind::Conv2d ||
           kind == LayerKind::BatchNorm || kind == LayerKind::Activation;
}

bool windowed(LayerKind kind) {
    return kind == LayerKind::Conv2d || kind == LayerKind::MaxPool || kind == LayerKind::AvgPool;
}

// The geometry an entry describes, checked against the tensor the layer receives.
Status entry_geometry(const Entry& e, Shape3 input, int l, LayerDesc& d, ErrorText* err) {
    d.kind = static_cast<LayerKind>(e.kind);
    d.act = static_cast<Activation>(e.act);
    d.in = input;
    d.n_in = static_cast<int>(input.size());
    if (e.n_in != input.size()) {
        return fail(err, Status::Format,
                    "model blob: layer %d takes %u inputs, previous layer gives %zu", l,
                    static_cast<unsigned>(e.n_in), input.size());
    }
    if (d.kind == LayerKind::Dense) {
        for (int i = 0; i < 3; ++i) {
            if (e.in[i] != 0 || e.out[i] != 0)
                return fail(err, Status::Format, "model blob: layer %d is dense: its shapes must be 0", l);
        }
        if (e.n_in > static_cast<uint32_t>(kMaxUnits) || e.n_out < 1 ||
            e.n_out > static_cast<uint32_t>(kMaxUnits)) {
            return fail(err, Status::Format,
                        "model blob: layer %d is %u x %u, each side must be 1..%d", l,
                        static_cast<unsigned>(e.n_in), static_cast<unsigned>(e.n_out), kMaxUnits);
        }
        d.out = Shape3{static_cast<int>(e.n_out), 1, 1};
        d.w_rows = d.n_in;
        d.w_cols = d.out.c;
    } else {
        if (e.in[0] != input.c || e.in[1] != input.h || e.in[2] != input.w) {
            return fail(err, Status::Format,
                        "model blob: layer %d input is %ux%ux%u, previous layer gives %dx%dx%d", l,
                        e.in[0], e.in[1], e.in[2], input.c, input.h, input.w);
        }
        const bool padded = e.pad[0] | e.pad[1] | e.pad[2] | e.pad[3];
        if (windowed(d.kind)) {
            d.kh = e.kernel[0];
            d.kw = e.kernel[1];
            d.sh = e.stride[0];
            d.sw = e.stride[1];
            d.pad_top = e.pad[0];
            d.pad_left = e.pad[1];
            d.pad_bottom = e.pad[2];
            d.pad_right = e.pad[3];
            if (d.kh < 1 || d.kw < 1 || d.sh < 1 || d.sw < 1 ||
                (padded && d.kind != LayerKind::Conv2d)) {
                return fail(err, Status::Format,
                            "model blob: layer %d (%s) needs kernel and stride >= 1%s", l,
                            layer_kind_name(d.kind), d.kind == LayerKind::Conv2d ? "" : " and no padding");
            }
            d.out = Shape3{d.kind == LayerKind::Conv2d ? static_cast<int>(e.out[0]) : input.c,
                           window_output(input.h, d.kh, d.sh, d.pad_top, d.pad_bottom),
                           window_output(input.w, d.kw, d.sw, d.pad_left, d.pad_right)};
        } else {
            if (e.kernel[0] | e.kernel[1] | e.stride[0] | e.stride[1] | padded)
                return fail(err, Status::Format,
                            "model blob: layer %d (%s) has no kernel, stride or padding", l,
                            layer_kind_name(d.kind));
            d.out = input;
        }
        if (d.out.c < 1 || d.out.c > kMaxSide || d.out.h < 1 || d.out.w < 1 ||
            e.out[0] != d.out.c || e.out[1] != d.out.h || e.out[2] != d.out.w) {
            return fail(err, Status::Format,
                        "model blob: layer %d (%s) output is %ux%ux%u, its input and window give "
                        "%dx%dx%d", l, layer_kind_name(d.kind), e.out[0], e.out[1], e.out[2],
                        d.out.c, d.out.h, d.out.w);
        }
        if (d.kind == LayerKind::Conv2d) {
            d.w_rows = d.kh * d.kw * input.c;  // <= 255 * 255 * 65535 < 2^32
            d.w_cols = d.out.c;
        }
    }
    d.n_out = static_cast<int>(d.out.size());
    if (e.n_out != d.out.size() || d.out.size() > static_cast<size_t>(kMaxTensor)) {
        return fail(err, Status::Format, "model blob: layer %d writes %u values, its shape holds %zu (at most %d)",
                    l, static_cast<unsigned>(e.n_out), d.out.size(), kMaxTensor);
    }
    return Status::Ok;
}

}  // namespace

namespace {

Status parse_layer(const void* data, size_t size, const ModelHeader& header, int l, Shape3 input,
                   size_t& sections_end, BlobLayer& out, ErrorText* err, bool check_values) {
    FNN_ASSERT(l >= 0 && l < header.n_layers);
    const uint8_t* base = static_cast<const uint8_t*>(data);
    const size_t payload_end = size - 4;
    const bool last = l == header.n_layers - 1;
    const WeightType type = header.weight_type;
    const Entry e =
        read_entry(base + kModelHeaderBytes + header.layer_bytes * static_cast<size_t>(l),
                   header.version);
    const uint8_t max_kind = header.version < 3 ? 1 : static_cast<uint8_t>(LayerKind::Dropout);
    if (e.kind < 1 || e.kind > max_kind)
        return fail(err, Status::Format, "model blob: layer %d has unknown kind %u", l, e.kind);
    const LayerKind kind = static_cast<LayerKind>(e.kind);
    if (!build_has_kind(kThisBuild, kind, type)) {
        return fail(err, Status::Unsupported,
                    "model blob: layer %d (%s with %s weights) is left out of this build", l,
                    layer_kind_name(kind), weight_type_name(type));
    }
    if (last && (kind != LayerKind::Dense || e.act != static_cast<uint8_t>(Activation::Softmax))) {
        return fail(err, Status::Format,
                    "model blob: layer %d is the output layer: it must be dense with activation "
                    "code 4 (softmax), not %s with %u", l, layer_kind_name(kind), e.act);
    }
    if (!last && !(has_activation(kind) ? e.act <= static_cast<uint8_t>(Activation::Relu) : e.act == 0)) {
        return fail(err, Status::Format, "model blob: layer %d (%s) has activation code %u, expected %s",
                    l, layer_kind_name(kind), e.act, has_activation(kind) ? "0..3 on a hidden layer" : "0");
    }
    if (!e.reserved_zero)
        return fail(err, Status::Format, "model blob: layer %d reserved fields must be zero", l);
    const bool planar = l == 0 && kind != LayerKind::Dense && input.c > 1 && input.h * input.w > 1;
    if (e.order != (planar ? 1 : 0)) {
        return fail(err, Status::Format, "model blob: layer %d input order is %u, expected %d", l,
                    e.order, planar ? 1 : 0);
    }
    BlobLayer layer;
    FNN_TRY(entry_geometry(e, input, l, layer.desc, err));
    layer.desc.planar_in = planar;
    if (last && layer.desc.n_out != header.n_classes) {
        return fail(err, Status::Format, "model blob: header says %d classes, output layer has %d",
                    header.n_classes, layer.desc.n_out);
    }
    if (!finite_nonnegative(e.qscale)) {
        return fail(err, Status::Format,
                    "model blob: layer %d input scale is not a finite value >= 0", l);
    }
    if (e.qscale != 0.0f &&
        (type != WeightType::Int8 || (kind != LayerKind::Dense && kind != LayerKind::Conv2d))) {
        return fail(err, Status::Format,
                    "model blob: layer %d has int8 activations but is %s with %s weights", l,
                    layer_kind_name(kind), weight_type_name(type));
    }
    if (kind == LayerKind::BatchNorm) {
        if (!(e.extra > 0.0f && e.extra <= 3.4e38f))
            return fail(err, Status::Format, "model blob: layer %d batchnorm epsilon must be finite and > 0", l);
        layer.desc.bn_eps = e.extra;
    } else if (kind == LayerKind::Dropout) {
        if (!(e.extra >= 0.0f && e.extra < 1.0f))
            return fail(err, Status::Format, "model blob: layer %d dropout rate must be in [0, 1)", l);
        layer.desc.rate = e.extra;
    } else if (e.extra != 0.0f) {
        return fail(err, Status::Format, "model blob: layer %d bytes 48..51 must be zero", l);
    }
    // Sections in file order: weights, scales (int8), bias (batchnorm: its four arrays).
    const size_t columns = static_cast<size_t>(layer.desc.w_cols);
    if (layer.desc.has_weights()) {
        size_t values = 0;
        // rows <= 2^32, columns <= 65536: the product needs overflow checks on 32-bit targets.
        if (!checked_mul(static_cast<size_t>(layer.desc.w_rows), columns, values) ||
            !checked_mul(values, weight_bytes_per_value(type), values)) {
            return fail(err, Status::Format, "model blob: layer %d weights exceed the address space", l);
        }
        FNN_TRY(section(base, sections_end, payload_end, e.w_off, values, l, "weights",
                        layer.weights, err));
        if (type == WeightType::Int8) {
            FNN_TRY(section(base, sections_end, payload_end, e.s_off, 4u * columns, l, "scales",
                            layer.scales, err));
        } else if (e.s_off != 0) {
            return fail(err, Status::Format,
                        "model blob: layer %d has a scales offset but %s weights", l,
                        weight_type_name(type));
        }
        FNN_TRY(section(base, sections_end, payload_end, e.b_off, 4u * columns, l, "bias",
                        layer.bias, err));
    } else if (kind == LayerKind::BatchNorm) {
        if (e.w_off != 0 || e.s_off != 0)
            return fail(err, Status::Format, "model blob: layer %d (batchnorm) has no weights or scales", l);
        FNN_TRY(section(base, sections_end, payload_end, e.b_off,
                        16u * static_cast<size_t>(layer.desc.out.c), l, "batch norm values",
                        layer.bias, err));
    } else if (e.w_off != 0 || e.b_off != 0 || e.s_off != 0) {
        return fail(err, Status::Format, "model blob: layer %d (%s) has no sections: offsets must be 0",
                    l, layer_kind_name(kind));
    }
    layer.act = layer.desc.act;
    layer.n_in = layer.desc.n_in;
    layer.n_out = layer.desc.n_out;
    layer.input_qscale = e.qscale;
    if (!build_has_layer(kThisBuild, layer)) {
        return fail(err, Status::Unsupported,
                    "model blob: layer %d (%s) needs float activations or an activation function "
                    "this build leaves out", l, layer_kind_name(kind));
    }
    if (check_values) FNN_TRY(check_finite_values(layer, type, l, err));
    out = layer;
    return Status::Ok;
}

}  // namespace

Status parse_model_layer(const void* data, size_t size, const ModelHeader& header, int l,
                         Shape3 input, size_t& sections_end, BlobLayer& out, ErrorText* err) {
    return parse_layer(data, size, header, l, input, sections_end, out, err, true);
}

Status decode_model_layer(const void* data, size_t size, const ModelHeader& header, int l,
                          Shape3 input, BlobLayer& out) {
    size_t any = 0;  // the order of sections was checked when the blob was parsed
    return parse_layer(data, size, header, l, input, any, out, nullptr, false);
}

Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err) {
    FNN_TRY(parse_model_header(data, size, out.header, err));
    Shape3 input = model_input(out.header);
    size_t sections_end = out.header.sections_begin;
    for (int l = 0; l < out.header.n_layers; ++l) {
        FNN_TRY(
            parse_model_layer(data, size, out.header, l, input, sections_end, out.layers[l], err));
        input = out.layers[l].desc.out;
    }
    return Status::Ok;
}

}  // namespace fnn
