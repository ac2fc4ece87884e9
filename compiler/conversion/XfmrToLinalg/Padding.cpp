//===- Padding.cpp - remove_padding and restore_padding → linalg ----------===//
//
// Both ops find their rows through one scan of the mask, the token index:
// for each (b, s) the number of tokens before it (its row among the tokens),
// for each token its flat position b·S + s, and the token count. The scan is
// sequential (b·s steps of integer work, nothing beside a GEMM) and so the
// same on any number of threads; it is built once per mask, where the mask
// is defined, and shared by every gather and scatter of it. The gather and
// the scatter are parallel linalg.generic ops that read their source at the
// row the index gives.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
/// The scan of a [b, s] mask.
struct TokenIndex {
  /// [b, s] index: the row of token (b, s) among the tokens (for a padded
  /// position: the row of the next token).
  Value rowOf;
  /// [b·s] index: the flat position of token t at [t]; past the count,
  /// unspecified.
  Value positions;
  /// The number of tokens.
  Value count;

  explicit TokenIndex(scf::ForOp scan)
      : rowOf(scan.getResult(1)), positions(scan.getResult(2)),
        count(scan.getResult(0)) {}
};

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// Whether the mask element `m` marks a token.
Value isToken(OpBuilder &b, Location loc, Value m) {
  Value zero =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(m.getType(), 0));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, m, zero);
}

/// Builds the scan of `mask` at the builder's insertion point.
scf::ForOp buildTokenIndex(OpBuilder &b, Location loc, Value mask) {
  Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
  Value batch = tensor::DimOp::create(b, loc, mask, 0);
  Value seq = tensor::DimOp::create(b, loc, mask, 1);
  Value total = arith::MulIOp::create(b, loc, batch, seq);
  Type index = b.getIndexType();
  Value rowOf = tensor::EmptyOp::create(
      b, loc, ArrayRef<OpFoldResult>{batch, seq}, index);
  Value positions =
      tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{total}, index);
  auto scan = scf::ForOp::create(
      b, loc, zero, batch, one, ValueRange{zero, rowOf, positions},
      [&](OpBuilder &ob, Location l, Value i, ValueRange rowArgs) {
        auto inner = scf::ForOp::create(
            ob, l, zero, seq, one, rowArgs,
            [&](OpBuilder &ib, Location il, Value j, ValueRange args) {
              Value count = args[0];
              Value m =
                  tensor::ExtractOp::create(ib, il, mask, ValueRange{i, j});
              Value token = isToken(ib, il, m);
              Value rows = tensor::InsertOp::create(ib, il, count, args[1],
                                                    ValueRange{i, j});
              // Written at every position, branch-free: a padded position's
              // entry is overwritten by the next token or lies past the
              // count (which is below b·s while positions remain).
              Value flat = arith::AddIOp::create(
                  ib, il, arith::MulIOp::create(ib, il, i, seq), j);
              Value tokens = tensor::InsertOp::create(ib, il, flat, args[2],
                                                      ValueRange{count});
              Value next = arith::AddIOp::create(
                  ib, il, count,
                  arith::SelectOp::create(ib, il, token, one, zero));
              scf::YieldOp::create(ib, il, ValueRange{next, rows, tokens});
            });
        scf::YieldOp::create(ob, l, inner.getResults());
      });
  scan->setAttr(kTokenIndexAttr, b.getUnitAttr());
  return scan;
}

/// The token index of `mask`: the scan already built for it, or a new one
/// right where the mask is defined, so that it dominates every use.
TokenIndex getTokenIndex(OpBuilder &b, Value mask) {
  Block *block = mask.getParentBlock();
  for (Operation *user : mask.getUsers()) {
    Operation *top = block->findAncestorOpInBlock(*user);
    if (auto scan = dyn_cast_if_present<scf::ForOp>(top))
      if (scan->hasAttr(kTokenIndexAttr))
        return TokenIndex(scan);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfterValue(mask);
  return TokenIndex(buildTokenIndex(b, mask.getLoc(), mask));
}

/// [b, s, ...] → [tokens, ...]: row t reads the input at token t's position.
struct RemovePaddingLowering : OpConversionPattern<RemovePaddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RemovePaddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    TokenIndex index = getTokenIndex(rewriter, adaptor.getMask());

    // [b·s, ...]: a token's flat position is its row.
    SmallVector<ReassociationIndices> flatten = {{0, 1}};
    for (unsigned i = 2; i <= rank; ++i)
      flatten.push_back({i});
    Value rows = tensor::CollapseShapeOp::create(rewriter, loc,
                                                 adaptor.getInput(), flatten);
    Value positions = tensor::ExtractSliceOp::create(
        rewriter, loc, index.positions,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{index.count},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, rows);
    sizes[0] = index.count;
    Value result = buildElementwise(
        rewriter, loc, type, sizes, positions, selectDimMap(ctx, rank, 0),
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> at = {args[0]};
          for (unsigned i = 1; i < rank; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          return tensor::ExtractOp::create(b, l, rows, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// [tokens, ...] → [b, s, ...]: a token's position reads its row, a padded
/// one is zero (and reads nothing: there may be no row at all).
struct RestorePaddingLowering : OpConversionPattern<RestorePaddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RestorePaddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Value mask = adaptor.getMask(), tokens = adaptor.getInput();
    TokenIndex index = getTokenIndex(rewriter, mask);

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, mask);
    llvm::append_range(sizes,
                       ArrayRef(sizesOf(rewriter, loc, tokens)).drop_front());
    AffineMap position = AffineMap::get(
        rank, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    Value result = buildElementwise(
        rewriter, loc, type, sizes, {mask, index.rowOf}, {position, position},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          SmallVector<Value> at = {args[1]};
          for (unsigned i = 2; i < rank; ++i)
            at.push_back(linalg::IndexOp::create(b, l, i));
          auto select = scf::IfOp::create(
              b, l, isToken(b, l, args[0]),
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(
                    tb, tl,
                    ValueRange{tensor::ExtractOp::create(tb, tl, tokens, at)});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el,
                                     ValueRange{f32Constant(eb, el, 0.0)});
              });
          return select.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void xfmr::populatePaddingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RemovePaddingLowering, RestorePaddingLowering>(
      patterns.getContext());
}
