// Winograd F(4×4, 3×3) and F(6×6, 3×3) convolution (Lavin & Gray 2015), compiled for the baseline
// target and for AVX2+FMA like the GEMM tile. Work goes block by block, each block a few groups of
// eight horizontally adjacent output tiles: the input transform writes the block's 36 transform
// points per channel, one batched product per point multiplies them by the weights transformed
// at plan time, and the output transform finishes every value with the epilogue on its way out,
// so the transformed data stays in the thread's L2 instead of a whole-image buffer per layer.
// One vector holds one value of eight tiles, so every transform is whole-vector arithmetic.
#include "tessera_kernels.h"
#include "cpu_features.h"
#include "tile_body.h"
#include <pthread.h>
#include <stdlib.h>

// The transform matrices: inputs B^T d B, weights G g G^T, outputs A^T m A. F(4×4) uses the
// points 0, ±1, ±2 and ∞; F(6×6) adds ±1/2, the choice with the smallest float32 error among
// the usual ones (docs/winograd.md has the measurements).
static const float BT4[6][6] = {
    {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1},
};
static const double G4[6][3] = {
    {1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1},
};
static const float AT4[4][6] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

static const float BT6[8][8] = {
    {1, 0, -5.25f, 0, 5.25f, 0, -1, 0},
    {0, 1, 1, -4.25f, -4.25f, 1, 1, 0},
    {0, -1, 1, 4.25f, -4.25f, -1, 1, 0},
    {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
    {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0},
    {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
    {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},
    {0, -1, 0, 5.25f, 0, -5.25f, 0, 1},
};
static const double G6[8][3] = {
    {1, 0, 0},
    {-2.0 / 9, -2.0 / 9, -2.0 / 9},
    {-2.0 / 9, 2.0 / 9, -2.0 / 9},
    {1.0 / 90, 1.0 / 45, 2.0 / 45},
    {1.0 / 90, -1.0 / 45, 2.0 / 45},
    {32.0 / 45, 16.0 / 45, 8.0 / 45},
    {32.0 / 45, -16.0 / 45, 8.0 / 45},
    {0, 0, 1},
};
static const float AT6[6][8] = {
    {1, 1, 1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0.5f, -0.5f, 0},
    {0, 1, 1, 4, 4, 0.25f, 0.25f, 0},
    {0, 1, -1, 8, -8, 0.125f, -0.125f, 0},
    {0, 1, 1, 16, 16, 0.0625f, 0.0625f, 0},
    {0, 1, -1, 32, -32, 0.03125f, -0.03125f, 1},
};

enum {
    ROWS = TESSERA_TILE_ROWS,
    STRIP = TESSERA_TILE_COLUMNS,
    // Tiles one vector holds, side by side along a row.
    GROUP = 8,
    // Room for the widest window a group reads: 8 tiles 6 apart, 8 wide.
    STAGE_WIDTH = 56,
};

static int points_of(int tile) { return (tile + 2) * (tile + 2); }

// Groups per block: 32 tiles of F(4×4) or 16 of F(6×6), whose transformed input and products
// (at 64 channels 288 KB and 256 KB each) stay in L2 beside one point's weights.
static inline __attribute__((always_inline)) int groups_per_block(int tile) { return tile == 4 ? 4 : 2; }

static long strips_of(int out_channels) { return (out_channels + ROWS - 1) / ROWS; }

long tessera_winograd_weights_count(int tile, int out_channels, int in_channels) {
    return (long)points_of(tile) * strips_of(out_channels) * in_channels * ROWS;
}

// Point p's weights, as the register tile reads A: per strip of six output channels, the input
// channels in order, six values each (zero past the last channel).
void tessera_winograd_transform_weights(int tile, const float *weights, int out_channels, int in_channels,
                                        float *transformed) {
    const int n = tile + 2;
    const double(*g_matrix)[3] = tile == 4 ? G4 : G6;
    const long strips = strips_of(out_channels);
    memset(transformed, 0, sizeof(float) * (size_t)tessera_winograd_weights_count(tile, out_channels, in_channels));
    for (int oc = 0; oc < out_channels; oc++) {
        for (int ic = 0; ic < in_channels; ic++) {
            const float *g = weights + ((long)oc * in_channels + ic) * 9;
            double half[8][3];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < 3; j++)
                    half[i][j] = g_matrix[i][0] * g[j] + g_matrix[i][1] * g[3 + j] + g_matrix[i][2] * g[6 + j];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    const double u = half[i][0] * g_matrix[j][0] + half[i][1] * g_matrix[j][1] + half[i][2] * g_matrix[j][2];
                    transformed[(((long)(i * n + j) * strips + oc / ROWS) * in_channels + ic) * ROWS + oc % ROWS] = (float)u;
                }
            }
        }
    }
}

