//===- Passes.td - xfmr → xfmr passes ----------------------*- tablegen -*-===//
#ifndef XFMR_TRANSFORMS_PASSES_TD
#define XFMR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def XfmrDecompose : Pass<"xfmr-decompose", "mlir::ModuleOp"> {
  let summary = "rewrite block-level ops (attention, FFN) into primitives";
  let description = [{
    `xfmr.attention` becomes the four projections (`xfmr.linear`), head
    splitting, `xfmr.matmul` for the scores, `xfmr.scale`, the additive mask
    (`xfmr.add`), `xfmr.softmax`, the attention-probability dropout, the
    context matmul, `xfmr.merge_heads` and the output projection.
    `xfmr.ffn` becomes two `xfmr.linear` around its activation. Afterwards the
    fusions and the lowerings see one vocabulary.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numAttention", "attention", "attention blocks decomposed">,
    Statistic<"numFFN", "ffn", "feed-forward blocks decomposed">
  ];
}

def XfmrStripDropout : Pass<"xfmr-strip-dropout", "mlir::ModuleOp"> {
  let summary = "give dropout its inference meaning";
  let description = [{
    Inverted dropout (rescaled by 1/(1-p) while training) is the identity at
    inference; classic dropout (not rescaled while training) becomes a scale
    by (1 - p). Runs after `xfmr-decompose`, which makes the dropout inside
    attention visible as an op.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numRemoved", "removed", "inverted dropouts removed">,
    Statistic<"numScaled", "scaled", "classic dropouts turned into scales">
  ];
}

def XfmrBindWeights : Pass<"xfmr-bind-weights", "mlir::ModuleOp"> {
  let summary = "turn weight reads into arguments of the public functions";
  let description = [{
    Appends one tensor argument per `xfmr.weight_decl` (in declaration order)
    to every public function, replaces each `xfmr.weight` read by the matching
    argument, and erases the declarations. This is the calling convention of
    compiled libraries (docs/abi.md): the runtime passes the mapped weights in
    that order. Private functions must not read weights (the importer passes
    them to per-layer functions as arguments).
  }];
}

#endif // XFMR_TRANSFORMS_PASSES_TD
