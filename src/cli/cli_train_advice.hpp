// What fnn train says about a run that did not learn: validation accuracy that never rose
// above chance usually has one of a few causes, and the settings show which are likely.
#pragma once

#include <string>
#include <vector>

#include "fnn/trainer.hpp"

namespace fnn {

// A warning line when the best validation accuracy stayed within 5 points of chance
// (1 / classes), naming the likely causes among the run's settings; "" otherwise (also when
// nothing was held out).
std::string chance_warning(const TrainConfig& config, const std::vector<EpochMetrics>& history,
                           int classes);

}  // namespace fnn
