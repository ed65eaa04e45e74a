// Sampling, grid enumeration and TPE proposals.
#include "cli/sweep/cli_sweep_search.hpp"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <set>

#include "fnn/rng.hpp"

namespace fnn {
namespace {

constexpr int kStartupTrials = 10;      // bayes proposes at random until this many trials finished
constexpr double kGoodFraction = 0.25;  // TPE's gamma: the best quarter model "good"
constexpr int kCandidates = 32;         // candidates drawn from the good model per proposal

std::string format_value(const SweepParam& p, double v) {
    char text[32];
    if (p.integer) {
        snprintf(text, sizeof text, "%ld", static_cast<long>(llround(v)));
    } else {
        snprintf(text, sizeof text, "%.6g", v);
    }
    return text;
}

// Position of a continuous parameter's value in the space it is drawn in and TPE models it in:
// log space for the log distributions.
double to_model(const SweepParam& p, double v) { return p.log_scale() ? log(v) : v; }
double from_model(const SweepParam& p, double u) { return p.log_scale() ? exp(u) : u; }

// Snaps a value into the parameter's range and grid (multiples of q, whole numbers).
double snap(const SweepParam& p, double v) {
    v = std::min(std::max(v, p.min), p.max);
    if (p.q > 0) v = std::min(std::max(round(v / p.q) * p.q, p.min), p.max);
    if (p.integer) v = static_cast<double>(llround(v));
    return v;
}

std::string sample_param(const SweepParam& p, Rng& rng) {
    if (p.discrete()) {
        if (p.probabilities.empty()) return p.values[rng.below(static_cast<uint32_t>(p.values.size()))];
        double r = static_cast<double>(rng.uniform01());
        for (size_t k = 0; k < p.values.size(); ++k) {
            if ((r -= p.probabilities[k]) < 0.0) return p.values[k];
        }
        return p.values.back();
    }
    double v;
    if (p.distribution == Distribution::IntUniform) {
        v = floor(p.min + (p.max - p.min + 1) * static_cast<double>(rng.uniform01()));
    } else if (p.distribution == Distribution::Normal || p.distribution == Distribution::QNormal ||
               p.distribution == Distribution::LogNormal ||
               p.distribution == Distribution::QLogNormal) {
        v = from_model(p, p.mu + p.sigma * static_cast<double>(rng.normal()));
    } else {
        const double lo = to_model(p, p.min), hi = to_model(p, p.max);
        v = from_model(p, lo + (hi - lo) * static_cast<double>(rng.uniform01()));
    }
    return format_value(p, snap(p, v));
}

Assignment random_assignment(const SweepSpec& spec, Rng& rng) {
    Assignment a;
    for (const SweepParam& p : spec.params) a.push_back(sample_param(p, rng));
    return a;
}

// The index-th configuration of a discrete space in mixed-radix order (last parameter fastest).
Assignment decode_index(const SweepSpec& spec, uint64_t index) {
    Assignment a(spec.params.size());
    for (size_t i = spec.params.size(); i-- > 0;) {
        const uint64_t radix = spec.params[i].values.size();
        a[i] = spec.params[i].values[index % radix];
        index /= radix;
    }
    return a;
}

// --- TPE ---------------------------------------------------------------------------------------

// Density of one parameter over a group of observations: categorical counts with one
// pseudo-count per value, or a Parzen mixture of Gaussians around the observations plus a
// uniform prior component over the range.
struct ParamDensity {
    const SweepParam* p = nullptr;
    std::vector<double> weights;  // categorical
    std::vector<double> centres;  // continuous, in model space
    double sigma = 1.0;

    void fit(const SweepParam& param, const std::vector<std::string>& observed) {
        p = &param;
        if (param.discrete()) {
            weights.assign(param.values.size(), 1.0);
            for (const std::string& v : observed) {
                const auto it = std::find(param.values.begin(), param.values.end(), v);
                if (it != param.values.end())
                    weights[static_cast<size_t>(it - param.values.begin())] += 1.0;
            }
            return;
        }
        const double lo = to_model(param, param.min), hi = to_model(param, param.max);
        for (const std::string& v : observed)
            centres.push_back(to_model(param, strtod(v.c_str(), nullptr)));
        // Scott-like bandwidth shrinking with the number of points, never below 2 % of the range.
        sigma =
            (hi - lo) * std::max(0.02, 0.5 * pow(static_cast<double>(centres.size() + 1), -0.2));
    }

