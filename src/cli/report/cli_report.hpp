// `fnn report DIR [-o report.html]`: everything the course's dashboards show, for a run
// directory (curves, confusion matrix, per-class metrics, sample images, confident mistakes,
// weight histograms and gradient norms) or a sweep directory (leaderboard, parallel coordinates,
// importance and correlation, the metric against each hyperparameter, and cross-entropy against
// squared error). With -o: one self-contained HTML page (inline SVG, CSS and images, one small
// inline script that checks the page); without: the essentials as text.
#pragma once

namespace fnn {

int cmd_report(int argc, char** argv);

}  // namespace fnn
