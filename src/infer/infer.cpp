// Implements fnn.h: a model blob read in place, bookkeeping and activations in the caller's
// arena, one layer at a time (whole feature maps in one region: each layer's output at the end
// opposite its input, so the region is the largest input plus output, not the sum of all). With
// int8 activations, a tensor whose reader quantizes it anyway is stored as those int8 codes
// (a quarter of the bytes; the same codes the reader would compute, so the same outputs). Dense and
// conv2d follow gemm.hpp's Reproducible contract (K blocks of gemm_k_step, separate multiply
// and add, zero inputs skipped; a convolution is a dense layer per output position over the
// gathered column); pools, batch norm and activations run the trainer's own kernels, so fp32
// outputs equal the trainer's bit for bit.
// Built with compiler-provided C headers only (stdint, stddef, stdarg), so it compiles for
// bare-metal targets that have no C library headers at all.
#include "base/byte_cursor.hpp"
#include "base/class_names.hpp"
#include "fnn/activation.hpp"
#include "fnn/arena.hpp"
#include "fnn/blob.hpp"
#include "fnn/fnn.h"
#include "fnn/gemm.hpp"
#include "base/half.hpp"
#include "kernels/batchnorm.hpp"
#include "kernels/pool.hpp"
#include "kernels/tensor.hpp"

// Everything a loaded model owns; lives in the caller's arena.
struct fnn_model {
    fnn::ModelHeader header;
    const uint8_t* blob;     // read in place; each layer is decoded from it when it runs
    size_t blob_len;
    uint8_t* region;         // (region_bytes) layer outputs, floats or int8 codes: see run_one()
    size_t region_bytes;
    float* partial;     // (most output columns) one K block's sums; int32 sums for int8 activations
    float* column;      // (largest conv window) one output position's inputs
    float* band;        // (largest band) the conv rows one pooled row needs, when fused
    int8_t* quantized;  // (max input width) int8 activations, when the model uses them
    float* staging;     // (widest row stored as int8) floats before they are quantized
    size_t macs;
};

