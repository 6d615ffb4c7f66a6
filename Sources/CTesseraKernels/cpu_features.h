// Which instruction-set build of a kernel this CPU runs, asked once when a kernel is selected.
#ifndef TESSERA_CPU_FEATURES_H
#define TESSERA_CPU_FEATURES_H

#if defined(__x86_64__)
static inline int tessera_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

#endif
