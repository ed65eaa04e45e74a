// The accuracy / footprint front of a device sweep.
#include "cli/sweep/cli_sweep_pareto.hpp"

#include <math.h>
#include <stdio.h>

#include <algorithm>

namespace fnn {
namespace {

bool shipped(const SweepRow& r) {
    return r.result.deployment.present && isfinite(r.metric) &&
           (r.result.status == "ok" || r.result.status == "stopped");
}

// a is at least as good as b everywhere and better somewhere (metric oriented by `maximize`).
bool dominates(const SweepRow& a, const SweepRow& b, bool maximize) {
    const Footprint &fa = a.result.deployment.footprint, &fb = b.result.deployment.footprint;
    const double ma = maximize ? a.metric : -a.metric, mb = maximize ? b.metric : -b.metric;
    const bool no_worse = ma >= mb && fa.flash() <= fb.flash() && fa.ram() <= fb.ram() &&
                          fa.macs <= fb.macs;
    const bool better = ma > mb || fa.flash() < fb.flash() || fa.ram() < fb.ram() ||
                        fa.macs < fb.macs;
    return no_worse && better;
}

}  // namespace

std::vector<const SweepRow*> pareto_front(const SweepData& data) {
    std::vector<const SweepRow*> front;
    for (const SweepRow& r : data.rows) {
        if (!shipped(r)) continue;
        bool beaten = false;
        for (const SweepRow& other : data.rows)
            beaten = beaten || (shipped(other) && dominates(other, r, data.settings.spec.maximize));
        if (!beaten) front.push_back(&r);
    }
    std::sort(front.begin(), front.end(), [](const SweepRow* a, const SweepRow* b) {
        const size_t fa = a->result.deployment.footprint.flash(),
                     fb = b->result.deployment.footprint.flash();
        return fa != fb ? fa < fb : a->result.trial < b->result.trial;
    });
    return front;
}

std::string device_summary_text(const SweepData& data) {
    const SweepSpec& spec = data.settings.spec;
    const DeviceBudget& d = spec.device;
    std::string out = "device: " + std::string(d.profile->name) + " (" + d.profile->board +
                      "), ships " + deploy_variant_name(d.variant) + "; budget flash " +
                      grouped(d.flash_bytes) + " bytes, RAM " + grouped(d.ram_bytes) +
                      " bytes" + (d.macs > 0 ? ", " + grouped(d.macs) + " MACs" : "") +
                      (d.custom ? " (custom)" : "") + "\n";
    out += "  " + std::to_string(data.infeasible.size()) +
           " candidate configuration" + (data.infeasible.size() == 1 ? "" : "s") +
           " over budget, recorded and never trained";
    if (!data.infeasible.empty()) {
        // The one that missed by least, as a hint of where the boundary lies.
        const TrialResult* nearest = &data.infeasible[0];
        auto excess = [&](const TrialResult& r) {
            const Footprint& f = r.deployment.footprint;
            return std::max(static_cast<double>(f.flash()) / d.flash_bytes,
                            static_cast<double>(f.ram()) / d.ram_bytes);
        };
        for (const TrialResult& r : data.infeasible) nearest = excess(r) < excess(*nearest) ? &r : nearest;
        out += "; nearest miss: " + nearest->reason;
    }
    out += "\n";
    const std::vector<const SweepRow*> front = pareto_front(data);
    if (front.empty()) return out;
    const SweepRow* chosen = nullptr;
    for (const SweepRow& r : data.rows) {
        if (r.result.deployment.present && isfinite(r.metric)) {
            chosen = &r;
            break;
        }
    }
    out += "\nfront of " + spec.metric + " (of the " + deploy_variant_name(d.variant) +
           " model) against flash, RAM and MACs: " + std::to_string(front.size()) + " of " +
           std::to_string(data.rows.size()) + " trials\n";
    char line[512];
    snprintf(line, sizeof line, " %6s %8s %8s %9s %8s %10s  %s\n", "trial", spec.metric.c_str(),
             "test_acc", "flash", "RAM", "MACs", "configuration");
    out += line;
    for (const SweepRow* r : front) {
        const Footprint& f = r->result.deployment.footprint;
        snprintf(line, sizeof line, " %6ld %8.4f %8.4f %9s %8s %10s  %s%s\n", r->result.trial,
                 r->metric, r->result.test_acc, grouped(f.flash()).c_str(),
                 grouped(f.ram()).c_str(), grouped(f.macs).c_str(),
                 sweep_config_text(spec, *r).c_str(), r == chosen ? "   <- chosen (fnn sweep --export)" : "");
        out += line;
    }
    return out;
}

}  // namespace fnn
