//===- Mapping.cpp - parallel loops laid out for the threads and the grid -===//
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUINNERMOSTFIRST
#define GEN_PASS_DEF_XFMRGPUROWSONGRIDX
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// The outermost parallel loops of `func` with two or more dimensions and no
/// results: the loops a kernel's threads and grid are made of.
SmallVector<scf::ParallelOp> outermostLoops(Operation *func) {
  SmallVector<scf::ParallelOp> loops;
  func->walk([&](scf::ParallelOp loop) {
    if (loop.getNumLoops() > 1 && loop.getNumResults() == 0 &&
        !loop->getParentOfType<scf::ParallelOp>())
      loops.push_back(loop);
  });
  return loops;
}

/// `loop` rebuilt with its dimensions in reverse order.
void reverseDimensions(RewriterBase &rewriter, scf::ParallelOp loop) {
  auto reversed = [](ValueRange values) {
    return llvm::to_vector(llvm::reverse(values));
  };
  rewriter.setInsertionPoint(loop);
  auto flipped = scf::ParallelOp::create(
      rewriter, loop.getLoc(), reversed(loop.getLowerBound()),
      reversed(loop.getUpperBound()), reversed(loop.getStep()));
  Block *body = flipped.getBody();
  rewriter.eraseOp(body->getTerminator());
  // Dimension i of the old loop is dimension n - 1 - i of the new one.
  rewriter.mergeBlocks(loop.getBody(), body,
                       reversed(ValueRange(body->getArguments())));
  rewriter.eraseOp(loop);
}

struct XfmrGpuInnermostFirstPass
    : xfmr::cuda::impl::XfmrGpuInnermostFirstBase<XfmrGpuInnermostFirstPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : outermostLoops(getOperation()))
      reverseDimensions(rewriter, loop);
  }
};

struct XfmrGpuRowsOnGridXPass
    : xfmr::cuda::impl::XfmrGpuRowsOnGridXBase<XfmrGpuRowsOnGridXPass> {
  void runOnOperation() override {
    // The tiled loops, the tile's loop inside each.
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp loop : outermostLoops(getOperation())) {
      // Dimensions 1, 2, ... as one, first; the columns' tiles second.
      std::vector<unsigned> rows;
      for (unsigned d = 1; d < loop.getNumLoops(); ++d)
        rows.push_back(d);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {rows, {0}});
    }
  }
};
} // namespace
