//===- Passes.h - CPU code generation strategy ------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_CODEGEN_CPU_PASSES_H
#define XFMR_COMPILER_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace xfmr::cpu {

#define GEN_PASS_DECL
#include "compiler/codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/codegen/cpu/Passes.h.inc"

} // namespace xfmr::cpu

#endif // XFMR_COMPILER_CODEGEN_CPU_PASSES_H