namespace fnn {
namespace {

// The arena reserves this many bytes for the fnn_model record on every target, whatever its
// pointers' size, so fnn_arena_bytes() gives the same figure on the host as on a 32-bit
// microcontroller: a budget planned on the host holds on the device (make cross checks it).
constexpr size_t kModelRecordBytes = 192;
static_assert(sizeof(fnn_model) <= kModelRecordBytes, "fnn_model outgrew its reservation");

static_assert(static_cast<int>(Status::Numeric) == FNN_E_NUMERIC,
              "fnn_status and Status must agree");
static_assert(static_cast<int>(Status::Checksum) == FNN_E_CHECKSUM,
              "fnn_status and Status must agree");

fnn_status to_c(Status s) { return static_cast<fnn_status>(static_cast<int>(s)); }

// What the arena must hold for a model, computed from its validated header and layers.
struct Plan {
    ModelHeader header;
    size_t region = 0;      // bytes of activations: the most any one layer has live
    size_t max_columns = 0; // the most weight columns (output values of one dense step)
    size_t max_window = 0;  // the largest conv window (kh * kw * in channels)
    size_t band = 0;        // floats of the largest conv band a fused pool reads
    size_t quantized = 0;   // bytes of int8 inputs: the widest int8 layer's (dense) or window's (conv)
    size_t staging = 0;     // floats of the widest row stored as int8 codes
    size_t macs = 0;
    bool int8_activations = false;
    // One layer's own use, for fnn_layer_bytes(): set watch to its index before planning.
    int watch = -1;
    size_t watch_bytes = 0;
};

size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

// Batch norm, activation and dropout layers write their output over their input.
bool in_place(LayerKind kind) {
    return kind == LayerKind::BatchNorm || kind == LayerKind::Activation ||
           kind == LayerKind::Dropout;
}

// What a layer looks like to fusion: its kind and, for pools, kernel and stride rows.
struct Peek {
    LayerKind kind;
    int kh, sh;
    float s_in;  // input scale: > 0 when the layer runs with int8 activations
};
// From the raw table entry (version 3; read before the layer is validated, which the plan
// then does in order, so a bad entry still fails the load). Versions 1 and 2: dense layers
// whose inputs are stored as floats.
Peek peek(const uint8_t* blob, const ModelHeader& h, int l) {
    const uint8_t* e = blob + kModelHeaderBytes + h.layer_bytes * static_cast<size_t>(l);
    if (h.version < 3) return {LayerKind::Dense, 0, 0, 0.0f};
    return {static_cast<LayerKind>(e[0]), e[24], e[26], load_f32le(e + 44)};
}

// Whether the tensor written by the layer (or fused group) starting at `first` and ending at
// `end` is stored as int8 codes: a dense or conv2d layer (or group) writes it, and the next
// layer that reads it (dropouts pass it on) is a dense or conv2d layer with int8 activations,
// which would quantize it with its own scale anyway. Batch norm and activation layers read
// floats, so a tensor they read stays float.
template <typename PeekAt>
bool stores_int8(int first, int end, int n_layers, PeekAt at) {
    const LayerKind producer = at(first).kind;
    if (producer != LayerKind::Dense && producer != LayerKind::Conv2d) return false;
    if (end >= n_layers - 1) return false;  // the last layer writes the caller's probabilities
    int c = end + 1;
    while (c < n_layers && at(c).kind == LayerKind::Dropout) ++c;
    if (c >= n_layers) return false;
    const Peek reader = at(c);
    return reader.s_in > 0.0f && (reader.kind == LayerKind::Dense || reader.kind == LayerKind::Conv2d);
}

// Bytes a stored tensor of n values takes in the region: int8 codes or floats, rounded up to
// whole floats so the next float tensor placed after it stays aligned.
size_t tensor_bytes(size_t n, bool int8) { return int8 ? (n + 3) / 4 * 4 : n * sizeof(float); }

// A conv layer at `l` whose output reaches a pool only through batch norm, activation and
// dropout layers, the pool's windows not overlapping vertically (stride rows = kernel rows) and
// the pool not the last layer, runs fused: conv rows are made a band of pool rows at a time,
// so its whole output never exists. Returns the pool's index, or -1.
template <typename PeekAt>
int fused_pool(int l, int n_layers, PeekAt at) {
    if (at(l).kind != LayerKind::Conv2d) return -1;
    for (int k = l + 1; k + 1 < n_layers; ++k) {
        const Peek p = at(k);
        if (p.kind == LayerKind::BatchNorm || p.kind == LayerKind::Activation ||
            p.kind == LayerKind::Dropout)
            continue;
        const bool pool = p.kind == LayerKind::MaxPool || p.kind == LayerKind::AvgPool;
        return pool && p.sh == p.kh ? k : -1;
    }
    return -1;
}

// The first layer that computes (dropout layers before it pass the input on) reads the
// caller's input in place if it is dense or conv2d; pools, batch norm and activations read a
// float tensor, so the input is first copied into an activation buffer.
bool reads_input_in_place(LayerKind kind) {
    return kind == LayerKind::Dense || kind == LayerKind::Conv2d;
}

// Validates the whole blob (layer by layer, nothing held but the sizes) and plans its arena.
Status plan_model(const void* blob, size_t len, Plan& plan, ErrorText* err) {
    FNN_TRY(parse_model_header(blob, len, plan.header, err));
    Shape3 input = model_input(plan.header);
    size_t sections_end = plan.header.sections_begin;
    bool first = true;  // no computing layer yet
    int group_end = -1;    // the pool ending the fused conv group being planned
    size_t group_in = 0;   // that group's live input, bytes
    int group_start = 0;   // its conv layer
    size_t group_scratch = 0;  // the most scratch one of its layers before the pool uses
    bool x_int8 = false;   // the stored tensor the next layer reads holds int8 codes
    bool out_int8 = false;  // the output of the layer or group being planned will
    const uint8_t* bytes = static_cast<const uint8_t*>(blob);
    const int n_layers = plan.header.n_layers;
    auto at = [&](int k) { return peek(bytes, plan.header, k); };
    for (int l = 0; l < n_layers; ++l) {
        BlobLayer layer;
        FNN_TRY(parse_model_layer(blob, len, plan.header, l, input, sections_end, layer, err));
        const LayerDesc& d = layer.desc;
        const bool starting = l > group_end;  // a layer on its own, or a fused group's conv
        if (starting) {
            group_end = fused_pool(l, n_layers, at);
            out_int8 = stores_int8(l, group_end >= 0 ? group_end : l, n_layers, at);
        }
        // Live while layer l runs: its input (unless it is the caller's, read in place) and
        // its output (unless written over the input; the last layer writes the caller's).
        size_t live_in = tensor_bytes(static_cast<size_t>(d.n_in), x_int8);
        if (first && d.kind != LayerKind::Dropout) {
            if (reads_input_in_place(d.kind)) live_in = 0;
            first = false;
        } else if (first) {
            live_in = 0;
        }
        const bool last = l == n_layers - 1;
        const size_t live_out =
            in_place(d.kind) || last ? 0 : tensor_bytes(static_cast<size_t>(d.n_out), out_int8);
        if (starting) {
            group_in = live_in;
            group_start = l;
            group_scratch = 0;
        }
        // This layer's scratch: weight columns, a conv window, int8 inputs.
        size_t scratch = sizeof(float) * static_cast<size_t>(d.w_cols);
        if (d.kind == LayerKind::Conv2d) scratch += sizeof(float) * d.w_rows;
        if (layer.input_qscale != 0.0f) scratch += d.w_rows;
        // An output stored as int8 passes through floats one row at a time.
        size_t staging = 0;
        if (out_int8 && !in_place(d.kind) && (l == group_end || group_end < 0)) {
            staging = d.kind == LayerKind::Dense ? static_cast<size_t>(d.n_out)
                                                 : static_cast<size_t>(d.out.w) * d.out.c;
            plan.staging = max_size(plan.staging, staging);
        }
        if (group_end >= 0 && l == group_end) {
            // The group's input and the pooled output; the band is apart.
            const size_t band = static_cast<size_t>(d.kh) * d.in.w * d.in.c;
            plan.region = max_size(plan.region, group_in + live_out);
            plan.band = max_size(plan.band, band);
            // Every layer of the group runs while all of it is live.
            if (plan.watch >= group_start && plan.watch <= l)
                plan.watch_bytes = group_in + live_out + sizeof(float) * (band + staging) +
                                   max_size(group_scratch, scratch);
        } else if (l > group_end) {
            plan.region = max_size(plan.region, live_in + live_out);
            if (plan.watch == l)
                plan.watch_bytes = live_in + live_out + sizeof(float) * staging + scratch;
        } else {
            group_scratch = max_size(group_scratch, scratch);
        }
        if (!in_place(d.kind) && (group_end < 0 || l == group_end)) x_int8 = out_int8;
        plan.int8_activations = plan.int8_activations || layer.input_qscale != 0.0f;
        plan.max_columns = max_size(plan.max_columns, static_cast<size_t>(d.w_cols));
        if (d.kind == LayerKind::Conv2d) plan.max_window = max_size(plan.max_window, d.w_rows);
        if (layer.input_qscale != 0.0f)
            plan.quantized = max_size(plan.quantized, static_cast<size_t>(d.w_rows));
        plan.macs += (d.kind == LayerKind::Conv2d ? static_cast<size_t>(d.out.h) * d.out.w : 1) *
                     static_cast<size_t>(d.w_rows) * static_cast<size_t>(d.w_cols);
        input = d.out;
    }
    return Status::Ok;
}

size_t arena_plan_bytes(const Plan& p) {
    size_t bytes = arena_round(kModelRecordBytes) +
                   arena_round(p.region > 0 ? p.region : 4) + arena_floats(p.max_columns);
    if (p.max_window > 0) bytes += arena_floats(p.max_window);
    if (p.band > 0) bytes += arena_floats(p.band);
    if (p.int8_activations) bytes += arena_round(p.quantized);
    if (p.staging > 0) bytes += arena_floats(p.staging);
    return arena_buffer_bytes(bytes);
}

// A layer's input: floats (a previous layer's output, or the caller's), or the caller's uint8
// pixels divided by the input divisor (the same division the trainer applies to a batch).
// Or, for a reader with int8 activations, the int8 codes a previous layer stored for it.
struct Input {
    const float* x;
    const uint8_t* pixels;
    float divisor;
    const int8_t* codes;  // when set, x and pixels are null
    float at(int k) const { return x != nullptr ? x[k] : static_cast<float>(pixels[k]) / divisor; }
};

// An int8 activation: round(x / s) clamped to +-127, exactly as blob.hpp specifies it.
int8_t quantize(float x, float s) {
    float v = x / s;
    v = v > 127.0f ? 127.0f : (v < -127.0f ? -127.0f : v);
    return static_cast<int8_t>(static_cast<int>(v + (v >= 0.0f ? 0.5f : -0.5f)));
}

// partial[j] += x * w[row + j] over one row of weights; the weight type is fixed per call so the
// inner loop has no branches.
template <WeightType kType>
void accumulate_row(const BlobLayer& layer, size_t row, float x, float* partial, int n_out) {
    for (int j = 0; j < n_out; ++j) {
        const size_t k = row + j;
        float w;
        if (kType == WeightType::F32) w = load_f32le(layer.weights + 4 * k);
        else if (kType == WeightType::F16) w = half_to_float(load_u16le(layer.weights + 2 * k));
        else w = static_cast<float>(static_cast<int8_t>(layer.weights[k]));
        partial[j] = partial[j] + x * w;
    }
}

// out[j] = sum_k x_k w[k][j] over the layer's weight matrix (w_rows x w_cols), K block by K
// block as gemm() does: each block sums into `partial` from +0 in k order, then out = partial
// (first block) or partial + out. For int8 weights w is the integer q; the per-column scale is
// applied afterwards.
void dense_float(const BlobLayer& layer, WeightType type, const Input& in, float* out,
                 float* partial) {
    const int n_in = layer.desc.w_rows, n_out = layer.desc.w_cols;
    const int step = gemm_k_step(n_in);
    for (int k0 = 0; k0 < n_in; k0 += step) {
        const int k1 = k0 + step < n_in ? k0 + step : n_in;
        for (int j = 0; j < n_out; ++j) partial[j] = 0.0f;
        for (int k = k0; k < k1; ++k) {
            const float x = in.at(k);
            if (x == 0.0f) continue;  // adds exactly nothing: weights are finite (checked at load)
            const size_t row = static_cast<size_t>(k) * n_out;
            switch (type) {
                case WeightType::F32:
                    accumulate_row<WeightType::F32>(layer, row, x, partial, n_out);
                    break;
                case WeightType::F16:
                    accumulate_row<WeightType::F16>(layer, row, x, partial, n_out);
                    break;
                case WeightType::Int8:
                    accumulate_row<WeightType::Int8>(layer, row, x, partial, n_out);
                    break;
            }
        }
        for (int j = 0; j < n_out; ++j) out[j] = k0 == 0 ? partial[j] : partial[j] + out[j];
    }
    if (type == WeightType::Int8) {
        for (int j = 0; j < n_out; ++j) out[j] = out[j] * load_f32le(layer.scales + 4 * j);
    }
    for (int j = 0; j < n_out; ++j) out[j] = out[j] + load_f32le(layer.bias + 4 * j);
}

// int8 x int8 with int32 sums over codes q_x (quantize() of the inputs), then
// out[j] = (sum_k q_x[k] q_w[k][j]) * (s_in * s_j) + b_j. |sum| <= 127 * 127 * 65536 < 2^31.
void dense_int8_codes(const BlobLayer& layer, const int8_t* q, int32_t* sums, float* out) {
    const int n_in = layer.desc.w_rows, n_out = layer.desc.w_cols;
    const float s_in = layer.input_qscale;
    for (int j = 0; j < n_out; ++j) sums[j] = 0;
    for (int k = 0; k < n_in; ++k) {
        const int32_t qx = q[k];
        if (qx == 0) continue;
        const int8_t* row =
            reinterpret_cast<const int8_t*>(layer.weights) + static_cast<size_t>(k) * n_out;
        for (int j = 0; j < n_out; ++j) sums[j] += qx * row[j];
    }
    for (int j = 0; j < n_out; ++j)
        out[j] = static_cast<float>(sums[j]) * (s_in * load_f32le(layer.scales + 4 * j));
    for (int j = 0; j < n_out; ++j) out[j] = out[j] + load_f32le(layer.bias + 4 * j);
}

// The same on float inputs (or stored codes, used as they are).
void dense_int8(const BlobLayer& layer, const Input& in, int8_t* quantized, int32_t* sums,
                float* out) {
    const int8_t* q = in.codes;
    if (q == nullptr) {
        for (int k = 0; k < layer.desc.w_rows; ++k) quantized[k] = quantize(in.at(k), layer.input_qscale);
        q = quantized;
    }
    dense_int8_codes(layer, q, sums, out);
}

// One output position's window of a convolution's input, in (ky, kx, c) order, into `out`:
// value(index into the input tensor) inside the input, `outside` beyond its edges (padding).
template <typename T, typename Value>
void gather_window(const LayerDesc& d, const TensorIndex& at, int oy, int ox, Value value,
                   T outside, T* out) {
    const int C = d.in.c;
    for (int ky = 0; ky < d.kh; ++ky) {
        const int iy = oy * d.sh + ky - d.pad_top;
        for (int kx = 0; kx < d.kw; ++kx, out += C) {
            const int ix = ox * d.sw + kx - d.pad_left;
            const bool inside = iy >= 0 && iy < d.in.h && ix >= 0 && ix < d.in.w;
            for (int c = 0; c < C; ++c) out[c] = inside ? value(at.at(c, iy, ix)) : outside;
        }
    }
}

// A convolution: for each output position, its column (the window's values, +0 outside the
// input) through the dense arithmetic (float, or int8 activations) into the position's out.c
// outputs. Stored int8 codes are gathered as they are (0 is the code of +0).
// Output rows [y0, y0 + rows) go to out (row y0 first).
void conv_rows(const BlobLayer& layer, WeightType type, const Input& in, float* out, int y0,
               int rows, float* column, float* partial, int8_t* quantized) {
    const LayerDesc& d = layer.desc;
    const TensorIndex at(d.in, d.planar_in);
    int32_t* sums = reinterpret_cast<int32_t*>(partial);
    for (int oy = y0; oy < y0 + rows; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox) {
            float* at_position = out + (static_cast<size_t>(oy - y0) * d.out.w + ox) * d.out.c;
            if (in.codes != nullptr) {
                gather_window(d, at, oy, ox, [&in](size_t k) { return in.codes[k]; },
                              static_cast<int8_t>(0), quantized);
                dense_int8_codes(layer, quantized, sums, at_position);
                continue;
            }
            gather_window(d, at, oy, ox, [&in](size_t k) { return in.at(static_cast<int>(k)); },
                          0.0f, column);
            const Input window{column, nullptr, 1.0f, nullptr};
            if (layer.input_qscale != 0.0f) dense_int8(layer, window, quantized, sums, at_position);
            else dense_float(layer, type, window, at_position, partial);
        }
    }
}

// Batch norm on running statistics, folded per channel exactly as the trainer's evaluation
// folds it (kernels/batchnorm.hpp); the four arrays are read from the blob as needed.
void batchnorm_run(const BlobLayer& layer, const float* x, float* y, size_t positions) {
    const LayerDesc& d = layer.desc;
    const int C = d.out.c;
    for (int c = 0; c < C; ++c) {
        const float gamma = load_f32le(layer.bias + 4 * c);
        const float beta = load_f32le(layer.bias + 4 * (C + c));
        const float mean = load_f32le(layer.bias + 4 * (2 * C + c));
        const float var = load_f32le(layer.bias + 4 * (3 * C + c));
        float scale, shift;
        batchnorm_fold(&gamma, &beta, &mean, &var, d.bn_eps, 1, &scale, &shift);
        for (size_t p = 0; p < positions; ++p) {
            const size_t k = p * static_cast<size_t>(C) + static_cast<size_t>(c);
            y[k] = x[k] * scale + shift;
        }
    }
}

bool all_finite(const float* v, int n) {
    bool ok = true;
    for (int j = 0; j < n; ++j) ok = ok && (v[j] - v[j] == 0.0f);
    return ok;
}

// Layer l of the loaded (validated) blob, whose input is `input`.
BlobLayer layer_at(const fnn_model* m, int l, Shape3 input) {
    BlobLayer layer;
    decode_model_layer(m->blob, m->blob_len, m->header, l, input, layer);
    return layer;
}

// The layers after a conv (batch norm, activations, dropout) on `rows` of its output in place,
// each followed by the finite check and its activation as when run whole.
bool band_layers(const fnn_model* m, const BlobLayer& conv, int from, int pool, float* band,
                 int rows) {
    const LayerDesc& c = conv.desc;
    const size_t positions = static_cast<size_t>(rows) * static_cast<size_t>(c.out.w);
    const int n = static_cast<int>(positions) * c.out.c;
    if (!all_finite(band, n)) return false;
    activation_forward(conv.act, MatView{band, 1, n, n});
    for (int k = from; k < pool; ++k) {
        const BlobLayer layer = layer_at(m, k, c.out);  // these keep the conv's shape
        if (layer.desc.kind == LayerKind::Dropout) continue;
        if (layer.desc.kind == LayerKind::BatchNorm) batchnorm_run(layer, band, band, positions);
        if (!all_finite(band, n)) return false;
        activation_forward(layer.act, MatView{band, 1, n, n});
    }
    return true;
}

// Finishes `n` output floats of a layer whose activation is `act` into int8 codes for its
// reader (scale s): the finite check and the activation as when the layer runs whole, then
// quantize(). False if a value overflowed.
bool finish_codes(float* v, int n, Activation act, float s, int8_t* codes) {
    if (!all_finite(v, n)) return false;
    activation_forward(act, MatView{v, 1, n, n});
    for (int k = 0; k < n; ++k) codes[k] = quantize(v[k], s);
    return true;
}

// A fused conv ... pool group (see fused_pool): for each pooled row, the conv rows under it
// into the band, the layers between, then the pool into that row of `out` (floats), or through
// the staging row into that row of `codes` (int8, for a reader with scale s).
// Conv rows no pool window covers are still computed, so a value that overflows there is caught
// as before.
bool run_fused(fnn_model* m, const BlobLayer& c, int conv, const BlobLayer& pooling, int pool,
               const Input& in, float* out, int8_t* codes, float s) {
    LayerDesc band = pooling.desc;  // the pool over one band: kh rows in, one row out
    const int rows = band.kh;
    band.in.h = rows;
    band.out.h = 1;
    const size_t pooled_row = static_cast<size_t>(band.out.w) * static_cast<size_t>(band.out.c);
    const WeightType type = m->header.weight_type;
    const int pooled_rows = pooling.desc.out.h;
    for (int py = 0; py < pooled_rows; ++py) {
        conv_rows(c, type, in, m->band, py * rows, rows, m->column, m->partial, m->quantized);
        if (!band_layers(m, c, conv + 1, pool, m->band, rows)) return false;
        float* dest = codes != nullptr ? m->staging : out + static_cast<size_t>(py) * pooled_row;
        if (band.kind == LayerKind::MaxPool) maxpool_forward(band, m->band, dest);
        else avgpool_forward(band, m->band, dest);
        if (codes != nullptr &&
            !finish_codes(dest, static_cast<int>(pooled_row), pooling.act, s,
                          codes + static_cast<size_t>(py) * pooled_row))
            return false;
    }
    for (int y = pooled_rows * rows; y < c.desc.out.h; ++y) {
        conv_rows(c, type, in, m->band, y, 1, m->column, m->partial, m->quantized);
        if (!band_layers(m, c, conv + 1, pool, m->band, 1)) return false;
    }
    return true;
}

// The input scale of the layer that reads what layer `end` writes (dropouts pass it on): the
// int8 reader stores_int8() found. Its entry was validated at load.
float reader_scale(const fnn_model* m, int end) {
    int c = end + 1;
    while (peek(m->blob, m->header, c).kind == LayerKind::Dropout) ++c;
    return peek(m->blob, m->header, c).s_in;
}

// A dense or conv2d layer (not fused) whose output is stored as codes: a row of outputs at a
// time (a dense layer is one row) into the staging floats, then finish_codes().
bool run_to_codes(fnn_model* m, const BlobLayer& layer, const Input& in, float s, int8_t* codes) {
    const LayerDesc& d = layer.desc;
    if (d.kind == LayerKind::Dense) {
        if (layer.input_qscale != 0.0f)
            dense_int8(layer, in, m->quantized, reinterpret_cast<int32_t*>(m->partial), m->staging);
        else dense_float(layer, m->header.weight_type, in, m->staging, m->partial);
        return finish_codes(m->staging, d.n_out, layer.act, s, codes);
    }
    const int row = d.out.w * d.out.c;
    for (int oy = 0; oy < d.out.h; ++oy) {
        conv_rows(layer, m->header.weight_type, in, m->staging, oy, 1, m->column, m->partial,
                  m->quantized);
        if (!finish_codes(m->staging, row, layer.act, s, codes + static_cast<size_t>(oy) * row))
            return false;
    }
    return true;
}

fnn_status run_one(fnn_model* m, const Input& first, float* probs) {
    const WeightType type = m->header.weight_type;
    const ModelHeader& h = m->header;
    auto at = [m, &h](int k) { return peek(m->blob, h, k); };
    const float* x = nullptr;     // float output of the previous layer; null: see codes, first
    const int8_t* codes = nullptr;  // or the int8 codes it stored for an int8 reader
    bool x_at_start = false;      // where the previous output lies in the region
    int first_computing = 0;
    while (peek(m->blob, h, first_computing).kind == LayerKind::Dropout) ++first_computing;
    if (!reads_input_in_place(peek(m->blob, h, first_computing).kind)) {
        // Pools, batch norm and activations read a float tensor: the input, copied.
        float* copy = reinterpret_cast<float*>(m->region);
        for (int k = 0; k < h.n_in; ++k) copy[k] = first.at(k);
        x = copy;
        x_at_start = true;
    }
    Shape3 input = model_input(h);
    for (int l = 0; l < h.n_layers; ++l) {
        const BlobLayer here = layer_at(m, l, input);
        const int pool = fused_pool(l, h.n_layers, at);
        // A fused group writes as its pool (whose input has the conv's output shape).
        const BlobLayer pooling = pool >= 0 ? layer_at(m, pool, here.desc.out) : here;
        const BlobLayer& layer = pool >= 0 ? pooling : here;
        const LayerDesc& d = layer.desc;
        const bool last = l == h.n_layers - 1;
        input = d.out;
        if (d.kind == LayerKind::Dropout) continue;  // the identity outside training
        // The output goes over the input (in-place kinds), to the caller (last layer), or to
        // the end of the region opposite the input; as floats, or as its reader's int8 codes.
        const bool to_codes =
            !last && !in_place(d.kind) && stores_int8(l, pool >= 0 ? pool : l, h.n_layers, at);
        const size_t out_bytes = tensor_bytes(static_cast<size_t>(d.n_out), to_codes);
        uint8_t* dest = last ? reinterpret_cast<uint8_t*>(probs)
                        : in_place(d.kind) ? reinterpret_cast<uint8_t*>(const_cast<float*>(x))
                        : x_at_start ? m->region + (m->region_bytes - out_bytes)
                                     : m->region;
        float* dest_f = reinterpret_cast<float*>(dest);
        const Input in = codes != nullptr ? Input{nullptr, nullptr, 1.0f, codes}
                         : x == nullptr   ? first
                                          : Input{x, nullptr, 1.0f, nullptr};
        const float s = to_codes ? reader_scale(m, pool >= 0 ? pool : l) : 0.0f;
        int8_t* dest_codes = reinterpret_cast<int8_t*>(dest);
        if (pool >= 0) {
            if (!run_fused(m, here, l, pooling, pool, in, to_codes ? nullptr : dest_f,
                           to_codes ? dest_codes : nullptr, s))
                return FNN_E_NUMERIC;
            l = pool;
        } else if (to_codes) {
            if (!run_to_codes(m, layer, in, s, dest_codes)) return FNN_E_NUMERIC;
        }
        if (!to_codes) {
            switch (pool >= 0 ? LayerKind::Flatten : d.kind) {
                case LayerKind::Dense:
                    if (layer.input_qscale != 0.0f)
                        dense_int8(layer, in, m->quantized, reinterpret_cast<int32_t*>(m->partial), dest_f);
                    else dense_float(layer, type, in, dest_f, m->partial);
                    break;
                case LayerKind::Conv2d:
                    conv_rows(layer, type, in, dest_f, 0, d.out.h, m->column, m->partial, m->quantized);
                    break;
                case LayerKind::MaxPool: maxpool_forward(d, x, dest_f); break;
                case LayerKind::AvgPool: avgpool_forward(d, x, dest_f); break;
                case LayerKind::BatchNorm:
                    batchnorm_run(layer, x, dest_f, static_cast<size_t>(d.out.h) * d.out.w);
                    break;
                case LayerKind::Activation:
                case LayerKind::Dropout:
                case LayerKind::Flatten: break;  // in place: nothing to move (or a fused group, done)
            }
            // Only an overflow makes a value non-finite; stop before it reaches the next layer
            // (whose int8 quantization could not represent it) or the probabilities.
            if (!all_finite(dest_f, d.n_out)) return FNN_E_NUMERIC;
            activation_forward(layer.act, MatView{dest_f, 1, d.n_out, d.n_out});
        }
        if (!in_place(d.kind)) x_at_start = dest == m->region;
        x = to_codes ? nullptr : dest_f;
        codes = to_codes ? dest_codes : nullptr;
    }
    return FNN_OK;
}

fnn_status run_checked(fnn_model* m, const Input& in, size_t n_in, float* out, size_t n_out) {
    if (m == nullptr || out == nullptr) return FNN_E_ARG;
    if (n_in != static_cast<size_t>(m->header.n_in) ||
        n_out != static_cast<size_t>(m->header.n_classes)) {
        return FNN_E_ARG;
    }
    return run_one(m, in, out);
}

}  // namespace
}  // namespace fnn

