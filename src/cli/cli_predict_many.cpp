// predict_many: contiguous parts of the samples on threads, one model copy per thread.
#include "cli/cli_predict_many.hpp"

#include <string.h>

#include <algorithm>
#include <thread>

#include "fnn/gemm_threads.hpp"

namespace fnn {
namespace {

// Fewer samples than this per thread are not worth a model copy and a thread.
constexpr size_t kMinSamplesPerThread = 256;

void predict_range(const LoadedModel& model, size_t begin, size_t end,
                   const std::function<const uint8_t*(size_t)>& sample, Predictions& out) {
    for (size_t i = begin; i < end; ++i) {
        float* probs = out.probs.data() + i * out.classes;
        out.valid[i] = model.probabilities(sample(i), probs);
        if (!out.valid[i]) memset(probs, 0, out.classes * sizeof(float));
    }
}

}  // namespace

Flag threads_flag(long& threads) {
    return int_flag("", "--threads", "N",
                    "threads sharing the samples; the output is the same for any N (default 0: "
                    "every core this process may use)",
                    threads, 0, GemmThreads::kMaxThreads);
}

bool predict_many(const LoadedModel& model, size_t count,
                  const std::function<const uint8_t*(size_t)>& sample, int threads,
                  Predictions& out, std::string& error) {
    out.classes = model.classes();
    out.probs.assign(count * out.classes, 0.0f);
    out.valid.assign(count, 0);
    const size_t parts = std::max<size_t>(
        1, std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), count / kMinSamplesPerThread));
    // Copies for the other threads, made before any thread starts, so a failure starts none.
    std::vector<LoadedModel> copies(parts - 1);
    for (LoadedModel& copy : copies) {
        if (!copy_model(model, copy, error)) return false;
    }
    const size_t per_part = (count + parts - 1) / parts;
    std::vector<std::thread> running;
    for (size_t p = 1; p < parts; ++p) {
        const size_t begin = std::min(count, p * per_part), end = std::min(count, begin + per_part);
        running.emplace_back(predict_range, std::cref(copies[p - 1]), begin, end, std::cref(sample),
                             std::ref(out));
    }
    predict_range(model, 0, std::min(count, per_part), sample, out);
    for (std::thread& t : running) t.join();
    return true;
}

}  // namespace fnn
