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

/// Winograd F(tile×tile, 3×3), `tile` 4 or 6: each output tile from a (tile + 2)² input tile,
/// with 36 products per channel pair instead of 144 (tile 4), or 64 instead of 324 (tile 6).

/// Floats the transformed weights of a 3×3 convolution take.
long tessera_winograd_weights_count(int tile, int out_channels, int in_channels);

/// Transforms `weights` (out × in × 3 × 3, ONNX order) once, for every later run, into
/// `transformed` (``tessera_winograd_weights_count`` floats), laid out as the products read them.
void tessera_winograd_transform_weights(int tile, const float *weights, int out_channels, int in_channels,
                                        float *transformed);

/// What the output transform finishes each value with: `act(v + bias[c] + residual)`.
typedef struct {
    /// One value per output channel, or NULL.
    const float *bias;
    /// A tensor of the output's shape added before the activation, or NULL.
    const float *residual;
    /// 0 none, 1 Relu, 2 LeakyRelu (`alpha`), 3 PRelu (`slopes`, one per output channel),
    /// 4 Clip (`low`, `high`).
    int activation;
    float alpha, low, high;
    const float *slopes;
} tessera_epilogue;

/// One image's 3×3, stride-1 convolution (NCHW planes, batch and groups of 1).
typedef struct {
    /// 4 or 6, as the weights were transformed.
    int tile;
    const float *input;
    int channels, height, width;
    /// Output planes; out_height × out_width follow from the input size and the pads.
    float *output;
    int out_channels, out_height, out_width;
    /// Input row and column of the first output's top-left tap, minus: the begin pads.
    int pad_top, pad_left;
    /// From ``tessera_winograd_transform_weights``.
    const float *weights;
    tessera_epilogue epilogue;
} tessera_winograd_conv;

/// Blocks of tiles the convolution splits into: units of work for one thread, each sized so
/// its transformed input and products stay in L2.
long tessera_winograd_blocks(const tessera_winograd_conv *conv);

/// Computes the output tiles of blocks [first, end): input transform, batched products per
/// transform point, output transform with the epilogue, block by block in per-thread buffers
/// kept across calls. Blocks write disjoint outputs, so threads may run disjoint ranges at once.
/// Returns 0, or 1 when a buffer could not be allocated.
typedef int (*tessera_winograd_kernel)(const tessera_winograd_conv *conv, long first, long end);

/// The fastest build for this CPU: AVX2 with FMA where present, else a portable one.
tessera_winograd_kernel tessera_select_winograd_kernel(void);

#endif
