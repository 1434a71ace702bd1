#include "CPUFeatures.h"

// This file is compiled for the baseline x86-64 (no -target-cpu), so it runs on any processor.

const char *psgan_cpu_missing_feature(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) return "AVX2";
    if (!__builtin_cpu_supports("fma")) return "FMA";
#endif
    return "";
}

int psgan_cpu_runs_kernels(void) {
    return psgan_cpu_missing_feature()[0] == '\0';
}
