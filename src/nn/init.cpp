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

void init_weights(Init init, MatView w, int fan_in, int fan_out, Rng& rng) {
    const float xavier_limit = static_cast<float>(sqrt(6.0 / (fan_in + fan_out)));
    const float he_std = static_cast<float>(sqrt(2.0 / fan_in));
    for (int i = 0; i < w.rows; ++i) {
        float* row = w.row(i);
        for (int j = 0; j < w.cols; ++j) {
            switch (init) {
                case Init::Random: row[j] = kRandomInitStd * rng.normal(); break;
                case Init::Xavier: row[j] = rng.uniform(-xavier_limit, xavier_limit); break;
                case Init::He: row[j] = he_std * rng.normal(); break;
            }
        }
    }
}

}  // namespace fnn
