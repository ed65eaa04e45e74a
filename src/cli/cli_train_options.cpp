// fnn train's flags: parsing the course's flag set into TrainOptions, from a command line or
// from a sweep trial's list of flags.
#include "cli/cli_train_options.hpp"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli/cli_arch.hpp"
#include "cli/cli_config_file.hpp"
#include "cli/cli_data.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_flags.hpp"

namespace fnn {
namespace {

// "-sz 128" or "-sz 256,128": one width for every layer, or one per layer.
bool parse_widths(const std::string& text, std::vector<int>& out, std::string& error) {
    std::vector<int> widths;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        long w = 0;
        if (!parse_int_value(item, 1, kMaxUnits, w, error)) return false;
        widths.push_back(static_cast<int>(w));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    out = widths;
    return true;
}

template <typename Enum>
std::vector<std::string> names_of(const std::vector<Enum>& values, const char* (*name)(Enum)) {
    std::vector<std::string> out;
    for (Enum v : values) out.push_back(name(v));
    return out;
}

// Binds a float hyperparameter flag within [lo, hi].
Flag float_flag(const char* short_name, const char* long_name, const char* help, float& target,
                double lo, double hi) {
    char text[160];
    snprintf(text, sizeof text, "%s (default %g)", help, static_cast<double>(target));
    return Flag{short_name,
                long_name,
                "X",
                text,
                {},
                [&target, lo, hi](const std::string& v, std::string& e) {
                    double d = 0;
                    if (!parse_double_value(v, lo, hi, d, e)) return false;
                    target = static_cast<float>(d);
                    return true;
                }};
}

}  // namespace

namespace {

// Other spellings course scripts and W&B sweep files use for fnn train's settings.
const struct {
    const char* flag;
    std::vector<std::string> names;
} kOtherNames[] = {
    {"--learning_rate", {"--eta", "--lr"}},
    {"--num_layers", {"--hidden_layers", "--n_hidden", "--num_hidden_layers", "--n_layers", "--nhl"}},
    {"--hidden_size", {"--hidden_layer_size", "--hidden_sizes", "--hidden_units", "--sz"}},
    {"--weight_decay", {"--wd", "--alpha", "--l2", "--w_d"}},
    {"--activation", {"--activation_function", "--act"}},
    {"--optimizer", {"--opt"}},
    {"--weight_init", {"--weight_initialization", "--weight_initialisation", "--initializer",
                       "--initialization", "--w_i"}},
    {"--batch_size", {"--bs"}},
    {"--epochs", {"--num_epochs", "--n_epochs", "--max_epochs", "--epoch"}},
    {"--loss", {"--loss_function"}},
    {"--dataset", {"--data"}},
    {"--epsilon", {"--eps"}},
    {"--init", {"--init_model"}},
};

// Flags that say where a run goes or how it reports, not how it trains.
bool is_plumbing(const std::string& long_name) {
    for (const char* p : {"--out", "--data_dir", "--journal", "--trial", "--quiet", "--overwrite",
                          "--config", "--init", "--wandb_project", "--wandb_entity"}) {
        if (long_name == p) return true;
    }
    return false;
}

}  // namespace

TrainConfig TrainOptions::default_config() {
    TrainConfig c;
    c.epochs = 25;
    c.batch_size = 64;
    c.loss = Loss::CrossEntropy;
    c.init = Init::Xavier;
    c.net.hidden_act = Activation::Relu;
    c.opt.kind = OptimizerKind::Adam;
    c.opt.learning_rate = 5e-4f;
    c.opt.weight_decay = 0.0f;
    c.seed = 1;
    c.threads = 0;  // finish_train_options: every core the process may use
    return c;
}

void add_train_flags(FlagParser& p, TrainOptions& o) {
    TrainConfig& c = o.config;
    Flag dataset = text_flag("-d", "--dataset", "NAME", "dataset to train on (default fashion_mnist)",
                             o.dataset, known_datasets());
    dataset.aliases = {{"fmnist", "fashion_mnist"}, {"fashion", "fashion_mnist"}};
    p.add(dataset);
    p.add(int_flag("-e", "--epochs", "N",
                   "passes over the training set (default " + std::to_string(c.epochs) + ")",
                   c.epochs, 1, 100000));
    p.add(int_flag("-b", "--batch_size", "N",
                   "samples per mini-batch (default " + std::to_string(c.batch_size) + ")",
                   c.batch_size, 1, 65536));
    p.add({"-l",
           "--loss",
           "NAME",
           std::string("training loss (default ") + loss_name(c.loss) + ")",
           {"cross_entropy", "mean_squared_error"},
           [&c](const std::string& v, std::string&) { return parse_loss(v.c_str(), c.loss); },
           {{"mse", "mean_squared_error"},
            {"squared_error", "mean_squared_error"},
            {"mean_squared", "mean_squared_error"},
            {"cross_entropy_loss", "cross_entropy"},
            {"crossentropy", "cross_entropy"},
            {"categorical_crossentropy", "cross_entropy"},
            {"ce", "cross_entropy"}}});
    p.add({"-o", "--optimizer", "NAME",
           std::string("update rule (default ") + optimizer_name(c.opt.kind) + ")",
           names_of<OptimizerKind>(
               {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Nag,
                OptimizerKind::Rmsprop, OptimizerKind::Adam, OptimizerKind::Nadam},
               optimizer_name),
           [&c](const std::string& v, std::string&) {
               return parse_optimizer(v.c_str(), c.opt.kind);
           },
           {{"nesterov", "nag"},
            {"nesterov_momentum", "nag"},
            {"nesterov_accelerated_gradient", "nag"},
            {"rms_prop", "rmsprop"},
            {"sgd_momentum", "momentum"}}});
    p.add(float_flag("-lr", "--learning_rate", "step size", c.opt.learning_rate, 1e-30, 1e6));
    p.add(float_flag("-m", "--momentum", "momentum and nag: velocity decay", c.opt.momentum, 0,
                     0.9999999));
    p.add(
        float_flag("-beta", "--beta", "rmsprop: squared-gradient decay", c.opt.beta, 0, 0.9999999));
    p.add(float_flag("-beta1", "--beta1", "adam and nadam: first-moment decay", c.opt.beta1, 0,
                     0.9999999));
    p.add(float_flag("-beta2", "--beta2", "adam and nadam: second-moment decay", c.opt.beta2, 0,
                     0.9999999));
    p.add(float_flag("-eps", "--epsilon", "rmsprop, adam, nadam: denominator guard", c.opt.epsilon,
                     0, 1));
    p.add(float_flag("-w_d", "--weight_decay", "L2 coefficient added to every gradient",
                     c.opt.weight_decay, 0, 1e6));
    p.add({"-w_i",
           "--weight_init",
           "NAME",
           std::string("initial weights (default ") + init_name(c.init) + ")",
           {"random", "xavier", "he"},
           [&c](const std::string& v, std::string&) { return parse_init(v.c_str(), c.init); },
           {{"normal", "random"},
            {"gaussian", "random"},
            {"glorot", "xavier"},
            {"glorot_uniform", "xavier"},
            {"xavier_uniform", "xavier"},
            {"kaiming", "he"},
            {"kaiming_normal", "he"},
            {"he_normal", "he"}}});
    p.add({"-nhl",
           "--num_layers",
           "N",
           "hidden layers (default " + std::to_string(o.num_layers) + ")",
           {},
           [&o](const std::string& v, std::string& e) {
               return parse_int_value(v, 0, kMaxLayers - 1, o.num_layers, e);
           }});
    p.add({"-sz",
           "--hidden_size",
           "N[,N...]",
           "units per hidden layer, or one width per layer (default " +
               std::to_string(o.widths[0]) + ")",
           {},
           [&o](const std::string& v, std::string& e) { return parse_widths(v, o.widths, e); }});
    p.add({"-a",
           "--activation",
           "NAME",
           std::string("hidden activation (default ") + activation_name(c.net.hidden_act) + ")",
           {"identity", "sigmoid", "tanh", "relu"},
           [&c](const std::string& v, std::string&) {
               return parse_hidden_activation(v.c_str(), c.net.hidden_act);
           },
           {{"linear", "identity"}, {"none", "identity"}, {"logistic", "sigmoid"}}});
    p.add({"",
           "--seed",
           "N",
           "seed for initialisation and shuffling (default " + std::to_string(c.seed) + ")",
           {},
           [&c](const std::string& v, std::string& e) { return parse_u64_value(v, c.seed, e); }});
    p.add(double_flag("", "--val_fraction", "F",
                      "share of the training set held out for validation (default 0.1)",
                      c.val_fraction, 0, 0.5));
    p.add(text_flag("", "--out", "DIR", "run directory (default runs/<dataset>-<date>-<time>)",
                    o.out_dir));
    p.add(text_flag("", "--data_dir", "DIR",
                    "where <dataset>-train.fnnd and -test.fnnd live (default: data/)", o.data_dir));
    p.add(int_flag("", "--limit_train", "N",
                   "train on the first N training samples only (default: all)", o.limit_train, 2,
                   kMaxSamples));
    p.add(text_flag("", "--journal", "FILE",
                    "also append this run as one JSON line to FILE (sweep trials)", o.journal));
    p.add(
        int_flag("", "--trial", "N", "trial id for --journal (default -1)", o.trial, 0, 1L << 30));
    p.add(switch_flag("-q", "--quiet", "print only the final result", o.quiet));
    p.add(text_flag("", "--arch", "LAYERS",
                    "the network's layers, e.g. conv32k3,relu,pool2,dense128,relu, or a preset "
                    "(cnn1, cnn2) with its recipe; replaces -nhl, -sz and -a",
                    o.arch));
    p.add(text_flag("", "--dropout", "P[,P...]",
                    "with --arch: the rate of every dropout layer (one value), or of each in order",
                    o.dropout));
    // Beyond the course's flag set: long runs, continuing, and settings from a file.
    p.add({"",
           "--lr_schedule",
           "NAME",
           "learning rate over the run: constant, step (x lr_gamma every lr_step_epochs) or cosine "
           "(down to lr_min) (default constant)",
           {"constant", "step", "cosine"},
           [&c](const std::string& v, std::string&) {
               return parse_lr_schedule(v.c_str(), c.schedule.kind);
           }});
    p.add(int_flag("", "--lr_step_epochs", "N", "step schedule: epochs between decays (default 10)",
                   c.schedule.step_epochs, 1, 100000));
    p.add(double_flag("", "--lr_gamma", "F", "step schedule: factor of each decay (default 0.1)",
                      c.schedule.gamma, 1e-12, 1));
    p.add(double_flag("", "--lr_min", "F", "cosine schedule: the final learning rate (default 0)",
                      c.schedule.min_lr, 0, 1e6));
    p.add(double_flag("", "--lr_warmup_epochs", "F",
                      "linear warm-up of the learning rate over the first F epochs (default 0)",
                      c.schedule.warmup_epochs, 0, 100000));
    p.add(int_flag("", "--threads", "N",
                   "threads sharing the matrix products, the layers and the optimizer update; the "
                   "model is the same bits for any N (default 0: up to every core this process may "
                   "use, as many as measured fastest)",
                   c.threads, 0, GemmThreads::kMaxThreads));
    p.add(int_flag("", "--early_stop", "N",
                   "stop after N epochs without a better validation metric (default 0: never)",
                   c.early_stop, 0, 100000));
    p.add({"",
           "--monitor",
           "NAME",
           "validation metric that picks best.fnn and drives --early_stop (default val_acc)",
           {"val_acc", "val_loss"},
           [&c](const std::string& v, std::string&) { return parse_monitor(v.c_str(), c.monitor); },
           {{"val_accuracy", "val_acc"}, {"validation_loss", "val_loss"}}});
    p.add(text_flag("", "--init", "MODEL",
                    "start from this model's parameters (same architecture) instead of random ones",
                    o.init_model));
    p.add(switch_flag("", "--overwrite", "replace the run already in --out", o.overwrite));
    p.add({"",
           "--config",
           "FILE",
           "read settings from a YAML file (key: value per flag, or a sweep file's value: "
           "entries); flags after it override it",
           {},
           [&p](const std::string& v, std::string& e) { return apply_config_file(v, p, e); }});
    // Course train.py scripts carry these; fnn logs to its run directory instead.
    p.add({"-wp", "--wandb_project", "NAME", "accepted and ignored: fnn logs to the run directory",
           {}, [&o](const std::string&, std::string&) {
               o.ignored.push_back("--wandb_project");
               return true;
           }});
    p.add({"-we", "--wandb_entity", "NAME", "accepted and ignored: fnn logs to the run directory",
           {}, [&o](const std::string&, std::string&) {
               o.ignored.push_back("--wandb_entity");
               return true;
           }});
    for (const auto& other : kOtherNames) p.add_other_names(other.flag, other.names);
}

std::string setting_name(const std::string& written) {
    if (written == "init") return "weight_init";  // sweep files' "init" is the weight init
    TrainOptions o;
    FlagParser p("", "");
    add_train_flags(p, o);
    const Flag* f = p.find("--" + written);
    if (f == nullptr) f = p.find("-" + written);
    if (f == nullptr || is_plumbing(f->long_name)) return "";
    return f->long_name.substr(2);
}

std::vector<std::string> setting_names() {
    TrainOptions o;
    FlagParser p("", "");
    add_train_flags(p, o);
    std::vector<std::string> out;
    for (const std::string& s : p.spellings()) {
        if (s.compare(0, 2, "--") == 0 && !setting_name(s.substr(2)).empty())
            out.push_back(s.substr(2));
    }
    return out;
}

std::string canonical_value(const std::string& name, const std::string& value) {
    TrainOptions o;
    FlagParser p("", "");
    add_train_flags(p, o);
    const Flag* f = p.find("--" + name);
    if (f == nullptr || f->choices.empty()) return value;
    const std::string choice = match_choice(*f, value);
    return choice.empty() ? value : choice;
}

std::vector<std::string> full_train_args(const TrainOptions& o) {
    const TrainConfig& c = o.config;
    // The shortest text that reads back as the same value: the command trains the same bits.
    auto number = [](float v) { return json_float(v); };
    auto real = [](double v) { return json_number(v); };
    std::string widths;
    for (int l = 0; l < c.net.n_hidden; ++l)
        widths += (l ? "," : "") + std::to_string(c.net.hidden_widths[l]);
    std::vector<std::string> args = {
        "--dataset", o.dataset,
        "--epochs", std::to_string(c.epochs),
        "--batch_size", std::to_string(c.batch_size),
        "--loss", loss_name(c.loss),
        "--optimizer", optimizer_name(c.opt.kind),
        "--learning_rate", number(c.opt.learning_rate),
        "--momentum", number(c.opt.momentum),
        "--beta", number(c.opt.beta),
        "--beta1", number(c.opt.beta1),
        "--beta2", number(c.opt.beta2),
        "--epsilon", number(c.opt.epsilon),
        "--weight_decay", number(c.opt.weight_decay),
        "--weight_init", init_name(c.init)};
    if (!o.arch.empty()) {
        args.insert(args.end(), {"--arch", o.arch});
        if (!o.dropout.empty()) args.insert(args.end(), {"--dropout", o.dropout});
    } else {
        args.insert(args.end(), {"--num_layers", std::to_string(c.net.n_hidden)});
        if (c.net.n_hidden > 0) args.insert(args.end(), {"--hidden_size", widths});
        args.insert(args.end(), {"--activation", activation_name(c.net.hidden_act)});
    }
    args.insert(args.end(),
                {"--seed", std::to_string(c.seed),
                 "--val_fraction", real(c.val_fraction),
                 "--lr_schedule", lr_schedule_name(c.schedule.kind),
                 "--lr_step_epochs", std::to_string(c.schedule.step_epochs),
                 "--lr_gamma", real(c.schedule.gamma),
                 "--lr_min", real(c.schedule.min_lr),
                 "--lr_warmup_epochs", real(c.schedule.warmup_epochs),
                 "--early_stop", std::to_string(c.early_stop),
                 "--monitor", monitor_name(c.monitor)});
    if (o.limit_train > 0) args.insert(args.end(), {"--limit_train", std::to_string(o.limit_train)});
    return args;
}

bool finish_train_options(FlagParser& p, TrainOptions& o, std::string& error) {
    // 0: up to every core, as many as the steps' measured times favour (ThreadTuner).
    o.config.tune_threads = o.config.threads == 0;
    o.config.threads = GemmThreads::count_or_all(o.config.threads);
    NetworkSpec& net = o.config.net;
    net.n_specs = 0;
    if (!o.dropout.empty() && o.arch.empty()) {
        error = "--dropout sets the rates of --arch's dropout layers; give --arch";
        return false;
    }
    if (!o.arch.empty()) {
        for (const char* mlp : {"--num_layers", "--hidden_size", "--activation"}) {
            if (p.was_set(mlp)) {
                error = std::string("--arch gives the layers; ") + mlp + " is for the default MLP";
                return false;
            }
        }
        std::vector<LayerSpec> specs;
        if (!parse_architecture(o.arch, specs, error)) {
            error = "--arch: " + error;
            return false;
        }
        if (!o.dropout.empty() && !apply_dropout_rates(o.dropout, specs, error)) {
            error = "--dropout " + o.dropout + ": " + error;
            return false;
        }
        net.n_specs = static_cast<int>(specs.size());
        for (size_t i = 0; i < specs.size(); ++i) net.specs[i] = specs[i];
        // A preset's recipe, for every setting the flags left alone.
        const std::vector<std::string> defaults = preset_defaults(o.arch);
        for (size_t i = 0; i + 1 < defaults.size(); i += 2) {
            if (p.was_set(defaults[i])) continue;
            std::string message;
            const ParseResult r = p.parse_list({defaults[i], defaults[i + 1]}, nullptr, message);
            FNN_ASSERT(r == ParseResult::Ok);  // presets hold valid settings
        }
        return true;
    }
    if (o.widths.size() > 1) {
        if (p.was_set("--num_layers") && o.num_layers != static_cast<long>(o.widths.size())) {
            error = "--num_layers " + std::to_string(o.num_layers) + " disagrees with the " +
                    std::to_string(o.widths.size()) + " widths given to --hidden_size";
            return false;
        }
        o.num_layers = static_cast<long>(o.widths.size());
    }
    if (o.num_layers > kMaxLayers - 1) {
        error = "at most " + std::to_string(kMaxLayers - 1) + " hidden layers";
        return false;
    }
    net.n_hidden = static_cast<int>(o.num_layers);
    for (int l = 0; l < net.n_hidden; ++l)
        net.hidden_widths[l] = o.widths.size() > 1 ? o.widths[l] : o.widths[0];
    return true;
}

bool train_options_from_args(const std::vector<std::string>& args, TrainOptions& out,
                             std::string& error) {
    TrainOptions o;
    FlagParser parser("fnn train", "");
    add_train_flags(parser, o);
    if (parser.parse_list(args, nullptr, error) != ParseResult::Ok) {
        if (error.rfind("usage:", 0) == 0) error = "--help is not a training setting";
        return false;
    }
    if (!finish_train_options(parser, o, error)) return false;
    out = o;
    return true;
}

}  // namespace fnn
