// fnn_bench: the speed figures `make bench` prints. The GEMM table is one thread; each training
// job runs on one thread and then on every core (--threads), with the speed-up between them.
//   0. The machine: its CPU, one core's measured FMA peak (the limit GFLOP/s figures are
//      measured against) and, with threads, the core-to-core round trip (bench_machine.hpp).
//   1. GEMM GFLOP/s on the reference job's training shapes (batch 64) and on 512^3.
//   2. The reference job: 784-128-128-128-10 ReLU, softmax + cross-entropy, Xavier, Adam
//      lr 1e-3 (0.9, 0.999, 1e-8), weight decay 5e-4, batch 64, 54,000 / 6,000 split:
//      seconds per epoch (training pass only), their median, samples/s and test accuracy, and
//      what the diagnostics fnn train records for reports (weight histograms, gradient
//      statistics, 4 times per epoch) cost; and where each epoch's time goes (GEMM kernels,
//      packing, optimizer, batch loading, validation, the rest), measured by phase.
//   3. The CNN presets (--arch cnn1, cnn2 with their optimizers, batch 64, He init) on the same
//      split: seconds per epoch, images/s and GFLOP/s of useful work (the multiply-adds of the
//      forward pass, the weight gradients and the input gradients of every layer but the first,
//      two FLOPs each; im2col copies, packing and the other layers are not counted).
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bench_machine.hpp"
#include "cli/cli_arch.hpp"
#include "cli/cli_data.hpp"
#include "cli/cli_flags.hpp"
#include "fnn/gemm.hpp"
#include "fnn/gemm_threads.hpp"
#include "fnn/phase_times.hpp"
#include "fnn/trainer.hpp"

using namespace fnn;

namespace {

std::string cpu_model() {
    FILE* f = fopen("/proc/cpuinfo", "r");
    if (f == nullptr) return "unknown CPU";
    char line[512];
    std::string model = "unknown CPU";
    while (fgets(line, sizeof line, f) != nullptr) {
        if (strncmp(line, "model name", 10) == 0) {
            const char* colon = strchr(line, ':');
            if (colon != nullptr) model = std::string(colon + 2, strcspn(colon + 2, "\n"));
            break;
        }
    }
    fclose(f);
    return model;
}

// Times the diagnostic samples: the trainer takes each right after an on_step() call and hands
// it to on_sample(), so the gap between the two is the sampling.
class SampleTimer : public TrainObserver {
public:
    SampleTimer() { seconds_.reserve(4096); }  // no allocation while training
    void on_step(int, int, int, double) override { last_step_ = std::chrono::steady_clock::now(); }
    void on_sample(int, int, const LayerSample*, int) override {
        seconds_.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - last_step_).count());
    }
    const std::vector<double>& seconds() const { return seconds_; }

private:
    std::chrono::steady_clock::time_point last_step_;
    std::vector<double> seconds_;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Shape {
    const char* role;
    Trans ta, tb;
    int m, n, k;
};

// Median seconds of one gemm() call over `rounds` timed rounds of about 0.1 s each.
double time_gemm(const Shape& s, int rounds, GemmArithmetic arithmetic) {
    const int a_rows = s.ta == Trans::No ? s.m : s.k, a_cols = s.ta == Trans::No ? s.k : s.m;
    const int b_rows = s.tb == Trans::No ? s.k : s.n, b_cols = s.tb == Trans::No ? s.n : s.k;
    std::vector<float> a(static_cast<size_t>(a_rows) * a_cols),
        b(static_cast<size_t>(b_rows) * b_cols), c(static_cast<size_t>(s.m) * s.n);
    Rng rng(5);
    for (float& x : a) x = rng.uniform(-1, 1);
    for (float& x : b) x = rng.uniform(-1, 1);
    std::vector<unsigned char> scratch(arena_buffer_bytes(gemm_bytes(s.m, s.n, s.k)));
    Arena arena(scratch.data(), scratch.size());
    const ConstMatView av{a.data(), a_rows, a_cols, a_cols}, bv{b.data(), b_rows, b_cols, b_cols};
    const MatView cv{c.data(), s.m, s.n, s.n};
    const double flops = 2.0 * s.m * s.n * s.k;
    const int calls = std::max(1, static_cast<int>(0.1 * 60e9 / flops));  // ~0.1 s at 60 GFLOP/s
    std::vector<double> per_call;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; ++i) gemm(s.ta, s.tb, 1.0f, av, bv, 0.0f, cv, arena, arithmetic);
        per_call.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / calls);
    }
    return median(per_call);
}

