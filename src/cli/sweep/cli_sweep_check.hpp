// `fnn sweep --check DIR`: reports the state of a sweep directory without changing it: whether
// its files parse, who holds its lock, and the journal's damage (lines that are not trial
// records, a torn last line, trials recorded twice), missing and failed trials.
#pragma once

#include <string>

namespace fnn {

// Prints the report; returns 0 when nothing is damaged, 1 otherwise (missing trials of an
// unfinished sweep are not damage).
int check_sweep(const std::string& dir);

}  // namespace fnn