    double log_density(const std::string& value) const {
        if (p->discrete()) {
            double total = 0.0;
            for (double w : weights) total += w;
            const auto it = std::find(p->values.begin(), p->values.end(), value);
            const double w = it == p->values.end()
                                 ? 1e-12
                                 : weights[static_cast<size_t>(it - p->values.begin())];
            return log(w / total);
        }
        const double lo = to_model(*p, p->min), hi = to_model(*p, p->max);
        const double u = to_model(*p, strtod(value.c_str(), nullptr));
        double density = 1.0 / (hi - lo);  // the prior component
        for (double c : centres)
            density +=
                exp(-0.5 * (u - c) * (u - c) / (sigma * sigma)) / (sigma * 2.5066282746310002);
        return log(density / static_cast<double>(centres.size() + 1));
    }

    std::string sample(Rng& rng) const {
        if (p->discrete()) {
            double total = 0.0;
            for (double w : weights) total += w;
            double r = static_cast<double>(rng.uniform01()) * total;
            for (size_t k = 0; k < weights.size(); ++k) {
                if ((r -= weights[k]) < 0.0) return p->values[k];
            }
            return p->values.back();
        }
        const uint32_t pick = rng.below(static_cast<uint32_t>(centres.size() + 1));
        if (pick == centres.size()) return sample_param(*p, rng);  // the prior
        const double lo = to_model(*p, p->min), hi = to_model(*p, p->max);
        double u = centres[pick] + sigma * static_cast<double>(rng.normal());
        u = std::min(std::max(u, lo), hi);
        return format_value(*p, snap(*p, from_model(*p, u)));
    }
};

}  // namespace

long sweep_trial_count(const SweepSpec& spec) {
    // grid_size_ok() has refused larger grids; the bound keeps the conversion defined anyway.
    const double size = std::min<double>(discrete_space_size(spec), kMaxSweepTrials);
    if (spec.method == SweepMethod::Grid) {
        return spec.run_cap > 0 ? static_cast<long>(std::min<double>(spec.run_cap, size))
                                : static_cast<long>(size);
    }
    if (spec.run_cap == 0) return 0;
    return size > 0 ? static_cast<long>(std::min<double>(spec.run_cap, size)) : spec.run_cap;
}

std::vector<Assignment> planned_assignments(const SweepSpec& spec, long count, uint64_t seed,
                                            const Feasible& feasible) {
    Rng rng(seed, /*stream=*/2);
    std::vector<Assignment> out;
    auto fits = [&](const Assignment& a) { return !feasible || feasible(a); };
    const double size = discrete_space_size(spec);
    if (spec.method == SweepMethod::Grid) {
        // Every combination, in a seeded shuffled order (Fisher-Yates over the indices).
        std::vector<uint64_t> order(static_cast<size_t>(size));
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng.below(static_cast<uint32_t>(i))]);
        for (size_t i = 0; i < order.size() && static_cast<long>(out.size()) < count; ++i) {
            Assignment a = decode_index(spec, order[i]);
            if (fits(a)) out.push_back(std::move(a));
        }
        return out;
    }
    if (size > 0 && size < 4e9) {
        // A discrete space: distinct configurations (rejection on the index, fine while count <<
        // size; count <= size always holds here, and every index is seen at most once).
        std::set<uint64_t> seen;
        while (static_cast<long>(out.size()) < count && static_cast<double>(seen.size()) < size) {
            const uint64_t index = (static_cast<uint64_t>(rng.next_u32()) << 32 | rng.next_u32()) %
                                   static_cast<uint64_t>(size);
            if (!seen.insert(index).second) continue;
            Assignment a = decode_index(spec, index);
            if (fits(a)) out.push_back(std::move(a));
        }
        return out;
    }
    for (long t = 0, misses = 0; t < count && misses < kFeasibleAttempts; ) {
        Assignment a = random_assignment(spec, rng);
        if (!fits(a)) {
            ++misses;
            continue;
        }
        out.push_back(std::move(a));
        ++t;
        misses = 0;
    }
    return out;
}

