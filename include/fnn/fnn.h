/* fnn.h: run a trained fnn model inside another program. C99, also valid C++.
 *
 * This is the only header an embedder includes, and its comments are the manual. The library
 * (libfnn_infer.a) allocates nothing, does no I/O, keeps no global state, throws nothing and
 * needs only memcpy/memset from the C library, so it runs on bare-metal microcontrollers.
 *
 * Use:
 *   1. Get a model blob: `fnn train` writes model.fnn; `fnnpack model` converts it to fp16 or
 *      int8; `fnnpack c-array` turns any blob into a C array to compile into firmware.
 *   2. size_t need; fnn_arena_bytes(blob, blob_len, &need);   -- exact RAM the model needs
 *   3. fnn_model *m; fnn_load(blob, blob_len, arena, arena_len, &m);
 *   4. float probs[10]; fnn_run(m, input, n_in, probs, 10);  size_t cls = fnn_argmax(probs, 10);
 *
 * Memory: the caller owns two buffers. The blob is read in place, never copied, so it must stay
 * valid and unchanged while the model is used (a const array in flash is fine). The arena holds
 * the model's bookkeeping and scratch activations; fnn_arena_bytes() says how many bytes, which
 * already include slack for any alignment of the arena pointer.
 *
 * Threads: everything a model changes lives in its arena, so different models (or copies loaded
 * into different arenas from one blob) may run in different threads at once. One model must not
 * run in two threads at the same time.
 *
 * Numbers: fp32 models give exactly the outputs `fnn train` and `fnn eval` compute, bit for
 * bit, on every target built with -ffp-contract=off (separate IEEE multiply and add in a fixed
 * order; include/fnn/blob.hpp specifies that order and the int8 arithmetic exactly). Inputs are floats as the model was trained on them (pixels / 255 for fnn's datasets),
 * or raw uint8 pixels through fnn_run_u8(), which divides by the blob's input divisor.
 *
 * Untrusted blobs: loading checks every field, offset and size with overflow-checked arithmetic,
 * the CRC-32 and that every stored number is finite; it never reads outside [blob, blob+len).
 *
 * Smaller builds: defining these when compiling the library leaves parts out. Outputs of the
 * models a build runs do not change; a model that needs a part left out fails in
 * fnn_arena_bytes() and fnn_load() with FNN_E_UNSUPPORTED.
 *   FNN_NO_MESSAGES      no error texts (fnn_check_blob's message and fnn_status_str are "")
 *   FNN_NO_ASSERT        no internal consistency checks
 *   FNN_SMALL_CRC        a 64-byte CRC table instead of 8 KB (slower checksum at load)
 *   FNN_SMALL_CODE       one general loop where a faster special case exists (max pooling)
 *   FNN_INT8_ONLY        int8 models only: dense and conv2d layers with int8 weights and
 *                        int8 activations, and pools; no batch norm, activation or dropout
 *                        layers, which int8 files do not hold when their layers fold into
 *                        the dense or conv2d layer before them (fnnpack model --to int8
 *                        --int8_activations, fnn sweep's int8 exports: fnn/fold.hpp)
 *   FNN_NO_AVGPOOL       no average pooling layers
 *   FNN_NO_SIGMOID_TANH  no sigmoid or tanh activations
 * make cross builds the first four for Cortex-M, and all of them for int8 models on the
 * Cortex-M4F, and reports the code each takes.
 */
#ifndef FNN_H
#define FNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result of every call. Same numbers as fnn::Status in the C++ library. */
typedef enum fnn_status {
    FNN_OK = 0,
    FNN_E_ARG = 1,         /* a null pointer, a wrong size or count */
    FNN_E_FORMAT = 2,      /* the blob breaks the format (bad magic, field, offset, value) */
    FNN_E_VERSION = 3,     /* a blob format version this library cannot read */
    FNN_E_NOMEM = 4,       /* the arena is smaller than fnn_arena_bytes() said */
    FNN_E_TRUNCATED = 5,   /* the blob ends before its header says it does */
    FNN_E_CHECKSUM = 6,    /* the blob's CRC-32 does not match: it was damaged */
    FNN_E_IO = 7,          /* (not returned by this library; used by the fnn tools) */
    FNN_E_DIVERGED = 8,    /* (not returned by this library; used by the fnn tools) */
    FNN_E_UNSUPPORTED = 9, /* a valid blob this build cannot run */
    FNN_E_NUMERIC = 10     /* the model produced NaN or infinity for this input */
} fnn_status;

