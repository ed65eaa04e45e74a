// Implements fnn.h: a model blob read in place, bookkeeping and activations in the caller's
// arena. Layers run one at a time over whole tensors in one region (each layer's output at the
// end opposite its input, so the region is the largest input plus output, not the sum of all),
// except convolutions followed by a pool: see "Fused groups and chains" below. With int8
// activations, a tensor whose reader quantizes it anyway is stored as those int8 codes (a
// quarter of the bytes; the same codes the reader would compute, so the same outputs). Dense and
// conv2d follow gemm.hpp's Reproducible contract (K blocks of gemm_k_step, separate multiply
// and add, zero inputs skipped; a convolution is a dense layer per output position over the
// gathered column); pools, batch norm and activations run the trainer's own kernels, so fp32
// outputs equal the trainer's bit for bit: every value is computed by the same operations in
// the same order whichever way the work is scheduled.
// Built with compiler-provided C headers only (stdint, stddef, stdarg), so it compiles for
// bare-metal targets that have no C library headers at all.
//
// Fused groups and chains. A conv layer whose output reaches a pool only through batch norm,
// activation and dropout layers (the pool's windows not overlapping vertically, the pool not
// the last layer) runs as one group, a pooled position at a time: the conv outputs under one
// pool window are computed into a small window buffer, the layers between run on them, and the
// pool makes that position's channels. The un-pooled conv output never exists. When a group's
// output is read by the conv of another group, it is not stored whole either: it lives in a
// ring of the rows that conv needs at once, and the reader pulls rows from its producer as it
// goes (a chain of groups). Only the chain's input and its last output are whole tensors.
#include "base/build_options.hpp"
#include "base/byte_cursor.hpp"
#include "base/class_names.hpp"
#include "fnn/activation.hpp"
#include "fnn/blob.hpp"
#include "fnn/fnn.h"
#include "fnn/gemm.hpp"
#include "base/half.hpp"
#include "kernels/batchnorm.hpp"
#include "kernels/pool.hpp"
#include "kernels/tensor.hpp"

// Keeps a function's frame off the stack of its callers (see produce_row()).
#if defined(__GNUC__)
#define FNN_NOINLINE __attribute__((noinline))
#else
#define FNN_NOINLINE
#endif

namespace fnn {
namespace {
struct Stage;
}  // namespace
}  // namespace fnn

// Everything a loaded model owns; lives in the caller's arena.
struct fnn_model {
    fnn::ModelHeader header;
    const uint8_t* blob;     // read in place; each layer is decoded from it when it runs
    size_t blob_len;
    uint8_t* region;         // (region_bytes) whole tensors, floats or int8 codes: see run_one()
    size_t region_bytes;
    uint8_t* rings;     // the rows of the tensors inside a chain
    fnn::Stage* stages; // one per group of the longest chain
    float* partial;     // (most output columns) one K block's sums; int32 sums for int8 activations
    float* column;      // (largest conv window) one output position's inputs
    float* window;      // (largest pool window x channels) the conv outputs one pooled position reads
    int8_t* quantized;  // (max input width) int8 activations, when the model uses them
    float* staging;     // (widest row stored as int8) floats before they are quantized
    size_t macs;
};

