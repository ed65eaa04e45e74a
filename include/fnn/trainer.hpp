// Trainer: mini-batch training of a Network on a Dataset (host side). Owns the one arena that
// holds parameters, gradients, optimizer state, a last-good copy of the parameters, the batch
// buffers and GEMM scratch; after setup() nothing is allocated until the Trainer is destroyed.
//
// Data: the first (1 - val_fraction) of the training set is trained on, the rest held out for
// validation; training order is reshuffled every epoch (Fisher-Yates from the seeded Rng);
// pixels are scaled by 1/255. Train loss and accuracy are running means over the epoch's
// mini-batches (as the weights change), the loss without the L2 term.
//
// The best epoch is the one with the best monitored validation metric so far (the earliest on
// ties); with early_stop = N, training ends once N epochs in a row have not beaten it.
#pragma once

#include <stdint.h>

#include <memory>
#include <string>
#include <vector>

#include "fnn/dataset.hpp"
#include "fnn/gemm_threads.hpp"
#include "fnn/loss.hpp"
#include "fnn/lr_schedule.hpp"
#include "fnn/network.hpp"
#include "fnn/optimizer.hpp"
#include "fnn/thread_tuner.hpp"

namespace fnn {

// The validation metric that picks the best epoch and drives early stopping.
enum class Monitor : unsigned char { ValAcc, ValLoss };
const char* monitor_name(Monitor m);  // "val_acc", "val_loss"
bool parse_monitor(const char* text, Monitor& out);

struct TrainConfig {
    NetworkSpec net;  // n_in and n_classes are taken from the dataset
    Loss loss = Loss::CrossEntropy;
    Init init = Init::Xavier;
    OptimizerConfig opt;
    int epochs = 10;
    int batch_size = 64;
    uint64_t seed = 1;
    double val_fraction = 0.1;
    LrSchedule schedule;               // the rate each step uses, from opt.learning_rate
    int early_stop = 0;                // epochs without a better `monitor` before stopping; 0: never
    Monitor monitor = Monitor::ValAcc;
    int threads = 1;                   // threads sharing the GEMMs (GemmThreads); same bits for any
    // threads is the most a step uses: each step runs on the count its measured step times
    // favour (ThreadTuner, src/nn/thread_tuner.hpp), which never changes a bit.
    bool tune_threads = false;
};

struct EpochMetrics {
    int epoch = 0;
    double train_loss = 0.0;
    double train_acc = 0.0;
    double val_loss = 0.0;  // NaN when nothing is held out
    double val_acc = 0.0;
    double val_f1 = 0.0;    // macro F1 (EvalResult::f1)
    double seconds = 0.0;  // wall time of the training pass (evaluation excluded)
};

struct EvalResult {
    double loss = 0.0;  // mean per-sample loss
    double acc = 0.0;   // fraction correct
    // Macro F1 as scikit-learn's f1_score(average='macro'): the plain mean over all classes of
    // 2 TP / (2 TP + FP + FN), a class whose denominator is 0 counting as 0.
    double f1 = 0.0;
    int count = 0;
};

// What training records about one layer a few times per epoch (for reports): its weights'
// range and histogram, and the L2 norm of the last step's weight gradient.
constexpr int kHistogramBins = 32;
constexpr int kSamplesPerEpoch = 4;
struct LayerSample {
    double grad_norm = 0.0;     // L2 norm of the weight gradient
    double grad_max_abs = 0.0;  // its largest magnitude: spikes show before the norm does
    double weight_norm = 0.0;   // L2 norm of the weights
    float weight_min = 0.0f, weight_max = 0.0f;
    uint32_t histogram[kHistogramBins] = {};  // equal-width bins over [weight_min, weight_max]
};

// Progress callbacks (progress bar, metrics files). Called from inside run().
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void on_step(int /*epoch*/, int /*step*/, int /*steps_per_epoch*/,
                         double /*mean_loss*/) {}
    // Called kSamplesPerEpoch times per epoch, after a step, with one sample per layer.
    virtual void on_sample(int /*epoch*/, int /*step*/, const LayerSample* /*layers*/,
                           int /*n_layers*/) {}
    // Called after each epoch's evaluation; returning false ends training there (early stopping).
    virtual bool on_epoch(const EpochMetrics& /*metrics*/) { return true; }
    // Asked after every step; true ends training at once, mid-epoch (Ctrl-C).
    virtual bool stop_requested() { return false; }
};

