// Model blob: a trained network's architecture and weights in one checksummed little-endian
// byte string, written by `fnn train` / fnnpack and read by the trainer and the embeddable
// inference library straight from memory (flash on a microcontroller). This comment is the
// format's specification: a reader written from it alone gives fnn's outputs bit for bit.
//
// All integers are unsigned little-endian; f32 is an IEEE-754 binary32 stored little-endian.
// Offsets are from the first byte of the blob. Version 3 is written; versions 1, 2 and 3 are
// read. Version 2 is version 3 with dense layers only and 32-byte layer entries (below); version
// 1 is version 2 without class names (its header bytes 32..63 are all zero).
//
//   header, 64 bytes
//     0   4  magic "FNNM" (0x46 0x4E 0x4E 0x4D)
//     4   2  version = 3
//     6   1  weight type: 0 = fp32, 1 = fp16 (IEEE binary16), 2 = int8 (see "Arithmetic")
//     7   1  loss the model was trained with: 0 = cross_entropy, 1 = mean_squared_error
//     8   4  total blob bytes, CRC included; must equal the blob's length
//    12   4  layer count L, 1 .. 64
//    16   4  input features, 1 .. 2^22 (= n_in of layer 0)
//    20   2  input rows      the image shape the features came from: rows*cols*channels must
//    22   2  input cols      equal the features; feature k is byte k of a dataset sample
//    24   2  input channels  (dataset.hpp gives the pixel order)
//    26   2  classes (= n_out of the last layer), 2 .. 256
//    28   4  input divisor (f32, finite, > 0): a uint8 input p stands for x = p / divisor (255
//            for images), computed as one f32 division
//    32   4  class names offset, 0 when the blob has no names (then names bytes is 0 too)
//    36   4  class names bytes: `classes` lines of printable ASCII, one per class in class
//            order, each 1..255 bytes followed by '\n' (0x0A); nothing else, no terminator
//    40  24  reserved, zero
//   layer table: L entries of 64 bytes at offset 64 + 64 l. (Versions 1 and 2: 32-byte entries
//   at 64 + 32 l, dense layers only: bytes 0..1 as below, 2..3 zero, then at 4..27 the fields
//   at 4..11 and 32..47 below, in that order, then 4 zero bytes.)
//     0   1  kind: 1 dense, 2 conv2d, 3 maxpool, 4 avgpool, 5 batchnorm, 6 activation,
//            7 dropout (identity when run; kept so the file names the trained architecture)
//     1   1  activation after the layer: 0 identity, 1 sigmoid, 2 tanh, 3 relu (dense,
//            conv2d, batchnorm and activation layers; 0 for the others); the last layer must
//            be a dense layer with 4 = softmax, and only the last layer has softmax
//     2   1  input order: 0 channels-last (value (c, y, x) at (y * in_w + x) * in_c + c), 1
//            channel-planar (at c * in_h * in_w + y * in_w + x). 1 exactly when the layer is
//            layer 0, not dense, and the input has channels > 1 and rows * cols > 1 (a dataset
//            sample is channel-planar); every layer writes channels-last.
//     3   1  reserved, zero
//     4   4  n_in: values the layer reads (layer 0: the input features; then the previous
//            layer's n_out), 1 .. 2^22
//     8   4  n_out: values the layer writes, 1 .. 2^22 (dense: 1 .. 65536)
//    12   6  in_c, in_h, in_w (u16 each): the input tensor (layer 0: the header's channels,
//            rows, cols; after a dense layer: (its n_out, 1, 1); else the previous layer's
//            output tensor); in_c * in_h * in_w = n_in. All zero for dense layers, which read
//            their input, in its stored order, as a vector of n_in values.
//    18   6  out_c, out_h, out_w (u16 each): the output tensor, channels-last;
//            out_c * out_h * out_w = n_out. Dense: all zero (its output is (n_out, 1, 1)).
//    24   4  kernel_h, kernel_w, stride_h, stride_w (u8 each; conv2d and pools, else 0)
//    28   4  pad_top, pad_left, pad_bottom, pad_right (u8 each; conv2d only: zero values
//            around the input). out_h = (in_h + pad_top + pad_bottom - kernel_h) / stride_h + 1
//            (integer division), out_w likewise; pools have no padding.
//    32   4  weights offset: dense: n_in * n_out values of the weight type, row-major (n_in,
//            n_out): the weight from input k to output j is value k * n_out + j. conv2d:
//            (kernel_h * kernel_w * in_c) * out_c values, row-major, row (ky * kernel_w + kx) *
//            in_c + c, column the output channel. Other kinds: 0.
//    36   4  bias offset: dense and conv2d: out_c (dense: n_out) f32. batchnorm: 4 * C f32,
//            C = in_c: gamma, beta, running mean, running variance. Other kinds: 0.
//    40   4  scales offset: int8 weights only (dense and conv2d), one f32 per output column
//            (s_j, finite and >= 0); must be 0 otherwise
//    44   4  input quantisation scale s_in (f32, finite, >= 0): > 0 means this layer runs with
//            int8 activations (int8 weights, dense and conv2d only); 0 means float activations
//    48   4  f32: batchnorm: epsilon (finite, > 0); dropout: the rate it trained with (in
//            [0, 1)); other kinds: 0
//    52  12  reserved, zero
//   Shapes by kind: conv2d out_c >= 1, kernel and stride >= 1; maxpool and avgpool: kernel and
//   stride >= 1, no padding, out_c = in_c; batchnorm, activation and dropout: out = in, kernel,
//   stride and padding 0. Every out_h and out_w is the formula's and >= 1. Weight, scales and
//   bias offsets are 0 for kinds without those sections.
//   sections, then padding, then the CRC
//     Sections come in exactly this order: the class names (when present), then for layer 0,
//     1, ..., L-1: its weights, its scales (int8 only), its bias (or batch norm values). Each
//     starts on a multiple of 16 and at or after the end of the previous one (the first at or
//     after the layer table's end), so sections never overlap; a blob that breaks this is
//     refused. Bytes between sections and after the last one are padding: fnn writes zeros, readers do not look at
//     them (the CRC covers them).
//   CRC-32 of every byte before it, as the last 4 bytes (offset total - 4): the IEEE 802.3 CRC
//     as zlib computes it (reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final
//     XOR 0xFFFFFFFF; "123456789" gives 0xCBF43926). fnn writes it at the first multiple of 16
//     after the last section; readers only require it to lie after the last section.
//   Every weight, bias, scale and batch norm value must be a finite number (fp16: exponent
//   bits not all ones); a batch norm running variance must also be >= 0.
//
// Arithmetic: how fnn_run() turns an input into class probabilities. All f32 operations are
// single IEEE-754 operations rounded to nearest-even, never fused (no FMA), in exactly this
// order; fp32 models then give the trainer's outputs bit for bit (gemm.hpp's Reproducible mode).
// For each layer, with x the layer's input (layer 0: the caller's floats, or p / divisor) and
// w[k][j] the decoded weight (fp32 as stored; fp16 converted exactly to f32; int8: the integer
// q[k][j] as f32, its scale applied later):
//   Float activations (s_in = 0):
//     The inputs k = 0 .. n_in-1 are split into blocks of `step` consecutive inputs, step =
//     n_in when n_in <= 256, otherwise ceil(n_in / ceil(n_in / 256)); the last block may be
//     shorter. For each block in order: acc[j] = +0.0; for each k of the block in increasing
//     order, skipping k where x[k] is +0 or -0: acc[j] = acc[j] + x[k] * w[k][j] (multiply,
//     round, add, round). Then out[j] = acc[j] for the first block, out[j] = acc[j] + out[j]
//     after each later one. For int8 weights, finally out[j] = out[j] * s_j.
//   int8 activations (s_in > 0; int8 weights):
//     v = x[k] / s_in (f32 division); v is clamped to [-127, 127]; then q_x[k] is the integer
//     part (truncation toward zero) of the f32 sum v + 0.5 when v >= 0, or v - 0.5 when v < 0:
//     round half away from zero, except that the f32 addition itself rounds first (v =
//     0.49999997 gives 1). acc[j] = sum over k of q_x[k] * q[k][j] in 32-bit integers (exact:
//     |acc| <= 127 * 127 * 65536 < 2^31). out[j] = f32(acc[j]) * (s_in * s_j), the product of
//     the two scales rounded first.
//   Then out[j] = out[j] + b[j].
//   conv2d: for each output position (oy, ox), in row-major order, exactly a dense layer whose
//   input is the position's column: n_in = kernel_h * kernel_w * in_c values, value (ky *
//   kernel_w + kx) * in_c + c = input (c, oy * stride_h + ky - pad_top, ox * stride_w + kx -
//   pad_left), +0 outside the input; its n_out = out_c outputs go to (oy, ox, 0 .. out_c - 1).
//   The same blocks, skipped zeros, order and bias as dense (the trainer's GEMM over im2col
//   rows computes the same bits); with int8 activations the same integer arithmetic as dense,
//   each of the column's values quantised as above (the +0 of padding gives q_x = 0).
//   maxpool: each output (oy, ox, c) is the largest of the window's values (rows of the window
//   top to bottom, left to right; the first wins ties, so the result is that value's bits);
//   avgpool: their f32 sum in that order, divided by kernel_h * kernel_w.
//   batchnorm: per channel s = gamma / sqrt(var + eps), t = beta - mean * s (each step one
//   rounded f32 operation, sqrt correctly rounded), then y = x * s + t (multiply, round, add,
//   round). activation: y = x, then its activation as below. dropout: y = x.
//   After every layer: if any value is NaN or infinite, fnn_run() stops with FNN_E_NUMERIC.
//   Then the layer's activation, per element: relu: z < 0 ? +0.0 : z (-0 stays -0);
//   sigmoid: 1 / (1 + exp(-c)) with c = z clamped to [-30, 30]; tanh: (e - 1) / (e + 1) with
//   e = exp(2c), c = z clamped to [-9, 9]; softmax over the layer: m = the largest z,
//   e_j = exp(z_j - m), s = e_0 + e_1 + ... in order, p_j = e_j / s. exp is fnn's own exp_f
//   (src/base/float_math.hpp, also a specification: its constants and operation order are exact).
//   Weights were rounded when written: fp16 to nearest-even; int8 q = nearbyint(w / s_j)
//   (nearest, ties to even) clamped to [-127, 127], s_j = max_k |w[k][j]| / 127 in f32.
//
// A reader checks every field, every offset (aligned, ordered, inside the blob, before the
// CRC) with overflow-checked arithmetic, the CRC, and that every stored number is finite, and
// never reads outside the blob.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/activation.hpp"
#include "fnn/loss.hpp"
#include "fnn/network.hpp"
#include "fnn/status.hpp"

