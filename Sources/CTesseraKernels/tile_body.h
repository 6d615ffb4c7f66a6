// The GEMM register tile's body, inlined into each instruction-set build of the GEMM tile and of
// the Winograd convolution's batched products.
#ifndef TESSERA_TILE_BODY_H
#define TESSERA_TILE_BODY_H
#include "tessera_kernels.h"
#include "vector8.h"

// a*b+c in the tile becomes one fused multiply-add where the target has it.
#pragma clang fp contract(fast)

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

#endif
