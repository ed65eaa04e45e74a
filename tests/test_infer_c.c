/* fnn.h compiled as C99 (-std=c99 -pedantic) and linked by gcc against libfnn_infer.a alone:
 * proves the header is valid C and the library needs no C++ runtime. Usage:
 *   test_infer_c MODEL.fnn IMAGES.raw COUNT
 * IMAGES.raw holds COUNT inputs of fnn_input_size() bytes. Prints, for each, the argmax and the
 * bits of every probability in hex, so tests/test_infer.cpp can compare them with C++ runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnn/fnn.h"

static unsigned char* read_all(const char* path, size_t* len) {
    FILE* f = fopen(path, "rb");
    unsigned char* data = NULL;
    long size;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = (unsigned char*)malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, f) == (size_t)size) {
            *len = (size_t)size;
        } else {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
}

int main(int argc, char** argv) {
    size_t blob_len = 0, images_len = 0, need = 0, i, j;
    unsigned char *blob, *images;
    void* arena;
    fnn_model* model = NULL;
    fnn_status s;
    long count;
    if (argc != 4) {
        fprintf(stderr, "usage: test_infer_c MODEL.fnn IMAGES.raw COUNT\n");
        return 2;
    }
    blob = read_all(argv[1], &blob_len);
    images = read_all(argv[2], &images_len);
    count = strtol(argv[3], NULL, 10);
    if (blob == NULL || images == NULL) return 1;
    s = fnn_arena_bytes(blob, blob_len, &need);
    if (s != FNN_OK) {
        fprintf(stderr, "fnn_arena_bytes: %s\n", fnn_status_str(s));
        return 1;
    }
    arena = malloc(need);
    s = fnn_load(blob, blob_len, arena, need, &model);
    if (s != FNN_OK || (size_t)count * fnn_input_size(model) > images_len) return 1;
    for (i = 0; i < (size_t)count; ++i) {
        float probs[256];
        unsigned int bits;
        s = fnn_run_u8(model, images + i * fnn_input_size(model), fnn_input_size(model), probs,
                       fnn_output_size(model));
        if (s != FNN_OK) return 1;
        printf("%u", (unsigned)fnn_argmax(probs, fnn_output_size(model)));
        for (j = 0; j < fnn_output_size(model); ++j) {
            memcpy(&bits, &probs[j], sizeof bits);
            printf(" %08x", bits);
        }
        printf("\n");
    }
    free(arena);
    free(images);
    free(blob);
    return 0;
}
