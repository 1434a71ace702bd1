#ifndef PSGAN_CPU_FEATURES_H
#define PSGAN_CPU_FEATURES_H

/// Whether this processor (and the operating system) can run psgan's numeric kernels, which are
/// compiled for x86-64 with AVX2 and FMA: 1 if so, 0 if not. Asked of the processor itself
/// (CPUID), so an emulated CPU answers for itself. Always 1 on other architectures.
int psgan_cpu_runs_kernels(void);

/// The first of AVX2 and FMA this processor lacks ("AVX2", "FMA"), or an empty string.
const char *psgan_cpu_missing_feature(void);

#endif
