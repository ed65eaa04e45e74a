// The six update rules; formulas and references are in optimizer.hpp.
#include "fnn/optimizer.hpp"

#include "fnn/gemm_threads.hpp"
#include "fnn/phase_times.hpp"

#include <math.h>
#include <string.h>

#include "base/text_util.hpp"

namespace fnn {
namespace {

bool finite_in(float x, float lo, float hi) { return x >= lo && x <= hi; }  // false for NaN

}  // namespace

const char* optimizer_name(OptimizerKind kind) {
    switch (kind) {
        case OptimizerKind::Sgd: return "sgd";
        case OptimizerKind::Momentum: return "momentum";
        case OptimizerKind::Nag: return "nag";
        case OptimizerKind::Rmsprop: return "rmsprop";
        case OptimizerKind::Adam: return "adam";
        case OptimizerKind::Nadam: return "nadam";
    }
    return "?";
}

bool parse_optimizer(const char* text, OptimizerKind& out) {
    const OptimizerKind all[] = {OptimizerKind::Sgd,  OptimizerKind::Momentum,
                                 OptimizerKind::Nag,  OptimizerKind::Rmsprop,
                                 OptimizerKind::Adam, OptimizerKind::Nadam};
    for (OptimizerKind kind : all) {
        if (equals_ignoring_case(text, optimizer_name(kind))) {
            out = kind;
            return true;
        }
    }
    return false;
}

Status validate_optimizer(const OptimizerConfig& c, ErrorText* err) {
    const float kBig = 1e30f;
    if (!finite_in(c.learning_rate, 1e-38f, kBig)) {
        return fail(err, Status::Arg, "learning_rate: expected a finite value > 0, got %g",
                    static_cast<double>(c.learning_rate));
    }
    struct Field {
        const char* name;
        float value;
        float lo;
        float hi;
    };
    const float below_one = 0.99999994f;  // largest float < 1: a decay of 1 never forgets
    const Field fields[] = {
        {"momentum", c.momentum, 0.0f, below_one}, {"beta", c.beta, 0.0f, below_one},
        {"beta1", c.beta1, 0.0f, below_one},       {"beta2", c.beta2, 0.0f, below_one},
        {"epsilon", c.epsilon, 0.0f, kBig},        {"weight_decay", c.weight_decay, 0.0f, kBig}};
    for (const Field& f : fields) {
        if (!finite_in(f.value, f.lo, f.hi)) {
            return fail(err, Status::Arg, "%s: expected a value in [%g, %g], got %g", f.name,
                        static_cast<double>(f.lo), static_cast<double>(f.hi),
                        static_cast<double>(f.value));
        }
    }
    // These rules divide by sqrt(v) + epsilon; a parameter whose gradient has always been 0 (a
    // weight of an always-black pixel) then computes 0 / 0 = NaN.
    const bool divides = c.kind == OptimizerKind::Rmsprop || c.kind == OptimizerKind::Adam ||
                         c.kind == OptimizerKind::Nadam;
    if (divides && !(c.epsilon > 0.0f)) {
        return fail(err, Status::Arg,
                    "epsilon: %s divides by sqrt(v) + epsilon, so it must be > 0 (default 1e-8); "
                    "with 0 a parameter whose gradient was always 0 becomes 0/0 = NaN",
                    optimizer_name(c.kind));
    }
    return Status::Ok;
}

int optimizer_state_arrays(OptimizerKind kind) {
    switch (kind) {
        case OptimizerKind::Sgd: return 0;
        case OptimizerKind::Momentum:
        case OptimizerKind::Nag:
        case OptimizerKind::Rmsprop: return 1;
        case OptimizerKind::Adam:
        case OptimizerKind::Nadam: return 2;
    }
    return 0;
}

size_t Optimizer::bytes(OptimizerKind kind, size_t n_params) {
    return static_cast<size_t>(optimizer_state_arrays(kind)) * arena_floats(n_params);
}

Status Optimizer::init(const OptimizerConfig& config, size_t n_params, Arena& persistent,
                       ErrorText* err) {
    FNN_TRY(validate_optimizer(config, err));
    config_ = config;
    n_ = n_params;
    t_ = 0;
    beta1_power_ = 1.0;
    beta2_power_ = 1.0;
    const int arrays = optimizer_state_arrays(config.kind);
    state1_ = arrays >= 1 ? persistent.alloc_floats(n_params) : nullptr;
    state2_ = arrays >= 2 ? persistent.alloc_floats(n_params) : nullptr;
    if ((arrays >= 1 && state1_ == nullptr) || (arrays >= 2 && state2_ == nullptr)) {
        return fail(err, Status::NoMem, "optimizer: arena too small, need %zu bytes",
                    bytes(config.kind, n_params));
    }
    if (state1_ != nullptr) memset(state1_, 0, n_params * sizeof(float));
    if (state2_ != nullptr) memset(state2_, 0, n_params * sizeof(float));
    return Status::Ok;
}

void Optimizer::step(float* w, const float* g) {
    begin_step();
    update_range(w, g, 0, n_, GemmThreads::kRangeBlock);
}

void Optimizer::begin_step() {
    ++t_;
    if (config_.kind == OptimizerKind::Adam || config_.kind == OptimizerKind::Nadam) {
        beta1_power_ *= config_.beta1;
        beta2_power_ *= config_.beta2;
    }
}

void Optimizer::update_range(float* w, const float* g, size_t begin, size_t end, size_t block) {
    const PhaseScope timing(Phase::Optimizer);
    FNN_ASSERT(begin <= end && end <= n_);
    // Each parameter's update reads only its own gradient and state, so the threads of the
    // calling thread's GemmThreads pool can share the range (same bits for any count).
    struct Job {
        const Optimizer* self;
        float* w;
        const float* g;
        size_t begin;
    } job{this, w, g, begin};
    auto part = [](void* ctx, size_t from, size_t to) {
        const Job& j = *static_cast<const Job*>(ctx);
        j.self->update(j.w, j.g, j.begin + from, j.begin + to);
    };
    GemmThreads* pool = GemmThreads::current();
    if (pool == nullptr || !pool->run_range(end - begin, kMinSharedParams, part, &job, block))
        update(w, g, begin, end);
}

void Optimizer::update(float* w, const float* g, size_t begin, size_t end) const {
    const OptimizerConfig& c = config_;
    const float lr = c.learning_rate;
    const float decay = c.weight_decay;
    // L2 decay is folded into each loop (the compiler unswitches the invariant test), so the
    // parameters and gradients are streamed through the cache once per step.
    auto decayed = [decay, w, g](size_t i) { return decay != 0.0f ? g[i] + decay * w[i] : g[i]; };
    switch (c.kind) {
        case OptimizerKind::Sgd:
            for (size_t i = begin; i < end; ++i) w[i] -= lr * decayed(i);
            break;
        case OptimizerKind::Momentum: {
            float* u = state1_;
            for (size_t i = begin; i < end; ++i) {
                u[i] = c.momentum * u[i] + lr * decayed(i);
                w[i] -= u[i];
            }
            break;
        }
        case OptimizerKind::Nag: {
            float* u = state1_;
            for (size_t i = begin; i < end; ++i) {
                const float step = lr * decayed(i);
                u[i] = c.momentum * u[i] + step;
                w[i] -= c.momentum * u[i] + step;
            }
            break;
        }
        case OptimizerKind::Rmsprop: {
            float* s = state1_;
            const float keep = c.beta;
            const float take = 1.0f - c.beta;
            for (size_t i = begin; i < end; ++i) {
                const float gi = decayed(i);
                s[i] = keep * s[i] + take * (gi * gi);
                w[i] -= lr * gi / (sqrtf(s[i]) + c.epsilon);
            }
            break;
        }
        case OptimizerKind::Adam:
        case OptimizerKind::Nadam: {
            float* m = state1_;
            float* v = state2_;
            const float b1 = c.beta1, b2 = c.beta2;
            const float one_minus_b1 = 1.0f - b1, one_minus_b2 = 1.0f - b2;
            const float bias1 = static_cast<float>(1.0 - beta1_power_);
            const float inv_sqrt_bias2 = static_cast<float>(1.0 / sqrt(1.0 - beta2_power_));
            if (c.kind == OptimizerKind::Adam) {
                const float step_size = lr / bias1;
                for (size_t i = begin; i < end; ++i) {
                    const float gi = decayed(i);
                    m[i] = b1 * m[i] + one_minus_b1 * gi;
                    v[i] = b2 * v[i] + one_minus_b2 * (gi * gi);
                    w[i] -= step_size * m[i] / (sqrtf(v[i]) * inv_sqrt_bias2 + c.epsilon);
                }
            } else {
                const float inv_bias1 = 1.0f / bias1;
                for (size_t i = begin; i < end; ++i) {
                    const float gi = decayed(i);
                    m[i] = b1 * m[i] + one_minus_b1 * gi;
                    v[i] = b2 * v[i] + one_minus_b2 * (gi * gi);
                    const float look_ahead =
                        b1 * (m[i] * inv_bias1) + one_minus_b1 * gi * inv_bias1;
                    w[i] -= lr * look_ahead / (sqrtf(v[i]) * inv_sqrt_bias2 + c.epsilon);
                }
            }
            break;
        }
    }
}

}  // namespace fnn
