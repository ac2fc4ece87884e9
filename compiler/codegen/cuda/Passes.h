//===- Passes.h - CUDA code generation strategy -----------------*- C++ -*-===//
#ifndef XFMR_COMPILER_CODEGEN_CUDA_PASSES_H
#define XFMR_COMPILER_CODEGEN_CUDA_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace xfmr::cuda {

#define GEN_PASS_DECL
#include "compiler/codegen/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/codegen/cuda/Passes.h.inc"

} // namespace xfmr::cuda

#endif // XFMR_COMPILER_CODEGEN_CUDA_PASSES_H