// Σ c[j]·x[j·stride] over `count` terms; with `c` a row of a constant matrix and the loop
// unrolled, the zero terms vanish and ±1 cost no multiplication.
static inline __attribute__((always_inline)) vec8 combine(const float *c, const vec8 *x, int stride, int count) {
    vec8 sum = splat8(0);
    int started = 0;
#pragma clang loop unroll(full)
    for (int j = 0; j < count; j++) {
        if (c[j] == 0) continue;
        const vec8 term = x[j * stride];
        if (!started) {
            sum = c[j] == 1 ? term : (c[j] == -1 ? -term : splat8(c[j]) * term);
            started = 1;
        } else if (c[j] == 1) {
            sum += term;
        } else if (c[j] == -1) {
            sum -= term;
        } else {
            sum += splat8(c[j]) * term;
        }
    }
    return sum;
}

// One input row of a group of F(4×4) tiles as six vectors: v[m] holds column 4k + m of tile k.
// Reads 34 floats.
static inline __attribute__((always_inline)) void split_row4(const float *row, vec8 v[6]) {
    const vec8 a0 = load8(row), a1 = load8(row + 8), a2 = load8(row + 16), a3 = load8(row + 24);
    const vec8 even01 = __builtin_shufflevector(a0, a1, 0, 2, 4, 6, 8, 10, 12, 14);
    const vec8 odd01 = __builtin_shufflevector(a0, a1, 1, 3, 5, 7, 9, 11, 13, 15);
    const vec8 even23 = __builtin_shufflevector(a2, a3, 0, 2, 4, 6, 8, 10, 12, 14);
    const vec8 odd23 = __builtin_shufflevector(a2, a3, 1, 3, 5, 7, 9, 11, 13, 15);
    v[0] = __builtin_shufflevector(even01, even23, 0, 2, 4, 6, 8, 10, 12, 14);
    v[2] = __builtin_shufflevector(even01, even23, 1, 3, 5, 7, 9, 11, 13, 15);
    v[1] = __builtin_shufflevector(odd01, odd23, 0, 2, 4, 6, 8, 10, 12, 14);
    v[3] = __builtin_shufflevector(odd01, odd23, 1, 3, 5, 7, 9, 11, 13, 15);
    // Columns 4 and 5 of tile k are columns 0 and 1 of tile k + 1.
    v[4] = __builtin_shufflevector(v[0], splat8(row[32]), 1, 2, 3, 4, 5, 6, 7, 8);
    v[5] = __builtin_shufflevector(v[1], splat8(row[33]), 1, 2, 3, 4, 5, 6, 7, 8);
}

// Lanes 3k + j (k = 0 ..< 8) of the 24 floats in e0, e1, e2.
static inline __attribute__((always_inline)) vec8 every_third(vec8 e0, vec8 e1, vec8 e2, int j) {
    if (j == 0) {
        const vec8 t = __builtin_shufflevector(e0, e1, 0, 3, 6, 9, 12, 15, -1, -1);
        return __builtin_shufflevector(t, e2, 0, 1, 2, 3, 4, 5, 10, 13);
    }
    if (j == 1) {
        const vec8 t = __builtin_shufflevector(e0, e1, 1, 4, 7, 10, 13, -1, -1, -1);
        return __builtin_shufflevector(t, e2, 0, 1, 2, 3, 4, 8, 11, 14);
    }
    const vec8 t = __builtin_shufflevector(e0, e1, 2, 5, 8, 11, 14, -1, -1, -1);
    return __builtin_shufflevector(t, e2, 0, 1, 2, 3, 4, 9, 12, 15);
}

// The same for F(6×6): v[m] holds column 6k + m of tile k. Reads 50 floats.
static inline __attribute__((always_inline)) void split_row6(const float *row, vec8 v[8]) {
    vec8 even[3], odd[3];
    for (int i = 0; i < 3; i++) {
        const vec8 a = load8(row + 16 * i), b = load8(row + 16 * i + 8);
        even[i] = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
        odd[i] = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    }
#pragma clang loop unroll(full)
    for (int j = 0; j < 3; j++) {
        v[2 * j] = every_third(even[0], even[1], even[2], j);
        v[2 * j + 1] = every_third(odd[0], odd[1], odd[2], j);
    }
    v[6] = __builtin_shufflevector(v[0], splat8(row[48]), 1, 2, 3, 4, 5, 6, 7, 8);
    v[7] = __builtin_shufflevector(v[1], splat8(row[49]), 1, 2, 3, 4, 5, 6, 7, 8);
}

