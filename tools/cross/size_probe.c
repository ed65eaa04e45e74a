/* size_probe: the smallest program that loads and runs a model through fnn.h. make cross links
 * it twice for Cortex-M, with and without the calls (CALL_FNN), and reports the difference in
 * text as the inference library's code size. The blob and the image are extern symbols
 * defined elsewhere and linked into both, so neither weights nor pixels are counted. */
#include <stddef.h>
#include <stdint.h>

#include "fnn/fnn.h"

void cross_write(const char* text);
void cross_stack_mark(void);
size_t cross_stack_peak(void);

extern const unsigned char probe_blob[];
extern const size_t probe_blob_len;
static unsigned char arena[4096] __attribute__((aligned(8)));
extern const unsigned char probe_image[784];

int cross_run(void) {
#if defined(CALL_FNN)
    size_t need = 0;
    fnn_model* m = 0;
    float probs[10];
    if (fnn_arena_bytes(probe_blob, probe_blob_len, &need) != FNN_OK) return 1;
    if (fnn_load(probe_blob, probe_blob_len, arena, sizeof arena, &m) != FNN_OK) return 1;
    if (fnn_run_u8(m, probe_image, 784, probs, 10) != FNN_OK) return 1;
    return (int)fnn_argmax(probs, 10) + (int)(fnn_status_str(FNN_OK)[0] == 'x');
#else
    return (int)(arena[0] + probe_image[0] + probe_blob[0] + probe_blob_len);
#endif
}
