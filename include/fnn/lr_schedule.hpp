// Learning-rate schedules: the rate each training step uses, as a function of where the step
// lies in the run. Training sets the optimizer's rate before every step from this.
//
//   constant  lr(t) = lr0                                  (exactly, bit for bit)
//   step      lr(t) = lr0 * gamma^floor(e / step_epochs)  e = 0-based epoch of the step
//   cosine    lr(t) = lr_min + (lr0 - lr_min) * (1 + cos(pi * g / G)) / 2
//             g = 0-based global step, G = steps in the whole run (Loshchilov & Hutter 2017,
//             SGDR, without restarts; stepped every mini-batch, not every epoch)
// Warm-up (any kind): during the first warmup_epochs (may be fractional) the rate above is
// multiplied by (g + 1) / W, W = warm-up steps (Goyal et al. 2017, linear warm-up).
// Rates are computed in double and rounded to float once.
#pragma once

namespace fnn {

enum class LrScheduleKind : unsigned char { Constant, Step, Cosine };

const char* lr_schedule_name(LrScheduleKind kind);  // "constant", "step", "cosine"
bool parse_lr_schedule(const char* text, LrScheduleKind& out);

struct LrSchedule {
    LrScheduleKind kind = LrScheduleKind::Constant;
    int step_epochs = 10;        // step: epochs between decays
    double gamma = 0.1;          // step: factor at each decay
    double min_lr = 0.0;         // cosine: the rate it ends at
    double warmup_epochs = 0.0;  // linear warm-up length, in epochs (0 = none)
};

// The rate of global step `g` (0-based) of a run of `total_steps` steps, `steps_per_epoch` per
// epoch, starting from `lr0`.
float scheduled_lr(const LrSchedule& s, float lr0, long g, long steps_per_epoch, long total_steps);

}  // namespace fnn