using namespace fnn;

extern "C" {

fnn_status fnn_check_blob(const void* blob, size_t blob_len, char* message, size_t message_len) {
    ErrorText err;
    Plan plan;
    const Status s = plan_model(blob, blob_len, plan, &err);
    if (message != nullptr && message_len > 0) {
        size_t n = 0;
        for (; n + 1 < message_len && err.text[n] != '\0'; ++n) message[n] = err.text[n];
        message[n] = '\0';
    }
    return to_c(s);
}

fnn_status fnn_arena_bytes(const void* blob, size_t blob_len, size_t* out_bytes) {
    if (out_bytes == nullptr) return FNN_E_ARG;
    Plan plan;
    const Status s = plan_model(blob, blob_len, plan, nullptr);
    if (s != Status::Ok) return to_c(s);
    *out_bytes = arena_plan_bytes(plan);
    return FNN_OK;
}

fnn_status fnn_layer_bytes(const void* blob, size_t blob_len, size_t layer, size_t* out_bytes) {
    if (out_bytes == nullptr) return FNN_E_ARG;
    Plan plan;
    plan.watch = layer < static_cast<size_t>(kMaxLayers) ? static_cast<int>(layer) : -1;
    const Status s = plan_model(blob, blob_len, plan, nullptr);
    if (s != Status::Ok) return to_c(s);
    if (layer >= static_cast<size_t>(plan.header.n_layers)) return FNN_E_ARG;
    *out_bytes = plan.watch_bytes;
    return FNN_OK;
}

fnn_status fnn_load(const void* blob, size_t blob_len, void* arena, size_t arena_len,
                    fnn_model** out) {
    if (out == nullptr || arena == nullptr) return FNN_E_ARG;
    *out = nullptr;
    Plan plan;
    const Status s = plan_model(blob, blob_len, plan, nullptr);
    if (s != Status::Ok) return to_c(s);
    if (arena_len < arena_plan_bytes(plan)) return FNN_E_NOMEM;
    Arena a(arena, arena_len);
    fnn_model* m = static_cast<fnn_model*>(a.alloc(kModelRecordBytes));
    uint8_t* region = static_cast<uint8_t*>(a.alloc(plan.region > 0 ? plan.region : 4));
    float* partial = a.alloc_floats(plan.max_columns);
    float* column = plan.max_window > 0 ? a.alloc_floats(plan.max_window) : nullptr;
    float* band = plan.band > 0 ? a.alloc_floats(plan.band) : nullptr;
    int8_t* quantized =
        plan.int8_activations
            ? static_cast<int8_t*>(a.alloc(plan.quantized))
            : nullptr;
    float* staging = plan.staging > 0 ? a.alloc_floats(plan.staging) : nullptr;
    if (m == nullptr || region == nullptr ||
        partial == nullptr || (plan.max_window > 0 && column == nullptr) ||
        (plan.band > 0 && band == nullptr) ||
        (plan.int8_activations && quantized == nullptr) || (plan.staging > 0 && staging == nullptr)) {
        return FNN_E_NOMEM;  // cannot happen after the size check, kept for safety
    }
    m->header = plan.header;
    m->blob = static_cast<const uint8_t*>(blob);
    m->blob_len = blob_len;
    m->region = region;
    m->region_bytes = plan.region;
    m->partial = partial;
    m->column = column;
    m->band = band;
    m->quantized = quantized;
    m->staging = staging;
    m->macs = plan.macs;
    *out = m;
    return FNN_OK;
}

size_t fnn_input_size(const fnn_model* m) {
    return m != nullptr ? static_cast<size_t>(m->header.n_in) : 0;
}
size_t fnn_output_size(const fnn_model* m) {
    return m != nullptr ? static_cast<size_t>(m->header.n_classes) : 0;
}
size_t fnn_macs(const fnn_model* m) { return m != nullptr ? m->macs : 0; }

fnn_status fnn_class_name(const fnn_model* m, size_t k, char* out, size_t out_len) {
    if (m == nullptr || out == nullptr || out_len == 0 ||
        k >= static_cast<size_t>(m->header.n_classes)) {
        return FNN_E_ARG;
    }
    out[0] = '\0';
    if (m->header.meta.names == nullptr) return FNN_E_UNSUPPORTED;
    size_t length = 0;
    const char* name = class_name_at(m->header.meta.names, static_cast<int>(k), length);
    if (length > out_len - 1) length = out_len - 1;
    for (size_t i = 0; i < length; ++i) out[i] = name[i];
    out[length] = '\0';
    return FNN_OK;
}

fnn_status fnn_run(fnn_model* m, const float* in, size_t n_in, float* out, size_t n_out) {
    if (in == nullptr || n_in > static_cast<size_t>(kMaxTensor) ||
        !all_finite(in, static_cast<int>(n_in))) {
        return FNN_E_ARG;
    }
    return run_checked(m, Input{in, nullptr, 1.0f, nullptr}, n_in, out, n_out);
}

fnn_status fnn_run_u8(fnn_model* m, const uint8_t* in, size_t n_in, float* out, size_t n_out) {
    if (in == nullptr || m == nullptr) return FNN_E_ARG;
    return run_checked(m, Input{nullptr, in, m->header.meta.input_divisor, nullptr}, n_in, out, n_out);
}

fnn_status fnn_run_batch(fnn_model* m, const float* in, size_t n_in, size_t batch, float* out,
                         size_t n_out) {
    if (in == nullptr || out == nullptr) return FNN_E_ARG;
    for (size_t i = 0; i < batch; ++i) {
        const fnn_status s = fnn_run(m, in + i * n_in, n_in, out + i * n_out, n_out);
        if (s != FNN_OK) return s;
    }
    return FNN_OK;
}

size_t fnn_argmax(const float* v, size_t n) {
    size_t best = 0;
    for (size_t j = 1; v != nullptr && j < n; ++j) best = v[j] > v[best] ? j : best;
    return best;
}

const char* fnn_status_str(fnn_status s) {
    return status_str(static_cast<Status>(static_cast<int>(s)));
}

}  // extern "C"