std::vector<Assignment> propose_bayes(const SweepSpec& spec, std::vector<Observation> history,
                                      const std::vector<Assignment>& taken_list, int count,
                                      uint64_t seed, int round, const Feasible& feasible) {
    Rng rng(seed, /*stream=*/3 + static_cast<uint64_t>(round));
    std::set<Assignment> taken(taken_list.begin(), taken_list.end());
    const double size = discrete_space_size(spec);
    std::vector<Assignment> out;
    auto fits = [&](const Assignment& a) { return !feasible || feasible(a); };
    auto fresh = [&](const Assignment& a) { return size == 0 || taken.count(a) == 0; };
    // A fresh feasible configuration; empty when none turns up. Without a device, a repeat is
    // better than nothing (as before devices existed).
    auto random_fresh = [&]() {
        for (int attempt = 0; attempt < kFeasibleAttempts; ++attempt) {
            Assignment a = random_assignment(spec, rng);
            if (fresh(a) && fits(a)) return a;
        }
        for (int attempt = 0; feasible && attempt < kFeasibleAttempts; ++attempt) {
            Assignment a = random_assignment(spec, rng);
            if (fits(a)) return a;
        }
        return feasible ? Assignment() : random_assignment(spec, rng);
    };
    // A stable order first: results arrive in any order from several workers.
    std::sort(history.begin(), history.end(), [](const Observation& a, const Observation& b) {
        return a.score != b.score ? a.score > b.score : a.values < b.values;
    });
    for (int k = 0; k < count; ++k) {
        if (static_cast<int>(history.size()) < kStartupTrials) {
            Assignment a = random_fresh();
            if (a.empty()) return out;
            out.push_back(a);
            taken.insert(out.back());
            continue;
        }
        const size_t n_good =
            std::max<size_t>(1, static_cast<size_t>(ceil(kGoodFraction * history.size())));
        std::vector<ParamDensity> good(spec.params.size()), bad(spec.params.size());
        for (size_t i = 0; i < spec.params.size(); ++i) {
            std::vector<std::string> g, b;
            for (size_t o = 0; o < history.size(); ++o)
                (o < n_good ? g : b).push_back(history[o].values[i]);
            good[i].fit(spec.params[i], g);
            bad[i].fit(spec.params[i], b);
        }
        // Candidates from the good model; keep the one most likely good rather than bad.
        Assignment best;
        double best_score = -INFINITY;
        for (int c = 0; c < kCandidates; ++c) {
            Assignment a;
            double score = 0.0;
            for (size_t i = 0; i < spec.params.size(); ++i) {
                a.push_back(good[i].sample(rng));
                score += good[i].log_density(a.back()) - bad[i].log_density(a.back());
            }
            if (fresh(a) && score > best_score && fits(a)) {
                best_score = score;
                best = a;
            }
        }
        if (best.empty()) best = random_fresh();
        if (best.empty()) return out;
        out.push_back(best);
        taken.insert(best);
    }
    return out;
}

uint64_t trial_seed(uint64_t sweep_seed, long trial) {
    // splitmix64 of the pair: well-mixed, distinct seeds per trial.
    uint64_t z = sweep_seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(trial) + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) % 1000000007ull;
}

std::vector<std::string> assignment_args(const SweepSpec& spec, const Assignment& a, uint64_t seed,
                                         const std::vector<std::string>& fixed) {
    // Each setting once: the fixed ones (--set, command:), then the parameters, then the trial's
    // derived seed unless the seed is swept or fixed. Names are fnn's long flag names, and the
    // sweep keeps fixed settings and parameters apart (--set narrows a parameter instead).
    std::vector<std::string> args = fixed;
    bool seeded = false;
    for (size_t i = 0; i + 1 < fixed.size(); i += 2) seeded = seeded || fixed[i] == "--seed";
    for (size_t i = 0; i < spec.params.size(); ++i) {
        args.push_back("--" + spec.params[i].name);
        args.push_back(a[i]);
        seeded = seeded || spec.params[i].name == "seed";
    }
    if (!seeded) {
        args.push_back("--seed");
        args.push_back(std::to_string(seed));
    }
    return args;
}

std::string assignment_text(const SweepSpec& spec, const Assignment& a) {
    std::string out;
    for (size_t i = 0; i < spec.params.size(); ++i) {
        if (spec.params[i].distribution == Distribution::Constant) continue;
        out += (out.empty() ? "" : " ") + spec.params[i].name + "=" + a[i];
    }
    return out;
}

}  // namespace fnn
