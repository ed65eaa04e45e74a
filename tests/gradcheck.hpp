// Finite-difference gradient checking: central differences compared with backprop, with the
// relative error |a - n| / max(|a|, |n|, 1e-6) that tests/test_network.cpp bounds.
#pragma once

#include <math.h>

#include <algorithm>
#include <functional>

namespace fnn_test {

inline double relative_error(double analytic, double numeric) {
    return fabs(analytic - numeric) / std::max({fabs(analytic), fabs(numeric), 1e-6});
}

// (f(v + h) - f(v - h)) / 2h for a float variable that f reads through `v`.
inline double central_difference(float& v, float h, const std::function<double()>& f) {
    const float saved = v;
    v = saved + h;
    const double plus = f();
    v = saved - h;
    const double minus = f();
    v = saved;
    return (plus - minus) / (2.0 * h);
}

}  // namespace fnn_test
