// Reports on one training run directory (config.json, metrics.csv, diagnostics.jsonl,
// model.fnn): the model is evaluated on the test set again for the confusion matrix, per-class
// metrics, sample images and mistakes. As an HTML page, or the essentials as text.
#pragma once

#include <string>
#include <vector>

#include "cli/cli_data.hpp"
#include "cli/cli_json.hpp"
#include "cli/cli_metrics.hpp"
#include "cli/cli_model.hpp"
#include "fnn/trainer.hpp"

namespace fnn {

struct RunData {
    JsonValue config, summary;
    std::vector<EpochMetrics> epochs;
    std::vector<JsonValue> samples;  // diagnostics.jsonl lines
    LoadedModel model;
    LoadedDataset train, test;
    ClassificationReport report;  // on the test set
    std::vector<int> predicted;
    std::vector<float> confidence;
    std::vector<std::string> names;
};

// Reads the run directory and evaluates its model; false with `error` naming the file and problem.
bool load_run(const std::string& dir, const std::string& data_dir, const char* argv0, RunData& d,
              std::string& error);

std::string run_page(const std::string& dir, const RunData& d);
std::string run_text(const std::string& dir, const RunData& d);

}  // namespace fnn
