// fnnpack model: converts a model blob to fp32, fp16 or int8 weights (int8 optionally with
// int8 activations calibrated on training samples) and reports how each variant compares. An
// int8 file holds the network folded for inference (fnn/fold.hpp: batch norm merged into the
// layer before it, no dropout), which is quantized and calibrated as it is.
//
// int8 arithmetic (also in include/fnn/blob.hpp and src/infer/infer.cpp): weights are symmetric per
// output column, q = round(w / s_j) with s_j = max_i |w_ij| / 127. With int8 activations, each
// layer's input is q_x = round(x / s_in) clamped to +-127, s_in = (largest |x| that layer saw
// on the calibration samples) / 127; the layer computes (sum_k q_x q_w) * s_in * s_j + b_j in
// int32, exactly on every target.
#include <stdio.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/cli_deploy.hpp"
#include "cli/cli_flags.hpp"
#include "cli/cli_model.hpp"
#include "fnn/blob.hpp"
#include "fnn/dataset.hpp"
#include "fnn/file_io.hpp"
#include "fnn/fold.hpp"
#include "fnn/fnn.h"
#include "fnn/network.hpp"
#include "fnnpack.hpp"

namespace fnn {
namespace {

struct Variant {
    std::string name;
    std::vector<uint8_t> blob;
};

// One line per variant: sizes from the inference library and accuracy on `test`, with argmax
// agreement against the first variant.
void print_report(const std::vector<Variant>& variants, const Dataset& test) {
    printf("%-26s %12s %12s %14s %10s %16s\n", "variant", "blob bytes", "arena bytes",
           "MACs/inference", "test acc", "same argmax");
    std::vector<size_t> reference;
    for (const Variant& v : variants) {
        size_t arena_bytes = 0;
        if (fnn_arena_bytes(v.blob.data(), v.blob.size(), &arena_bytes) != FNN_OK) {
            printf("%-26s %12zu   (the inference library does not run this model's layers yet)\n",
                   v.name.c_str(), v.blob.size());
            continue;
        }
        std::vector<unsigned char> arena(arena_bytes);
        fnn_model* m = nullptr;
        fnn_load(v.blob.data(), v.blob.size(), arena.data(), arena.size(), &m);
        std::vector<float> probs(fnn_output_size(m));
        std::vector<size_t> predicted(test.count());
        int correct = 0;
        for (int i = 0; i < test.count(); ++i) {
            fnn_run_u8(m, test.sample(i), fnn_input_size(m), probs.data(), probs.size());
            predicted[i] = fnn_argmax(probs.data(), probs.size());
            correct += predicted[i] == test.labels[i];
        }
        char agreement[32] = "(reference)";
        if (!reference.empty()) {
            int same = 0;
            for (int i = 0; i < test.count(); ++i) same += predicted[i] == reference[i];
            snprintf(agreement, sizeof agreement, "%.2f%%", 100.0 * same / test.count());
        } else {
            reference = predicted;
        }
        printf("%-26s %12zu %12zu %14zu %9.2f%% %16s\n", v.name.c_str(), v.blob.size(), arena_bytes,
               fnn_macs(m), 100.0 * correct / test.count(), agreement);
    }
}

bool load_data(const std::string& path, std::vector<uint8_t>& bytes, Dataset& out,
               std::string& error) {
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok ||
        parse_dataset_blob(bytes.data(), bytes.size(), path.c_str(), out, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    return true;
}

// The blob of `model` with `type` weights; int8 stores the folded network (`folded`, fold.hpp),
// with int8 activations when qscales (its per-layer input scales) is set.
std::vector<uint8_t> encode(const DecodedModel& model, const FoldedNetwork& folded,
                            WeightType type, const float* qscales) {
    const ModelMeta& meta = model.blob.header.meta;
    if (type == WeightType::Int8) {
        return encode_blob(folded.shape, folded.params.data(), folded.state.data(), meta, type,
                           qscales);
    }
    return encode_blob(model.shape, model.params.data(), model.state.data(), meta, type, qscales);
}

}  // namespace

int cmd_model(int argc, char** argv) {
    std::string out_path, to = "fp32", calibration_path, report_path;
    bool overwrite = false;
    bool int8_activations = false, all_variants = false, no_fold = false;
    long calibration_samples = 1000;
    std::vector<std::string> inputs;
    FlagParser p("fnnpack model",
                 "Convert a model blob: fnnpack model IN.fnn --to fp32|fp16|int8 -o OUT.fnn");
    p.add(text_flag("", "--to", "TYPE", "weight type of the output", to, {"fp32", "fp16", "int8"}));
    p.add(switch_flag("", "--int8_activations",
                      "with --to int8: quantize activations too (needs --calibrate)",
                      int8_activations));
    p.add(switch_flag("", "--no_fold",
                      "with --to int8: keep batch norm, activation and dropout layers as they are "
                      "(an FNN_INT8_ONLY build refuses such files)",
                      no_fold));
    p.add(text_flag("", "--calibrate", "DATA",
                    "dataset blob whose first samples set the activation scales",
                    calibration_path));
    p.add(int_flag("", "--calibration_samples", "N", "samples used for calibration (default 1000)",
                   calibration_samples, 1, 1 << 24));
    p.add(text_flag(
        "", "--report", "DATA",
        "compare input and output on this dataset (test accuracy, argmax agreement, sizes)",
        report_path));
    p.add(switch_flag("", "--all_variants",
                      "with --report: also compare fp16, the folded fp32 network (if it "
                      "differs), int8 and int8 + int8 activations",
                      all_variants));
    p.add(text_flag("-o", "--output", "FILE", "model blob to write", out_path));
    p.add(switch_flag("", "--overwrite", "replace the output file if it exists", overwrite));
    const ParseResult r = p.parse(argc, argv, 2, &inputs);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    if (inputs.size() != 1 || (out_path.empty() && report_path.empty())) {
        fprintf(stderr, "fnnpack model: give one input model and --output (or --report)\n");
        return 2;
    }
    if ((int8_activations || no_fold) && to != "int8") {
        fprintf(stderr, "fnnpack model: %s needs --to int8\n",
                int8_activations ? "--int8_activations" : "--no_fold");
        return 2;
    }
    if ((int8_activations || all_variants) && calibration_path.empty()) {
        fprintf(stderr,
                "fnnpack model: int8 activations need --calibrate DATA (training samples)\n");
        return 2;
    }
    std::vector<uint8_t> in_bytes, calibration_bytes, report_bytes;
    ErrorText err;
    std::string error;
    DecodedModel model;
    if (!out_path.empty() && check_new_output(out_path, overwrite, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack model: %s\n", err.text);
        return 1;
    }
    if (read_file(inputs[0], in_bytes, &err) != Status::Ok) {
        fprintf(stderr, "fnnpack model: %s\n", err.text);
        return 1;
    }
    if (!decode_model(in_bytes, inputs[0], model, error)) {
        fprintf(stderr, "fnnpack model: %s\n", error.c_str());
        return 1;
    }
    // int8 files hold the network folded for inference (unless --no_fold); the scales are its
    // layers'.
    const FoldedNetwork folded =
        no_fold ? FoldedNetwork{model.shape, model.params, model.state}
                : fold_for_inference(model.shape, model.params.data(), model.state.data());
    std::vector<float> scales;
    if (!calibration_path.empty()) {
        Dataset calibration;
        if (!load_data(calibration_path, calibration_bytes, calibration, error)) {
            fprintf(stderr, "fnnpack model: %s\n", error.c_str());
            return 1;
        }
        if (calibration.features() != model.shape.n_in()) {
            fprintf(stderr, "fnnpack model: %s has %d features, the model takes %d\n",
                    calibration_path.c_str(), calibration.features(), model.shape.n_in());
            return 1;
        }
        scales = calibrate_activations(
            folded.shape, folded.params.data(), folded.state.data(),
            model.blob.header.meta.input_divisor, calibration,
            std::min<int>(static_cast<int>(calibration_samples), calibration.count()));
    }
    const WeightType type = to == "fp16"   ? WeightType::F16
                            : to == "int8" ? WeightType::Int8
                                           : WeightType::F32;
    const std::vector<uint8_t> out_bytes =
        encode(model, folded, type, int8_activations ? scales.data() : nullptr);
    if (!out_path.empty()) {
        if (write_file_atomic(out_path, out_bytes.data(), out_bytes.size(), &err) != Status::Ok) {
            fprintf(stderr, "fnnpack model: %s\n", err.text);
            return 1;
        }
        printf("%s: %s weights%s, %zu bytes\n", out_path.c_str(), to.c_str(),
               int8_activations ? ", int8 activations" : "", out_bytes.size());
    }
    if (report_path.empty()) return 0;
    Dataset test;
    if (!load_data(report_path, report_bytes, test, error)) {
        fprintf(stderr, "fnnpack model: %s\n", error.c_str());
        return 1;
    }
    std::vector<Variant> variants{
        {"input (" + std::string(weight_type_name(model.blob.header.weight_type)) + ")", in_bytes}};
    if (all_variants) {
        variants.push_back({"fp32", encode(model, folded, WeightType::F32, nullptr)});
        variants.push_back({"fp16", encode(model, folded, WeightType::F16, nullptr)});
        // What folding alone changes (int8 files hold the folded network).
        if (!no_fold && has_foldable_layers(model.shape)) {
            variants.push_back(
                {"fp32 folded", encode_blob(folded.shape, folded.params.data(),
                                            folded.state.data(), model.blob.header.meta,
                                            WeightType::F32, nullptr)});
        }
        variants.push_back({"int8 weights", encode(model, folded, WeightType::Int8, nullptr)});
        variants.push_back(
            {"int8 weights + activations", encode(model, folded, WeightType::Int8, scales.data())});
    } else if (!out_path.empty()) {
        variants.push_back(
            {"output (" + to + (int8_activations ? " + int8 act" : "") + ")", out_bytes});
    }
    print_report(variants, test);
    return 0;
}

}  // namespace fnn