namespace fnn {

constexpr uint16_t kModelVersion = 3;  // written; 1, 2 and 3 are read
constexpr size_t kModelHeaderBytes = 64;
constexpr size_t kModelLayerBytes = 64;    // version 3
constexpr size_t kModelLayerBytesV2 = 32;  // versions 1 and 2

enum class WeightType : uint8_t { F32 = 0, F16 = 1, Int8 = 2 };
// "fp32", "fp16", "int8" (const, as layer_kind_name()).
#if defined(__GNUC__)
__attribute__((const))
#endif
const char* weight_type_name(WeightType t);

// What the blob records besides the network itself.
struct ModelMeta {
    uint16_t rows = 0;
    uint16_t cols = 0;
    uint16_t channels = 1;
    float input_divisor = 255.0f;  // x = p / divisor, as the trainer scales pixels
    Loss loss = Loss::CrossEntropy;
    const char* names = nullptr;  // class-name lines (format above), not owned; null: none
    uint32_t names_bytes = 0;
};

// One validated layer: its geometry (desc: kind, activation, shapes, kernel, stride, padding,
// w_rows x w_cols; offsets unused) and pointers into the blob.
struct BlobLayer {
    LayerDesc desc;
    Activation act = Activation::Identity;  // desc.act, n_in, n_out: kept for dense code
    int n_in = 0;
    int n_out = 0;
    const uint8_t* weights = nullptr;  // w_rows * w_cols values of the blob's weight type
    const uint8_t* bias = nullptr;     // out channels little-endian f32; batchnorm: 4 x C
    const uint8_t* scales = nullptr;   // int8 only: out channels little-endian f32
    float input_qscale = 0.0f;         // int8 activations: quantisation scale of the input
};

// The validated header (parse_model_header also checks the size and the CRC).
struct ModelHeader {
    int version = kModelVersion;
    WeightType weight_type = WeightType::F32;
    ModelMeta meta;  // meta.names points into the blob
    int n_layers = 0;
    int n_in = 0;
    int n_classes = 0;
    size_t sections_begin = 0;  // where layer 0's sections may start: after the table and names
    size_t layer_bytes = kModelLayerBytes;  // of one layer table entry (versions 1, 2: 32)
};

struct ModelBlob {
    ModelHeader header;
    BlobLayer layers[kMaxLayers];
};

// Step 1 of reading a blob: magic, version, header fields, total size and CRC.
Status parse_model_header(const void* data, size_t size, ModelHeader& out, ErrorText* err);

// Step 2, for l = 0 .. n_layers-1: layer l's entry and sections. `input` is the tensor the layer
// must take (the header's input for layer 0, the previous layer's output after; its c is n_in
// for a vector).
// `sections_end` carries where the previous section ended (start with header.sections_begin):
// sections must come in order without overlap. Lets a small target walk the layers without
// holding all of them at once.
Status parse_model_layer(const void* data, size_t size, const ModelHeader& header, int l,
                         Shape3 input, size_t& sections_end, BlobLayer& out, ErrorText* err);
// Layer l of a blob that parse_model_blob() (or the layer walk above) already accepted, again,
// without re-reading its values: the inference library keeps no copy of the layer table and
// decodes each layer when it runs it. `input` as for parse_model_layer().
Status decode_model_layer(const void* data, size_t size, const ModelHeader& header, int l,
                          Shape3 input, BlobLayer& out);

// The tensor layer 0 reads: (channels, rows, cols) from the header.
Shape3 model_input(const ModelHeader& header);

// Both steps into one ModelBlob (host side: it holds kMaxLayers entries).
Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err);

