// The inference library's int8 activations against blob.hpp's words: a straightforward forward
// pass written from the format's "Arithmetic" section alone (quantize each weighted layer's
// input, int32 sums, the two scales, then the bias; float pools, batch norm and activations),
// whole feature maps as float vectors and no storage tricks. The library stores int8 codes
// between layers, fuses conv, batch norm and pool a pooled position at a time, and streams
// chains of such groups through rings of rows; outputs must still be the same bits.
#include <doctest/doctest.h>

#include <math.h>
#include <string.h>

#include <string>
#include <vector>

#include "base/byte_cursor.hpp"
#include "cli/cli_deploy.hpp"
#include "fnn/activation.hpp"
#include "fnn/blob.hpp"
#include "fnn/fnn.h"
#include "fnn/trainer.hpp"
#include "trained_arch.hpp"

using namespace fnn;

namespace {

// q = trunc(v +- 0.5) of v = x / s clamped to +-127 (blob.hpp).
int32_t quantize_spec(float x, float s) {
    float v = x / s;
    if (v > 127.0f) v = 127.0f;
    if (v < -127.0f) v = -127.0f;
    const float r = v >= 0.0f ? v + 0.5f : v - 0.5f;
    return static_cast<int32_t>(r);
}

// One weighted layer on its input vector `x` (a conv window or a dense input): int8 activations.
void int8_dot(const BlobLayer& L, const std::vector<float>& x, float* out) {
    const int n_in = L.desc.w_rows, n_out = L.desc.w_cols;
    const int8_t* w = reinterpret_cast<const int8_t*>(L.weights);
    for (int j = 0; j < n_out; ++j) {
        int32_t acc = 0;
        for (int k = 0; k < n_in; ++k)
            acc += quantize_spec(x[k], L.input_qscale) * static_cast<int32_t>(w[k * n_out + j]);
        const float scale = L.input_qscale * load_f32le(L.scales + 4 * j);
        out[j] = static_cast<float>(acc) * scale;
        out[j] = out[j] + load_f32le(L.bias + 4 * j);
    }
}

std::vector<float> forward_spec(const ModelBlob& blob, const uint8_t* pixels) {
    const ModelHeader& h = blob.header;
    std::vector<float> x(h.n_in);
    for (int k = 0; k < h.n_in; ++k) x[k] = static_cast<float>(pixels[k]) / h.meta.input_divisor;
    for (int l = 0; l < h.n_layers; ++l) {
        const BlobLayer& L = blob.layers[l];
        const LayerDesc& d = L.desc;
        std::vector<float> y(d.n_out);
        // Value (c, iy, ix) of the input: channel-planar for the image, else channels-last.
        auto in_at = [&](int c, int iy, int ix) {
            return d.planar_in ? x[(static_cast<size_t>(c) * d.in.h + iy) * d.in.w + ix]
                               : x[(static_cast<size_t>(iy) * d.in.w + ix) * d.in.c + c];
        };
        switch (d.kind) {
            case LayerKind::Dense:
                REQUIRE(L.input_qscale > 0.0f);
                int8_dot(L, x, y.data());
                break;
            case LayerKind::Conv2d: {
                REQUIRE(L.input_qscale > 0.0f);
                std::vector<float> window(d.w_rows);
                for (int oy = 0; oy < d.out.h; ++oy)
                    for (int ox = 0; ox < d.out.w; ++ox) {
                        for (int ky = 0; ky < d.kh; ++ky)
                            for (int kx = 0; kx < d.kw; ++kx)
                                for (int c = 0; c < d.in.c; ++c) {
                                    const int iy = oy * d.sh + ky - d.pad_top,
                                              ix = ox * d.sw + kx - d.pad_left;
                                    const bool inside = iy >= 0 && iy < d.in.h && ix >= 0 && ix < d.in.w;
                                    window[(ky * d.kw + kx) * d.in.c + c] = inside ? in_at(c, iy, ix) : 0.0f;
                                }
                        int8_dot(L, window, &y[(static_cast<size_t>(oy) * d.out.w + ox) * d.out.c]);
                    }
                break;
            }
            case LayerKind::MaxPool:
                for (int oy = 0; oy < d.out.h; ++oy)
                    for (int ox = 0; ox < d.out.w; ++ox)
                        for (int c = 0; c < d.out.c; ++c) {
                            float best = in_at(c, oy * d.sh, ox * d.sw);
                            for (int ky = 0; ky < d.kh; ++ky)
                                for (int kx = 0; kx < d.kw; ++kx) {
                                    const float v = in_at(c, oy * d.sh + ky, ox * d.sw + kx);
                                    if (v > best) best = v;
                                }
                            y[(static_cast<size_t>(oy) * d.out.w + ox) * d.out.c + c] = best;
                        }
                break;
            case LayerKind::AvgPool:
                for (int oy = 0; oy < d.out.h; ++oy)
                    for (int ox = 0; ox < d.out.w; ++ox)
                        for (int c = 0; c < d.out.c; ++c) {
                            float sum = 0.0f;
                            for (int ky = 0; ky < d.kh; ++ky)
                                for (int kx = 0; kx < d.kw; ++kx)
                                    sum += in_at(c, oy * d.sh + ky, ox * d.sw + kx);
                            y[(static_cast<size_t>(oy) * d.out.w + ox) * d.out.c + c] =
                                sum / static_cast<float>(d.kh * d.kw);
                        }
                break;
            case LayerKind::BatchNorm: {
                const int C = d.out.c;
                for (size_t k = 0; k < y.size(); ++k) {
                    const int c = static_cast<int>(k % C);
                    const float gamma = load_f32le(L.bias + 4 * c), beta = load_f32le(L.bias + 4 * (C + c)),
                                mean = load_f32le(L.bias + 4 * (2 * C + c)),
                                var = load_f32le(L.bias + 4 * (3 * C + c));
                    const float s = gamma / sqrtf(var + d.bn_eps);
                    const float t = beta - mean * s;
                    const float xs = x[k] * s;
                    y[k] = xs + t;
                }
                break;
            }
            default:  // activation and dropout layers pass their input on
                y = x;
                break;
        }
        activation_forward(d.act, MatView{y.data(), 1, d.n_out, d.n_out});
        x = y;
    }
    return x;
}

// The library's outputs for `blob` on 300 test images against forward_spec(); returns the arena
// the model needs.
size_t check_blob(const std::vector<uint8_t>& blob, const fnn_test::TrainedArch& t) {
    ErrorText err;
    ModelBlob parsed;
    REQUIRE(parse_model_blob(blob.data(), blob.size(), parsed, &err) == Status::Ok);
    std::vector<unsigned char> arena;
    fnn_model* m = fnn_test::load_exact(blob, arena);
    int differ = 0;
    float probs[10];
    for (int i = 0; i < 300; ++i) {
        REQUIRE(fnn_run_u8(m, t.test.view.sample(i), 784, probs, 10) == FNN_OK);
        const std::vector<float> expect = forward_spec(parsed, t.test.view.sample(i));
        differ += memcmp(probs, expect.data(), sizeof probs) != 0;
    }
    CHECK(differ == 0);
    return arena.size();
}

// `arch` trained briefly, in int8 as deployed (folded: fnn/fold.hpp) and with every layer kept
// (int8 weights and activations around float batch norm, activation and dropout layers, as older
// files hold); returns the deployed model's arena.
size_t check_architecture(const std::string& arch) {
    CAPTURE(arch);
    fnn_test::TrainedArch t;
    fnn_test::train_architecture(t, arch, 2e-3f, 2000);
    const Trainer& trainer = t.trainer;
    const ModelMeta meta = model_meta(Loss::CrossEntropy, t.slice);
    const std::vector<float> scales =
        calibrate_activations(trainer.shape(), trainer.params(), trainer.state(),
                              meta.input_divisor, t.slice, kCalibrationSamples);
    check_blob(encode_blob(trainer.shape(), trainer.params(), trainer.state(), meta,
                           WeightType::Int8, scales.data()),
               t);
    return check_blob(deploy_blob(trainer.shape(), trainer.params(), trainer.state(), meta,
                                  DeployVariant::Int8, t.slice),
                      t);
}

}  // namespace

