/* classify: a plain C program that embeds a trained fnn model as a C array and classifies the
 * PGM images named on its command line, the way firmware would (static arena, no heap for the
 * model). Build it against an installed fnn (README, "Embedding fnn"):
 *   fnnpack c-array model.fnn -o model.c
 *   gcc -std=c99 classify.c model.c $(pkg-config --cflags --libs fnn-infer) -o classify
 *   ./classify image.pgm...
 * Prints "<file> <class> <probability>" per image; exits 1 if any image could not be read. */
#include <fnn/fnn.h>
#include <stdio.h>
#include <string.h>

extern const unsigned char fnn_model_blob[];
extern const size_t fnn_model_blob_len;

static unsigned char arena[16384];

/* Reads a binary PGM (P5, maxval 255) of exactly `size` pixels into pixels[]. */
static int read_pgm(const char* path, unsigned char* pixels, size_t size) {
    FILE* f = fopen(path, "rb");
    unsigned width = 0, height = 0, maxval = 0;
    int ok;
    if (f == NULL) return 0;
    ok = fscanf(f, "P5 %u %u %u", &width, &height, &maxval) == 3 && fgetc(f) != EOF &&
         maxval == 255 && (size_t)width * height == size && fread(pixels, 1, size, f) == size;
    fclose(f);
    return ok;
}

int main(int argc, char** argv) {
    fnn_model* model = NULL;
    char name[64];
    size_t need = 0;
    unsigned char pixels[4096];
    float probs[256];
    int i, failures = 0;
    fnn_status s = fnn_arena_bytes(fnn_model_blob, fnn_model_blob_len, &need);
    if (s == FNN_OK && need > sizeof arena) s = FNN_E_NOMEM;
    if (s == FNN_OK) s = fnn_load(fnn_model_blob, fnn_model_blob_len, arena, sizeof arena, &model);
    if (s != FNN_OK || fnn_input_size(model) > sizeof pixels || fnn_output_size(model) > 256) {
        fprintf(stderr, "classify: cannot load the embedded model: %s\n", fnn_status_str(s));
        return 1;
    }
    for (i = 1; i < argc; ++i) {
        size_t best;
        if (!read_pgm(argv[i], pixels, fnn_input_size(model))) {
            fprintf(stderr, "classify: %s: not a %u-pixel binary PGM\n", argv[i],
                    (unsigned)fnn_input_size(model));
            ++failures;
            continue;
        }
        s = fnn_run_u8(model, pixels, fnn_input_size(model), probs, fnn_output_size(model));
        if (s != FNN_OK) {
            fprintf(stderr, "classify: %s: %s\n", argv[i], fnn_status_str(s));
            ++failures;
            continue;
        }
        best = fnn_argmax(probs, fnn_output_size(model));
        /* The class's name when the model carries names (models from fnn 0.2 on do). */
        if (fnn_class_name(model, best, name, sizeof name) != FNN_OK) name[0] = '\0';
        printf("%s %u %.4f %s\n", argv[i], (unsigned)best, (double)probs[best], name);
    }
    return failures == 0 ? 0 : 1;
}
