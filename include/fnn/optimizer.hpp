// Optimizers as update rules over flat parameter arrays (network.hpp explains why the layout
// is flat). Each step first adds L2 weight decay to the gradient, g <- g + weight_decay * w
// (coupled L2, as the course and torch.optim's weight_decay do), applied to every parameter.
// t counts steps from 1; every state array starts at 0.
//
//   sgd       w -= lr * g
//   momentum  u = momentum*u + lr*g;  w -= u                  (Polyak 1964, course form)
//   nag       u = momentum*u + lr*g;  w -= momentum*u + lr*g  (Nesterov 1983, in the form of
//             Sutskever et al. 2013 / Bengio et al. 2013 that stores the look-ahead point: the
//             gradient taken at w stands for the one at w - momentum*u)
//   rmsprop   s = beta*s + (1-beta)*g^2;  w -= lr * g / (sqrt(s) + epsilon)    (Hinton 2012, 6e)
//   adam      m = beta1*m + (1-beta1)*g;  v = beta2*v + (1-beta2)*g^2;
//             w -= (lr / (1-beta1^t)) * m / (sqrt(v) / sqrt(1-beta2^t) + epsilon)
//             (Kingma & Ba 2015, Algorithm 1; bias corrections arranged as torch.optim.Adam)
//   nadam     m, v as adam;  m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t);
//             w -= lr * (beta1*m_hat + (1-beta1)*g/(1-beta1^t)) / (sqrt(v_hat) + epsilon)
//             This is the simplified NAdam of Ruder 2016 ("An overview of gradient descent
//             optimization algorithms", section 4.7), which the course's NumPy implementations
//             use. Dozat 2016 ("Incorporating Nesterov Momentum into Adam", Algorithm 2 with a
//             constant momentum mu = beta1) corrects the momentum term by 1-beta1^(t+1) instead:
//             m_hat = beta1*m/(1-beta1^(t+1)) + (1-beta1)*g/(1-beta1^t). So fnn's first step is
//             (beta1 + 1) * lr = 1.9 lr along g/|g| against Dozat's (beta1*(1-beta1)/(1-beta1^2)
//             + 1) * lr = 1.47 lr, and the two converge as t grows. fnn keeps Ruder's form
//             because course users compare against implementations written from it.
//
// Where fnn differs from torch.optim, for people comparing numbers:
//   - nag: torch.optim.SGD(nesterov=True) keeps b = momentum*b + g and steps
//     w -= lr*(g + momentum*b): the same iterates as fnn's for a constant lr (u = lr*b). The
//     course's NAG instead evaluates the gradient at the look-ahead point w - momentum*u.
//   - momentum: torch keeps b = momentum*b + g and steps lr*b; the same for a constant lr.
//   - rmsprop: fnn's default decay beta is 0.9 (the course's); torch's alpha defaults to 0.99.
//   - nadam: torch.optim.NAdam multiplies beta1 by a schedule mu_t = beta1*(1 - 0.5 *
//     0.96^(t*momentum_decay)) (Dozat's with momentum_decay 0.004): neither formula above.
//   - mean_squared_error (loss.hpp) sums the squared error over the classes of a sample and
//     averages over samples: 10 x torch.nn.MSELoss() on 10 classes, which also averages over
//     the classes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "fnn/arena.hpp"
#include "fnn/status.hpp"

namespace fnn {

enum class OptimizerKind : unsigned char { Sgd, Momentum, Nag, Rmsprop, Adam, Nadam };

const char* optimizer_name(OptimizerKind kind);  // "sgd", "momentum", "nag", ...
bool parse_optimizer(const char* text, OptimizerKind& out);

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::Adam;
    float learning_rate = 1e-3f;
    float momentum = 0.9f;      // momentum, nag
    float beta = 0.9f;          // rmsprop decay of the squared-gradient average
    float beta1 = 0.9f;         // adam, nadam
    float beta2 = 0.999f;       // adam, nadam
    float epsilon = 1e-8f;      // rmsprop, adam, nadam
    float weight_decay = 0.0f;  // L2 coefficient
};

// Rejects non-finite or out-of-range hyperparameters (lr > 0, betas in [0, 1), epsilon >= 0...).
Status validate_optimizer(const OptimizerConfig& config, ErrorText* err);

// How many parameter-sized state arrays each rule keeps (0, 1 or 2).
int optimizer_state_arrays(OptimizerKind kind);

class Optimizer {
public:
    static size_t bytes(OptimizerKind kind, size_t n_params);

    // Carves the state from `persistent` and zeroes it.
    Status init(const OptimizerConfig& config, size_t n_params, Arena& persistent, ErrorText* err);

    // One update of params from grads (both n_params long). With a GemmThreads pool in use on
    // the calling thread (GemmThreads::Use), arrays of at least kMinSharedParams are updated in
    // parts by its threads; every parameter gets the same bits either way.
    void step(float* params, const float* grads);
    static constexpr size_t kMinSharedParams = 16384;

    // step() in pieces, for updating each layer as soon as backward has its gradients (while
    // they are still in cache): begin_step() once, then update_range() over every parameter
    // exactly once. Parts of a shared range are multiples of `block` parameters (the last part
    // takes the rest), so a caller can give each thread the rows it computed the gradient of.
    // Every parameter gets step()'s bits.
    void begin_step();
    void update_range(float* params, const float* grads, size_t begin, size_t end, size_t block);

    int64_t steps_taken() const { return t_; }
    // The rate the next steps use (learning-rate schedules change it between steps).
    void set_learning_rate(float lr) { config_.learning_rate = lr; }
    const OptimizerConfig& config() const { return config_; }

private:
    // Parameters [begin, end) of one step (t_ and the beta powers already advanced).
    void update(float* params, const float* grads, size_t begin, size_t end) const;

    OptimizerConfig config_;
    size_t n_ = 0;
    float* state1_ = nullptr;  // u (momentum, nag), s (rmsprop), m (adam, nadam)
    float* state2_ = nullptr;  // v (adam, nadam)
    int64_t t_ = 0;
    double beta1_power_ = 1.0;  // beta1^t and beta2^t, kept by multiplication: the same on
    double beta2_power_ = 1.0;  // every platform, unlike pow()
};

}  // namespace fnn