TEST_CASE("infer int8: CNN outputs equal blob.hpp's arithmetic written out plainly, bit for bit") {
    check_architecture("conv8k3,relu,pool2,conv16k3,relu,pool2");
    check_architecture("conv6k3psame,bn,relu,pool2,conv12k3,bn,relu,pool2,dropout0.2,dense24,relu");
    check_architecture("conv4k5s2,relu,conv8k3,relu,dense16,bn,relu,dense16,relu");
    check_architecture("conv6k3,relu,pool3s2,conv8k3,relu,pool2,dense16,relu");
}

TEST_CASE("infer int8: chains of conv-pool groups, and the inner pooled maps never exist whole") {
    check_architecture("conv6k3psame,relu,pool2,dropout0.1,conv8k3s2,bn,relu,avgpool2,conv8k3p1,relu,pool2,dense16,relu");
    check_architecture("conv6k3,relu,pool2,conv8k3,bn,relu,pool2,conv4k2,relu,pool2");
    // 28x28x16 pooled to 14x14x16 (3,136 codes), read by the second group's conv: the whole
    // arena is smaller than that map alone, so only the rows the conv reads at once are kept.
    CHECK(check_architecture("conv16k3psame,relu,pool2,conv16k3psame,relu,pool2") < 3136);
}
