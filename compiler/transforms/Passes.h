//===- Passes.h - xfmr → xfmr passes ----------------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_TRANSFORMS_PASSES_H
#define XFMR_COMPILER_TRANSFORMS_PASSES_H

#include "dialect/XfmrDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace xfmr {

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

} // namespace xfmr

#endif // XFMR_COMPILER_TRANSFORMS_PASSES_H
