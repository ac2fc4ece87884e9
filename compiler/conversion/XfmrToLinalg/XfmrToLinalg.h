//===- XfmrToLinalg.h - xfmr → linalg patterns ------------------*- C++ -*-===//
#ifndef XFMR_COMPILER_CONVERSION_XFMRTOLINALG_XFMRTOLINALG_H
#define XFMR_COMPILER_CONVERSION_XFMRTOLINALG_XFMRTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace xfmr {

/// Patterns lowering xfmr primitives to linalg on tensors, by op family.
/// With `biasAsInit` a linear's bias is its accumulator's initial value,
/// not an epilogue: for kernels that add the initial value once to the
/// finished sum (compiler/codegen/cuda), where that rounds as the epilogue.
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateContractionToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                         bool biasAsInit);
void populateLayerNormToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateSoftmaxToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateEmbeddingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateLayoutToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populatePoolingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populatePaddingToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Marks the scan of a mask that a function's padding ops share (Padding.cpp);
/// convert-xfmr-to-linalg removes it when done.
inline constexpr llvm::StringLiteral kTokenIndexAttr = "xfmr.token_index";

/// All of the above.
void populateXfmrToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  bool biasAsInit);

} // namespace xfmr

#endif // XFMR_COMPILER_CONVERSION_XFMRTOLINALG_XFMRTOLINALG_H
