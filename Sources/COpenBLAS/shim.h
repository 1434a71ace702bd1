#ifndef PSGAN_COPENBLAS_SHIM_H
#define PSGAN_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
