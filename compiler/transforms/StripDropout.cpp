//===- StripDropout.cpp - dropout at inference ----------------------------===//
//
// Dropout is kept in the IR up to here so that its training-time convention
// decides what it means at inference: inverted dropout already rescaled
// during training, classic dropout did not and must be compensated.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/PatternMatch.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRSTRIPDROPOUT
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
struct XfmrStripDropoutPass
    : xfmr::impl::XfmrStripDropoutBase<XfmrStripDropoutPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](DropoutOp op) {
      if (op.getMode() == DropoutKind::inverted || op.getRate().isZero()) {
        rewriter.replaceOp(op, op.getInput());
        ++numRemoved;
        return;
      }
      rewriter.setInsertionPoint(op);
      float keep = 1.0f - op.getRate().convertToFloat();
      rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getInput(),
                                           rewriter.getF32FloatAttr(keep));
      ++numScaled;
    });
  }
};
} // namespace
