#pragma once

// The library the CPU's GEMMs run on. OpenBLAS by default; with
// MARTHE_CPU_GEMM=onednn, oneDNN's sgemm and, for float64 (oneDNN has no
// dgemm), a plain loop: the same products rounded otherwise, which the GPU
// check uses as a correct stand-in for cuBLAS (test/Gpu/cuda_vs_cpu.py
// --stand-in). MARTHE_CPU_GEMM_FAULT=x scales every product by 1 + x: a
// deliberately wrong "device", to show that the check fails on one.

#include <cstdint>

namespace marthe::rt {

/// Throws Error when MARTHE_CPU_GEMM or MARTHE_CPU_GEMM_FAULT holds a value
/// the runtime does not know (the trainer checks before its first step).
void checkGemmEnvironment();

/// Row-major C[m,n] = op(A) op(B), op transposing where `transposeA/B`.
void cpuGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float *a,
             int64_t lda, const float *b, int64_t ldb, float *c);
void cpuGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const double *a,
             int64_t lda, const double *b, int64_t ldb, double *c);

} // namespace marthe::rt
