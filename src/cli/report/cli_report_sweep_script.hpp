// The sweep page's interactions, as one inline script (no network, no library): the trial table
// sorts by any column (click its header) and filters by text; dragging along an axis of the
// parallel-coordinates plot keeps the trials in that range (lines and table rows), a click on
// the axis clears it. Opened with #selftest, the page drives these with real mouse events and
// logs "fnn-sweep-check brush A->B of N, sort ok|bad, cleared C" (the browser test reads it).
#pragma once

namespace fnn {

const char* sweep_page_script();

}  // namespace fnn
