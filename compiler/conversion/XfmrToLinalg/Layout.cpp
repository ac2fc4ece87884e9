//===- Layout.cpp - head splitting and merging → tensor/linalg ------------===//
//
// [b, s, h·dh] ↔ [b, h, s, dh] is a reshape plus a transpose; expressing it
// that way (rather than as an index computation) keeps it visible to
// upstream folding and to layout propagation.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
constexpr int64_t kSwapHeadsAndSeq[] = {0, 2, 1, 3};

struct SplitHeadsLowering : OpConversionPattern<SplitHeadsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitHeadsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType result = op.getType(); // [b, h, s, dh]
    SmallVector<OpFoldResult> in = sizesOf(rewriter, loc, adaptor.getInput());
    OpFoldResult heads = rewriter.getIndexAttr(result.getDimSize(1));
    OpFoldResult headDim = rewriter.getIndexAttr(result.getDimSize(3));
    auto expandedType =
        RankedTensorType::get({result.getDimSize(0), result.getDimSize(2),
                               result.getDimSize(1), result.getDimSize(3)},
                              result.getElementType());
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, expandedType, adaptor.getInput(),
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
        ArrayRef<OpFoldResult>{in[0], in[1], heads, headDim});
    Value init =
        emptyTensor(rewriter, loc, result, {in[0], heads, in[1], headDim});
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc, expanded,
                                                       init, kSwapHeadsAndSeq)
                               .getResult());
    return success();
  }
};

struct MergeHeadsLowering : OpConversionPattern<MergeHeadsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MergeHeadsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<OpFoldResult> in = sizesOf(rewriter, loc, adaptor.getInput());
    auto swappedType =
        RankedTensorType::get({inType.getDimSize(0), inType.getDimSize(2),
                               inType.getDimSize(1), inType.getDimSize(3)},
                              inType.getElementType());
    Value init =
        emptyTensor(rewriter, loc, swappedType, {in[0], in[2], in[1], in[3]});
    Value swapped =
        linalg::TransposeOp::create(rewriter, loc, adaptor.getInput(), init,
                                    kSwapHeadsAndSeq)
            .getResult()[0];
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), swapped,
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    return success();
  }
};
} // namespace

void xfmr::populateLayoutToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MergeHeadsLowering, SplitHeadsLowering>(patterns.getContext());
}
