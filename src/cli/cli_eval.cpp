// `fnn eval` and `fnn predict`.
#include "cli/cli_eval.hpp"

#include <math.h>
#include <stdio.h>

#include "cli/cli_flags.hpp"
#include "cli/cli_predict_many.hpp"
#include "cli/cli_quote.hpp"
#include "fnn/file_io.hpp"
#include "fnn/gemm_threads.hpp"
#include "fnn/idx.hpp"

namespace fnn {
namespace {

// Reads a binary PGM (P5, maxval 255) whose pixel count must be `pixels`.
bool read_pgm(const std::string& path, size_t pixels, std::vector<uint8_t>& out,
              std::string& error) {
    std::vector<uint8_t> bytes;
    ErrorText err;
    if (read_file(path, bytes, &err) != Status::Ok) {
        error = err.text;
        return false;
    }
    // Header: "P5", width, height, maxval, separated by whitespace (comments are not allowed here).
    const std::string text(bytes.begin(),
                           bytes.begin() + static_cast<long>(std::min<size_t>(bytes.size(), 64)));
    unsigned width = 0, height = 0, maxval = 0;
    int used = 0;
    if (sscanf(text.c_str(), "P5 %u %u %u%n", &width, &height, &maxval, &used) != 3 ||
        maxval != 255 || used <= 0) {
        error = path + ": not a binary PGM (P5) with maxval 255";
        return false;
    }
    const size_t start = static_cast<size_t>(used) + 1;  // one whitespace byte ends the header
    if (static_cast<size_t>(width) * height != pixels || bytes.size() < start + pixels) {
        error = path + ": " + std::to_string(width) + "x" + std::to_string(height) +
                " image, the model takes " + std::to_string(pixels) + " pixels";
        return false;
    }
    out.assign(bytes.begin() + static_cast<long>(start),
               bytes.begin() + static_cast<long>(start + pixels));
    return true;
}

// The one model a command works on: --model FILE or a positional run directory or file.
bool model_argument(const std::string& flag_value, const std::vector<std::string>& positionals,
                    const char* command, bool best, std::string& path, std::string& error) {
    if (positionals.size() + !flag_value.empty() != 1) {
        error = std::string(command) + ": give one run directory or --model FILE";
        return false;
    }
    if (!model_path_of(flag_value.empty() ? positionals[0] : flag_value, best, path, error)) {
        error = std::string(command) + ": " + error;
        return false;
    }
    return true;
}

}  // namespace

std::vector<std::string> class_names(const Dataset& d) {
    std::vector<std::string> names;
    for (int k = 0; k < d.classes(); ++k) {
        char name[128];
        dataset_class_name(d, k, name, sizeof name);
        names.push_back(name);
    }
    return names;
}

bool select_split(const LoadedDataset& train, const LoadedDataset& test, const std::string& split,
                  double val_fraction, long limit_train, Split& out, std::string& error) {
    const int n = limit_train > 0 && limit_train < train.view.count()
                      ? static_cast<int>(limit_train)
                      : train.view.count();
    const int n_val = static_cast<int>(llround(n * val_fraction));
    if (split == "test") out = {&test.view, 0, test.view.count()};
    else if (split == "train") out = {&train.view, 0, n - n_val};
    else if (split == "val") out = {&train.view, n - n_val, n_val};
    else {
        error = "split '" + split + "' is not one of train, val, test";
        return false;
    }
    if (out.count < 1) {
        error = "the " + split + " split is empty";
        return false;
    }
    return true;
}

bool evaluate_split(const LoadedModel& model, const Split& split, int threads,
                    ClassificationReport& report, std::vector<int>* predicted,
                    std::vector<float>* confidence, std::string& error) {
    Predictions all;
    const auto sample = [&split](size_t i) {
        return split.data->sample(split.begin + static_cast<int>(i));
    };
    if (!predict_many(model, static_cast<size_t>(split.count), sample, threads, all, error))
        return false;
    std::vector<int> labels, guesses;
    double loss = 0.0;  // summed in sample order: the same for any thread count
    const bool squared = model.header.meta.loss == Loss::MeanSquaredError;
    for (int n = 0; n < split.count; ++n) {
        const size_t i = static_cast<size_t>(n);
        const int label = split.data->labels[split.begin + n];
        const float* probs = all.of(i);
        int guess = -1;
        float conf = 0.0f;
        if (all.valid[i]) {
            guess = static_cast<int>(fnn_argmax(probs, all.classes));
            conf = probs[guess];
            if (squared) {
                for (size_t k = 0; k < all.classes; ++k) {
                    const double d = probs[k] - (static_cast<int>(k) == label ? 1.0 : 0.0);
                    loss += d * d;
                }
            } else {
                loss -= log(std::max(static_cast<double>(probs[label]), 1e-45));
            }
        } else {
            guess = (label + 1) % static_cast<int>(model.classes());  // an overflow counts as wrong
            loss += INFINITY;
        }
        labels.push_back(label);
        guesses.push_back(guess);
        if (confidence != nullptr) confidence->push_back(conf);
    }
    report = classification_report(labels, guesses, static_cast<int>(model.classes()));
    report.loss = loss / split.count;
    if (predicted != nullptr) *predicted = guesses;
    return true;
}

int cmd_eval(int argc, char** argv) {
    std::string model_path, dataset, split = "test", format = "text", data_dir;
    double val_fraction = 0.1;
    long threads = 0;
    bool best = false;
    std::vector<std::string> positionals;
    FlagParser p("fnn eval",
                 "Evaluate a model: accuracy, loss, confusion matrix and per-class precision, "
                 "recall, F1.\n  fnn eval RUN_DIR | --model FILE [flags]");
    p.add(text_flag("", "--model", "FILE",
                    "model blob (model.fnn from fnn train, or an fnnpack variant); or give a run "
                    "directory",
                    model_path));
    p.add(switch_flag("", "--best", "with a run directory: its best.fnn instead of model.fnn",
                      best));
    p.add(text_flag("-d", "--dataset", "NAME",
                    "dataset (default: the one the run directory's config.json names)", dataset,
                    known_datasets()));
    p.add(text_flag("", "--split", "NAME", "which samples (default test)", split,
                    {"train", "val", "test"}));
    p.add(double_flag("", "--val_fraction", "F",
                      "held-out share of the training set (default: the run's, else 0.1)",
                      val_fraction, 0, 0.5));
    p.add({"",
           "--json",
           "",
           "print JSON instead of tables",
           {},
           [&](const std::string&, std::string&) {
               format = "json";
               return true;
           }});
    p.add(
        {"", "--csv", "", "print CSV instead of tables", {}, [&](const std::string&, std::string&) {
             format = "csv";
             return true;
         }});
    p.add(
        text_flag("", "--data_dir", "DIR", "where the .fnnd files are (default: data/)", data_dir));
    p.add(threads_flag(threads));
    const ParseResult parsed = p.parse(argc, argv, 2, &positionals);
    if (parsed != ParseResult::Ok) return parsed == ParseResult::Help ? 0 : 2;
    std::string error;
    if (!model_argument(model_path, positionals, "fnn eval", best, model_path, error)) {
        fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    LoadedModel model;
    LoadedDataset train, test;
    // A model from a run directory is evaluated on the splits that run used.
    const ModelOrigin origin = model_origin(model_path);
    if (dataset.empty()) dataset = origin.dataset;
    if (!p.was_set("--val_fraction")) val_fraction = origin.val_fraction;
    const std::string dir = resolve_data_dir(data_dir, argv[0]);
    Split s;
    if (!load_model(model_path, model, error) ||
        !load_dataset(dir, dataset, "train", train, error) ||
        !load_dataset(dir, dataset, "test", test, error) ||
        !select_split(train, test, split, val_fraction, origin.limit_train, s, error)) {
        fprintf(stderr, "fnn eval: %s\n", error.c_str());
        return 1;
    }
    if (static_cast<size_t>(s.data->features()) != model.inputs() ||
        static_cast<size_t>(s.data->classes()) != model.classes()) {
        fprintf(stderr, "fnn eval: %s takes %zu inputs and %zu classes, %s has %d and %d\n",
                model_path.c_str(), model.inputs(), model.classes(), dataset.c_str(),
                s.data->features(), s.data->classes());
        return 1;
    }
    ClassificationReport r;
    if (!evaluate_split(model, s, GemmThreads::count_or_all(threads), r, nullptr, nullptr, error)) {
        fprintf(stderr, "fnn eval: %s\n", error.c_str());
        return 1;
    }
    const std::vector<std::string> names = class_names(*s.data);
    if (format == "json") {
        fputs(report_json(r, names).c_str(), stdout);
    } else if (format == "csv") {
        fputs(report_csv(r, names).c_str(), stdout);
    } else {
        printf("%s on %s %s (%ld samples): accuracy %.2f%%, %s loss %.4f\n\n", model_path.c_str(),
               dataset.c_str(), split.c_str(), r.total, 100 * r.accuracy,
               loss_name(model.header.meta.loss), r.loss);
        fputs(report_text(r, names).c_str(), stdout);
    }
    return 0;
}

int cmd_predict(int argc, char** argv) {
    std::string model_path, dataset, split = "test", idx_path, out_path, data_dir;
    std::vector<std::string> pgms;
    long threads = 0;
    bool pgm_mode = false, probs_wanted = false, names_wanted = false, best = false;
    bool overwrite = false;
    double val_fraction = 0.1;
    FlagParser p("fnn predict",
                 "Predict classes: fnn predict RUN_DIR|--model M (--dataset D [--split S] | --idx "
                 "FILE | --pgm FILE...)\n"
                 "Prints CSV: index,label,predicted,confidence (label empty when unknown), then "
                 "with --probs one probability column per class.");
    p.add(text_flag("", "--model", "FILE", "model blob; or give a run directory first", model_path));
    p.add(switch_flag("", "--best", "with a run directory: its best.fnn instead of model.fnn",
                      best));
    p.add(text_flag("-d", "--dataset", "NAME", "a dataset split as input", dataset,
                    known_datasets()));
    p.add(text_flag("", "--split", "NAME", "with --dataset: which samples (default test)", split,
                    {"train", "val", "test"}));
    p.add(double_flag("", "--val_fraction", "F", "held-out share of the training set (default: the run's, else 0.1)",
                      val_fraction, 0, 0.5));
    p.add(text_flag("", "--idx", "FILE", "an IDX image file as input (uint8, count x rows x cols)",
                    idx_path));
    p.add(switch_flag("", "--pgm", "the remaining arguments are binary PGM images", pgm_mode));
    p.add(switch_flag("", "--probs", "also print every class probability (columns p_<class>)",
                      probs_wanted));
    p.add(switch_flag("", "--names",
                      "print class names instead of numbers (the model's, else the dataset's)",
                      names_wanted));
    p.add(text_flag("-o", "--output", "FILE", "write the CSV here instead of standard output",
                    out_path));
    p.add(switch_flag("", "--overwrite", "replace the -o file if it exists", overwrite));
    p.add(
        text_flag("", "--data_dir", "DIR", "where the .fnnd files are (default: data/)", data_dir));
    p.add(threads_flag(threads));
    const ParseResult parsed = p.parse(argc, argv, 2, &pgms);
    if (parsed != ParseResult::Ok) return parsed == ParseResult::Help ? 0 : 2;
    // Without --model the first positional argument is the run directory or model file.
    std::vector<std::string> model_args;
    if (model_path.empty() && !pgms.empty()) {
        model_args.push_back(pgms.front());
        pgms.erase(pgms.begin());
    }
    const int sources = !dataset.empty() + !idx_path.empty() + pgm_mode;
    if (sources != 1 || (pgm_mode && pgms.empty()) || (!pgm_mode && !pgms.empty())) {
        fprintf(stderr,
                "fnn predict: give a run directory or --model, and exactly one of --dataset, "
                "--idx FILE, --pgm FILE...\n");
        return 2;
    }
    std::string error;
    if (!model_argument(model_path, model_args, "fnn predict", best, model_path, error)) {
        fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    ErrorText err;
    if (!out_path.empty() && check_new_output(out_path, overwrite, &err) != Status::Ok) {
        fprintf(stderr, "fnn predict: %s\n", err.text);
        return 1;
    }
    LoadedModel model;
    if (!load_model(model_path, model, error)) {
        fprintf(stderr, "fnn predict: %s\n", error.c_str());
        return 1;
    }
    LoadedDataset train, test;
    Split s;
    if (!dataset.empty()) {
        const ModelOrigin origin = model_origin(model_path);
        if (!p.was_set("--val_fraction")) val_fraction = origin.val_fraction;
        const std::string dir = resolve_data_dir(data_dir, argv[0]);
        if (!load_dataset(dir, dataset, "train", train, error) ||
            !load_dataset(dir, dataset, "test", test, error) ||
            !select_split(train, test, split, val_fraction,
                          origin.dataset == dataset ? origin.limit_train : 0, s, error)) {
            fprintf(stderr, "fnn predict: %s\n", error.c_str());
            return 1;
        }
        if (static_cast<size_t>(s.data->features()) != model.inputs()) {
            fprintf(stderr, "fnn predict: %s has %d features, the model takes %zu\n",
                    dataset.c_str(), s.data->features(), model.inputs());
            return 1;
        }
    }
    // Class labels for --names and the probability columns.
    std::vector<std::string> names = model.names;
    if (names.empty() && s.data != nullptr &&
        static_cast<size_t>(s.data->classes()) == model.classes())
        names = class_names(*s.data);
    for (size_t k = names.size(); k < model.classes(); ++k) names.push_back(std::to_string(k));
    auto label_text = [&](long k) {
        return names_wanted ? csv_field(names[static_cast<size_t>(k)]) : std::to_string(k);
    };
    std::string csv = "index,label,predicted,confidence";
    if (probs_wanted) {
        for (size_t k = 0; k < model.classes(); ++k)
            csv += "," + csv_field("p_" + (names_wanted ? names[k] : std::to_string(k)));
    }
    csv += "\n";
    // The inputs first (the --pgm images read whole), then their predictions on the threads.
    std::vector<const uint8_t*> inputs;
    std::vector<long> labels;  // -1: unknown
    std::vector<uint8_t> idx_bytes;
    std::vector<std::vector<uint8_t>> pgm_pixels(pgms.size());
    if (!dataset.empty()) {
        for (int i = s.begin; i < s.begin + s.count; ++i) {
            inputs.push_back(s.data->sample(i));
            labels.push_back(s.data->labels[i]);
        }
    } else if (!idx_path.empty()) {
        IdxArray images;
        if (read_file(idx_path, idx_bytes, &err) != Status::Ok ||
            parse_idx(idx_bytes.data(), idx_bytes.size(), idx_path.c_str(), images, &err) !=
                Status::Ok) {
            fprintf(stderr, "fnn predict: %s\n", err.text);
            return 1;
        }
        const size_t per_image = images.count / images.dims[0];
        if (images.ndim < 2 || per_image != model.inputs()) {
            fprintf(stderr, "fnn predict: %s: %zu values per image, the model takes %zu\n",
                    idx_path.c_str(), per_image, model.inputs());
            return 1;
        }
        for (uint32_t i = 0; i < images.dims[0]; ++i) inputs.push_back(images.data + i * per_image);
        labels.assign(inputs.size(), -1);
    } else {
        for (size_t i = 0; i < pgms.size(); ++i) {
            if (!read_pgm(pgms[i], model.inputs(), pgm_pixels[i], error)) {
                fprintf(stderr, "fnn predict: %s\n", error.c_str());
                return 1;
            }
            inputs.push_back(pgm_pixels[i].data());
        }
        labels.assign(inputs.size(), -1);
    }
    Predictions all;
    if (!predict_many(model, inputs.size(), [&inputs](size_t i) { return inputs[i]; },
                      GemmThreads::count_or_all(threads), all, error)) {
        fprintf(stderr, "fnn predict: %s\n", error.c_str());
        return 1;
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
        std::string line =
            std::to_string(i) + "," + (labels[i] >= 0 ? label_text(labels[i]) : "");
        if (all.valid[i]) {
            const float* probs = all.of(i);
            const size_t k = fnn_argmax(probs, all.classes);
            char number[32];
            snprintf(number, sizeof number, "%.6f", static_cast<double>(probs[k]));
            line += "," + label_text(static_cast<long>(k)) + "," + number;
            for (size_t j = 0; probs_wanted && j < all.classes; ++j) {
                snprintf(number, sizeof number, ",%.6f", static_cast<double>(probs[j]));
                line += number;
            }
        } else {
            // The model overflowed: no prediction.
            line += ",," + std::string(probs_wanted ? all.classes : 0, ',');
        }
        csv += line + "\n";
    }
    if (out_path.empty()) {
        fputs(csv.c_str(), stdout);
        return 0;
    }
    if (write_file_atomic(out_path, csv, &err) != Status::Ok) {
        fprintf(stderr, "fnn predict: %s\n", err.text);
        return 1;
    }
    return 0;
}

}  // namespace fnn
