// Ctrl-C (SIGINT) and SIGTERM during a long command: the first asks the work to stop at the
// next safe point (fnn train: after the current step, then it writes its files); a second one
// ends the process at once. Every file fnn writes is replaced atomically, so even that leaves
// each file whole: the old version or the new one.
#pragma once

namespace fnn {

// Exit status of a command stopped by a signal: 128 + the signal (130 after Ctrl-C, 143 after
// SIGTERM), as shells report it.
constexpr int kExitSignalBase = 128;

// Installs the handlers (until the process ends).
void install_interrupt_handlers();
// The first signal received since installing, or 0.
int interrupt_signal();

}  // namespace fnn