// Multiply-adds of one training step per sample: forward, weight gradients, and input gradients
// for every weighted layer but the first (nothing needs the gradient of the image).
double training_macs(const NetworkShape& shape) {
    double total = 0;
    bool first = true;
    for (int l = 0; l < shape.n_layers; ++l) {
        const double macs = static_cast<double>(layer_macs(shape.layers[l]));
        total += macs * (first ? 2 : 3);
        first = first && macs == 0;
    }
    return total;
}

// Runs the trainer with phase timing on (phase_times.hpp) and returns the wall seconds of run().
bool timed_run(Trainer& trainer, TrainObserver* observer, double& seconds, ErrorText* err) {
    const auto start = std::chrono::steady_clock::now();
    phase_times_start();
    const bool ok = trainer.run(observer, err) == Status::Ok;
    phase_times_stop();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return ok;
}

// Where each epoch's time went: the phases of the calling thread (workers' share of a product
// shows as GEMM time), per epoch over `epochs`, and what is left (activations, loss, im2col,
// batch norm, dropout, diagnostics, bookkeeping).
void print_breakdown(double seconds, int epochs) {
    printf("per epoch, by phase (wall time of the training thread, incl. validation): %.3f s\n",
           seconds / epochs);
    double named = 0;
    for (int p = 0; p < static_cast<int>(Phase::Count); ++p) {
        const double s = phase_seconds(static_cast<Phase>(p));
        named += s;
        printf("  %-36s %7.3f s  %5.1f %%\n", phase_name(static_cast<Phase>(p)), s / epochs,
               100 * s / seconds);
    }
    printf("  %-36s %7.3f s  %5.1f %%\n", "other (activations, loss, layers...)",
           (seconds - named) / epochs, 100 * (seconds - named) / seconds);
}

// One CNN preset trained for `epochs` epochs; prints its epochs and median.
bool bench_cnn(const char* preset, OptimizerKind optimizer, float lr, int epochs, int threads,
               const Dataset& train, double& median_seconds) {
    std::vector<LayerSpec> specs;
    std::string error;
    if (!parse_architecture(preset, specs, error)) return false;
    TrainConfig c;
    c.net.n_specs = static_cast<int>(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) c.net.specs[i] = specs[i];
    c.init = Init::He;
    c.opt.kind = optimizer;
    c.opt.learning_rate = lr;
    c.batch_size = 64;
    c.epochs = epochs;
    c.threads = threads;
    Trainer trainer;
    ErrorText err;
    double seconds = 0;
    if (trainer.setup(c, train, &err) != Status::Ok || !timed_run(trainer, nullptr, seconds, &err)) {
        fprintf(stderr, "fnn_bench: %s: %s\n", preset, err.text);
        return false;
    }
    const double macs = training_macs(trainer.shape());
    printf("\n--arch %s (%s), %s lr %g, batch 64, %d thread%s: %.2f M multiply-adds per "
           "training image\n",
           preset, preset_architecture(preset).c_str(), optimizer_name(optimizer),
           static_cast<double>(lr), threads, threads == 1 ? "" : "s", macs / 1e6);
    std::vector<double> secs;
    for (const EpochMetrics& m : trainer.history()) {
        secs.push_back(m.seconds);
        printf("  epoch %2d  %.2f s  %6.0f images/s  %5.1f GFLOP/s  val acc %.2f%%\n", m.epoch,
               m.seconds, trainer.train_count() / m.seconds,
               2 * macs * trainer.train_count() / m.seconds / 1e9, 100 * m.val_acc);
    }
    const double med = median(secs);
    printf("median %.2f s/epoch (%.0f images/s, %.1f GFLOP/s of useful work)\n", med,
           trainer.train_count() / med, 2 * macs * trainer.train_count() / med / 1e9);
    print_breakdown(seconds, epochs);
    median_seconds = med;
    return true;
}