class Trainer {
public:
    // Validates the config against the dataset, plans and allocates the arena, initialises
    // the parameters from the seed. Keeps a copy of the view; the bytes it points into must
    // outlive the Trainer.
    Status setup(const TrainConfig& config, const Dataset& train_set, ErrorText* err);

    // Trains for config.epochs, or until the observer's on_epoch() returns false or early
    // stopping ends it (then stopped_early() is true and stop_reason() says why), or the
    // observer asks to stop mid-epoch (then interrupted() is true and the parameters are those
    // after the last step). On a non-finite loss returns Diverged (the message names epoch and
    // step) and restores the parameters of the last epoch whose metrics were finite.
    Status run(TrainObserver* observer, ErrorText* err);
    bool stopped_early() const { return stopped_early_; }
    bool interrupted() const { return interrupted_; }
    const std::string& stop_reason() const { return stop_reason_; }
    // The 1-based epoch with the best monitored metric so far, 0 before any.
    int best_epoch() const { return best_epoch_; }

    // Starts from these parameters (laid out by shape()) and batch norm running statistics
    // (shape().n_state floats; null keeps the initial ones) instead of the initialisation.
    void set_parameters(const float* params, const float* state = nullptr);
    const float* state() const { return network_.state(); }

    // Loss and accuracy on samples [begin, begin + count) of `data` (same features/classes).
    EvalResult evaluate(const Dataset& data, int begin, int count);

    // Class probabilities (count, classes) for samples [begin, begin + count); count <=
    // eval_batch().
    ConstMatView predict(const Dataset& data, int begin, int count);

    const NetworkShape& shape() const { return network_.shape(); }
    const float* params() const { return network_.params(); }
    float* params() { return network_.params(); }
    const TrainConfig& config() const { return config_; }
    int train_count() const { return n_train_; }
    int val_count() const { return n_val_; }
    int eval_batch() const { return network_.max_batch(); }
    const std::vector<EpochMetrics>& history() const { return history_; }
    size_t arena_bytes() const { return buffer_.size(); }
    GemmThreads& gemm_threads() { return *threads_; }  // after setup()
    const ThreadTuner& thread_tuner() const { return tuner_; }

    // One optimisation step on samples order[0 .. batch) of the training set; returns the
    // batch's summed loss and correct count. Allocation-free (tests count this). The samples
    // next_order[0 .. next_batch), the next step's, are fetched towards the cache meanwhile.
    BatchScore train_step(const int* order, int batch, const int* next_order = nullptr,
                          int next_batch = 0);

private:
    // What one epoch's pass over the training set measured; failed_step != 0 marks the
    // (1-based) step whose loss was not finite.
    struct PassResult {
        double loss_sum = 0.0;
        long correct = 0;
        int steps = 0;
        int failed_step = 0;
        double bad_loss = 0.0;
        bool interrupted = false;
    };
    PassResult train_pass(int epoch, TrainObserver* observer);
    // Records m as the best epoch when it beats the best so far.
    void track_best(const EpochMetrics& m);

    // Fills x_ and labels_ with `count` samples: indices[0..count) when indices is non-null,
    // otherwise first, first + 1, ...
    void load_batch(const Dataset& data, const int* indices, int first, int count);
    void remember_good_params();

    TrainConfig config_;
    Dataset train_;
    int n_train_ = 0;
    int n_val_ = 0;
    std::vector<unsigned char> buffer_;  // the arena's bytes, allocated once in setup()
    std::unique_ptr<GemmThreads> threads_;  // made in setup(); its buffers are in the arena
    ThreadTuner tuner_;                     // how many of them each step uses (tune_threads)
    Arena arena_;
    Network network_;
    Optimizer optimizer_;
    void restore_good_params();
    float* good_params_ = nullptr;  // parameters at the end of the last finite epoch
    float* good_state_ = nullptr;   // and the running statistics then
    Rng dropout_rng_{1, 4};         // dropout masks (stream 4 of the seed; set in setup())
    MatView x_;                     // (max_batch, features) current batch
    uint8_t* labels_ = nullptr;     // (max_batch)
    int* order_ = nullptr;          // (n_train) shuffled sample indices
    // Fills samples_ from the current weights and gradients.
    void sample_layers();

    std::vector<EpochMetrics> history_;
    bool stopped_early_ = false;
    bool interrupted_ = false;
    std::string stop_reason_;
    int best_epoch_ = 0;
    double best_value_ = 0.0;  // the monitored metric, negated for losses (higher is better)
    LayerSample samples_[kMaxLayers];  // one per layer with weights, in order
    int n_samples_ = 0;
};

}  // namespace fnn
