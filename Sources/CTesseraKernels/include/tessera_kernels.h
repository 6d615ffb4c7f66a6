#ifndef TESSERA_KERNELS_H
#define TESSERA_KERNELS_H

/// Rows and columns of one register tile of C.
enum { TESSERA_TILE_ROWS = 6, TESSERA_TILE_COLUMNS = 16 };

/// One tile of C from packed panels: for p in 0..<depth,
/// C[r][j] (+)= a[p * 6 + r] * b[p * 16 + j], for r < rows and j < columns.
/// `accumulate` non-zero adds to C instead of overwriting it.
typedef void (*tessera_tile_kernel)(long depth, const float *a, const float *b, float *c, long ldc,
                                    int rows, int columns, int accumulate);

/// The fastest tile kernel this CPU runs: AVX2 with FMA where present, else a portable one.
tessera_tile_kernel tessera_select_tile_kernel(void);

#endif