// The reference MLP job on `threads` threads (tune: up to `threads`, as ThreadTuner measures
// fastest, as `fnn train` runs by default); prints its epochs and breakdown.
bool bench_reference(int epochs, int threads, bool tune, const Dataset& train, const Dataset& test,
                     double& median_seconds) {
    TrainConfig c;
    c.net.n_hidden = 3;
    for (int l = 0; l < 3; ++l) c.net.hidden_widths[l] = 128;
    c.net.hidden_act = Activation::Relu;
    c.init = Init::Xavier;
    c.opt.kind = OptimizerKind::Adam;
    c.opt.learning_rate = 1e-3f;
    c.opt.weight_decay = 5e-4f;
    c.batch_size = 64;
    c.epochs = epochs;
    c.threads = threads;
    c.tune_threads = tune;
    Trainer trainer;
    ErrorText err;
    SampleTimer sampling;
    double seconds = 0;
    if (trainer.setup(c, train, &err) != Status::Ok ||
        !timed_run(trainer, &sampling, seconds, &err)) {
        fprintf(stderr, "fnn_bench: %s\n", err.text);
        return false;
    }
    std::vector<double> secs;
    printf("\nreference job: 784-128-128-128-10 relu, xavier, adam lr 1e-3, weight decay 5e-4, "
           "batch 64, %d train / %d val, %s%d thread%s\n",
           trainer.train_count(), trainer.val_count(), tune ? "up to " : "", threads,
           threads == 1 ? "" : "s");
    if (tune)
        printf("thread count tuned from the steps' times: %d probe%s, the last chose %d\n",
               trainer.thread_tuner().probes(), trainer.thread_tuner().probes() == 1 ? "" : "s",
               trainer.thread_tuner().chosen());
    for (const EpochMetrics& m : trainer.history()) {
        secs.push_back(m.seconds);
        printf("  epoch %2d  %.3f s  %8.0f samples/s  val acc %.2f%%\n", m.epoch, m.seconds,
               trainer.train_count() / m.seconds, 100 * m.val_acc);
    }
    const EvalResult t = trainer.evaluate(test, 0, test.count());
    const double gflop = 2.0 * 302848 * trainer.train_count() / 1e9;  // MACs per sample, see README
    median_seconds = median(secs);
    printf("median %.3f s/epoch (%.0f samples/s, %.1f GFLOP/s of GEMM work)  test acc %.2f%%\n",
           median_seconds, trainer.train_count() / median_seconds, gflop / median_seconds,
           100 * t.acc);
    const double per_sample = median(sampling.seconds());
    printf("report diagnostics: %d samples per epoch, median %.3f ms each (%.2f%% of an epoch)\n",
           kSamplesPerEpoch, 1e3 * per_sample,
           100 * kSamplesPerEpoch * per_sample / median_seconds);
    print_breakdown(seconds, epochs);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    long epochs = 10, rounds = 5, cnn_epochs = 2, threads = 0;
    std::string data_dir;
    bool skip_epochs = false, skip_gemm = false;
    FlagParser p("fnn_bench", "Print fnn's speed figures.");
    p.add(
        int_flag("", "--epochs", "N", "epochs of the reference job (default 10)", epochs, 1, 1000));
    p.add(int_flag("", "--rounds", "N", "timed rounds per GEMM shape (default 5)", rounds, 1, 100));
    p.add(text_flag("", "--data_dir", "DIR", "converted datasets (default data/)", data_dir));
    p.add(switch_flag("", "--gemm_only", "skip the reference job", skip_epochs));
    p.add(switch_flag("", "--skip_gemm", "skip the GEMM table", skip_gemm));
    p.add(int_flag("", "--cnn_epochs", "N", "epochs of each CNN preset, 0 to skip (default 2)",
                   cnn_epochs, 0, 100));
    p.add(int_flag("", "--threads", "N",
                   "each training job runs on one thread, then on N (default 0: every core this "
                   "process may use; 1: one thread only); the GEMM table is one thread",
                   threads, 0, GemmThreads::kMaxThreads));
    const ParseResult r = p.parse(argc, argv, 1, nullptr);
    if (r != ParseResult::Ok) return r == ParseResult::Help ? 0 : 2;
    threads = GemmThreads::count_or_all(threads);

    struct utsname u;
    uname(&u);
    printf("machine: %s, %s %s; compiler: gcc %s\n", cpu_model().c_str(), u.sysname, u.machine,
           __VERSION__);
    printf(
        "micro-kernels: %s (training, Fast arithmetic), %s (evaluation, Reproducible); "
        "MR=%d NR=%d KC=%d MC=%d NC=%d\n",
        gemm_kernel_name(GemmArithmetic::Fast), gemm_kernel_name(GemmArithmetic::Reproducible),
        kGemmMR, kGemmNR, kGemmKC, kGemmMC, kGemmNC);
    const FmaPeak peak = fma_peak(gemm_isa_limit() >= GemmIsa::Avx512);
    if (peak.bits > 0)
        printf("one core's FMA peak: %.1f GFLOP/s (%d-bit, 12 independent chains, best of 5)\n",
               peak.gflops, peak.bits);
    if (threads > 1 && GemmThreads::available_cores() > 1)
        printf("core-to-core round trip: %.0f ns (a cache line between two threads, median of 5 x "
               "20,000)\n", core_round_trip_ns());
    printf("GEMM table on one thread, median of %ld timed rounds; training jobs on 1%s%s thread%s\n\n",
           rounds, threads > 1 ? " and " : "", threads > 1 ? std::to_string(threads).c_str() : "",
           threads == 1 ? "" : "s");

    const Shape shapes[] = {
        {"forward  layer 1: X W1", Trans::No, Trans::No, 64, 128, 784},
        {"forward  layer 2: A W2", Trans::No, Trans::No, 64, 128, 128},
        {"forward  layer 4: A W4", Trans::No, Trans::No, 64, 10, 128},
        {"weights  layer 1: X^T dZ", Trans::Yes, Trans::No, 784, 128, 64},
        {"weights  layer 2: A^T dZ", Trans::Yes, Trans::No, 128, 128, 64},
        {"weights  layer 4: A^T dZ", Trans::Yes, Trans::No, 128, 10, 64},
        {"inputs   layer 2: dZ W2^T", Trans::No, Trans::Yes, 64, 128, 128},
        {"inputs   layer 4: dZ W4^T", Trans::No, Trans::Yes, 64, 128, 10},
        {"square 512", Trans::No, Trans::No, 512, 512, 512},
    };
    if (!skip_gemm)
        printf("%-28s %14s %18s %18s\n", "GEMM (dense random operands)", "m x n x k",
               "Fast GFLOP/s", "Reproducible");
    for (const Shape& s : shapes) {
        if (skip_gemm) break;
        const double fast = time_gemm(s, static_cast<int>(rounds), GemmArithmetic::Fast);
        const double reproducible =
            time_gemm(s, static_cast<int>(rounds), GemmArithmetic::Reproducible);
        char dims[32];
        snprintf(dims, sizeof dims, "%dx%dx%d", s.m, s.n, s.k);
        const double flops = 2.0 * s.m * s.n * s.k;
        printf("%-28s %14s %18.1f %18.1f\n", s.role, dims, flops / fast / 1e9,
               flops / reproducible / 1e9);
    }
    if (skip_epochs) return 0;

    std::string error;
    LoadedDataset train, test;
    const std::string dir = resolve_data_dir(data_dir, argv[0]);
    if (!load_dataset(dir, "fashion_mnist", "train", train, error) ||
        !load_dataset(dir, "fashion_mnist", "test", test, error)) {
        fprintf(stderr, "fnn_bench: %s\n", error.c_str());
        return 1;
    }
    // Each job on one thread, then on `threads` (all cores by default), one after the other.
    std::vector<int> counts{1};
    if (threads > 1) counts.push_back(static_cast<int>(threads));
    struct Job {
        const char* name;
        std::vector<double> medians;
    };
    std::vector<Job> jobs{{"reference MLP", {}}};
    for (int n : counts) {
        double med = 0;
        if (!bench_reference(static_cast<int>(epochs), n, false, train.view, test.view, med))
            return 1;
        jobs[0].medians.push_back(med);
    }
    double tuned = 0;  // up to `threads`, as many as measured fastest (fnn train's default)
    if (counts.size() > 1 &&
        !bench_reference(static_cast<int>(epochs), counts[1], true, train.view, test.view, tuned))
        return 1;
    if (cnn_epochs > 0) {
        const struct {
            const char* preset;
            OptimizerKind optimizer;
            float lr;
        } presets[] = {{"cnn1", OptimizerKind::Momentum, 0.02f}, {"cnn2", OptimizerKind::Adam, 0.002f}};
        for (const auto& preset : presets) {
            jobs.push_back({preset.preset, {}});
            for (int n : counts) {
                double med = 0;
                if (!bench_cnn(preset.preset, preset.optimizer, preset.lr,
                               static_cast<int>(cnn_epochs), n, train.view, med))
                    return 1;
                jobs.back().medians.push_back(med);
            }
        }
    }
    if (counts.size() > 1) {
        printf("\nmedian seconds per epoch, 1 and %d threads:\n", counts[1]);
        for (const Job& j : jobs)
            printf("  %-14s %8.3f s %8.3f s   %.2fx\n", j.name, j.medians[0], j.medians[1],
                   j.medians[0] / j.medians[1]);
        printf("  reference MLP, up to %d threads, tuned: %.3f s   %.2fx\n", counts[1], tuned,
               jobs[0].medians[0] / tuned);
    }
    return 0;
}
