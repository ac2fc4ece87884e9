//===- HostCode.cpp - what stays on the host of a CUDA library ------------===//
//
// Two passes around the mapping of parallel loops to the device: copies
// become linalg ops first, so they are mapped too; afterwards, whatever
// parallel work is still on the host is an error.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Buffers.h"
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

/// Fails for a buffer on the host's stack or in its globals that the kernel
/// of `launch` reads or writes: the device cannot reach it.
LogicalResult checkKernelMemory(gpu::LaunchOp launch) {
  bool ok = true;
  launch.getBody().walk([&](Operation *op) {
    for (Value operand : op->getOperands()) {
      if (!isa<MemRefType>(operand.getType()) ||
          launch->isProperAncestor(operand.getParentBlock()->getParentOp()))
        continue;
      if (isa<BlockArgument>(operand) &&
          cast<BlockArgument>(operand).getOwner() == &launch.getBody().front())
        continue;
      Operation *def = xfmr::cuda::rootBuffer(operand).getDefiningOp();
      if (isa_and_present<memref::AllocaOp, memref::GetGlobalOp>(def)) {
        op->emitError("a kernel reads or writes host memory (")
            << def->getName() << "), which the device cannot reach";
        ok = false;
      }
    }
  });
  return success(ok);
}

struct XfmrGpuCheckHostCodePass
    : xfmr::cuda::impl::XfmrGpuCheckHostCodeBase<XfmrGpuCheckHostCodePass> {
  void runOnOperation() override {
    bool bad = false;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (auto launch = dyn_cast<gpu::LaunchOp>(op)) {
        bad |= failed(checkKernelMemory(launch));
        return WalkResult::skip();
      }
      if (isa<scf::ParallelOp, scf::ForallOp, linalg::LinalgOp>(op)) {
        op->emitError("computation left on the host: the CUDA target maps "
                      "every parallel loop to a kernel, and this one was "
                      "not mapped");
        bad = true;
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    if (bad)
      signalPassFailure();
  }
};
} // namespace