/* An opaque loaded model; it lives inside the caller's arena. */
typedef struct fnn_model fnn_model;

/* Validates the blob and stores in *out_bytes the arena size fnn_load() needs for it: the same
 * number on every target (the model's record is reserved at a fixed size), so a figure computed
 * on a PC holds on the device. With int8 activations, a tensor between two layers whose reader
 * quantizes it is kept as int8 codes, one byte per value.
 * Returns FNN_OK, FNN_E_ARG (null pointer) or why the blob is invalid. */
fnn_status fnn_arena_bytes(const void* blob, size_t blob_len, size_t* out_bytes);

/* Bytes of arena that layer `layer` (0-based, in the blob's order) uses while it runs: its
 * live activations (its input unless that is the caller's, and its output unless written over
 * the input or into the caller's buffer) and its scratch (weight columns, a convolution's
 * window of float inputs, int8 inputs, and the floats an output kept as int8 codes passes
 * through). A convolution whose output reaches a pool through batch norm, activations or
 * dropout runs fused with them, a pooled position at a time; when such a group's output is
 * read by the convolution of another group, it is kept only as a ring of the rows that
 * convolution reads at once (a chain of groups). Each layer of a chain reports the chain's
 * input, its rings, its last pooled output, one pool window of convolution outputs and the
 * largest scratch. fnn_arena_bytes() is at least every layer's figure: each buffer is sized by
 * the layer that needs it most, plus the model's own bookkeeping. FNN_E_ARG for a layer index
 * past the last. */
fnn_status fnn_layer_bytes(const void* blob, size_t blob_len, size_t layer, size_t* out_bytes);

/* Like fnn_arena_bytes(), and also writes a one-line description of the first problem found
 * ("layer 2 bias 7 is not a finite number") into message (message_len bytes, always
 * NUL-terminated; empty when the library is built with FNN_NO_MESSAGES). */
fnn_status fnn_check_blob(const void* blob, size_t blob_len, char* message, size_t message_len);

/* Validates the blob and builds the model in the arena. On FNN_OK, *out points into the arena;
 * the blob and the arena must both outlive it. Returns FNN_E_NOMEM if arena_len is too small,
 * FNN_E_ARG for null pointers, or why the blob is invalid. */
fnn_status fnn_load(const void* blob, size_t blob_len, void* arena, size_t arena_len,
                    fnn_model** out);

/* Number of input features (e.g. 784) and of classes (e.g. 10) of a loaded model. */
size_t fnn_input_size(const fnn_model* m);
size_t fnn_output_size(const fnn_model* m);

/* Multiply-adds one inference costs (sum over layers of inputs x outputs). */
size_t fnn_macs(const fnn_model* m);

/* Copies the name of class k ("Ankle boot") into out (out_len bytes, always NUL-terminated,
 * cut to fit). Returns FNN_OK; FNN_E_ARG for a null pointer, out_len 0 or k >= the class count;
 * FNN_E_UNSUPPORTED when the blob carries no names (models written before fnn 0.2.0), out "". */
fnn_status fnn_class_name(const fnn_model* m, size_t k, char* out, size_t out_len);

/* Runs one input: in holds n_in finite floats, out receives n_out class probabilities (n_in and
 * n_out must equal fnn_input_size() and fnn_output_size()). Returns FNN_OK; FNN_E_ARG for a
 * null pointer, a wrong size or a NaN or infinite input; or FNN_E_NUMERIC when a layer's value
 * overflowed (possible only with a damaged or hostile model; out then holds no probabilities). */
fnn_status fnn_run(fnn_model* m, const float* in, size_t n_in, float* out, size_t n_out);

/* fnn_run() for raw uint8 inputs (image pixels): each value is divided by the model's input
 * divisor (255 for fnn's datasets) as training did. */
fnn_status fnn_run_u8(fnn_model* m, const uint8_t* in, size_t n_in, float* out, size_t n_out);

/* Runs `batch` inputs stored one after another (batch x n_in floats) into batch x n_out
 * probabilities. Stops at the first input that fails and returns its status. */
fnn_status fnn_run_batch(fnn_model* m, const float* in, size_t n_in, size_t batch, float* out,
                         size_t n_out);

/* Index of the largest of v[0..n) (the first on ties): the predicted class. 0 when n is 0. */
size_t fnn_argmax(const float* v, size_t n);

/* A short static text for a status ("blob checksum mismatch"); "" with FNN_NO_MESSAGES. */
const char* fnn_status_str(fnn_status s);

#ifdef __cplusplus
}
#endif

#endif /* FNN_H */
