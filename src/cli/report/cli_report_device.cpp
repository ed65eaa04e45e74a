// A device sweep's budget and front on its report page.
#include "cli/report/cli_report_device.hpp"

#include <math.h>

#include "cli/report/cli_html_page.hpp"
#include "cli/report/cli_svg.hpp"
#include "cli/sweep/cli_sweep_pareto.hpp"

namespace fnn {
namespace {

// Accuracy (percent) against one footprint figure (KiB), with the budget as a dashed line.
std::string front_chart(const SweepData& data, bool ram, const std::vector<const SweepRow*>& front,
                        const SweepRow* chosen) {
    const DeviceBudget& d = data.settings.spec.device;
    auto kib = [ram](const SweepRow& r) {
        const Footprint& f = r.result.deployment.footprint;
        return static_cast<double>(ram ? f.ram() : f.flash()) / 1024.0;
    };
    Series all("trials", {}, {}, "#9a9a9a"), line("front", {}, {}, "#1f77b4"),
        best("chosen", {}, {}, "#d62728");
    all.points = best.points = true;
    for (const SweepRow& r : data.rows) {
        if (!r.result.deployment.present || !isfinite(r.metric)) continue;
        all.x.push_back(kib(r));
        all.y.push_back(100 * r.metric);
        all.point_names.push_back("trial " + std::to_string(r.result.trial) + ": " +
                                  sweep_config_text(data.settings.spec, r));
    }
    // The front in this projection: sorted by this figure, a step up to each better trial.
    std::vector<const SweepRow*> sorted = front;
    std::sort(sorted.begin(), sorted.end(),
              [&](const SweepRow* a, const SweepRow* b) { return kib(*a) < kib(*b); });
    double top = -INFINITY;
    for (const SweepRow* r : sorted) {
        if (100 * r->metric <= top) continue;
        top = 100 * r->metric;
        line.x.push_back(kib(*r));
        line.y.push_back(top);
    }
    if (chosen != nullptr) {
        best.x.push_back(kib(*chosen));
        best.y.push_back(100 * chosen->metric);
        best.point_names.push_back("chosen: trial " + std::to_string(chosen->result.trial));
    }
    // An invisible point at the budget keeps its line inside the x range.
    const double budget = static_cast<double>(ram ? d.ram_bytes : d.flash_bytes) / 1024.0;
    Series edge("", {budget}, {NAN});
    ChartOptions o(420, 260);
    o.mark_x = budget;
    o.mark_label = "budget";
    return svg_line_chart(std::string(ram ? "RAM" : "flash") + " (KiB)",
                          data.settings.spec.metric + " (%)", {all, line, best, edge}, o);
}

}  // namespace

std::string device_section_html(const SweepData& data) {
    const DeviceBudget& d = data.settings.spec.device;
    if (!d.enabled()) return "";
    const std::vector<const SweepRow*> front = pareto_front(data);
    const SweepRow* chosen = nullptr;
    for (const SweepRow& r : data.rows) {
        if (r.result.deployment.present && isfinite(r.metric)) {
            chosen = &r;
            break;
        }
    }
    std::string html =
        "<p>" + xml_escape(d.profile->board) + ", shipping the " + deploy_variant_name(d.variant) +
        " model: flash " + grouped(d.flash_bytes) + " bytes, RAM " + grouped(d.ram_bytes) +
        " bytes" + (d.macs > 0 ? ", " + grouped(d.macs) + " MACs" : "") +
        ". Flash = inference code + model; RAM = arena + stack + input image. " +
        std::to_string(data.infeasible.size()) +
        " candidate configurations were over budget and never trained.</p>";
    html += front_chart(data, false, front, chosen) + front_chart(data, true, front, chosen);
    std::vector<std::vector<std::string>> rows;
    for (const SweepRow* r : front) {
        const Footprint& f = r->result.deployment.footprint;
        rows.push_back({std::to_string(r->result.trial), fixed_digits(100 * r->metric, 2) + "%",
                        fixed_digits(100 * r->result.test_acc, 2) + "%", grouped(f.flash()),
                        grouped(f.ram()), grouped(f.macs),
                        sweep_config_text(data.settings.spec, *r) + (r == chosen ? " (chosen)" : "")});
    }
    html += "<p>The front: no other trial is as accurate with no more flash, RAM and "
            "multiply-adds.</p>" +
            html_table({"trial", data.settings.spec.metric, "test acc", "flash", "RAM", "MACs",
                        "configuration"},
                       rows, 6);
    std::vector<std::vector<std::string>> over;
    for (size_t i = 0; i < data.infeasible.size() && i < 20; ++i) {
        std::string args;
        const TrialResult& r = data.infeasible[i];
        for (size_t k = 0; k + 1 < r.args.size(); k += 2) args += r.args[k].substr(2) + "=" + r.args[k + 1] + " ";
        over.push_back({args, r.reason});
    }
    if (!over.empty()) html += "<p>Over budget (first 20):</p>" + html_table({"configuration", "why"}, over, 0);
    return html;
}

}  // namespace fnn
