// Training loop: arena planning, batches, epochs, evaluation and divergence handling.
#include "fnn/trainer.hpp"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <chrono>

#include "fnn/phase_times.hpp"
#include "nn/flush_denormals.hpp"

namespace fnn {
namespace {

// Asks for a sample's bytes ahead of their use, one cache line at a time, into the cache levels
// that __builtin_prefetch's locality kLocality names (3: all of them, 2: L2 and beyond).
template <int kLocality>
void prefetch_sample(const Dataset& data, int index) {
    const uint8_t* pixels = data.sample(index);
    for (int offset = 0; offset < data.features(); offset += 64)
        __builtin_prefetch(pixels + offset, /*read*/ 0, kLocality);
}

// Rows per forward pass when only evaluating: up to 256, fewer when their layer outputs would
// pass 16 MB (a CNN's activations are large), never fewer than a training batch. Rows are
// evaluated independently, so this changes the memory, never the results.
constexpr int kEvalBatch = 256;
constexpr size_t kEvalOutputBytes = size_t(16) << 20;

int eval_batch_for(const NetworkShape& shape, int batch_size) {
    size_t per_row = 0;
    for (int l = 0; l < shape.n_layers; ++l) per_row += sizeof(float) * shape.layers[l].n_out;
    size_t rows = kEvalOutputBytes / (per_row > 0 ? per_row : 1);
    rows = rows < static_cast<size_t>(kEvalBatch) ? rows : kEvalBatch;
    return rows > static_cast<size_t>(batch_size) ? static_cast<int>(rows) : batch_size;
}

// True when every value is finite. The GEMM skips products with zero inputs, so a weight that
// only ever meets zero inputs could turn NaN without the loss showing it; this catches it.
bool all_finite(const float* v, size_t n) {
    bool ok = true;
    for (size_t i = 0; i < n; ++i) ok = ok && (v[i] - v[i] == 0.0f);  // false for NaN and inf
    return ok;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

const char* monitor_name(Monitor m) { return m == Monitor::ValAcc ? "val_acc" : "val_loss"; }

bool parse_monitor(const char* text, Monitor& out) {
    for (Monitor m : {Monitor::ValAcc, Monitor::ValLoss}) {
        if (strcmp(text, monitor_name(m)) == 0) {
            out = m;
            return true;
        }
    }
    return false;
}

Status Trainer::setup(const TrainConfig& config, const Dataset& train_set, ErrorText* err) {
    if (config.epochs < 1 || config.epochs > 100000) {
        return fail(err, Status::Arg, "epochs: expected 1..100000, got %d", config.epochs);
    }
    if (config.batch_size < 1 || config.batch_size > 65536) {
        return fail(err, Status::Arg, "batch_size: expected 1..65536, got %d", config.batch_size);
    }
    if (!(config.val_fraction >= 0.0 && config.val_fraction <= 0.5)) {
        return fail(err, Status::Arg, "val_fraction: expected 0..0.5, got %g", config.val_fraction);
    }
    FNN_TRY(validate_optimizer(config.opt, err));
    const LrSchedule& sched = config.schedule;
    if (sched.step_epochs < 1 || !(sched.gamma > 0.0 && sched.gamma <= 1.0) ||
        !(sched.min_lr >= 0.0 && sched.min_lr < config.opt.learning_rate) ||
        !(sched.warmup_epochs >= 0.0 && sched.warmup_epochs <= config.epochs)) {
        return fail(err, Status::Arg,
                    "lr_schedule: expected step_epochs >= 1, 0 < gamma <= 1, 0 <= lr_min < "
                    "learning_rate and 0 <= warmup_epochs <= epochs; got %d, %g, %g, %g",
                    sched.step_epochs, sched.gamma, sched.min_lr, sched.warmup_epochs);
    }
    if (config.early_stop < 0)
        return fail(err, Status::Arg, "early_stop: expected >= 0, got %d", config.early_stop);
    if (config.threads < 1 || config.threads > GemmThreads::kMaxThreads) {
        return fail(err, Status::Arg, "threads: expected 1..%d, got %d", GemmThreads::kMaxThreads,
                    config.threads);
    }
    config_ = config;
    config_.net.n_in = train_set.features();
    config_.net.n_classes = train_set.classes();
    config_.net.input = Shape3{static_cast<int>(train_set.header.channels),
                               static_cast<int>(train_set.header.rows),
                               static_cast<int>(train_set.header.cols)};
    train_ = train_set;
    n_val_ = static_cast<int>(llround(train_set.count() * config.val_fraction));
    n_train_ = train_set.count() - n_val_;
    if (n_train_ < 1)
        return fail(err, Status::Arg, "dataset: no training samples left after holding out %d",
                    n_val_);
    if (config.early_stop > 0 && n_val_ == 0) {
        return fail(err, Status::Arg,
                    "early_stop: needs validation samples to watch (val_fraction is 0)");
    }

    NetworkShape shape;
    FNN_TRY(plan_network(config_.net, shape, err));
    const int max_batch = eval_batch_for(shape, config.batch_size);
    const size_t features = static_cast<size_t>(train_set.features());
    const size_t plan = Network::bytes(shape, max_batch, config.batch_size) +
                        Optimizer::bytes(config.opt.kind, shape.n_params) +
                        arena_floats(shape.n_params) +                 // last good params
                        arena_floats(shape.n_state > 0 ? shape.n_state : 1) +  // and state
                        arena_floats(features * max_batch) +           // batch inputs
                        arena_round(static_cast<size_t>(max_batch)) +  // batch labels
                        arena_round(sizeof(int) * static_cast<size_t>(n_train_)) +  // shuffle order
                        Network::scratch_bytes(shape, max_batch) +
                        GemmThreads::bytes(config.threads);            // workers' pack buffers
    threads_.reset();  // joins the workers of an earlier setup() before their buffers go
    buffer_.assign(arena_buffer_bytes(plan), 0);
    arena_ = Arena(buffer_.data(), buffer_.size());
    threads_.reset(new GemmThreads);
    FNN_TRY(threads_->start(config.threads, arena_, err));
    tuner_ = ThreadTuner(config.tune_threads ? config.threads : 1);
    FNN_TRY(network_.init(shape, max_batch, config.batch_size, arena_, err));
    FNN_TRY(optimizer_.init(config.opt, shape.n_params, arena_, err));
    good_params_ = arena_.alloc_floats(shape.n_params);
    good_state_ = arena_.alloc_floats(shape.n_state > 0 ? shape.n_state : 1);
    x_ = arena_.alloc_mat(max_batch, static_cast<int>(features));
    labels_ = static_cast<uint8_t*>(arena_.alloc(static_cast<size_t>(max_batch)));
    order_ = static_cast<int*>(arena_.alloc(sizeof(int) * static_cast<size_t>(n_train_)));
    FNN_ASSERT(good_params_ && good_state_ && x_.data && labels_ && order_);  // planned above
    for (int i = 0; i < n_train_; ++i) order_[i] = i;

    Rng init_rng(config.seed, /*stream=*/0);
    init_parameters(shape, config.init, network_.params(), network_.state(), init_rng);
    dropout_rng_ = Rng(config.seed, /*stream=*/4);
    network_.set_dropout_rng(&dropout_rng_);
    remember_good_params();
    history_.clear();
    history_.reserve(static_cast<size_t>(config.epochs));
    return Status::Ok;
}

void Trainer::set_parameters(const float* params, const float* state) {
    memcpy(network_.params(), params, shape().n_params * sizeof(float));
    if (state != nullptr) memcpy(network_.state(), state, shape().n_state * sizeof(float));
    remember_good_params();
}

void Trainer::remember_good_params() {
    memcpy(good_params_, network_.params(), shape().n_params * sizeof(float));
    memcpy(good_state_, network_.state(), shape().n_state * sizeof(float));
}

void Trainer::restore_good_params() {
    memcpy(network_.params(), good_params_, shape().n_params * sizeof(float));
    memcpy(network_.state(), good_state_, shape().n_state * sizeof(float));
}

void Trainer::load_batch(const Dataset& data, const int* indices, int first, int count) {
    const PhaseScope timing(Phase::Data);
    const int features = data.features();
    // Shuffled samples are scattered over a dataset larger than the last-level cache: ask for the
    // rows a few samples ahead so the conversion below does not wait on memory.
    constexpr int kPrefetchAhead = 4;
    // Rows are independent: the calling thread's pool shares them.
    share_rows(count, static_cast<size_t>(features), [&](size_t begin, size_t end) {
        const int r0 = static_cast<int>(begin), r1 = static_cast<int>(end);
        for (int r = r0; r < r1; ++r) {
            if (indices != nullptr && r + kPrefetchAhead < r1)
                prefetch_sample<3>(data, indices[r + kPrefetchAhead]);
            const uint8_t* pixels = data.sample(indices != nullptr ? indices[r] : first + r);
            float* row = x_.row(r);
            for (int f = 0; f < features; ++f) row[f] = static_cast<float>(pixels[f]) / 255.0f;
            labels_[r] = data.labels[indices != nullptr ? indices[r] : first + r];
        }
    });
}

BatchScore Trainer::train_step(const int* order, int batch, const int* next_order,
                                int next_batch) {
    const GemmThreads::Use use(threads_.get());
    load_batch(train_, order, 0, batch);
    // Shuffled samples are scattered over a dataset larger than the caches: ask for the next
    // batch's now (into L2), so they arrive while this step computes, not when it is loaded.
    for (int r = 0; r < next_batch; ++r) prefetch_sample<2>(train_, next_order[r]);
    const ConstMatView x = x_.row_range(0, batch);
    const ConstMatView logits = network_.forward(x, arena_, GemmArithmetic::Fast, /*training=*/true);
    const BatchScore score =
        loss_forward_backward(config_.loss, logits, labels_, network_.logits_grad(batch));
    if (!isfinite(score.loss_sum)) return score;  // the caller stops; parameters stay as they were
    // Each layer is updated as soon as backward has its gradients, while they are in cache;
    // a weight matrix is shared among the threads by the rows each computed the gradient of
    // (the GEMM dW = x^T dy, w_rows x w_cols, is cut by MR-row slivers when cuts_by_rows()).
    optimizer_.begin_step();
    struct Update {
        Trainer* self;
        static void layer(void* ctx, const LayerDesc& d) {
            Trainer& t = *static_cast<Update*>(ctx)->self;
            const ParamRange r = layer_params(d);
            const size_t block = d.has_weights() && GemmThreads::cuts_by_rows(d.w_rows, d.w_cols)
                                     ? static_cast<size_t>(kGemmMR) * d.w_cols
                                     : GemmThreads::kRangeBlock;
            t.optimizer_.update_range(t.network_.params(), t.network_.grads(), r.begin, r.end,
                                      block);
        }
    } update{this};
    const Network::LayerReady ready{Update::layer, &update};
    network_.backward(x, arena_, nullptr, &ready);
    return score;
}

Trainer::PassResult Trainer::train_pass(int epoch, TrainObserver* observer) {
    FlushDenormals flush_during_training;
    PassResult pass;
    const int batch = config_.batch_size;
    pass.steps = (n_train_ + batch - 1) / batch;  // the last, partial batch is kept
    const long total_steps = static_cast<long>(pass.steps) * config_.epochs;
    for (int step = 0; step < pass.steps; ++step) {
        const int first = step * batch;
        const int count = n_train_ - first < batch ? n_train_ - first : batch;
        const long global_step = static_cast<long>(epoch - 1) * pass.steps + step;
        optimizer_.set_learning_rate(scheduled_lr(config_.schedule, config_.opt.learning_rate,
                                                  global_step, pass.steps, total_steps));
        const int next = first + count;
        if (config_.tune_threads) threads_->set_active_threads(tuner_.threads());
        const auto started = std::chrono::steady_clock::now();
        const BatchScore score = train_step(order_ + first, count, order_ + next,
                                            n_train_ - next < batch ? n_train_ - next : batch);
        if (config_.tune_threads) tuner_.record(seconds_since(started));
        if (!isfinite(score.loss_sum)) {
            pass.failed_step = step + 1;
            pass.bad_loss = score.loss_sum;
            return pass;
        }
        pass.loss_sum += score.loss_sum;
        pass.correct += score.correct;
        if (observer != nullptr) {
            observer->on_step(epoch, step + 1, pass.steps, pass.loss_sum / (first + count));
            // Evenly spaced samples of the weights and gradients, the last at the epoch's end.
            const int next_sample =
                static_cast<int>((static_cast<long>(step) * kSamplesPerEpoch) / pass.steps);
            const int after =
                static_cast<int>((static_cast<long>(step + 1) * kSamplesPerEpoch) / pass.steps);
            if (after != next_sample) {
                sample_layers();
                observer->on_sample(epoch, step + 1, samples_, n_samples_);
            }
            if (observer->stop_requested() && step + 1 < pass.steps) {
                pass.interrupted = true;
                return pass;
            }
        }
    }
    return pass;
}

void Trainer::track_best(const EpochMetrics& m) {
    const double value = config_.monitor == Monitor::ValAcc ? m.val_acc : -m.val_loss;
    if (!isfinite(value)) return;
    if (best_epoch_ == 0 || value > best_value_) {
        best_epoch_ = m.epoch;
        best_value_ = value;
    }
}

Status Trainer::run(TrainObserver* observer, ErrorText* err) {
    const GemmThreads::Use use(threads_.get());
    Rng shuffle_rng(config_.seed, /*stream=*/1);
    stopped_early_ = false;
    interrupted_ = false;
    stop_reason_.clear();
    best_epoch_ = 0;
    for (int epoch = 1; epoch <= config_.epochs; ++epoch) {
        for (int i = n_train_ - 1; i > 0; --i) {
            const int j = static_cast<int>(shuffle_rng.below(static_cast<uint32_t>(i + 1)));
            const int t = order_[i];
            order_[i] = order_[j];
            order_[j] = t;
        }
        const auto start = std::chrono::steady_clock::now();
        const PassResult pass = train_pass(epoch, observer);
        EpochMetrics m;
        m.epoch = epoch;
        m.seconds = seconds_since(start);
        if (pass.interrupted) {
            interrupted_ = true;
            return Status::Ok;
        }
        if (pass.failed_step != 0) {
            restore_good_params();
            return fail(err, Status::Diverged,
                        "training diverged at epoch %d, step %d of %d: the loss is %s; kept the "
                        "parameters from %s",
                        epoch, pass.failed_step, pass.steps,
                        isnan(pass.bad_loss) ? "NaN" : "infinite",
                        history_.empty() ? "initialisation" : "the last finished epoch");
        }
        if (!all_finite(network_.params(), shape().n_params)) {
            restore_good_params();
            return fail(
                err, Status::Diverged,
                "training diverged in epoch %d: a parameter became NaN or infinite while the loss "
                "stayed finite; kept the parameters from %s",
                epoch, history_.empty() ? "initialisation" : "the last finished epoch");
        }
        m.train_loss = pass.loss_sum / n_train_;
        m.train_acc = static_cast<double>(pass.correct) / n_train_;
        if (n_val_ > 0) {
            const EvalResult val = evaluate(train_, n_train_, n_val_);
            m.val_loss = val.loss;
            m.val_acc = val.acc;
            m.val_f1 = val.f1;
        } else {
            m.val_loss = NAN;
            m.val_acc = NAN;
            m.val_f1 = NAN;
        }
        history_.push_back(m);
        track_best(m);
        // Epoch-end parameters count as good when they evaluate finitely.
        if (n_val_ == 0 || isfinite(m.val_loss)) remember_good_params();
        if (observer != nullptr && !observer->on_epoch(m)) {
            stopped_early_ = true;
            return Status::Ok;
        }
        if (observer != nullptr && observer->stop_requested() && epoch < config_.epochs) {
            interrupted_ = true;  // asked during the epoch's last step: the epoch is whole
            return Status::Ok;
        }
        if (config_.early_stop > 0 && epoch - best_epoch_ >= config_.early_stop &&
            epoch < config_.epochs) {
            char reason[160];
            snprintf(reason, sizeof reason,
                     "early stop after epoch %d: %s has not improved for %d epochs (best at "
                     "epoch %d)",
                     epoch, monitor_name(config_.monitor), config_.early_stop, best_epoch_);
            stop_reason_ = reason;
            stopped_early_ = true;
            return Status::Ok;
        }
    }
    return Status::Ok;
}

void Trainer::sample_layers() {
    n_samples_ = 0;
    for (int l = 0; l < shape().n_layers; ++l) {
        if (!shape().layers[l].has_weights()) continue;
        const ConstMatView w = layer_weights(shape(), network_.params(), l);
        const ConstMatView g =
            layer_weights(shape(), static_cast<const float*>(network_.grads()), l);
        LayerSample& s = samples_[n_samples_++];
        double sq = 0.0, weight_sq = 0.0;
        float lo = w.at(0, 0), hi = lo, max_abs = 0.0f;
        for (int i = 0; i < w.rows; ++i) {
            for (int j = 0; j < w.cols; ++j) {
                sq += static_cast<double>(g.at(i, j)) * g.at(i, j);
                weight_sq += static_cast<double>(w.at(i, j)) * w.at(i, j);
                max_abs = fabsf(g.at(i, j)) > max_abs ? fabsf(g.at(i, j)) : max_abs;
                lo = w.at(i, j) < lo ? w.at(i, j) : lo;
                hi = w.at(i, j) > hi ? w.at(i, j) : hi;
            }
        }
        s.grad_norm = sqrt(sq);
        s.grad_max_abs = max_abs;
        s.weight_norm = sqrt(weight_sq);
        s.weight_min = lo;
        s.weight_max = hi;
        for (uint32_t& c : s.histogram) c = 0;
        const float width = (hi - lo) / kHistogramBins;
        for (int i = 0; i < w.rows; ++i) {
            for (int j = 0; j < w.cols; ++j) {
                int bin = width > 0.0f ? static_cast<int>((w.at(i, j) - lo) / width) : 0;
                bin = bin < 0 ? 0 : (bin >= kHistogramBins ? kHistogramBins - 1 : bin);
                ++s.histogram[bin];
            }
        }
    }
}

EvalResult Trainer::evaluate(const Dataset& data, int begin, int count) {
    const PhaseScope timing(Phase::Evaluation);
    const GemmThreads::Use use(threads_.get());
    FNN_ASSERT(data.features() == shape().n_in() && data.classes() == shape().n_out());
    EvalResult result;
    double loss_sum = 0.0;
    long correct = 0;
    // Per class: true positives, predictions and samples, for the macro F1.
    long tp[kMaxClasses] = {}, predicted[kMaxClasses] = {}, actual[kMaxClasses] = {};
    for (int first = begin; first < begin + count; first += eval_batch()) {
        const int n = begin + count - first < eval_batch() ? begin + count - first : eval_batch();
        load_batch(data, nullptr, first, n);
        const ConstMatView logits = network_.forward(x_.row_range(0, n), arena_);
        const BatchScore score = loss_score(config_.loss, logits, labels_);
        loss_sum += score.loss_sum;
        correct += score.correct;
        for (int r = 0; r < n; ++r) {
            const int guess = argmax_row(logits, r);
            ++predicted[guess];
            ++actual[labels_[r]];
            if (guess == labels_[r]) ++tp[guess];
        }
    }
    double f1_sum = 0.0;
    for (int k = 0; k < shape().n_out(); ++k) {
        const long denominator = predicted[k] + actual[k];
        f1_sum += denominator > 0 ? 2.0 * tp[k] / denominator : 0.0;
    }
    result.count = count;
    result.loss = count > 0 ? loss_sum / count : NAN;
    result.acc = count > 0 ? static_cast<double>(correct) / count : NAN;
    result.f1 = count > 0 ? f1_sum / shape().n_out() : NAN;
    return result;
}

ConstMatView Trainer::predict(const Dataset& data, int begin, int count) {
    const GemmThreads::Use use(threads_.get());
    FNN_ASSERT(count <= eval_batch());
    load_batch(data, nullptr, begin, count);
    const ConstMatView logits = network_.forward(x_.row_range(0, count), arena_);
    // The logits buffer is the network's own; softmax it in place for the caller.
    MatView probs{const_cast<float*>(logits.data), logits.rows, logits.cols, logits.stride};
    softmax_rows(probs);
    return probs;
}

}  // namespace fnn
