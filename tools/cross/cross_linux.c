/* cross_check's platform layer for Linux targets (x86-64 host, and aarch64, armhf and MIPS
 * under qemu-user): output on stdout; stack use and instructions are not measured here. */
#include <stdint.h>
#include <stdio.h>

void cross_write(const char* text) { fputs(text, stdout); }
void cross_stack_mark(void) {}
size_t cross_stack_peak(void) { return 0; }
uint64_t cross_instructions(void (*run)(void*), void* context) {
    run(context);
    return 0; /* not counted on Linux targets */
}

int cross_run(void);

int main(void) { return cross_run(); }
