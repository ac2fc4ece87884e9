//===- Passes.td - xfmr → xfmr passes ----------------------*- tablegen -*-===//
#ifndef XFMR_TRANSFORMS_PASSES_TD
#define XFMR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def XfmrDecompose : Pass<"xfmr-decompose", "mlir::func::FuncOp"> {
  let summary = "rewrite block-level ops (attention, FFN) into primitives";
  let description = [{
    `xfmr.attention` becomes the four projections (`xfmr.linear`), head
    splitting, `xfmr.matmul` for the scores, `xfmr.scale`, the additive mask
    (`xfmr.add`), `xfmr.softmax`, the attention-probability dropout, the
    context matmul, `xfmr.merge_heads` and the output projection.
    `xfmr.ffn` becomes two `xfmr.linear` around its activation. Afterwards the
    fusions and the lowerings see one vocabulary. An attention with a cache
    writes the new keys and values into it (`tensor.insert_slice`) and reads
    the cached ones (`tensor.extract_slice`) for the two products.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect", "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numAttention", "attention", "attention blocks decomposed">,
    Statistic<"numFFN", "ffn", "feed-forward blocks decomposed">
  ];
}

def XfmrStripDropout : Pass<"xfmr-strip-dropout", "mlir::func::FuncOp"> {
  let summary = "give dropout its inference meaning";
  let description = [{
    Inverted dropout (rescaled by 1/(1-p) while training) is the identity at
    inference; classic dropout (not rescaled while training) is a scale by
    (1 - p), folded into the output `scale` of the `xfmr.linear` or
    `xfmr.matmul` that produces it (when the dropout is its only user) or of
    the `xfmr.matmul` that consumes it (attention probabilities times V), and
    an `xfmr.scale` otherwise. Runs after `xfmr-decompose`, which makes the
    dropout inside attention visible as an op.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numRemoved", "removed", "inverted dropouts removed">,
    Statistic<"numFolded", "folded",
              "classic dropouts folded into a linear or matmul">,
    Statistic<"numScaled", "scaled", "classic dropouts turned into scales">
  ];
}

def XfmrFuseMaskedSoftmax : Pass<"xfmr-fuse-masked-softmax", "mlir::func::FuncOp"> {
  let summary = "fuse scale, masks and softmax of attention into one op";
  let description = [{
    Rewrites `softmax(scale · scores + mask)` into `xfmr.masked_softmax`, in
    each of its spellings: the scale applied to the scores (`xfmr.scale`, or
    the output scale of the `xfmr.matmul`) or to a matmul operand (`Q` before
    `Q·Kᵀ`); the mask added before or after the scale; a padding mask
    (`xfmr.padding_mask`, broadcast over heads and queries) becoming the
    `key_padding` operand with its fill; a causal mask (`xfmr.causal_mask`)
    becoming the `causal` attribute; any other additive tensor becoming the
    `bias` operand (only when added after the scale, where that is exact).
    Nothing fuses when an intermediate value has another use, when a mask
    does not broadcast to the scores, or when the softmax is not over the
    last dimension.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numFused", "fused", "softmaxes fused with their scale and masks">
  ];
}

def XfmrFuseAttention : Pass<"xfmr-fuse-attention", "mlir::func::FuncOp"> {
  let summary = "fuse Q·Kᵀ, the masked softmax and ·V into one attention op";
  let description = [{
    Rewrites `matmul(masked_softmax(matmul(Q, K, transpose_rhs)), V)` into
    `xfmr.fused_attention`, which takes over the softmax's scale, key
    padding, causal flag, bias and mask policy; a plain `xfmr.softmax` over
    the keys fuses as well (scale 1, nothing masked). Runs after
    `xfmr-fuse-masked-softmax`, which gathers the scale and masks into the
    softmax. The fused kernel never writes the [b, h, q, k] scores and never
    reads a masked key (a NaN at a padded position no longer leaks through
    `0 × NaN`). Nothing fuses when the scores or the probabilities have
    another use, when either product carries an output scale (a classic
    dropout folded into `·V`), or when a head dimension is dynamic.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numFused", "fused", "attention products fused with their softmax">
  ];
}

def XfmrApproximateMath
    : Pass<"xfmr-approximate-math", "mlir::func::FuncOp"> {
  let summary = "polynomial approximations of exp and friends";
  let description = [{
    Applies upstream's `populateMathPolynomialApproximationPatterns`:
    `math.exp`, `math.tanh`, `math.erf`, `math.log` (scalars and vectors)
    become arithmetic that LLVM vectorizes, where the LLVM intrinsic or a
    libm call would be scalarized in a vector loop. Runs on linalg or vector
    code, before the math ops are lowered to LLVM.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def XfmrFuseResidualLayerNorm
    : Pass<"xfmr-fuse-residual-layernorm", "mlir::func::FuncOp"> {
  let summary = "fuse the residual add (and a bias) into the layer_norm";
  let description = [{
    Rewrites `layer_norm(x + residual)` over the last dimension into
    `xfmr.residual_layer_norm`. When one addend is an `xfmr.linear` used only
    here, its bias moves into the fused op (add-bias-residual-layernorm), so
    the matmul writes no bias and the sum is formed once. Post-LN (the
    normalised value continues) and pre-LN (the sum also continues as the
    next residual: its other uses take the fused op's `sum` result) are both
    covered. Nothing fuses when the addends broadcast, or when the
    normalisation is not over the last dimension.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numFused", "fused", "layer norms fused with their residual">,
    Statistic<"numBiasFolded", "bias-folded",
              "linear biases folded into the fused op">
  ];
}

def XfmrCheckFusions : Pass<"xfmr-check-fusions", "mlir::ModuleOp"> {
  let summary = "report the fusions made and fail where a required one was not";
  let description = [{
    Counts the fused ops in the module and the places where a fusion's
    pattern is still present unfused (a softmax of a masked or scaled score;
    a layer_norm of a sum). With `report`, emits one remark with the counts
    on the module. Every name in `require` (`masked-softmax`,
    `residual-layernorm`) whose pattern is still present is an error at each
    such place. `xfmrc --require-fusion=...` runs this pass.
  }];
  let options = [
    ListOption<"require", "require", "std::string",
               "fusions that must have fired wherever their pattern occurs">,
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark with the fusion counts">
  ];
}

def XfmrLinalgFuseElementwise
    : Pass<"xfmr-linalg-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "fuse elementwise linalg producers into elementwise consumers";
  let description = [{
    Upstream's elementwise fusion, restricted to consumers whose loops are all
    parallel. Fusing a producer into a reduction (a contraction, a softmax
    row) would recompute it at every step of the reduction: a GELU fused into
    the FFN's down projection evaluates erf once per multiply-add instead of
    once per element.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

def XfmrEntryDestinations : Pass<"xfmr-entry-destinations", "mlir::ModuleOp"> {
  let summary = "entry points write their results into caller buffers";
  let description = [{
    The library ABI is destination-passing (docs/abi.md): for each function
    marked `xfmr.entry`, every tensor result becomes a leading memref
    argument (identity layout, same shape, named like the result), and the
    returned value is materialized into it with
    `bufferization.materialize_in_destination ... restrict writable`. With
    `eliminate-empty-tensors` before bufferization, the op that computes the
    result then writes straight into the caller's buffer: no result is
    allocated, returned or copied. A result returned by a call (the last
    encoder layer) cannot be computed in a destination across the call, so
    that one call is inlined into the entry point first. The function gets
    `llvm.emit_c_interface`, whose wrapper the packed entry point calls.
    Other functions are left alone. Runs on tensors, before bufferization;
    a module pass because it reads the callee.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

def XfmrPlanWorkMemory : Pass<"xfmr-plan-work-memory", "mlir::ModuleOp"> {
  let summary = "record the work memory the compiler can size";
  let description = [{
    After bufferization, sums the bytes of every `memref.alloc` of static
    shape (each rounded up to the runtime's 64-byte granule) and records the
    total on the module as `xfmr.static_work_bytes` (on a module that states
    an `xfmr.model`: a library to be). The manifest reports it
    as `work_memory.static_bytes` and a call context reserves that much when
    it is created (docs/abi.md); temporaries of dynamic size (every one that
    depends on batch or sequence length) are served by the context as they
    come.
  }];
}

def XfmrSkipPadding : Pass<"xfmr-skip-padding", "mlir::ModuleOp"> {
  let summary = "run the token-wise work of a padded batch on its real tokens";
  let description = [{
    For an `encode` or `embed` entry point with an `attention_mask`, gathers
    the rows of the real tokens into `[tokens, ...]` (`xfmr.remove_padding`)
    and runs every token-wise op on them: linear layers, layer norms (plain
    and residual), residual adds, activations and scales, so their cost
    follows the number of real tokens. Ops that mix tokens take their
    operands back in `[batch, seq, ...]` form (`xfmr.restore_padding`, zeros
    at padding): attention (`xfmr.fused_attention`, or the unfused scores,
    masked softmax and product) and pooling. A layer function called with
    the tokens is copied to one that takes and returns them packed, and the
    original is erased once no caller is left.

    The padded rows then hold zeros instead of what the padded tokens'
    computation gave, so the pass first proves that no real position reads
    them: only ops that keep tokens apart may see them, attention only where
    the same mask masks its keys, pooling only as a masked mean. A function
    with any other use of the tokens (a `cls` pooling, which reads position
    0 of a left-padded row; attention without the mask), without an
    `attention_mask`, or already packed is left alone. Outputs differ only
    on padded positions, which INTERFACE.md leaves free. Runs after the
    fusions and before `xfmr-pack-weights`.
  }];
  let dependentDialects = ["::xfmr::XfmrDialect"];
  let statistics = [
    Statistic<"numFunctions", "functions",
              "entry points whose token-wise work runs on the real tokens">,
    Statistic<"numPackedOps", "packed-ops",
              "token-wise ops and layer calls moved to the real tokens">,
    Statistic<"numGathers", "gathers", "xfmr.remove_padding ops placed">,
    Statistic<"numScatters", "scatters", "xfmr.restore_padding ops placed">
  ];
}

def XfmrPackWeights : Pass<"xfmr-pack-weights", "mlir::ModuleOp"> {
  let summary = "lay weights out as the contraction kernels read them";
  let description = [{
    The CPU contraction kernels read a linear's weight as column panels: a
    register tile of `P` output columns walks down the reduction reading `P`
    consecutive floats per step, so the weight is laid out
    `[out / P, in, P]` (`weight[n / P, k, n mod P]` is the stored
    `[n, k]`), every panel one contiguous stream and no kernel copying a
    block of it per call. Checkpoints store it `[out, in]`. A declared
    weight that is read only as the weight of `xfmr.linear` (directly or
    through the layer functions' arguments) and whose `out` is a multiple of
    16 becomes `panels`, its declared type `[out / P, in, P]` with `P` = 32
    where it divides `out`, else 16 (the kernels' register tile); the
    runtime lays it out once, when the model is opened (docs/abi.md). Where
    neither divides an `out` of at least 256 (a vocabulary of 50257) and no
    linear reading the weight has a bias, the last of `ceil(out / 32)`
    panels is zero-padded (`rows(0, out of out)`): each linear then computes
    the padded width, and a `linalg.copy` of a `tensor.extract_slice` keeps
    the first `out` columns. A weight with
    any other use (an embedding table read as a table) is left as stored.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numPacked", "packed", "weights laid out in column panels">
  ];
}

#endif // XFMR_TRANSFORMS_PASSES_TD