namespace fnn {
namespace {

// The arena reserves this many bytes for the fnn_model record, and kStageBytes per chain stage,
// on every target, whatever its pointers' size, so fnn_arena_bytes() gives the same figure on
// the host as on a 32-bit microcontroller: a budget planned on the host holds on the device
// (make cross checks it).
constexpr size_t kModelRecordBytes = 192;
static_assert(sizeof(fnn_model) <= kModelRecordBytes, "fnn_model outgrew its reservation");

// Arena carving: 8-byte alignment is all the library needs (floats, int32 sums, pointers), so
// buffers waste at most 7 bytes each, and the arena's own start at most 7.
constexpr size_t kAlign = 8;
constexpr size_t carve_round(size_t bytes) { return (bytes + kAlign - 1) & ~(kAlign - 1); }

static_assert(static_cast<int>(Status::Numeric) == FNN_E_NUMERIC,
              "fnn_status and Status must agree");
static_assert(static_cast<int>(Status::Checksum) == FNN_E_CHECKSUM,
              "fnn_status and Status must agree");

fnn_status to_c(Status s) { return static_cast<fnn_status>(static_cast<int>(s)); }

// One group of a running chain (see the top of this file).
struct Stage {
    int16_t conv, pool;  // layer indices
    Shape3 in;           // the conv's input shape
    uint8_t* out;        // its pooled output: a ring of out_ring rows, or whole (out_ring 0)
    int32_t out_ring;
    float s;             // out_codes: the reader's int8 scale
    bool out_codes;      // the output is stored as int8 codes
};
constexpr size_t kStageBytes = 48;
static_assert(sizeof(Stage) <= kStageBytes, "Stage outgrew its reservation");

// What the arena must hold for a model, computed from its validated header and layers.
struct Plan {
    ModelHeader header;
    size_t region = 0;      // bytes of whole tensors: the most any one layer or chain has live
    size_t rings = 0;       // bytes of the rings of the chain that needs the most
    size_t stages = 0;      // groups in the longest chain
    size_t max_columns = 0; // the most weight columns (output values of one dense step)
    size_t max_window = 0;  // the largest conv window (kh * kw * in channels)
    size_t window = 0;      // floats of the largest pool window over a fused conv's output
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
// A model's layer table, read before each layer is validated (the plan then validates them in
// order, so a bad entry still fails the load).
struct Table {
    const uint8_t* blob;
    const ModelHeader* header;
    int n_layers() const { return header->n_layers; }
    // The raw entry of layer l (version 3). Versions 1 and 2: dense layers whose inputs are
    // stored as floats.
    Peek at(int l) const {
        const uint8_t* e = blob + kModelHeaderBytes + header->layer_bytes * static_cast<size_t>(l);
        if (header->version < 3) return {LayerKind::Dense, 0, 0, 0.0f};
        return {static_cast<LayerKind>(e[0]), e[24], e[26], load_f32le(e + 44)};
    }
};

// The first layer at or after l that is not a dropout (the identity at inference), or n_layers.
int skip_dropouts(const Table& t, int l) {
    if (!kBuildUnfoldedLayers) return l;
    while (l < t.n_layers() && t.at(l).kind == LayerKind::Dropout) ++l;
    return l;
}

// Whether the tensor written by the layer (or fused group) starting at `first` and ending at
// `end` is stored as int8 codes: a dense or conv2d layer (or group) writes it, and the next
// layer that reads it (dropouts pass it on) is a dense or conv2d layer with int8 activations,
// which would quantize it with its own scale anyway. Batch norm and activation layers read
// floats, so a tensor they read stays float.
bool stores_int8(const Table& t, int first, int end) {
    const int n_layers = t.n_layers();
    const LayerKind producer = t.at(first).kind;
    if (producer != LayerKind::Dense && producer != LayerKind::Conv2d) return false;
    if (end >= n_layers - 1) return false;  // the last layer writes the caller's probabilities
    const int c = skip_dropouts(t, end + 1);
    if (c >= n_layers) return false;
    const Peek reader = t.at(c);
    return reader.s_in > 0.0f && (reader.kind == LayerKind::Dense || reader.kind == LayerKind::Conv2d);
}

// Bytes a stored tensor of n values takes: int8 codes or floats, rounded up to whole floats so
// the next float tensor placed after it stays aligned.
FNN_NOINLINE size_t tensor_bytes(size_t n, bool int8) {
    return int8 ? (n + 3) / 4 * 4 : n * sizeof(float);
}

// A conv layer at `l` whose output reaches a pool only through batch norm, activation and
// dropout layers, the pool's windows not overlapping vertically (stride rows = kernel rows) and
// the pool not the last layer, runs fused (see the top of the file). Returns the pool's index,
// or -1.
int fused_pool(const Table& t, int l) {
    if (t.at(l).kind != LayerKind::Conv2d) return -1;
    for (int k = l + 1; k + 1 < t.n_layers(); ++k) {
        const Peek p = t.at(k);
        if (kBuildUnfoldedLayers && in_place(p.kind)) continue;
        const bool pool = p.kind == LayerKind::MaxPool || p.kind == LayerKind::AvgPool;
        return pool && p.sh == p.kh ? k : -1;
    }
    return -1;
}

// The conv of the group that reads what the group ending at `pool` writes, when that reader
// starts a fused group itself (the output then streams through a ring); otherwise -1.
int streams_into(const Table& t, int pool) {
    const int c = skip_dropouts(t, pool + 1);
    return c < t.n_layers() && fused_pool(t, c) >= 0 ? c : -1;
}

// The rows of its input a fused group reads at once: the conv rows under one pooled row
// (pool_rows of them) span (pool_rows - 1) * sh + kh input rows; the ring holds that many (or
// the whole input).
int ring_rows(const LayerDesc& conv, int pool_rows) {
    const int span = (pool_rows - 1) * conv.sh + conv.kh;
    return span < conv.in.h ? span : conv.in.h;
}

// The first layer that computes (dropout layers before it pass the input on) reads the
// caller's input in place if it is dense or conv2d; pools, batch norm and activations read a
// float tensor, so the input is first copied into an activation buffer.
bool reads_input_in_place(LayerKind kind) {
    return kind == LayerKind::Dense || kind == LayerKind::Conv2d;
}

// Validates the whole blob (layer by layer, nothing held but the sizes) and plans its arena.
// kWatch: also measure plan.watch's own use (fnn_layer_bytes() alone; a separate instance, so
// firmware that never asks carries none of it).
template <bool kWatch>
Status plan_model(const void* blob, size_t len, Plan& plan, ErrorText* err) {
    FNN_TRY(parse_model_header(blob, len, plan.header, err));
    Shape3 input = model_input(plan.header);
    size_t sections_end = plan.header.sections_begin;
    bool first = true;  // no computing layer yet
    int group_end = -1;    // the pool ending the fused group being planned
    bool streamed_in = false;  // that group reads a ring (the previous group streams into it)
    bool streams_out = false;  // and writes one
    // The chain being planned: its input (whole), first layer, rings, groups and scratch.
    size_t chain_in = 0, chain_rings = 0, chain_groups = 0, chain_scratch = 0;
    int chain_start = 0;
    bool x_int8 = false;   // the stored tensor the next layer reads holds int8 codes
    bool out_int8 = false;  // the output of the layer or group being planned will
    const Table t{static_cast<const uint8_t*>(blob), &plan.header};
    const int n_layers = plan.header.n_layers;
    for (int l = 0; l < n_layers; ++l) {
        BlobLayer layer;
        FNN_TRY(parse_model_layer(blob, len, plan.header, l, input, sections_end, layer, err));
        const LayerDesc& d = layer.desc;
        // A layer on its own, or a fused group's conv (a dropout after a group is on its own,
        // but leaves the group's state: the group may stream through it into the next).
        const bool starting = l > group_end && d.kind != LayerKind::Dropout;
        const bool streaming_gap = l > group_end && d.kind == LayerKind::Dropout && streams_out;
        if (starting) {
            streamed_in = streams_out;  // the previous group streams into this layer
            group_end = fused_pool(t, l);
            streams_out = group_end >= 0 && streams_into(t, group_end) >= 0;
            out_int8 = stores_int8(t, l, group_end >= 0 ? group_end : l);
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
        if (starting && group_end >= 0) {
            if (streamed_in) {
                const int rows = ring_rows(d, t.at(group_end).kh);
                chain_rings += tensor_bytes(static_cast<size_t>(rows) * d.in.w * d.in.c, x_int8);
            } else {
                chain_in = live_in;
                chain_start = l;
                chain_rings = chain_groups = chain_scratch = 0;
            }
        }
        // This layer's scratch: weight columns, a float conv's window of inputs, int8 inputs (a
        // dense layer reads stored codes where they are; an int8 conv gathers its window of
        // codes, quantizing float inputs as it goes).
        const bool gathers_floats = d.kind == LayerKind::Conv2d && layer.input_qscale == 0.0f;
        const bool quantizes = layer.input_qscale != 0.0f && (d.kind == LayerKind::Conv2d || !x_int8);
        size_t scratch = sizeof(float) * static_cast<size_t>(d.w_cols);
        if (gathers_floats) scratch += sizeof(float) * d.w_rows;
        if (quantizes) scratch += d.w_rows;
        // An output stored as int8 passes through floats: a dense layer's all at once, a conv's
        // a row at a time, a group's a pooled position at a time.
        size_t staging = 0;
        if (out_int8 && !in_place(d.kind) && (l == group_end || group_end < 0)) {
            staging = d.kind == LayerKind::Dense ? static_cast<size_t>(d.n_out)
                      : group_end >= 0           ? static_cast<size_t>(d.out.c)
                                                 : static_cast<size_t>(d.out.w) * d.out.c;
            plan.staging = max_size(plan.staging, staging);
        }
        if (group_end >= 0 && l <= group_end) {
            chain_scratch = max_size(chain_scratch, scratch + sizeof(float) * staging);
            if (l == group_end) {
                // The pool's window over the conv's output, as floats.
                const size_t window = static_cast<size_t>(d.kh) * d.kw * d.in.c;
                plan.window = max_size(plan.window, window);
                plan.stages = max_size(plan.stages, ++chain_groups);
                if (!streams_out) {
                    // The chain's input and last output are whole; the rest are its rings.
                    plan.region = max_size(plan.region, chain_in + live_out);
                    plan.rings = max_size(plan.rings, chain_rings);
                    // Every layer of the chain runs while all of it is live.
                    if (kWatch && plan.watch >= chain_start && plan.watch <= l)
                        plan.watch_bytes = chain_in + live_out + chain_rings +
                                           sizeof(float) * window + chain_scratch;
                }
            }
        } else if (!streaming_gap) {  // (a gap's tensor is a ring: the chain reports it)
            plan.region = max_size(plan.region, live_in + live_out);
            if (kWatch && plan.watch == l)
                plan.watch_bytes = live_in + live_out + sizeof(float) * staging + scratch;
        }
        if (!in_place(d.kind) && (group_end < 0 || l == group_end)) x_int8 = out_int8;
        plan.int8_activations = plan.int8_activations || layer.input_qscale != 0.0f;
        plan.max_columns = max_size(plan.max_columns, static_cast<size_t>(d.w_cols));
        if (gathers_floats) plan.max_window = max_size(plan.max_window, d.w_rows);
        if (quantizes) plan.quantized = max_size(plan.quantized, static_cast<size_t>(d.w_rows));
        plan.macs += (d.kind == LayerKind::Conv2d ? static_cast<size_t>(d.out.h) * d.out.w : 1) *
                     static_cast<size_t>(d.w_rows) * static_cast<size_t>(d.w_cols);
        input = d.out;
    }
    return Status::Ok;
}

// The arena's layout: carves the plan's buffers in order from `next` (8-aligned) into m's
// pointers (when m is set) and returns the end. fnn_arena_bytes() runs it from 0, fnn_load()
// from the aligned arena, so the two always agree.
uintptr_t carve_arena(const Plan& p, uintptr_t next, fnn_model* m) {
    auto carve = [&next](size_t bytes) {
        void* at = reinterpret_cast<void*>(next);
        next += carve_round(bytes);
        return at;
    };
    carve(kModelRecordBytes);  // the fnn_model record itself, at the start
    uint8_t* region = static_cast<uint8_t*>(carve(p.region > 0 ? p.region : 4));
    uint8_t* rings = static_cast<uint8_t*>(carve(p.rings));
    Stage* stages = static_cast<Stage*>(carve(p.stages * kStageBytes));
    float* partial = static_cast<float*>(carve(sizeof(float) * p.max_columns));
    float* column = static_cast<float*>(carve(sizeof(float) * p.max_window));
    float* window = static_cast<float*>(carve(sizeof(float) * p.window));
    int8_t* quantized = static_cast<int8_t*>(carve(p.int8_activations ? p.quantized : 0));
    float* staging = static_cast<float*>(carve(sizeof(float) * p.staging));
    if (m != nullptr) {
        m->region = region;
        m->rings = rings;
        m->stages = stages;
        m->partial = partial;
        m->column = column;
        m->window = window;
        m->quantized = quantized;
        m->staging = staging;
    }
    return next;
}

// Bytes fnn_load() needs: the layout, plus slack wherever the caller's arena starts.
size_t arena_plan_bytes(const Plan& p) { return carve_arena(p, 0, nullptr) + kAlign - 1; }

// A layer's input: floats (a previous layer's output, or the caller's), or the caller's uint8
// pixels divided by the input divisor (the same division the trainer applies to a batch).
// Or, for a reader with int8 activations, the int8 codes a previous layer stored for it.
// Inside a chain, the tensor is a ring of `ring` rows: row y is kept at row y % ring.
struct Input {
    const float* x;
    const uint8_t* pixels;
    float divisor;
    const int8_t* codes;  // when set, x and pixels are null
    int ring;             // 0: the whole tensor
    float at(size_t k) const { return x != nullptr ? x[k] : static_cast<float>(pixels[k]) / divisor; }
};

// An int8 activation: round(x / s) clamped to +-127, exactly as blob.hpp specifies it.
FNN_NOINLINE int8_t quantize(float x, float s) {
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
            const float x = in.at(static_cast<size_t>(k));
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
    for (int j = 0; j < n_out; ++j) {
        const float scaled =
            static_cast<float>(sums[j]) * (s_in * load_f32le(layer.scales + 4 * j));
        out[j] = scaled + load_f32le(layer.bias + 4 * j);
    }
}

// The same on float inputs (or stored codes, used as they are).
void dense_int8(const BlobLayer& layer, const Input& in, int8_t* quantized, int32_t* sums,
                float* out) {
    const int8_t* q = in.codes;
    if (q == nullptr) {
        for (int k = 0; k < layer.desc.w_rows; ++k)
            quantized[k] = quantize(in.at(static_cast<size_t>(k)), layer.input_qscale);
        q = quantized;
    }
    dense_int8_codes(layer, q, sums, out);
}

// One output position's window of a convolution's input, in (ky, kx, c) order, into `out`:
// value(index into the input tensor) inside the input, `outside` beyond its edges (padding).
template <typename T, typename Value>
void gather_window(const LayerDesc& d, int ring, int oy, int ox, Value value, T outside, T* out) {
    const TensorIndex at(d.in, d.planar_in);
    const int C = d.in.c;
    for (int ky = 0; ky < d.kh; ++ky) {
        const int iy = oy * d.sh + ky - d.pad_top;
        const int row = ring > 0 && iy >= 0 ? iy % ring : iy;
        for (int kx = 0; kx < d.kw; ++kx, out += C) {
            const int ix = ox * d.sw + kx - d.pad_left;
            const bool inside = iy >= 0 && iy < d.in.h && ix >= 0 && ix < d.in.w;
            for (int c = 0; c < C; ++c) out[c] = inside ? value(at.at(c, row, ix)) : outside;
        }
    }
}

// A convolution's output position (oy, ox): its column (the window's values, +0 outside the
// input) through the dense arithmetic (float, or int8 activations) into out[0, out.c). Stored
// int8 codes are gathered as they are (0 is the code of +0).
void conv_at(const fnn_model* m, const BlobLayer& layer, const Input& in, int oy, int ox,
             float* out) {
    const LayerDesc& d = layer.desc;
    if (!kBuildFloatLayers || layer.input_qscale != 0.0f) {
        // Float inputs are quantized as they are gathered: the codes quantizing the gathered
        // column would give (+0 outside the input is code 0).
        const float s = layer.input_qscale;
        gather_window(d, in.ring, oy, ox,
                      [&in, s](size_t k) {
                          return in.codes != nullptr ? in.codes[k] : quantize(in.at(k), s);
                      },
                      static_cast<int8_t>(0), m->quantized);
        dense_int8_codes(layer, m->quantized, reinterpret_cast<int32_t*>(m->partial), out);
        return;
    }
    gather_window(d, in.ring, oy, ox, [&in](size_t k) { return in.at(k); }, 0.0f, m->column);
    dense_float(layer, m->header.weight_type, Input{m->column, nullptr, 1.0f, nullptr, 0}, out,
                m->partial);
}

// Output rows [y0, y0 + rows) of a convolution into out (row y0 first).
void conv_rows(const fnn_model* m, const BlobLayer& layer, const Input& in, float* out, int y0,
               int rows) {
    const LayerDesc& d = layer.desc;
    for (int oy = y0; oy < y0 + rows; ++oy) {
        for (int ox = 0; ox < d.out.w; ++ox)
            conv_at(m, layer, in, oy, ox, out + (static_cast<size_t>(oy - y0) * d.out.w + ox) * d.out.c);
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

// The layers after a conv (batch norm, activations, dropout) on `positions` of its output in
// place, each followed by the finite check and its activation as when run whole.
bool group_layers(const fnn_model* m, const BlobLayer& conv, int from, int pool, float* v,
                  int positions) {
    const LayerDesc& c = conv.desc;
    const int n = positions * c.out.c;
    if (!all_finite(v, n)) return false;
    activation_forward(conv.act, MatView{v, 1, n, n});
    for (int k = from; kBuildUnfoldedLayers && k < pool; ++k) {  // (else the pool is next)
        const BlobLayer layer = layer_at(m, k, c.out);  // these keep the conv's shape
        if (layer.desc.kind == LayerKind::Dropout) continue;
        if (layer.desc.kind == LayerKind::BatchNorm)
            batchnorm_run(layer, v, v, static_cast<size_t>(positions));
        if (!all_finite(v, n)) return false;
        activation_forward(layer.act, MatView{v, 1, n, n});
    }
    return true;
}

// Finishes `n` output floats of a layer whose activation is `act`: the finite check and the
// activation as when the layer runs whole, then (codes set) quantize() for its reader (scale
// s). False if a value overflowed.
bool finish(float* v, int n, Activation act, float s, int8_t* codes) {
    if (!all_finite(v, n)) return false;
    activation_forward(act, MatView{v, 1, n, n});
    for (int k = 0; codes != nullptr && k < n; ++k) codes[k] = quantize(v[k], s);
    return true;
}

// The conv output position (oy, ox) no pool window reads, computed anyway so a value that
// overflows there is caught as when the layers run whole.
bool uncovered_position(const fnn_model* m, const BlobLayer& c, const Stage& st, const Input& in,
                        int oy, int ox) {
    conv_at(m, c, in, oy, ox, m->window);
    return group_layers(m, c, st.conv + 1, st.pool, m->window, 1);
}

bool produce_row(fnn_model* m, const Input& chain_in, int k, int py);

// Stage k's input: the chain's input for the first stage, else the ring of the one before.
Input stage_input(const fnn_model* m, const Input& chain_in, int k) {
    if (k == 0) return chain_in;
    const Stage& p = m->stages[k - 1];
    const int8_t* codes = p.out_codes ? reinterpret_cast<const int8_t*>(p.out) : nullptr;
    const float* x = p.out_codes ? nullptr : reinterpret_cast<const float*>(p.out);
    return Input{x, nullptr, 1.0f, codes, p.out_ring};
}

// Makes rows (from, to] of stage k's input exist: the previous stage's pooled rows (nothing
// for the first stage, whose input is whole).
bool pull(fnn_model* m, const Input& chain_in, int k, int from, int to) {
    for (int r = from + 1; k > 0 && r <= to; ++r) {
        if (!produce_row(m, chain_in, k - 1, r)) return false;
    }
    return true;
}

// Rows of a stage's geometry, decoded apart from the recursion (see produce_row()).
struct StageRows {
    int pool_rows;  // conv rows per pooled row (the pool's kernel and stride rows)
    int pooled_h, conv_h, in_h;
    int kh, sh, pad_top;
    // The last input row conv output row oy reads (-1 if none).
    int last_input_row(int oy) const {
        const int r = oy * sh - pad_top + kh - 1;
        return r < in_h - 1 ? (r < -1 ? -1 : r) : in_h - 1;
    }
};

FNN_NOINLINE StageRows stage_rows(const fnn_model* m, int k) {
    const Stage& st = m->stages[k];
    const LayerDesc c = layer_at(m, st.conv, st.in).desc;
    const LayerDesc p = layer_at(m, st.pool, c.out).desc;
    return StageRows{p.kh, p.out.h, c.out.h, c.in.h, c.kh, c.sh, c.pad_top};
}

// A pool layer's description and activation (decoded apart, to keep the caller's frame small).
FNN_NOINLINE LayerDesc pool_desc(const fnn_model* m, int l, Shape3 input, Activation* act) {
    const BlobLayer pooling = layer_at(m, l, input);
    *act = pooling.act;
    return pooling.desc;
}

// Pooled row py of stage k, its input rows present: a pooled position at a time the conv
// outputs under its window, the layers between, the pool, and finish() into the output row
// (or its ring slot); then the conv outputs of these rows that no window reads.
FNN_NOINLINE bool pooled_row(fnn_model* m, const Input& chain_in, int k, int py) {
    const Stage& st = m->stages[k];
    const BlobLayer c = layer_at(m, st.conv, st.in);
    Activation act;
    LayerDesc window = pool_desc(m, st.pool, c.desc.out, &act);  // then made the pool of one window
    const int pooled_w = window.out.w;
    window.in.h = window.kh;
    window.in.w = window.kw;
    window.out.h = window.out.w = 1;
    window.planar_in = false;
    const Input in = stage_input(m, chain_in, k);
    const int C = window.out.c, rows = window.kh, kw = window.kw, sw = window.sw;
    const size_t row_values = static_cast<size_t>(pooled_w) * C;
    const size_t row = static_cast<size_t>(st.out_ring > 0 ? py % st.out_ring : py) * row_values;
    for (int px = 0; px < pooled_w; ++px) {
        for (int ky = 0; ky < rows; ++ky) {
            for (int kx = 0; kx < kw; ++kx)
                conv_at(m, c, in, py * rows + ky, px * sw + kx, m->window + (ky * kw + kx) * C);
        }
        if (!group_layers(m, c, st.conv + 1, st.pool, m->window, rows * kw)) return false;
        const size_t at = row + static_cast<size_t>(px) * C;
        float* dest = st.out_codes ? m->staging : reinterpret_cast<float*>(st.out) + at;
        if (!kBuildAvgPool || window.kind == LayerKind::MaxPool)
            maxpool_forward(window, m->window, dest);
        else avgpool_forward(window, m->window, dest);
        int8_t* codes = st.out_codes ? reinterpret_cast<int8_t*>(st.out) + at : nullptr;
        if (!finish(dest, C, act, st.s, codes)) return false;
    }
    // Whether some window covers column x of the conv output.
    auto covered = [=](int x) {
        return sw <= kw ? x < (pooled_w - 1) * sw + kw : x / sw < pooled_w && x % sw < kw;
    };
    for (int oy = py * rows; oy < py * rows + rows; ++oy) {
        for (int ox = 0; ox < c.desc.out.w; ++ox) {
            if (!covered(ox) && !uncovered_position(m, c, st, in, oy, ox)) return false;
        }
    }
    return true;
}

// Conv output row oy of stage k, which no pool window reads, its input rows present.
FNN_NOINLINE bool unpooled_row(fnn_model* m, const Input& chain_in, int k, int oy) {
    const Stage& st = m->stages[k];
    const BlobLayer c = layer_at(m, st.conv, st.in);
    const Input in = stage_input(m, chain_in, k);
    for (int ox = 0; ox < c.desc.out.w; ++ox) {
        if (!uncovered_position(m, c, st, in, oy, ox)) return false;
    }
    return true;
}

// Pooled row py of stage k: the input rows it reads pulled from the stage before, then
// pooled_row(). After the last pooled row, the conv rows no pool window reads and the rest of
// the input, so that every value is computed as when the layers run whole. The recursion
// through pull() keeps only small frames on the stack: the layers are decoded in the
// functions it calls.
bool produce_row(fnn_model* m, const Input& chain_in, int k, int py) {
    const StageRows g = stage_rows(m, k);
    const int first = py * g.pool_rows;
    if (!pull(m, chain_in, k, py > 0 ? g.last_input_row(first - 1) : -1,
              g.last_input_row(first + g.pool_rows - 1)) ||
        !pooled_row(m, chain_in, k, py))
        return false;
    if (py < g.pooled_h - 1) return true;
    for (int oy = g.pooled_h * g.pool_rows; oy < g.conv_h; ++oy) {
        if (!pull(m, chain_in, k, g.last_input_row(oy - 1), g.last_input_row(oy)) ||
            !unpooled_row(m, chain_in, k, oy))
            return false;
    }
    return pull(m, chain_in, k, g.last_input_row(g.conv_h - 1), g.in_h - 1);
}

// The input scale of the layer that reads what layer `end` writes (dropouts pass it on): the
// int8 reader stores_int8() found. Its entry was validated at load.
float reader_scale(const fnn_model* m, int end) {
    const Table t{m->blob, &m->header};
    return t.at(skip_dropouts(t, end + 1)).s_in;
}

// Sets up in the arena the stages of the chain starting with the conv at layer l (input shape
// `input`): each group but the last writes a ring of the rows its reader's conv reads at once;
// the last writes the chain's output (shape *out), whose place the caller sets in its `out`.
// Returns the last stage's index.
FNN_NOINLINE int setup_chain(fnn_model* m, int l, Shape3 input, Shape3* out) {
    const Table t{m->blob, &m->header};
    uint8_t* ring = m->rings;
    for (int k = 0, conv = l;; ++k) {
        Stage& st = m->stages[k];
        st.conv = static_cast<int16_t>(conv);
        st.pool = static_cast<int16_t>(fused_pool(t, conv));
        st.in = input;
        input = layer_at(m, st.pool, layer_at(m, conv, input).desc.out).desc.out;
        const int next = streams_into(t, st.pool);
        st.out_codes = stores_int8(t, conv, st.pool);
        st.s = st.out_codes ? reader_scale(m, st.pool) : 0.0f;
        if (next < 0) {
            st.out = nullptr;
            st.out_ring = 0;
            *out = input;
            return k;
        }
        st.out = ring;
        st.out_ring = ring_rows(layer_at(m, next, input).desc, t.at(fused_pool(t, next)).kh);
        ring += tensor_bytes(static_cast<size_t>(st.out_ring) * input.w * input.c, st.out_codes);
        conv = next;
    }
}

// A dense or conv2d layer (not fused) whose output is stored as codes: a row of outputs at a
// time (a dense layer is one row) into the staging floats, then finish().
bool run_to_codes(fnn_model* m, const BlobLayer& layer, const Input& in, float s, int8_t* codes) {
    const LayerDesc& d = layer.desc;
    if (d.kind == LayerKind::Dense) {
        if (!kBuildFloatLayers || layer.input_qscale != 0.0f)
            dense_int8(layer, in, m->quantized, reinterpret_cast<int32_t*>(m->partial), m->staging);
        else dense_float(layer, m->header.weight_type, in, m->staging, m->partial);
        return finish(m->staging, d.n_out, layer.act, s, codes);
    }
    const int row = d.out.w * d.out.c;
    for (int oy = 0; oy < d.out.h; ++oy) {
        conv_rows(m, layer, in, m->staging, oy, 1);
        if (!finish(m->staging, row, layer.act, s, codes + static_cast<size_t>(oy) * row))
            return false;
    }
    return true;
}

fnn_status run_one(fnn_model* m, const Input& first, float* probs) {
    const WeightType type = m->header.weight_type;
    const ModelHeader& h = m->header;
    const Table t{m->blob, &h};
    const float* x = nullptr;     // float output of the previous layer; null: see codes, first
    const int8_t* codes = nullptr;  // or the int8 codes it stored for an int8 reader
    bool x_at_start = false;      // where the previous output lies in the region
    if (!reads_input_in_place(t.at(skip_dropouts(t, 0)).kind)) {
        // Pools, batch norm and activations read a float tensor: the input, copied.
        float* copy = reinterpret_cast<float*>(m->region);
        for (int k = 0; k < h.n_in; ++k) copy[k] = first.at(static_cast<size_t>(k));
        x = copy;
        x_at_start = true;
    }
    Shape3 input = model_input(h);
    for (int l = 0; l < h.n_layers; ++l) {
        const BlobLayer here = layer_at(m, l, input);
        const bool group = fused_pool(t, l) >= 0;
        const LayerDesc& d = here.desc;
        const bool last = l == h.n_layers - 1;
        if (d.kind == LayerKind::Dropout) continue;  // the identity outside training (same shape)
        // A chain's output: its last pool's.
        Shape3 out_shape = d.out;
        const int k = group ? setup_chain(m, l, input, &out_shape) : -1;
        const int end = group ? m->stages[k].pool : l;
        // The output goes over the input (in-place kinds), to the caller (last layer), or to
        // the end of the region opposite the input; as floats, or as its reader's int8 codes.
        const bool to_codes = !last && !in_place(d.kind) && stores_int8(t, l, end);
        const size_t n_out = out_shape.size();
        const size_t out_bytes = tensor_bytes(n_out, to_codes);
        uint8_t* dest = last ? reinterpret_cast<uint8_t*>(probs)
                        : in_place(d.kind) ? reinterpret_cast<uint8_t*>(const_cast<float*>(x))
                        : x_at_start ? m->region + (m->region_bytes - out_bytes)
                                     : m->region;
        float* dest_f = reinterpret_cast<float*>(dest);
        const Input in = codes != nullptr ? Input{nullptr, nullptr, 1.0f, codes, 0}
                         : x == nullptr   ? first
                                          : Input{x, nullptr, 1.0f, nullptr, 0};
        if (group) {
            // The last stage's pooled rows, each pulling the rows of the stages before; they
            // reach dest finished (activation applied, or quantized).
            m->stages[k].out = dest;
            for (int py = 0; py < out_shape.h; ++py) {
                if (!produce_row(m, in, k, py)) return FNN_E_NUMERIC;
            }
            l = end;
            input = out_shape;
        } else if (to_codes) {
            input = d.out;
            if (!run_to_codes(m, here, in, reader_scale(m, l), reinterpret_cast<int8_t*>(dest)))
                return FNN_E_NUMERIC;
        } else {
            input = d.out;
            switch (d.kind) {
                case LayerKind::Dense:
                    if (!kBuildFloatLayers || here.input_qscale != 0.0f)
                        dense_int8(here, in, m->quantized, reinterpret_cast<int32_t*>(m->partial), dest_f);
                    else dense_float(here, type, in, dest_f, m->partial);
                    break;
                case LayerKind::Conv2d: conv_rows(m, here, in, dest_f, 0, d.out.h); break;
                case LayerKind::MaxPool: maxpool_forward(d, x, dest_f); break;
                case LayerKind::AvgPool:
                    if (kBuildAvgPool) avgpool_forward(d, x, dest_f);
                    break;
                case LayerKind::BatchNorm:  // (builds without it refuse such models at load)
                    if (kBuildUnfoldedLayers)
                        batchnorm_run(here, x, dest_f, static_cast<size_t>(d.out.h) * d.out.w);
                    break;
                case LayerKind::Activation:
                case LayerKind::Dropout:
                case LayerKind::Flatten: break;  // in place: nothing to move
            }
            // Only an overflow makes a value non-finite; stop before it reaches the next layer
            // (whose int8 quantization could not represent it) or the probabilities.
            if (!finish(dest_f, d.n_out, here.act, 0.0f, nullptr)) return FNN_E_NUMERIC;
        }
        if (!in_place(d.kind)) x_at_start = dest == m->region;
        x = to_codes ? nullptr : dest_f;
        codes = to_codes ? reinterpret_cast<const int8_t*>(dest) : nullptr;
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
    const Status s = plan_model<false>(blob, blob_len, plan, &err);
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
    const Status s = plan_model<false>(blob, blob_len, plan, nullptr);
    if (s != Status::Ok) return to_c(s);
    *out_bytes = arena_plan_bytes(plan);
    return FNN_OK;
}

fnn_status fnn_layer_bytes(const void* blob, size_t blob_len, size_t layer, size_t* out_bytes) {
    if (out_bytes == nullptr) return FNN_E_ARG;
    Plan plan;
    plan.watch = layer < static_cast<size_t>(kMaxLayers) ? static_cast<int>(layer) : -1;
    const Status s = plan_model<true>(blob, blob_len, plan, nullptr);
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
    const Status s = plan_model<false>(blob, blob_len, plan, nullptr);
    if (s != Status::Ok) return to_c(s);
    if (arena_len < arena_plan_bytes(plan)) return FNN_E_NOMEM;
    // The size check above guarantees room.
    const uintptr_t start =
        (reinterpret_cast<uintptr_t>(arena) + kAlign - 1) & ~uintptr_t(kAlign - 1);
    fnn_model* m = reinterpret_cast<fnn_model*>(start);
    carve_arena(plan, start, m);
    m->header = plan.header;
    m->blob = static_cast<const uint8_t*>(blob);
    m->blob_len = blob_len;
    m->region_bytes = plan.region;
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
    return run_checked(m, Input{in, nullptr, 1.0f, nullptr, 0}, n_in, out, n_out);
}

fnn_status fnn_run_u8(fnn_model* m, const uint8_t* in, size_t n_in, float* out, size_t n_out) {
    if (in == nullptr || m == nullptr) return FNN_E_ARG;
    return run_checked(m, Input{nullptr, in, m->header.meta.input_divisor, nullptr, 0}, n_in, out, n_out);
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