// The inverse of split_row4 for one output row: v[m] holds column m of each of the eight tiles;
// out[k] is the row's columns 8k ..< 8k + 8.
static inline __attribute__((always_inline)) void merge_row4(const vec8 v[4], vec8 out[4]) {
    const vec8 even_low = __builtin_shufflevector(v[0], v[2], 0, 8, 1, 9, 2, 10, 3, 11);
    const vec8 even_high = __builtin_shufflevector(v[0], v[2], 4, 12, 5, 13, 6, 14, 7, 15);
    const vec8 odd_low = __builtin_shufflevector(v[1], v[3], 0, 8, 1, 9, 2, 10, 3, 11);
    const vec8 odd_high = __builtin_shufflevector(v[1], v[3], 4, 12, 5, 13, 6, 14, 7, 15);
    out[0] = __builtin_shufflevector(even_low, odd_low, 0, 8, 1, 9, 2, 10, 3, 11);
    out[1] = __builtin_shufflevector(even_low, odd_low, 4, 12, 5, 13, 6, 14, 7, 15);
    out[2] = __builtin_shufflevector(even_high, odd_high, 0, 8, 1, 9, 2, 10, 3, 11);
    out[3] = __builtin_shufflevector(even_high, odd_high, 4, 12, 5, 13, 6, 14, 7, 15);
}

// 24 floats whose lane 3k + j is lane k of p (j = 0), q (1) or r (2), as e[0], e[1], e[2].
static inline __attribute__((always_inline)) void interleave_three(vec8 p, vec8 q, vec8 r, vec8 e[3]) {
    const vec8 s0 = __builtin_shufflevector(p, q, 0, 8, -1, 1, 9, -1, 2, 10);
    e[0] = __builtin_shufflevector(s0, r, 0, 1, 8, 3, 4, 9, 6, 7);
    const vec8 s1 = __builtin_shufflevector(p, q, -1, 3, 11, -1, 4, 12, -1, 5);
    e[1] = __builtin_shufflevector(s1, r, 10, 1, 2, 11, 4, 5, 12, 7);
    const vec8 s2 = __builtin_shufflevector(p, q, 13, -1, 6, 14, -1, 7, 15, -1);
    e[2] = __builtin_shufflevector(s2, r, 0, 13, 2, 3, 14, 5, 6, 15);
}

// The inverse of split_row6 for one output row: out[k] is the row's columns 8k ..< 8k + 8.
static inline __attribute__((always_inline)) void merge_row6(const vec8 v[6], vec8 out[6]) {
    vec8 even[3], odd[3];
    interleave_three(v[0], v[2], v[4], even);
    interleave_three(v[1], v[3], v[5], odd);
    for (int i = 0; i < 3; i++) {
        out[2 * i] = __builtin_shufflevector(even[i], odd[i], 0, 8, 1, 9, 2, 10, 3, 11);
        out[2 * i + 1] = __builtin_shufflevector(even[i], odd[i], 4, 12, 5, 13, 6, 14, 7, 15);
    }
}

// B^T d B for one channel of a group, from tile + 2 rows of `stride` floats at `rows`; point
// p = (tile + 2)·i + n goes to `v + p × point_stride`.
static inline __attribute__((always_inline)) void transform_input(int tile, const float *rows, long stride, float *v,
                                                                   long point_stride) {
    const int n = tile + 2;
    vec8 h[8][8];
#pragma clang loop unroll(full)
    for (int r = 0; r < n; r++) {
        vec8 d[8];
        if (tile == 4) split_row4(rows + r * stride, d);
        else split_row6(rows + r * stride, d);
#pragma clang loop unroll(full)
        for (int c = 0; c < n; c++) h[r][c] = tile == 4 ? combine(BT4[c], d, 1, 6) : combine(BT6[c], d, 1, 8);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < n; i++) {
#pragma clang loop unroll(full)
        for (int c = 0; c < n; c++) {
            const vec8 value = tile == 4 ? combine(BT4[i], &h[0][c], 8, 6) : combine(BT6[i], &h[0][c], 8, 8);
            store8(v + (i * n + c) * point_stride, value);
        }
    }
}

