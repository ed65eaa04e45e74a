// No heap allocation inside training steps or forward passes: every malloc and operator new in
// this test binary is counted (by replacing them, or through AddressSanitizer's hooks).
#include <doctest/doctest.h>

#include <stdlib.h>

#include <new>
#include <vector>

#include "fnn/trainer.hpp"

namespace {
// Test-only globals: the allocator hooks below have nowhere else to keep them.
bool g_counting = false;
long g_allocations = 0;
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer the allocator must stay ASan's, so count through its hooks instead.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*on_malloc)(const volatile void*,
                                                                           size_t),
                                                         void (*on_free)(const volatile void*));
namespace {
void count_malloc(const volatile void*, size_t) {
    if (g_counting) ++g_allocations;
}
void ignore_free(const volatile void*) {}
const int g_hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free);
}  // namespace
#else
// Otherwise malloc and operator new are replaced by counting versions that forward to glibc.
extern "C" void* __libc_malloc(size_t);
extern "C" void* __libc_calloc(size_t, size_t);
extern "C" void* __libc_realloc(void*, size_t);
extern "C" void __libc_free(void*);

extern "C" void* malloc(size_t n) {
    if (g_counting) ++g_allocations;
    return __libc_malloc(n);
}
extern "C" void* calloc(size_t n, size_t size) {
    if (g_counting) ++g_allocations;
    return __libc_calloc(n, size);
}
extern "C" void* realloc(void* p, size_t n) {
    if (g_counting) ++g_allocations;
    return __libc_realloc(p, n);
}
extern "C" void free(void* p) { __libc_free(p); }
void* operator new(size_t n) {
    if (g_counting) ++g_allocations;
    if (void* p = __libc_malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete(void* p, size_t) noexcept { __libc_free(p); }
#endif

using namespace fnn;

namespace {

// A small synthetic dataset: 300 samples of 8x8, label = brightest quadrant.
struct Synthetic {
    std::vector<uint8_t> pixels, labels;
    Dataset view;
    Synthetic() : pixels(300 * 64), labels(300) {
        Rng rng(2);
        for (int i = 0; i < 300; ++i) {
            labels[i] = static_cast<uint8_t>(rng.below(4));
            for (int p = 0; p < 64; ++p) {
                const int quadrant = (p / 32) * 2 + (p % 8) / 4;
                pixels[i * 64 + p] =
                    static_cast<uint8_t>(rng.below(100) + (quadrant == labels[i] ? 150 : 0));
            }
        }
        view.header = DatasetHeader{300, 8, 8, 1, 4, 0};
        view.pixels = pixels.data();
        view.labels = labels.data();
    }
};

// Heap allocations during 20 training steps (batches of 17 and 5), an evaluation, a prediction
// and two whole epochs (shuffling, steps, validation, history) of a set-up trainer.
long allocations_while_training(Trainer& trainer, const Synthetic& data) {
    std::vector<int> order(17);
    for (int i = 0; i < 17; ++i) order[i] = (i * 13) % 270;
    ErrorText err;
    g_allocations = 0;
    g_counting = true;
    for (int step = 0; step < 20; ++step) trainer.train_step(order.data(), step % 2 ? 17 : 5);
    const EvalResult r = trainer.evaluate(data.view, 270, 30);
    trainer.predict(data.view, 0, 10);
    const Status s = trainer.run(nullptr, &err);
    g_counting = false;
    CHECK(r.count == 30);
    CHECK(s == Status::Ok);
    return g_allocations;
}

}  // namespace

TEST_CASE("noalloc: training steps and forward passes allocate nothing on the heap") {
    Synthetic data;
    const OptimizerKind kinds[] = {OptimizerKind::Sgd,  OptimizerKind::Momentum,
                                   OptimizerKind::Nag,  OptimizerKind::Rmsprop,
                                   OptimizerKind::Adam, OptimizerKind::Nadam};
    for (OptimizerKind kind : kinds) {
        CAPTURE(optimizer_name(kind));
        TrainConfig c;
        c.net.n_hidden = 2;
        c.net.hidden_widths[0] = 20;
        c.net.hidden_widths[1] = 33;
        c.opt.kind = kind;
        c.opt.weight_decay = 1e-4f;
        c.batch_size = 17;
        c.epochs = 2;
        Trainer trainer;
        ErrorText err;
        REQUIRE(trainer.setup(c, data.view, &err) == Status::Ok);
        CHECK(allocations_while_training(trainer, data) == 0);
    }
    // The counter itself works: an allocation while counting is seen.
    g_allocations = 0;
    g_counting = true;
    std::vector<int>* v = new std::vector<int>(100);
    g_counting = false;
    delete v;
    CHECK(g_allocations >= 1);
}

TEST_CASE("noalloc: a CNN's training steps, evaluation and epochs allocate nothing") {
    // Every layer kind: conv (padded, strided), batch norm, relu, both pools, dropout, dense.
    Synthetic data;
    const LayerKind kinds[] = {LayerKind::Conv2d, LayerKind::BatchNorm, LayerKind::Activation,
                               LayerKind::MaxPool, LayerKind::Conv2d, LayerKind::AvgPool,
                               LayerKind::Dropout, LayerKind::Dense, LayerKind::BatchNorm,
                               LayerKind::Activation};
    for (OptimizerKind kind : {OptimizerKind::Momentum, OptimizerKind::Adam}) {
        CAPTURE(optimizer_name(kind));
        TrainConfig c;
        c.net.input = Shape3{1, 8, 8};
        for (LayerKind k : kinds) {
            LayerSpec& s = c.net.specs[c.net.n_specs++];
            s.kind = k;
            s.act = Activation::Relu;
            s.units = k == LayerKind::Dense ? 12 : 6;
            s.kh = s.kw = 2;
            s.rate = 0.3f;
        }
        c.net.specs[0].kh = c.net.specs[0].kw = 3;
        c.net.specs[0].padding = Padding::Same;
        c.net.specs[4].sh = c.net.specs[4].sw = 2;
        c.net.specs[5].sh = c.net.specs[5].sw = 1;
        c.opt.kind = kind;
        c.opt.weight_decay = 1e-4f;
        c.batch_size = 17;
        c.epochs = 2;
        // With three threads sharing every product (however small) too, and with up to three
        // whose count the trainer tunes (parking and waking threads between steps).
        for (int threads : {1, 3, -3}) {
            c.threads = threads < 0 ? -threads : threads;
            c.tune_threads = threads < 0;
            Trainer trainer;
            ErrorText err;
            REQUIRE_MESSAGE(trainer.setup(c, data.view, &err) == Status::Ok, err.text);
            trainer.gemm_threads().set_min_parallel_macs(0);
            REQUIRE(trainer.shape().n_state > 0);
            CHECK(allocations_while_training(trainer, data) == 0);
        }
    }
}

namespace {
// Counts samples and checks them without allocating.
struct SampleCounter : TrainObserver {
    int samples = 0, last_step = 0;
    bool histograms_complete = true;
    uint32_t expected_weights[2] = {64 * 20, 20 * 4};
    void on_sample(int, int step, const LayerSample* layers, int n_layers) override {
        ++samples;
        last_step = step;
        for (int l = 0; l < n_layers && l < 2; ++l) {
            uint32_t total = 0;
            for (uint32_t c : layers[l].histogram) total += c;
            histograms_complete = histograms_complete && total == expected_weights[l] &&
                                  layers[l].grad_norm > 0 && layers[l].grad_max_abs > 0 &&
                                  layers[l].weight_min < layers[l].weight_max;
        }
    }
};
}  // namespace

TEST_CASE("noalloc: sampling weight histograms and gradient statistics allocates nothing") {
    Synthetic data;
    TrainConfig c;
    c.net.n_hidden = 1;
    c.net.hidden_widths[0] = 20;
    c.batch_size = 10;  // 270 training samples: 27 steps per epoch
    c.epochs = 3;
    Trainer trainer;
    ErrorText err;
    REQUIRE(trainer.setup(c, data.view, &err) == Status::Ok);
    SampleCounter counter;
    g_allocations = 0;
    g_counting = true;
    const Status s = trainer.run(&counter, &err);
    g_counting = false;
    CHECK(s == Status::Ok);
    CHECK(g_allocations == 0);
    CHECK(counter.samples == 3 * kSamplesPerEpoch);
    CHECK(counter.last_step == 27);  // the last sample of an epoch is taken at its end
    CHECK(counter.histograms_complete);
}
