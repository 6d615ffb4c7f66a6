// The GEMM register tile, written once with vector extensions and compiled twice: for the
// baseline x86-64 (or any other) target, and with AVX2+FMA, chosen when the process starts.
// Kept in C because Swift cannot compile one function for a wider instruction set than the
// rest of the binary.
#include "tessera_kernels.h"
#include "cpu_features.h"
#include "tile_body.h"

static void tile_portable(long depth, const float *a, const float *b, float *c, long ldc, int rows, int columns,
                          int accumulate) {
    tile_body(depth, a, b, c, ldc, rows, columns, accumulate);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void tile_avx2(long depth, const float *a, const float *b, float *c,
                                                          long ldc, int rows, int columns, int accumulate) {
    tile_body(depth, a, b, c, ldc, rows, columns, accumulate);
}
#endif

tessera_tile_kernel tessera_select_tile_kernel(void) {
#if defined(__x86_64__)
    if (tessera_has_avx2_fma()) return tile_avx2;
#endif
    return tile_portable;
}
