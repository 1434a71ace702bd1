#ifndef PSGAN_COPENBLAS_SHIM_H
#define PSGAN_COPENBLAS_SHIM_H
#include <cblas.h>

/// Asks the processor to bring the cache line at `address` closer, for reading soon.
static inline void psgan_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Stores the 32 floats at `source` at `target` (16-byte aligned) with non-temporal stores, which
/// write to memory without first reading the line into the caches.
static inline void psgan_stream32(const float *source, float *target) {
    typedef float v4 __attribute__((vector_size(16)));
    for (int i = 0; i < 32; i += 4) {
        v4 v;
        __builtin_memcpy(&v, source + i, 16);
        __builtin_nontemporal_store(v, (v4 *)(target + i));
    }
}

/// Orders the non-temporal stores made so far before any later store (so another thread that
/// synchronises with this one afterwards sees them).
static inline void psgan_store_fence(void) {
#if defined(__x86_64__)
    __builtin_ia32_sfence();
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}
#endif