// The window of `rows` × `span` floats at (y0, x0) of a plane, zero outside it, for groups on
// the border.
static void stage_window(const float *plane, int height, int width, int y0, int x0, int rows, int span, float *out) {
    const int first = x0 < 0 ? -x0 : 0;
    const int last = width - x0 < span ? (width - x0 > first ? width - x0 : first) : span;
    for (int r = 0; r < rows; r++) {
        float *row = out + r * STAGE_WIDTH;
        const int y = y0 + r;
        memset(row, 0, sizeof(float) * STAGE_WIDTH);
        if (y < 0 || y >= height || last <= first) continue;
        memcpy(row + first, plane + (long)y * width + x0 + first, sizeof(float) * (size_t)(last - first));
    }
}

static inline __attribute__((always_inline)) vec8 activate(vec8 v, const tessera_epilogue *e, float slope) {
    switch (e->activation) {
    case 1: return __builtin_elementwise_max(v, splat8(0));
    case 2:
    case 3: return __builtin_elementwise_max(v, splat8(0)) + splat8(slope) * __builtin_elementwise_min(v, splat8(0));
    case 4: return __builtin_elementwise_min(__builtin_elementwise_max(v, splat8(e->low)), splat8(e->high));
    default: return v;
    }
}

// Writes `count` values of `v` at `offset` in output plane `oc`, finished by the epilogue.
static inline __attribute__((always_inline)) void finish(const tessera_winograd_conv *conv, long offset, int oc,
                                                         vec8 v, int count) {
    const tessera_epilogue *e = &conv->epilogue;
    const long plane = (long)oc * conv->out_height * conv->out_width;
    float *target = conv->output + plane + offset;
    if (e->bias) v += splat8(e->bias[oc]);
    const float slope = e->activation == 3 ? e->slopes[oc] : e->alpha;
    if (count == 8) {
        if (e->residual) v += load8(e->residual + plane + offset);
        store8(target, activate(v, e, slope));
        return;
    }
    float spill[8] = {0};
    if (e->residual) {
        memcpy(spill, e->residual + plane + offset, sizeof(float) * (size_t)count);
        v += load8(spill);
    }
    store8(spill, activate(v, e, slope));
    memcpy(target, spill, sizeof(float) * (size_t)count);
}

// A^T m A for output channel `oc` of the group whose products start at column 0 of `m` (row
// p × out_channels + oc of `columns` floats), written at tile row `ty`, first tile `tx0`.
static inline __attribute__((always_inline)) void transform_output(int tile, const tessera_winograd_conv *conv,
                                                                    const float *m, long columns, int oc, int ty,
                                                                    int tx0) {
    const int n = tile + 2;
    vec8 t[8][6];
#pragma clang loop unroll(full)
    for (int i = 0; i < n; i++) {
        vec8 row[8];
        for (int j = 0; j < n; j++) row[j] = load8(m + ((long)(i * n + j) * conv->out_channels + oc) * columns);
#pragma clang loop unroll(full)
        for (int c = 0; c < tile; c++) t[i][c] = tile == 4 ? combine(AT4[c], row, 1, 6) : combine(AT6[c], row, 1, 8);
    }
    const int x0 = tx0 * tile;
#pragma clang loop unroll(full)
    for (int r = 0; r < tile; r++) {
        const int y = ty * tile + r;
        if (y >= conv->out_height) break;
        vec8 o[6], out[6];
#pragma clang loop unroll(full)
        for (int c = 0; c < tile; c++) o[c] = tile == 4 ? combine(AT4[r], &t[0][c], 6, 6) : combine(AT6[r], &t[0][c], 6, 8);
        if (tile == 4) merge_row4(o, out);
        else merge_row6(o, out);
        for (int k = 0; k < tile; k++) {
            const int x = x0 + 8 * k;
            if (x >= conv->out_width) break;
            const int left = conv->out_width - x;
            finish(conv, (long)y * conv->out_width + x, oc, out[k], left < 8 ? left : 8);
        }
    }
}

// Per-thread buffers, kept for the thread's life so no block touches fresh pages.
typedef struct {
    float *data;
    size_t count;
} scratch_buffer;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    scratch_buffer *buffer = value;
    free(buffer->data);
    free(buffer);
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

static float *thread_scratch(size_t count) {
    pthread_once(&scratch_once, make_scratch_key);
    scratch_buffer *buffer = pthread_getspecific(scratch_key);
    if (!buffer) {
        buffer = calloc(1, sizeof *buffer);
        if (!buffer || pthread_setspecific(scratch_key, buffer) != 0) {
            free(buffer);
            return NULL;
        }
    }
    if (buffer->count < count) {
        free(buffer->data);
        buffer->count = 0;
        buffer->data = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
        if (!buffer->data) return NULL;
        buffer->count = count;
    }
    return buffer->data;
}

