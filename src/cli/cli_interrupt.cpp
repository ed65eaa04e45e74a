// Signal handlers for stopping long commands cleanly.
#include "cli/cli_interrupt.hpp"

#include <signal.h>
#include <unistd.h>

namespace fnn {
namespace {

// A signal handler can only talk to the program through a global: this is the one.
volatile sig_atomic_t g_signal = 0;

void on_signal(int sig) {
    if (g_signal != 0) _exit(kExitSignalBase + sig);  // the second: stop now (only _exit is safe)
    g_signal = sig;
    const char note[] = "\nfnn: stopping after the current step (press Ctrl-C again to quit now)\n";
    (void)!write(STDERR_FILENO, note, sizeof note - 1);
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action = {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // a signal during a write must not fail the write
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() { return g_signal; }

}  // namespace fnn