// The network a blob describes, as a spec plan_network() turns back into the blob's layers.
Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err);

// network_spec_from_blob() and plan_network(), and a check that the plan is the blob's layers
// (a hostile blob can list layers the planner would lay out differently).
Status network_from_blob(const ModelBlob& blob, NetworkShape& shape, ErrorText* err);

// Decodes the blob's weights, biases and batch norm values into a parameter array and a state
// array laid out by `shape` (which must come from network_spec_from_blob). fp32 weights come
// back bit for bit. `state` may be null when shape.n_state is 0. `shape` must come from
// network_from_blob().
void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params, float* state);

// Bytes of a blob for this network and weight type, with names_bytes of class names.
size_t model_blob_bytes(const NetworkShape& shape, WeightType type, uint32_t names_bytes = 0);

// Encodes params and state (laid out by shape; state may be null without batch norm) into
// `out`, which must hold model_blob_bytes(). fp16 rounds to nearest even; int8 uses symmetric
// per-output-column scales (max |w| / 127). `input_qscales` (one per layer) enables int8
// activations; pass nullptr for float ones. Dropout layers are left out (they only train).
Status write_model_blob(const NetworkShape& shape, const float* params, const float* state,
                        const ModelMeta& meta, WeightType type, const float* input_qscales,
                        uint8_t* out, size_t out_size, ErrorText* err);

}  // namespace fnn
