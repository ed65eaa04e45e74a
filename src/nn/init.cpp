// Initial weight distributions.
#include "fnn/init.hpp"

#include <math.h>

#include "base/text_util.hpp"

namespace fnn {

const char* init_name(Init init) {
    switch (init) {
        case Init::Random: return "random";
        case Init::Xavier: return "xavier";
        case Init::He: return "he";
    }
    return "?";
}

bool parse_init(const char* text, Init& out) {
    const Init all[] = {Init::Random, Init::Xavier, Init::He};
    for (Init init : all) {
        if (equals_ignoring_case(text, init_name(init))) {
            out = init;
            return true;
        }
    }
    return false;
}

void init_weights(Init init, MatView w, Rng& rng) {
    const int n_in = w.rows;
    const int n_out = w.cols;
    const float xavier_limit = static_cast<float>(sqrt(6.0 / (n_in + n_out)));
    const float he_std = static_cast<float>(sqrt(2.0 / n_in));
    for (int i = 0; i < n_in; ++i) {
        float* row = w.row(i);
        for (int j = 0; j < n_out; ++j) {
            switch (init) {
                case Init::Random: row[j] = kRandomInitStd * rng.normal(); break;
                case Init::Xavier: row[j] = rng.uniform(-xavier_limit, xavier_limit); break;
                case Init::He: row[j] = he_std * rng.normal(); break;
            }
        }
    }
}

}  // namespace fnn
