//===- ExpandShapeToCast.cpp - contiguous expand_shape as a cast ----------===//
//
// Works around MLIR 22's expand-strided-metadata, which crashes on an
// expand_shape splitting one dynamic dimension into several dynamic ones.
// Between identity layouts the view is a reinterpretation of the same
// memory with row-major strides.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMREXPANDSHAPETOCAST
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;

namespace {
struct ExpandShapeAsCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType source = op.getSrcType();
    MemRefType result = op.getResultType();
    if (!source.getLayout().isIdentity() || !result.getLayout().isIdentity())
      return failure();
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    // Row-major strides: the product of the sizes after each dimension.
    SmallVector<OpFoldResult> strides(sizes.size());
    OpFoldResult stride = rewriter.getIndexAttr(1);
    for (int64_t i = sizes.size() - 1; i >= 0; --i) {
      strides[i] = stride;
      if (i > 0) {
        std::optional<int64_t> s = getConstantIntValue(stride);
        std::optional<int64_t> d = getConstantIntValue(sizes[i]);
        if (s && d)
          stride = rewriter.getIndexAttr(*s * *d);
        else
          stride = arith::MulIOp::create(
                       rewriter, loc,
                       getValueOrCreateConstantIndexOp(rewriter, loc, stride),
                       getValueOrCreateConstantIndexOp(rewriter, loc, sizes[i]))
                       .getResult();
      }
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, result, op.getSrc(), rewriter.getIndexAttr(0), sizes, strides);
    return success();
  }
};

struct XfmrExpandShapeToCastPass
    : xfmr::cpu::impl::XfmrExpandShapeToCastBase<XfmrExpandShapeToCastPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeAsCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
