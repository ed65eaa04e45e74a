// Model blob: a trained network's architecture and weights in one checksummed little-endian
// byte string, written by `fnn train` / fnnpack and read by the trainer and the embeddable
// inference library straight from memory (flash on a microcontroller).
//
// Version 1 byte layout. Integers and floats are little-endian; sections start on 16-byte
// boundaries (padding bytes are zero), so with a 16-byte-aligned blob fp32 weights can be used
// in place on little-endian targets.
//
//   header, 64 bytes
//     0   4  magic "FNNM"
//     4   2  version = 1
//     6   1  weight type: 0 = fp32, 1 = fp16 (IEEE binary16), 2 = int8 (see scales below)
//     7   1  loss the model was trained with: 0 = cross_entropy, 1 = mean_squared_error
//     8   4  total blob bytes, CRC included; must equal the blob's length
//    12   4  layer count L, 1 .. 64
//    16   4  input features, 1 .. 65536 (= n_in of layer 0)
//    20   2  input rows      (the image shape the features came from:
//    22   2  input cols       rows*cols*channels = features)
//    24   2  input channels
//    26   2  classes (= n_out of the last layer, 2 .. 256)
//    28   4  input divisor (f32): a uint8 input p stands for p / divisor (255 for images)
//    32  32  reserved, zero
//   layer table, L entries of 32 bytes, from offset 64
//     0   1  kind: 1 = dense
//     1   1  activation: 0 identity, 1 sigmoid, 2 tanh, 3 relu, 4 softmax (last layer only,
//            which must be softmax)
//     2   2  reserved, zero
//     4   4  n_in  (= previous layer's n_out), 1 .. 65536
//     8   4  n_out, 1 .. 65536
//    12   4  weights offset: n_in*n_out values of the weight type, row-major (n_in, n_out)
//    16   4  bias offset: n_out f32
//    20   4  scales offset: int8 only, n_out f32, weight[i][j] = q[i][j] * scale[j]; else 0
//    24   4  input quantisation scale (f32): for int8 activations, this layer's input is
//            q = round(x / scale) clamped to [-127, 127]; 0 means float activations
//    28   4  reserved, zero
//   sections (weights, scales, bias of layer 0, then layer 1, ...), each 16-byte aligned
//   CRC-32 (u32) of every byte before it, as the last 4 bytes
//
// A reader checks every field, every offset (aligned, inside the blob, before the CRC) with
// overflow-checked arithmetic, the CRC, and that every stored number is finite, and never reads
// outside the blob.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/activation.hpp"
#include "fnn/loss.hpp"
#include "fnn/network.hpp"
#include "fnn/status.hpp"

namespace fnn {

constexpr uint16_t kModelVersion = 1;
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
    WeightType weight_type = WeightType::F32;
    ModelMeta meta;
    int n_layers = 0;
    int n_in = 0;
    int n_classes = 0;
};

struct ModelBlob {
    ModelHeader header;
    BlobLayer layers[kMaxLayers];
};

// Step 1 of reading a blob: magic, version, header fields, total size and CRC.
Status parse_model_header(const void* data, size_t size, ModelHeader& out, ErrorText* err);

// Step 2, for l = 0 .. n_layers-1: layer l's entry and sections. `n_in` is the width the layer
// must take (the header's input features for layer 0, the previous layer's n_out after).
// Lets a small target walk the layers without holding all of them at once.
Status parse_model_layer(const void* data, size_t size, const ModelHeader& header, int l, int n_in,
                         BlobLayer& out, ErrorText* err);

// Both steps into one ModelBlob (host side: it holds kMaxLayers entries).
Status parse_model_blob(const void* data, size_t size, ModelBlob& out, ErrorText* err);

// The network a blob describes (hidden layers must share one activation, as fnn writes them).
Status network_spec_from_blob(const ModelBlob& blob, NetworkSpec& spec, ErrorText* err);

// Decodes the blob's weights and biases into a parameter array laid out by `shape` (which
// must come from network_spec_from_blob). fp32 weights come back bit for bit.
void params_from_blob(const ModelBlob& blob, const NetworkShape& shape, float* params);

// Bytes of a blob for this network and weight type.
size_t model_blob_bytes(const NetworkShape& shape, WeightType type);

// Encodes params (laid out by shape) into `out`, which must hold model_blob_bytes(). fp16
// rounds to nearest even; int8 uses symmetric per-output-column scales (max |w| / 127).
// `input_qscales` (one per layer) enables int8 activations; pass nullptr for float ones.
Status write_model_blob(const NetworkShape& shape, const float* params, const ModelMeta& meta,
                        WeightType type, const float* input_qscales, uint8_t* out, size_t out_size,
                        ErrorText* err);

}  // namespace fnn
