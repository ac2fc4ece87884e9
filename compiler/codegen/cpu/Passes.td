//===- Passes.td - CPU code generation strategy ------------*- tablegen -*-===//
#ifndef XFMR_CODEGEN_CPU_PASSES_TD
#define XFMR_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def XfmrCpuContractions : Pass<"xfmr-cpu-contractions", "mlir::func::FuncOp"> {
  let summary = "register-blocked vector kernels for the linear layers";
  let description = [{
    Runs after bufferization. Each contraction
    `C[m, p, j] += A[m, k] · B[p, k, j]` with static `K` and `N` (a linear
    layer over the flattened tokens, its weight in column panels
    `[N / P, K, P]` laid out by `xfmr-pack-weights` and the runtime, `C`
    viewed as `[M, N / P, P]`) becomes a kernel built from vector-dialect
    operations:

    - cache tiles of `mc` rows × `nc` columns, an `scf.parallel` over them
      (threads, through OpenMP) with the column tiles outermost, so a
      thread's consecutive tiles share their panels of B, and `kc`-deep
      blocks of the reduction, all chosen from the shape (`selectTiles`);
    - inside a tile, a register tile of 8 rows × `P` columns (P = 32: 16
      vector accumulators of 16 lanes; P = 16 when `N` is not a multiple
      of 32) held in registers across its block of the reduction: per step
      one broadcast per row, one load per 16 columns of the panel (its `P`
      floats of one step are contiguous, and so are its steps: the panel is
      one stream, and no kernel copies a block of B), and fused
      multiply-adds; a register tile of rows walks every panel of its cache
      tile before the next one starts, so its rows of A stay in L1; rows
      past the last full group of 8 take a one-row tile;
    - the elementwise consumer of `C` read as `[M, N]` (the bias, the
      activation, a scale), when it reads `C` and vectors of the same row
      or bias vectors and follows the contraction with nothing in between
      that touches memory, is applied to the accumulators before they are
      stored, so `C` is never written (with one reduction block) and never
      read back.

    Every element adds its products in `k` order, one tile computes it, and
    tiles do not depend on each other: the result is the same for every
    thread count. Other contractions are left to the generic lowering.
  }];
  let options = [
    Option<"rowTile", "mc", "int64_t", "0",
           "rows of a cache tile (0: chosen from the shape)">,
    Option<"colTile", "nc", "int64_t", "0",
           "columns of a cache tile, a divisor of N (0: chosen)">,
    Option<"depthTile", "kc", "int64_t", "0",
           "depth of a reduction block, a divisor of K (0: chosen)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "matmuls turned into vector kernels">,
    Statistic<"numEpilogues", "epilogues",
              "elementwise consumers fused into a kernel's store">
  ];
}

