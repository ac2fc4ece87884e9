//===- ApproximateMath.cpp - polynomial approximations of math ops --------===//
//
// LLVM scalarizes a vector exp (the intrinsic becomes one libm call per
// lane); upstream's polynomial approximations are plain arithmetic and
// vectorize. One pass so the pipelines can place them where vector code
// exists, before the math ops are lowered to LLVM.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRAPPROXIMATEMATH
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;

namespace {
struct XfmrApproximateMathPass
    : xfmr::impl::XfmrApproximateMathBase<XfmrApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
