//===- Vectors.h - the CPU kernels' vector register ------------*- C++ -*-===//
#ifndef XFMR_COMPILER_CODEGEN_CPU_VECTORS_H
#define XFMR_COMPILER_CODEGEN_CPU_VECTORS_H

#include <cstdint>

namespace xfmr::cpu {

/// f32 lanes of one vector register (AVX-512): every CPU kernel's vectors
/// are this wide.
constexpr int64_t kLanes = 16;

} // namespace xfmr::cpu

#endif // XFMR_COMPILER_CODEGEN_CPU_VECTORS_H
