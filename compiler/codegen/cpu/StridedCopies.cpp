//===- StridedCopies.cpp - copies between strided views as loops ----------===//
//
// `memref.copy` between identity layouts lowers to a memcpy; any other
// lowers to a call of `memrefCopy`, a function of MLIR's runner libraries,
// which a model library does not link (the runtime links no MLIR). Here such
// a copy (a slice of a token's rows, read by an op that needs a contiguous
// buffer) becomes `linalg.copy`, lowered to loops with everything else.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRSTRIDEDCOPIESASLOOPS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;

namespace {
bool hasIdentityLayout(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getLayout().isIdentity();
}

struct StridedCopyAsLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    if (hasIdentityLayout(op.getSource().getType()) &&
        hasIdentityLayout(op.getTarget().getType()))
      return failure();
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct XfmrStridedCopiesAsLoopsPass
    : xfmr::cpu::impl::XfmrStridedCopiesAsLoopsBase<
          XfmrStridedCopiesAsLoopsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<StridedCopyAsLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
