//===- Passes.td - xfmr lowering passes --------------------*- tablegen -*-===//
#ifndef XFMR_CONVERSION_PASSES_TD
#define XFMR_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertXfmrToLinalg : Pass<"convert-xfmr-to-linalg", "mlir::ModuleOp"> {
  let summary = "lower xfmr primitives to linalg, tensor, arith and math";
  let description = [{
    Every xfmr primitive becomes destination-style linalg on tensors, with
    dynamic batch and sequence sizes taken from the operands;
    `xfmr.fused_attention` becomes an `scf.forall` over (batch, head, query
    tile) of linalg ops on static tiles, with an `scf.for` over key tiles
    inside. Block-level ops
    and dropout must have been removed first (`xfmr-decompose`,
    `xfmr-strip-dropout`), weights bound (`xfmr-bind-weights`); what remains
    of the dialect afterwards is an error.
  }];
  let options = [
    Option<"biasAsInit", "bias-as-init", "bool", "false",
           "a linear's bias as its accumulator's initial value instead of an "
           "epilogue (kernels that add the initial value once to the "
           "finished sum: the CUDA target's)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // XFMR_CONVERSION_PASSES_TD
