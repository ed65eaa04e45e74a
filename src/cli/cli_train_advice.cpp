// Advice for runs stuck at chance (see cli_train_advice.hpp).
#include "cli/cli_train_advice.hpp"

#include <math.h>
#include <stdio.h>

namespace fnn {

std::string chance_warning(const TrainConfig& c, const std::vector<EpochMetrics>& history,
                           int classes) {
    double best = NAN;
    for (const EpochMetrics& m : history) {
        if (isfinite(m.val_acc) && !(best >= m.val_acc)) best = m.val_acc;
    }
    const double chance = 1.0 / classes;
    if (!isfinite(best) || best >= chance + 0.05) return "";
    std::vector<std::string> causes;
    const float lr = c.opt.learning_rate;
    const bool adaptive = c.opt.kind == OptimizerKind::Rmsprop || c.opt.kind == OptimizerKind::Adam ||
                          c.opt.kind == OptimizerKind::Nadam;
    char text[200];
    if ((adaptive && lr > 0.01f) || (!adaptive && lr > 0.5f)) {
        snprintf(text, sizeof text, "the learning rate %g is high for %s (try 1e-3 for adam, "
                 "0.01-0.1 for sgd)", static_cast<double>(lr), optimizer_name(c.opt.kind));
        causes.push_back(text);
    } else if (lr < 1e-5f) {
        snprintf(text, sizeof text, "the learning rate %g is too low to move in %d epochs",
                 static_cast<double>(lr), c.epochs);
        causes.push_back(text);
    }
    if (c.opt.weight_decay >= 0.05f) {
        snprintf(text, sizeof text, "weight decay %g pulls every weight to 0 (try 0 or 5e-4)",
                 static_cast<double>(c.opt.weight_decay));
        causes.push_back(text);
    }
    if (c.init == Init::Random && c.net.n_hidden >= 2) {
        causes.push_back("random init (N(0, 0.01^2)) makes signals vanish through " +
                         std::to_string(c.net.n_hidden) + " layers (try xavier or he)");
    }
    if (c.net.hidden_act == Activation::Sigmoid && c.net.n_hidden >= 3) {
        causes.push_back("sigmoid gradients shrink through deep stacks (try relu or tanh)");
    }
    if (causes.empty())
        causes.push_back("the learning rate, the weight init or the activation (try adam 1e-3, "
                         "xavier, relu)");
    std::string line;
    snprintf(text, sizeof text,
             "warning: validation accuracy never rose above chance (best %.2f%%, chance %.2f%% "
             "for %d classes); likely: ",
             100 * best, 100 * chance, classes);
    line = text;
    for (size_t i = 0; i < causes.size(); ++i) line += (i ? "; " : "") + causes[i];
    return line;
}

}  // namespace fnn