def XfmrCpuAttention : Pass<"xfmr-cpu-attention", "mlir::func::FuncOp"> {
  let summary = "fused attention as vector code: a tile's queries, or one query's features, in a vector's lanes";
  let description = [{
    Runs on xfmr ops, before `convert-xfmr-to-linalg`. Each
    `xfmr.fused_attention` without an additive bias, or with a bias of the
    keys alone (`[b or 1, h or 1, 1, k]`, ALiBi's), is lowered by the shared
    tiled lowering (one `scf.forall` iteration per batch row, head and tile
    of 16 queries; the keys a tile sees; the epilogue and its fully masked
    rows) with a key loop built from vector operations, the tile's 16
    queries in the 16 lanes of a vector:

    - `Qᵀ` (`[head_dim][16]`) is gathered once per query tile;
    - per tile of 16 keys, the scores are 16 vector accumulators, one per
      key, each step over the head dimension a broadcast of `K[j, d]` times
      the row `Qᵀ[d]` (fused multiply-add); the scale, the key's bias
      (broadcast), the padding (a key not seen is selected to `-inf`) and
      the causal limit (a lane compare) follow;
    - the online softmax is lane-wise: the running maximum and sum are one
      vector each, the tile's maximum a chain of vector maximums, `exp` a
      vector (the polynomial of `xfmr-approximate-math`);
    - the context accumulators are one vector per value column, carried
      across the key tiles; per block of 16 columns a loop over the tile's
      keys adds `broadcast(V[j, c]) · p[j]` (the probabilities are stored
      once per key tile, `[16][16]`, and read back by row). A key that is
      not seen is skipped, so a padded key's values are never read.

    A tile of one query (each tile of a decode step, which would keep one
    lane of 16 busy) branches at run time to a loop with the lanes along the
    features: per key, `K[j]` times the query in vectors of 16 features,
    reduced to the score; 16 keys' scores make one vector for the online
    softmax (scalar maximum and sum); the accumulators are vectors of 16
    value columns, each seen key adding `p[j] · V[j]`.

    Every result adds its keys in order, in one iteration of the forall:
    the same bits for every thread count. An attention with a bias that
    varies by query keeps the generic lowering.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "attentions given vector key loops">
  ];
}

def XfmrCpuLayerNorm : Pass<"xfmr-cpu-layer-norm", "mlir::func::FuncOp"> {
  let summary = "layer norms as vector code, one row per parallel iteration";
  let description = [{
    Runs on xfmr ops, before `convert-xfmr-to-linalg`. Each
    `xfmr.layer_norm` over the last dimension and each
    `xfmr.residual_layer_norm` whose rows are a static whole number of
    16-lane vectors becomes an `scf.forall` over the rows (threads, through
    OpenMP). An iteration reads its row once into vectors (`input`, then the
    bias, then the residual added, as the unfused ops add them), computes
    the statistics with Welford's update per lane (lane `l` sees elements
    `l`, `l + 16`, ...) and combines the lanes pairwise in a fixed tree
    (means averaged, `m2 = m2_a + m2_b + delta² · n / 2`), then writes
    `(x - mean) / sqrt(var + eps) · gamma + beta` (and the sum). A constant
    row keeps a zero variance exactly, so its result is exactly `beta`;
    every row's result is the same for every thread count. Each
    `xfmr.rms_norm` with such rows takes the same loop, its statistic the
    per-lane sum of squares combined in the same tree, and writes
    `x / sqrt(mean(x²) + eps) · gamma`. Other norms keep the generic
    lowering.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "norms turned into vector code">
  ];
}

def XfmrCpuSoftmax : Pass<"xfmr-cpu-softmax", "mlir::func::FuncOp"> {
  let summary = "softmax rows as vector code, one row per parallel iteration";
  let description = [{
    Runs on xfmr ops, before `convert-xfmr-to-linalg`. Each `xfmr.softmax`
    over the last dimension and each `xfmr.masked_softmax` (the softmaxes
    that attention fusion did not absorb: with fusion off, with an additive
    bias) whose rows are a static whole number of 16-lane vectors, or of a
    width known only at run time (the keys of a sequence), becomes an
    `scf.forall` over the rows (threads, through OpenMP). An iteration
    makes three passes over its row, 16 elements at a time (a loop over the
    whole vectors; with a run-time width, then one partial vector whose
    lanes past the row are `-inf` and neither read nor written):

    - the elements are formed as the generic lowering forms them (masked
      softmax: `scale · x`, plus the bias, which broadcasts over size-1
      dimensions; a key masked by `key_padding == 0` or, with `causal`,
      by `j > i + keys - queries` becomes `x + fill`); the row's maximum is
      a chain of vector maximums (`arith.maximumf`: a NaN propagates)
      reduced across the lanes by a fixed tree of shuffles; with masks,
      whether some key is not masked is or-ed alongside;
    - `e = exp(x - max)` as a vector `math.exp` (the polynomial of
      `xfmr-approximate-math`), 0 when the maximum is `-inf`, is written
      to the result row and summed per lane in column order (lane `l` adds
      elements `l`, `l + 16`, ...), the lanes then added in a fixed tree;
    - the row read back is divided by the sum, exactly, as the generic
      lowering divides.

    Every semantic of the generic lowering holds: a row whose every element
    is `-inf` yields zeros; a row whose sum is not positive (a NaN or
    `+inf` element) yields zeros; a row whose every key is masked yields
    what `fully_masked` says (zeros, or `1 / keys`). Results differ from the
    generic lowering (whose sum is an online update in column order) only
    by the rounding of the sum. A row is one iteration: the same bits for
    every thread count. A softmax over another axis, or whose static width
    is not a whole number of vectors, keeps the generic lowering.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "kernels", "softmaxes turned into vector code">
  ];
}

def XfmrStridedCopiesAsLoops : Pass<"xfmr-strided-copies-as-loops",
                                     "mlir::func::FuncOp"> {
  let summary = "memref.copy between strided views as linalg.copy";
  let description = [{
    A `memref.copy` whose source or target is not in the identity layout
    lowers to a call of `memrefCopy` from MLIR's runner libraries, which a
    model library does not link. This pass turns each into `linalg.copy`,
    which `convert-linalg-to-loops` lowers with the rest; copies between
    identity layouts stay (they become a memcpy).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def XfmrExpandShapeToCast : Pass<"xfmr-expand-shape-to-cast",
                                  "mlir::func::FuncOp"> {
  let summary = "contiguous memref.expand_shape as memref.reinterpret_cast";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes on a `memref.expand_shape`
    that splits one dynamic dimension into several dynamic ones (the
    `[batch·seq, n] → [batch, seq, n]` views of a linear's rows). Between
    identity layouts the expanded view is a plain reinterpretation: offset 0,
    the output shape, row-major strides. This pass writes it so, before
    `expand-strided-metadata` runs.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def XfmrParallelTilesOnStack : Pass<"xfmr-parallel-tiles-on-stack",
                                     "mlir::func::FuncOp"> {
  let summary = "the small buffers of a parallel loop's body on the stack";
  let description = [{
    Runs after bufferization, before the deallocation pipeline. Each
    statically shaped buffer of at most 16 KiB allocated in the body of an
    `scf.forall` (attention's per-query-tile state and tiles, also inside
    its loop over key tiles) becomes one `memref.alloca` at the start of the
    body. The body is an allocation scope (`AutomaticAllocationScope`; the
    OpenMP lowering keeps each iteration's stack use to that iteration), so
    the iteration's thread holds the buffer on its stack, once per
    iteration, with no allocation call and no growth across iterations. The deallocation pipeline does not place
    deallocations in an `scf.forall` body, so without this pass such buffers
    leak. A buffer allocated in a loop inside the body is reused by that
    loop's iterations: bufferized loops carry no buffers from one iteration
    to the next, so each iteration's buffer was fresh and dead at its end.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numPromoted", "promoted", "buffers moved to the stack">
  ];
}

#endif // XFMR_CODEGEN_CPU_PASSES_TD
