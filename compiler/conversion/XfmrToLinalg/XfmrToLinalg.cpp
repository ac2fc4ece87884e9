//===- XfmrToLinalg.cpp - the convert-xfmr-to-linalg pass -----------------===//
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "compiler/conversion/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace xfmr {
#define GEN_PASS_DEF_CONVERTXFMRTOLINALG
#include "compiler/conversion/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

void xfmr::populateXfmrToLinalgPatterns(RewritePatternSet &patterns,
                                        bool biasAsInit) {
  populateAttentionToLinalgPatterns(patterns);
  populateContractionToLinalgPatterns(patterns, biasAsInit);
  populateElementwiseToLinalgPatterns(patterns);
  populateEmbeddingToLinalgPatterns(patterns);
  populateLayoutToLinalgPatterns(patterns);
  populatePaddingToLinalgPatterns(patterns);
  populatePoolingToLinalgPatterns(patterns);
  populateLayerNormToLinalgPatterns(patterns);
  populateSoftmaxToLinalgPatterns(patterns);
}

namespace {
struct ConvertXfmrToLinalgPass
    : xfmr::impl::ConvertXfmrToLinalgBase<ConvertXfmrToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Full conversion: anything of xfmr left over means an earlier pass did
    // not run, and silently keeping it would fail much later, in LLVM.
    ConversionTarget target(*ctx);
    target.addIllegalDialect<XfmrDialect>();
    // Everything else stays: the kernel passes before this one emit vector
    // code (compiler/codegen/cpu) or kernels on buffers (compiler/codegen/
    // cuda: gpu, memref, bufferization).
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateXfmrToLinalgPatterns(patterns, biasAsInit);
    if (failed(
            applyFullConversion(getOperation(), target, std::move(patterns))))
      return signalPassFailure();
    getOperation()->walk(
        [](scf::ForOp scan) { scan->removeAttr(kTokenIndexAttr); });
  }
};
} // namespace