static long groups_per_row(const tessera_winograd_conv *conv) {
    const long tiles = (conv->out_width + conv->tile - 1) / conv->tile;
    return (tiles + GROUP - 1) / GROUP;
}

long tessera_winograd_blocks(const tessera_winograd_conv *conv) {
    const long groups = (conv->out_height + conv->tile - 1) / conv->tile * groups_per_row(conv);
    const int per_block = groups_per_block(conv->tile);
    return (groups + per_block - 1) / per_block;
}

static inline __attribute__((always_inline)) int run_blocks(int tile, const tessera_winograd_conv *conv, long first,
                                                            long end) {
    const int n = tile + 2, points = n * n, span = GROUP * tile + 2;
    const int per_block = groups_per_block(tile), strips_per_block = per_block * GROUP / STRIP;
    const int cin = conv->channels, cout = conv->out_channels;
    const long strips = strips_of(cout);
    const long columns = strips_per_block * STRIP;
    const long point_stride = strips_per_block * cin * STRIP;
    const long v_count = points * point_stride;
    const long m_count = (long)points * cout * columns;
    float *v = thread_scratch((size_t)(v_count + m_count + n * STAGE_WIDTH));
    if (!v) return 1;
    float *m = v + v_count;
    float *stage = m + m_count;
    const long row_groups = groups_per_row(conv);
    const long all_groups = (conv->out_height + tile - 1) / tile * row_groups;
    const long plane = (long)conv->height * conv->width;
    for (long block = first; block < end; block++) {
        const long g0 = block * per_block;
        const int count = (int)(all_groups - g0 < per_block ? all_groups - g0 : per_block);
        // Channel by channel, the block's groups (mostly side by side in one tile row) read
        // neighbouring runs of the same input rows.
        for (int ic = 0; ic < cin; ic++) {
            const float *source = conv->input + ic * plane;
            for (int g = 0; g < count; g++) {
                const int ty = (int)((g0 + g) / row_groups), tx0 = (int)((g0 + g) % row_groups) * GROUP;
                const int y0 = ty * tile - conv->pad_top, x0 = tx0 * tile - conv->pad_left;
                float *target = v + ((long)(g / 2) * cin + ic) * STRIP + (g % 2) * GROUP;
                if (y0 >= 0 && y0 + n <= conv->height && x0 >= 0 && x0 + span <= conv->width) {
                    transform_input(tile, source + (long)y0 * conv->width + x0, conv->width, target, point_stride);
                } else {
                    stage_window(source, conv->height, conv->width, y0, x0, n, span, stage);
                    transform_input(tile, stage, STAGE_WIDTH, target, point_stride);
                }
            }
        }
        const int used_strips = (count + 1) / 2;
        for (int p = 0; p < points; p++) {
            for (long s = 0; s < strips; s++) {
                const float *a = conv->weights + ((p * strips + s) * cin) * ROWS;
                const int rows = (int)(cout - s * ROWS < ROWS ? cout - s * ROWS : ROWS);
                for (int strip = 0; strip < used_strips; strip++) {
                    const int width = 2 * strip + 1 < count ? STRIP : GROUP;
                    tile_body(cin, a, v + p * point_stride + (long)strip * cin * STRIP,
                              m + ((long)p * cout + s * ROWS) * columns + strip * STRIP, columns, rows, width, 0);
                }
            }
        }
        for (int g = 0; g < count; g++) {
            const int ty = (int)((g0 + g) / row_groups), tx0 = (int)((g0 + g) % row_groups) * GROUP;
            for (int oc = 0; oc < cout; oc++) transform_output(tile, conv, m + g * GROUP, columns, oc, ty, tx0);
        }
    }
    return 0;
}

static int winograd_portable(const tessera_winograd_conv *conv, long first, long end) {
    return conv->tile == 4 ? run_blocks(4, conv, first, end) : run_blocks(6, conv, first, end);
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static int winograd_avx2(const tessera_winograd_conv *conv, long first, long end) {
    return conv->tile == 4 ? run_blocks(4, conv, first, end) : run_blocks(6, conv, first, end);
}
#endif

tessera_winograd_kernel tessera_select_winograd_kernel(void) {
#if defined(__x86_64__)
    if (tessera_has_avx2_fma()) return winograd_avx2;
#endif
    return winograd_portable;
}
