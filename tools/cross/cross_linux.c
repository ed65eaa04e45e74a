/* cross_check's platform layer for Linux targets (x86-64 host, and aarch64, armhf and MIPS
 * under qemu-user): output on stdout; stack use is not measured here. */
#include <stdio.h>

void cross_write(const char* text) { fputs(text, stdout); }
void cross_stack_mark(void) {}
size_t cross_stack_peak(void) { return 0; }

int cross_run(void);

int main(void) { return cross_run(); }
