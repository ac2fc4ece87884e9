//===- Attention.h - the tiled lowering of xfmr.fused_attention -*- C++ -*-===//
//
// The lowering is one scf.forall iteration per (batch, head, query tile);
// what runs inside it over the tile's keys (the online softmax) is a
// strategy: linalg tiles by default, target kernels where a code generator
// has them (compiler/codegen/cpu). Both share the forall, the keys a tile
// sees and the epilogue that turns the running sum and accumulator into the
// result, fully masked rows included.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CONVERSION_XFMRTOLINALG_ATTENTION_H
#define XFMR_COMPILER_CONVERSION_XFMRTOLINALG_ATTENTION_H

#include "dialect/XfmrOps.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace xfmr {

/// Queries per tile of the lowering: one forall iteration's rows.
constexpr int64_t kAttentionQueryTile = 16;

/// One query tile, as its key loop sees it. Every value is defined in the
/// forall body (or above it); `padding` and `bias` are null when the op has
/// none.
struct AttentionQueryTile {
  FusedAttentionOp op;
  mlir::Value q, k, v, padding, bias;
  /// The forall's batch row and (query) head, the K/V head that serves it
  /// (`head` unless K and V have fewer heads); the tile's first query, and
  /// how many of its kAttentionQueryTile queries are real (the last tile may
  /// be partial).
  mlir::Value batch, head, kvHead, firstQuery, rows;
  /// The queries and keys of the operands.
  mlir::Value queries, keys;
  /// The keys any query of the tile sees are in [firstKey, stopKey): after
  /// the batch row's last real key (and, causal, the tile's diagonal) none
  /// is read.
  mlir::Value firstKey, stopKey;
  /// keys - queries: with `causal`, key j is in the future of query i when
  /// j > i + causalOffset.
  mlir::Value causalOffset;
  int64_t headDim, valueDim;
};

/// What a key loop leaves for the epilogue: per query the sum of the
/// exponentials (`sum`, tensor<kAttentionQueryTile x f32>) and the
/// accumulator Σ exp(x - max)·v, whose element (query i, value column d)
/// `acc` holds at `accMap(i, d)`.
struct AttentionKeyLoopResult {
  mlir::Value sum, acc;
  mlir::AffineMap accMap;
};

using AttentionKeyLoop = llvm::function_ref<AttentionKeyLoopResult(
    mlir::OpBuilder &, mlir::Location, const AttentionQueryTile &)>;

/// `op` lowered at the builder's insertion point, with `q`, `k`, `v`,
/// `padding` and `bias` standing for its operands; the key loop of each
/// query tile built by `keyLoop`. Returns the result tensor.
mlir::Value lowerFusedAttention(mlir::OpBuilder &b, FusedAttentionOp op,
                                mlir::Value q, mlir::Value k, mlir::Value v,
                                mlir::Value padding, mlir::Value bias,
                                AttentionKeyLoop keyLoop);

} // namespace xfmr

#endif // XFMR_COMPILER_CONVERSION_XFMRTOLINALG_ATTENTION_H
