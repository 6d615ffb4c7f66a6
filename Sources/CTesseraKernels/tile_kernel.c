// The GEMM register tile, written once with vector extensions and compiled twice: for the
// baseline x86-64 (or any other) target, and with AVX2+FMA, chosen when the process starts.
// Kept in C because Swift cannot compile one function for a wider instruction set than the
// rest of the binary.
#include "tessera_kernels.h"
#include <string.h>

// a*b+c in the tile becomes one fused multiply-add where the target has it.
#pragma clang fp contract(fast)

typedef float vec8 __attribute__((vector_size(32), aligned(4)));

static inline __attribute__((always_inline)) vec8 load8(const float *p) {
    vec8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store8(float *p, vec8 v) { memcpy(p, &v, sizeof v); }

static inline __attribute__((always_inline)) vec8 splat8(float x) { return (vec8){x, x, x, x, x, x, x, x}; }

// Twelve accumulators (6 rows × 2 vectors) fill twelve of sixteen AVX registers; the other
// four hold the two B vectors and the broadcast A value.
static inline __attribute__((always_inline)) void tile_body(long depth, const float *a, const float *b, float *c,
                                                            long ldc, int rows, int columns, int accumulate) {
    vec8 acc[TESSERA_TILE_ROWS][2];
    for (int r = 0; r < TESSERA_TILE_ROWS; r++) acc[r][0] = acc[r][1] = splat8(0);
    for (long p = 0; p < depth; p++) {
        const vec8 b0 = load8(b), b1 = load8(b + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < TESSERA_TILE_ROWS; r++) {
            const vec8 av = splat8(a[r]);
            acc[r][0] += av * b0;
            acc[r][1] += av * b1;
        }
        a += TESSERA_TILE_ROWS;
        b += TESSERA_TILE_COLUMNS;
    }
    if (columns == TESSERA_TILE_COLUMNS) {
        for (int r = 0; r < rows; r++) {
            float *row = c + r * ldc;
            if (accumulate) {
                store8(row, load8(row) + acc[r][0]);
                store8(row + 8, load8(row + 8) + acc[r][1]);
            } else {
                store8(row, acc[r][0]);
                store8(row + 8, acc[r][1]);
            }
        }
        return;
    }
    float spill[TESSERA_TILE_COLUMNS];
    for (int r = 0; r < rows; r++) {
        store8(spill, acc[r][0]);
        store8(spill + 8, acc[r][1]);
        float *row = c + r * ldc;
        for (int j = 0; j < columns; j++) row[j] = accumulate ? row[j] + spill[j] : spill[j];
    }
}

static void tile_portable(long depth, const float *a, const float *b, float *c, long ldc, int rows, int columns,
                          int accumulate) {
    tile_body(depth, a, b, c, ldc, rows, columns, accumulate);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void tile_avx2(long depth, const float *a, const float *b, float *c,
                                                          long ldc, int rows, int columns, int accumulate) {
    tile_body(depth, a, b, c, ldc, rows, columns, accumulate);
}

static int has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

tessera_tile_kernel tessera_select_tile_kernel(void) {
#if defined(__x86_64__)
    if (has_avx2_fma()) return tile_avx2;
#endif
    return tile_portable;
}
