// What the machine itself allows, measured by fnn_bench next to fnn's figures: one core's
// floating-point peak and the cost of handing work between two cores.
#pragma once

// One core's single-precision FMA peak (2 FLOPs per lane): 12 independent chains of fused
// multiply-adds in the widest registers this build may use on this CPU (512-bit with
// AVX-512F, 256-bit with FMA; bits 0 and gflops 0 without either). The best of 5 timed runs.
struct FmaPeak {
    double gflops;
    int bits;  // register width measured
};
FmaPeak fma_peak(bool allow_avx512);

// Median nanoseconds for one round trip of a cache line between the calling thread and a
// second thread (each spins until the other's write arrives), over 5 runs of 20,000 trips;
// -1 when the second thread cannot be started. On a VM the figure shows where the host placed
// the two virtual CPUs: sharing a last-level cache or not changes it several times over.
double core_round_trip_ns();
