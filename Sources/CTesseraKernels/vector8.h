// Eight floats as one value, shared by the kernels compiled twice (baseline and AVX2+FMA): the
// compiler lowers the arithmetic and shuffles to whatever the function's target offers.
#ifndef TESSERA_VECTOR8_H
#define TESSERA_VECTOR8_H
#include <string.h>

typedef float vec8 __attribute__((vector_size(32), aligned(4)));

static inline __attribute__((always_inline)) vec8 load8(const float *p) {
    vec8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store8(float *p, vec8 v) { memcpy(p, &v, sizeof v); }

static inline __attribute__((always_inline)) vec8 splat8(float x) { return (vec8){x, x, x, x, x, x, x, x}; }

#endif
