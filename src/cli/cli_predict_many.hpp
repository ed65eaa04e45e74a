// Class probabilities of many samples, shared among threads for fnn eval, predict and report.
//
// Each thread runs its own copy of the model (copy_model) over one contiguous part of the
// samples. A sample's probabilities depend only on the sample and the model, never on which
// thread computed them, so the output is the same for any thread count.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "cli/cli_flags.hpp"
#include "cli/cli_model.hpp"

namespace fnn {

struct Predictions {
    size_t classes = 0;
    std::vector<float> probs;          // sample i's probabilities at [i * classes, (i+1) * classes)
    std::vector<unsigned char> valid;  // 0: the model overflowed on the sample (probs are 0)

    const float* of(size_t i) const { return probs.data() + i * classes; }
};

// Samples 0 .. count-1, `sample(i)` giving sample i's raw features, on up to `threads` threads
// (fewer when there are few samples). False, saying why, when a copy of the model cannot be made.
bool predict_many(const LoadedModel& model, size_t count,
                  const std::function<const uint8_t*(size_t)>& sample, int threads,
                  Predictions& out, std::string& error);

// The --threads flag of the commands that call predict_many (0, the default: every core this
// process may use; GemmThreads::count_or_all() gives the count it stands for).
Flag threads_flag(long& threads);

}  // namespace fnn
