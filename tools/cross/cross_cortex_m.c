/* cross_check's platform layer for bare-metal Cortex-M under QEMU: vector table, reset code
 * (copy .data, zero .bss, enable the FPU when there is one), output and exit through ARM
 * semihosting, stack measurement by painting, and the mem* functions the compiler may call.
 * No C library: compile with -ffreestanding -fno-tree-loop-distribute-patterns. */
#include <stddef.h>
#include <stdint.h>

int cross_run(void);

/* Linker script symbols (cortex_m.ld). */
extern uint32_t _data_load[], _data_start[], _data_end[], _bss_start[], _bss_end[], _stack_top[];

/* Semihosting: "bkpt 0xab" with the operation in r0 and its argument in r1 (ARM DUI 0471). */
static int semihost(int op, const void* arg) {
    register int r0 __asm__("r0") = op;
    register const void* r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

enum { SYS_WRITE0 = 0x04, SYS_EXIT_EXTENDED = 0x20, ADP_STOPPED_APPLICATION_EXIT = 0x20026 };

void cross_write(const char* text) { semihost(SYS_WRITE0, text); }

static void exit_with(int code) {
    const uint32_t args[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    semihost(SYS_EXIT_EXTENDED, args); /* QEMU exits with `code` */
    for (;;) {
    }
}

/* Stack measurement: fill the free stack below the current frame with a pattern, later find
 * the lowest word that changed. */
#define STACK_PATTERN 0xA5A5A5A5u
static uint32_t* stack_mark_top;

/* A leaf function that keeps its few variables in registers: everything below its stack
 * pointer is free, and that pointer equals the caller's, where the measured calls start. */
void cross_stack_mark(void) {
    uint32_t* p;
    __asm__ volatile("mov %0, sp" : "=r"(p));
    stack_mark_top = p;
    while (--p > _bss_end + 16) *p = STACK_PATTERN;
}

size_t cross_stack_peak(void) {
    uint32_t* p = _bss_end + 17;
    while (p < stack_mark_top && *p == STACK_PATTERN) ++p;
    return (size_t)(stack_mark_top - p) * sizeof(uint32_t);
}

/* Instruction counting: make cross runs QEMU with -icount shift=0, where virtual time advances
 * 1 ns per instruction, so the SysTick timer (clocked from the CPU clock, counting down, 24
 * bits) counts instructions divided by a board constant. That constant is measured here with a
 * loop of known length (two instructions per iteration) instead of trusting the board's clock. */
#define SYST_CSR (*(volatile uint32_t*)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018u)
#define SYST_MAX 0xFFFFFFu

static void systick_start(void) {
    SYST_RVR = SYST_MAX;
    SYST_CVR = 0;      /* any write clears the count and COUNTFLAG */
    SYST_CSR = 5u;     /* enable, CPU clock, no interrupt */
}

/* Ticks since systick_start, or 0 when the counter wrapped (COUNTFLAG, bit 16). */
static uint32_t systick_elapsed(void) {
    const uint32_t now = SYST_CVR;
    if (SYST_CSR & (1u << 16)) return 0;
    return SYST_MAX - now;
}

uint64_t cross_instructions(void (*run)(void*), void* context) {
    enum { LOOPS = 1u << 20 };
    uint32_t loop_ticks, run_ticks, n = LOOPS;
    systick_start();
    /* GCC hands inline assembly over in divided syntax; Thumb-1 needs unified for "subs". */
    __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b\n.syntax divided" : "+l"(n) : : "cc");
    loop_ticks = systick_elapsed();
    systick_start();
    run(context);
    run_ticks = systick_elapsed();
    SYST_CSR = 0;
    if (loop_ticks == 0 || run_ticks == 0) return 0;
    return (uint64_t)run_ticks * (2u * LOOPS) / loop_ticks;
}

void* memcpy(void* dest, const void* src, size_t n) {
    unsigned char* d = (unsigned char*)dest;
    const unsigned char* s = (const unsigned char*)src;
    while (n--) *d++ = *s++;
    return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
    unsigned char* d = (unsigned char*)dest;
    const unsigned char* s = (const unsigned char*)src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dest;
}

void* memset(void* dest, int value, size_t n) {
    unsigned char* d = (unsigned char*)dest;
    while (n--) *d++ = (unsigned char)value;
    return dest;
}

int memcmp(const void* a, const void* b, size_t n) {
    const unsigned char *x = (const unsigned char*)a, *y = (const unsigned char*)b;
    for (; n > 0; --n, ++x, ++y) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}

void Reset_Handler(void) {
    uint32_t *from = _data_load, *to = _data_start;
    while (to < _data_end) *to++ = *from++;
    for (to = _bss_start; to < _bss_end; ++to) *to = 0;
#if defined(__ARM_FP)
    /* CPACR (0xE000ED88): full access to coprocessors 10 and 11, the FPU; else its first
     * instruction faults. */
    *(volatile uint32_t*)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    exit_with(cross_run());
}

static void Fault_Handler(void) {
    cross_write("# RESULT fault\n");
    exit_with(3);
}

/* Initial stack pointer, then the handlers for reset and the fixed exceptions. */
__attribute__((section(".isr_vector"), used)) static const void* const vector_table[16] = {
    _stack_top,
    (const void*)Reset_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    0,
    0,
    0,
    0,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    0,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler};
