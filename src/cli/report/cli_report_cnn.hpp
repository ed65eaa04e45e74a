// What a run's network is and what its convolutions learned, for the run page: the layer table
// (as `fnn train` prints it), the first conv layer's filters as images, and the feature maps of
// every conv layer for one test image.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "cli/report/cli_html_page.hpp"
#include "fnn/dataset.hpp"

namespace fnn {

// Adds the sections to `page` for the model blob `blob`; `sample` (a test image of `test`)
// feeds the feature maps. Conv sections only when the model has conv layers. False, with
// `error`, when the blob cannot be decoded.
bool add_network_sections(const std::vector<uint8_t>& blob, const Dataset& test, int sample,
                          HtmlPage& page, std::string& error);

}  // namespace fnn
