//===- HostCode.cpp - what stays on the host of a CUDA library ------------===//
//
// Two passes around the mapping of parallel loops to the device: copies
// become linalg ops first, so they are mapped too; afterwards, whatever
// parallel work is still on the host is an error.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUCOPIESASKERNELS
#define GEN_PASS_DEF_XFMRGPUCHECKHOSTCODE
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
struct CopyAsLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct XfmrGpuCopiesAsKernelsPass
    : xfmr::cuda::impl::XfmrGpuCopiesAsKernelsBase<XfmrGpuCopiesAsKernelsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CopyAsLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

struct XfmrGpuCheckHostCodePass
    : xfmr::cuda::impl::XfmrGpuCheckHostCodeBase<XfmrGpuCheckHostCodePass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<scf::ParallelOp, scf::ForallOp, linalg::LinalgOp>(op)) {
        op->emitError("computation left on the host: the CUDA target maps "
                      "every parallel loop to a kernel, and this one was "
                      "not mapped");
        failed = true;
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
