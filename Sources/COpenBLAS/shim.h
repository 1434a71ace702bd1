#ifndef PSGAN_COPENBLAS_SHIM_H
#define PSGAN_COPENBLAS_SHIM_H
#include <cblas.h>

/// Asks the processor to bring the cache line at `address` closer, for reading soon.
static inline void psgan_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
#endif
