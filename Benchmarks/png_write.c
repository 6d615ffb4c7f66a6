// Times PNG encoding of one raw 8-bit RGB image two ways, alternating rounds:
//   libpng  — libpng alone on one thread, row by row, with the settings Tessera's writer uses
//             (level 1, run-length matching, the Average filter): the writer before issue 13;
//   tessera — CImageCodecs' writer (bands deflated on every core), rows given 16 at a time as
//             the stitcher gives them.
// Usage: png_write RAW WIDTH HEIGHT ROUNDS OUTDIR; prints the fastest round and the file size of each.

#include "CImageCodecs.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

enum { block_rows = 16 };

static double now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec * 1e-9;
}

static long file_size(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return -1;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fclose(file);
    return size;
}

static int write_libpng(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) return 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(file);
        return 0;
    }
    png_init_io(png, file);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_RLE);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_AVG);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t row = 0; row < height; row++) png_write_row(png, pixels + (size_t)row * width * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return fclose(file) == 0;
}

static int write_tessera(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height) {
    ic_write_options options = {.format = IC_FORMAT_PNG, .width = width, .height = height, .channels = 3, .bit_depth = 8};
    ic_error error;
    ic_writer *writer = ic_writer_open(path, &options, &error);
    if (writer == NULL) {
        fprintf(stderr, "%s\n", error.message);
        return 0;
    }
    int ok = 1;
    for (uint32_t top = 0; ok && top < height; top += block_rows) {
        uint32_t rows = height - top < block_rows ? height - top : block_rows;
        ok = ic_writer_write_rows(writer, pixels + (size_t)top * width * 3, rows, &error) == IC_OK;
    }
    ok = ok && ic_writer_finish(writer, &error) == IC_OK;
    if (!ok) fprintf(stderr, "%s\n", error.message);
    ic_writer_free(writer);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s RAW WIDTH HEIGHT ROUNDS OUTDIR\n", argv[0]);
        return 2;
    }
    uint32_t width = (uint32_t)atoi(argv[2]), height = (uint32_t)atoi(argv[3]);
    int rounds = atoi(argv[4]);
    size_t bytes = (size_t)width * height * 3;
    uint8_t *pixels = malloc(bytes);
    FILE *raw = fopen(argv[1], "rb");
    if (pixels == NULL || raw == NULL || fread(pixels, 1, bytes, raw) != bytes) {
        fprintf(stderr, "cannot read %zu bytes from %s\n", bytes, argv[1]);
        return 1;
    }
    fclose(raw);
    const char *names[2] = {"libpng", "tessera"};
    int (*writers[2])(const char *, const uint8_t *, uint32_t, uint32_t) = {write_libpng, write_tessera};
    double best[2] = {1e9, 1e9};
    char paths[2][4096];
    for (int round = 0; round < rounds; round++)
        for (int which = 0; which < 2; which++) {
            snprintf(paths[which], sizeof paths[which], "%s/%s.png", argv[5], names[which]);
            double start = now();
            if (!writers[which](paths[which], pixels, width, height)) {
                fprintf(stderr, "%s failed\n", names[which]);
                return 1;
            }
            double seconds = now() - start;
            if (seconds < best[which]) best[which] = seconds;
        }
    printf("%ux%u RGB 8-bit, fastest of %d rounds\n", width, height, rounds);
    for (int which = 0; which < 2; which++)
        printf("  %-8s %7.1f ms  %9ld bytes\n", names[which], best[which] * 1e3, file_size(paths[which]));
    printf("  speed-up %.2fx, size %+.3f%%\n", best[0] / best[1],
           100.0 * ((double)file_size(paths[1]) / (double)file_size(paths[0]) - 1));
    free(pixels);
    return 0;
}
