// Model blob: a trained network's architecture and weights in one checksummed little-endian
// byte string, written by `fnn train` / fnnpack and read by the trainer and the embeddable
// inference library straight from memory (flash on a microcontroller). This comment is the
// format's specification: a reader written from it alone gives fnn's outputs bit for bit.
//
// All integers are unsigned little-endian; f32 is an IEEE-754 binary32 stored little-endian.
// Offsets are from the first byte of the blob. Version 2 is written; versions 1 and 2 are read
// (version 1 is version 2 without class names: its bytes 32..63 are all zero).
//
//   header, 64 bytes
//     0   4  magic "FNNM" (0x46 0x4E 0x4E 0x4D)
//     4   2  version = 2
//     6   1  weight type: 0 = fp32, 1 = fp16 (IEEE binary16), 2 = int8 (see "Arithmetic")
//     7   1  loss the model was trained with: 0 = cross_entropy, 1 = mean_squared_error
//     8   4  total blob bytes, CRC included; must equal the blob's length
//    12   4  layer count L, 1 .. 64
//    16   4  input features, 1 .. 65536 (= n_in of layer 0)
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
//   layer table: L entries of 32 bytes at offset 64 + 32 l
//     0   1  kind: 1 = dense (the only kind of this version)
//     1   1  activation after the layer: 0 identity, 1 sigmoid, 2 tanh, 3 relu on hidden
//            layers; the last layer must be 4 = softmax, and only the last layer
//     2   2  reserved, zero
//     4   4  n_in (layer 0: the input features; then the previous layer's n_out), 1 .. 65536
//     8   4  n_out, 1 .. 65536
//    12   4  weights offset: n_in*n_out values of the weight type (4, 2 or 1 bytes each),
//            row-major (n_in, n_out): the weight from input k to output j is value k*n_out + j
//    16   4  bias offset: n_out f32
//    20   4  scales offset: int8 weights only, n_out f32 (s_j, one per output column, finite
//            and >= 0); must be 0 for fp32 and fp16 weights
//    24   4  input quantisation scale s_in (f32, finite, >= 0): > 0 means this layer runs with
//            int8 activations (int8 weights only); 0 means float activations
//    28   4  reserved, zero
//   sections, then padding, then the CRC
//     Sections come in exactly this order: the class names (when present), then for layer 0,
//     1, ..., L-1: its weights, its scales (int8 only), its bias. Each starts on a multiple of 16
//     and at or after the end of the previous one (the first at or after the layer table's end,
//     64 + 32 L), so sections never overlap; a blob that breaks this is refused. Bytes between
//     sections and after the last one are padding: fnn writes zeros, readers do not look at
//     them (the CRC covers them).
//   CRC-32 of every byte before it, as the last 4 bytes (offset total - 4): the IEEE 802.3 CRC
//     as zlib computes it (reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final
//     XOR 0xFFFFFFFF; "123456789" gives 0xCBF43926). fnn writes it at the first multiple of 16
//     after the last section; readers only require it to lie after the last section.
//   Every weight, bias and scale must be a finite number (fp16: exponent bits not all ones).
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
//   Then out[j] = out[j] + b[j]. If any out[j] is then NaN or infinite, fnn_run() stops with
//   FNN_E_NUMERIC. Then the activation, per element: relu: z < 0 ? +0.0 : z (-0 stays -0);
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

constexpr uint16_t kModelVersion = 2;  // written; 1 and 2 are read
constexpr size_t kModelHeaderBytes = 64;
constexpr size_t kModelLayerBytes = 32;

enum class WeightType : uint8_t { F32 = 0, F16 = 1, Int8 = 2 };
const char* weight_type_name(WeightType t);  // "fp32", "fp16", "int8"

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

// One validated layer: pointers into the blob.
struct BlobLayer {
    Activation act = Activation::Identity;
    int n_in = 0;
    int n_out = 0;
    const uint8_t* weights = nullptr;  // n_in*n_out values of the blob's weight type
    const uint8_t* bias = nullptr;     // n_out little-endian f32
    const uint8_t* scales = nullptr;   // int8 only: n_out little-endian f32
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
};

struct ModelBlob {
    ModelHeader header;
    BlobLayer layers[kMaxLayers];
};

// Step 1 of reading a blob: magic, version, header fields, total size and CRC.
Status parse_model_header(const void* data, size_t size, ModelHeader& out, ErrorText* err);

// Step 2, for l = 0 .. n_layers-1: layer l's entry and sections. `n_in` is the width the layer
// must take (the header's input features for layer 0, the previous layer's n_out after).
// `sections_end` carries where the previous section ended (start with header.sections_begin):
// sections must come in order without overlap. Lets a small target walk the layers without
// holding all of them at once.
Status parse_model_layer(const void* data, size_t size, const ModelHeader& header, int l, int n_in,
                         size_t& sections_end, BlobLayer& out, ErrorText* err);

// Both steps into one ModelBlob (host side: it holds kMaxLayers entries).
Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err);

// The network a blob describes (hidden layers must share one activation, as fnn writes them).
Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err);

// Decodes the blob's weights and biases into a parameter array laid out by `shape` (which
// must come from network_spec_from_blob). fp32 weights come back bit for bit.
void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params);

// Bytes of a blob for this network and weight type, with names_bytes of class names.
size_t model_blob_bytes(const NetworkShape& shape, WeightType type, uint32_t names_bytes = 0);

// Encodes params (laid out by shape) into `out`, which must hold model_blob_bytes(). fp16
// rounds to nearest even; int8 uses symmetric per-output-column scales (max |w| / 127).
// `input_qscales` (one per layer) enables int8 activations; pass nullptr for float ones.
Status write_model_blob(const NetworkShape& shape, const float* params, const ModelMeta& meta,
                        WeightType type, const float* input_qscales, uint8_t* out, size_t out_size,
                        ErrorText* err);

}  // namespace fnn
