// Scoped flush-to-zero for subnormal floats (|x| < 1.2e-38) during training steps. On x86 each
// operation that meets a subnormal takes a slow microcode path (about 100 cycles), and late in
// training the softmax tails and Adam's squared gradients produce them by the thousand; values
// that small carry no information for training. TensorFlow makes the same choice. Evaluation and
// inference run with full IEEE semantics. The previous mode is restored on scope exit.
#pragma once

#if defined(__SSE__)
#include <immintrin.h>
#endif

namespace fnn {

class FlushDenormals {
public:
    FlushDenormals() {
#if defined(__SSE__)
        saved_ = _mm_getcsr();
        _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
#elif defined(__aarch64__)
        __asm__ volatile("mrs %0, fpcr" : "=r"(saved_));
        __asm__ volatile("msr fpcr, %0" : : "r"(saved_ | kFpcrFlushToZero));
#endif
    }
    ~FlushDenormals() {
#if defined(__SSE__)
        _mm_setcsr(saved_);
#elif defined(__aarch64__)
        __asm__ volatile("msr fpcr, %0" : : "r"(saved_));
#endif
    }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
#if defined(__SSE__)
    static constexpr unsigned kFlushToZero = 0x8000;       // MXCSR.FTZ: results flush to zero
    static constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR.DAZ: inputs read as zero
    unsigned saved_ = 0;
#elif defined(__aarch64__)
    static constexpr unsigned long kFpcrFlushToZero = 1ul << 24;  // FPCR.FZ
    unsigned long saved_ = 0;
#endif
};

}  // namespace fnn
