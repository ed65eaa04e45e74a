// Learning-rate schedules (formulas in lr_schedule.hpp).
#include "fnn/lr_schedule.hpp"

#include <math.h>

#include "base/text_util.hpp"

namespace fnn {

const char* lr_schedule_name(LrScheduleKind kind) {
    switch (kind) {
        case LrScheduleKind::Constant: return "constant";
        case LrScheduleKind::Step: return "step";
        case LrScheduleKind::Cosine: return "cosine";
    }
    return "?";
}

bool parse_lr_schedule(const char* text, LrScheduleKind& out) {
    const LrScheduleKind all[] = {LrScheduleKind::Constant, LrScheduleKind::Step,
                                  LrScheduleKind::Cosine};
    for (LrScheduleKind kind : all) {
        if (equals_ignoring_case(text, lr_schedule_name(kind))) {
            out = kind;
            return true;
        }
    }
    return false;
}

float scheduled_lr(const LrSchedule& s, float lr0, long g, long steps_per_epoch, long total_steps) {
    double lr = lr0;
    if (s.kind == LrScheduleKind::Step) {
        const long epoch = g / (steps_per_epoch > 0 ? steps_per_epoch : 1);
        lr = lr0 * pow(s.gamma, static_cast<double>(epoch / (s.step_epochs > 0 ? s.step_epochs : 1)));
    } else if (s.kind == LrScheduleKind::Cosine) {
        const double progress = total_steps > 0 ? static_cast<double>(g) / total_steps : 0.0;
        lr = s.min_lr + (lr0 - s.min_lr) * 0.5 * (1.0 + cos(M_PI * progress));
    }
    const double warmup_steps = s.warmup_epochs * static_cast<double>(steps_per_epoch);
    if (warmup_steps > 0 && static_cast<double>(g) < warmup_steps)
        lr *= static_cast<double>(g + 1) / warmup_steps;
    // Constant without warm-up returns lr0 itself: a default run keeps its bits.
    return static_cast<float>(lr);
}

}  // namespace fnn
