//===- Contractions.cpp - xfmr.linear and xfmr.matmul → linalg ------------===//
//
// A linear whose weight is laid out in column panels [n / P, k, P]
// (xfmr-pack-weights) becomes a contraction over the tokens flattened to
// rows into C viewed as [m, n / P, P], which the CPU codegen
// (compiler/codegen/cpu) turns into register-blocked vector kernels with the
// bias epilogue fused. Everything else lowers to a linalg.generic contraction
// whose loops run (batch..., m, k, n): the innermost loop walks a row of the
// result and a row of the right operand, both contiguous. Either way each
// element adds its products in k order, so fused and unfused builds round
// alike. A right operand stored [n, k] (a weight used as stored, Kᵀ in
// attention) is transposed to [k, n] first. With `biasAsInit` (the CUDA
// target) a linear's bias is C's initial value instead of an epilogue: its
// kernels add C's initial value once to the finished sum, which rounds as
// the epilogue would, and save the fill and the epilogue's pass over C.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/XfmrToLinalg/LinalgBuilders.h"
#include "compiler/conversion/XfmrToLinalg/XfmrToLinalg.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace xfmr;

namespace {
/// out += lhs * rhs, the body of every contraction here.
void multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(
      b, loc, arith::AddFOp::create(b, loc, args[2], product).getResult());
}

/// Swaps the last two dimensions of `value`: [..., n, k] → [..., k, n].
Value transposeLastTwo(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  unsigned rank = type.getRank();
  SmallVector<int64_t> permutation =
      llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(permutation[rank - 2], permutation[rank - 1]);
  SmallVector<int64_t> shape(type.getShape());
  std::swap(shape[rank - 2], shape[rank - 1]);
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, value);
  std::swap(sizes[rank - 2], sizes[rank - 1]);
  Value init = emptyTensor(
      b, loc, RankedTensorType::get(shape, type.getElementType()), sizes);
  return linalg::TransposeOp::create(b, loc, value, init, permutation)
      .getResult()[0];
}

/// The epilogue `(acc + bias) * scale` for whichever of the two is present.
/// The bias comes after the sum (not as the accumulator's initial value) so
/// that the rounding is the same whether or not a fusion later takes the
/// bias over; `biasAsInit` lowerings pass no bias here.
Value buildEpilogue(OpBuilder &b, Location loc, RankedTensorType type,
                    ArrayRef<OpFoldResult> sizes, Value result, Value bias,
                    FloatAttr scale) {
  if (!bias && !scale)
    return result;
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  SmallVector<Value> inputs = {result};
  SmallVector<AffineMap> inputMaps = {identityMap(ctx, rank)};
  if (bias) {
    inputs.push_back(bias);
    inputMaps.push_back(selectDimMap(ctx, rank, rank - 1));
  }
  std::optional<double> factor;
  if (scale)
    factor = scale.getValueAsDouble();
  return buildElementwise(
      b, loc, type, sizes, inputs, inputMaps,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value v = args[0];
        if (args.size() > 1)
          v = arith::AddFOp::create(nb, l, v, args[1]);
        if (factor)
          v = arith::MulFOp::create(nb, l, v, f32Constant(nb, l, *factor));
        return v;
      });
}

/// The accumulator a contraction starts from: zeros, or with `biasAsInit`
/// the bias read through `biasMap`, in which case `bias` is taken (cleared)
/// so that the epilogue does not add it again.
Value initialAccumulator(OpBuilder &b, Location loc, RankedTensorType type,
                         ArrayRef<OpFoldResult> sizes, Value &bias,
                         AffineMap biasMap, bool biasAsInit) {
  if (!bias || !biasAsInit)
    return filledTensor(b, loc, type, sizes, f32Constant(b, loc, 0.0));
  Value broadcast = bias;
  bias = Value();
  return buildElementwise(
      b, loc, type, sizes, {broadcast}, {biasMap},
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// The contraction into an accumulator of zeros, or of the bias broadcast
/// (`biasAsInit`), then the epilogue.
Value buildContraction(OpBuilder &b, Location loc, RankedTensorType type,
                       ArrayRef<OpFoldResult> sizes, Value lhs, Value rhs,
                       ArrayRef<AffineMap> maps, unsigned numLoops, Value bias,
                       FloatAttr scale, bool biasAsInit) {
  Value init = initialAccumulator(
      b, loc, type, sizes, bias,
      selectDimMap(b.getContext(), type.getRank(), type.getRank() - 1),
      biasAsInit);
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  iterators[numLoops - 2] = utils::IteratorType::reduction;
  Value result = linalg::GenericOp::create(
                     b, loc, TypeRange{type}, ValueRange{lhs, rhs},
                     ValueRange{init}, maps, iterators, multiplyAccumulate)
                     .getResult(0);
  return buildEpilogue(b, loc, type, sizes, result, bias, scale);
}

/// input [rows..., k] · weight in panels [n / P, k, P], over the rows
/// flattened: loops (m, p, k, j) into C[m, p, j], C then read as [m, n] by
/// the epilogue and the rows' shape restored. The innermost loop walks a
/// panel's row and C's, both contiguous.
Value buildPanelLinear(OpBuilder &b, Location loc, RankedTensorType type,
                       Value input, Value weight, Value bias, FloatAttr scale,
                       bool biasAsInit) {
  MLIRContext *ctx = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  unsigned rank = inputType.getRank();
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, input);
  sizes.back() = b.getIndexAttr(type.getShape().back());
  SmallVector<ReassociationIndices> rows;
  if (rank > 2) {
    ReassociationIndices leading =
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
    rows = {leading, {rank - 1}};
    input = tensor::CollapseShapeOp::create(b, loc, input, rows);
  }
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t numPanels = weightType.getDimSize(0);
  int64_t width = weightType.getDimSize(2);
  int64_t m = cast<RankedTensorType>(input.getType()).getDimSize(0);
  OpFoldResult rowCount = sizesOf(b, loc, input)[0];
  auto panelType =
      RankedTensorType::get({m, numPanels, width}, type.getElementType());
  SmallVector<OpFoldResult> panelSizes = {rowCount, b.getIndexAttr(numPanels),
                                          b.getIndexAttr(width)};
  // C[m, p, j] starts as bias[p · P + j].
  Value init = initialAccumulator(
      b, loc, panelType, panelSizes, bias,
      AffineMap::get(
          3, 0, {getAffineDimExpr(1, ctx) * width + getAffineDimExpr(2, ctx)},
          ctx),
      biasAsInit);
  AffineExpr row = getAffineDimExpr(0, ctx), panel = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx), column = getAffineDimExpr(3, ctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(4, 0, {row, k}, ctx),
      AffineMap::get(4, 0, {panel, k, column}, ctx),
      AffineMap::get(4, 0, {row, panel, column}, ctx)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators[2] = utils::IteratorType::reduction;
  Value product = linalg::GenericOp::create(
                      b, loc, TypeRange{panelType}, ValueRange{input, weight},
                      ValueRange{init}, maps, iterators, multiplyAccumulate)
                      .getResult(0);
  auto flatType =
      RankedTensorType::get({m, type.getShape().back()}, type.getElementType());
  product = tensor::CollapseShapeOp::create(
      b, loc, flatType, product, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  Value result = buildEpilogue(b, loc, flatType, {rowCount, sizes.back()},
                               product, bias, scale);
  if (rank <= 2)
    return result;
  return tensor::ExpandShapeOp::create(b, loc, type, result, rows, sizes);
}

/// result[i..., n] = (sum_k input[i..., k] * weight[n, k] + bias[n]) * scale
struct LinearLowering : OpConversionPattern<LinearOp> {
  LinearLowering(MLIRContext *ctx, bool biasAsInit)
      : OpConversionPattern(ctx), biasAsInit(biasAsInit) {}
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    if (op.getWeight().getType().getRank() == 3) {
      rewriter.replaceOp(
          op, buildPanelLinear(rewriter, loc, type, adaptor.getInput(),
                               adaptor.getWeight(), adaptor.getBias(),
                               op.getScaleAttr(), biasAsInit));
      return success();
    }
    unsigned rank = type.getRank();
    SmallVector<OpFoldResult> sizes =
        sizesOf(rewriter, loc, adaptor.getInput());
    sizes.back() = rewriter.getIndexAttr(type.getShape().back());

    // Loops (i..., k, n) over the weight transposed to [in, out].
    unsigned numLoops = rank + 1;
    SmallVector<AffineExpr> inputExprs, outputExprs;
    for (unsigned i = 0; i + 1 < rank; ++i) {
      inputExprs.push_back(getAffineDimExpr(i, ctx));
      outputExprs.push_back(getAffineDimExpr(i, ctx));
    }
    AffineExpr k = getAffineDimExpr(rank - 1, ctx);
    AffineExpr n = getAffineDimExpr(rank, ctx);
    inputExprs.push_back(k);
    outputExprs.push_back(n);
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, inputExprs, ctx),
        AffineMap::get(numLoops, 0, {k, n}, ctx),
        AffineMap::get(numLoops, 0, outputExprs, ctx)};
    Value weight = transposeLastTwo(rewriter, loc, adaptor.getWeight());
    rewriter.replaceOp(op, buildContraction(rewriter, loc, type, sizes,
                                            adaptor.getInput(), weight, maps,
                                            numLoops, adaptor.getBias(),
                                            op.getScaleAttr(), biasAsInit));
    return success();
  }

  bool biasAsInit;
};

/// result[b..., m, n] = sum_k lhs[b..., m, k] * rhs[b..., k, n] (or
/// rhs[b..., n, k] when transposed).
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool transposed = op.getTransposeRhs();

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, lhs);
    SmallVector<OpFoldResult> rhsSizes = sizesOf(rewriter, loc, rhs);
    sizes.back() = rhsSizes[transposed ? rank - 2 : rank - 1];
    // Loops (b..., m, k, n), the right operand as [..., k, n].
    if (transposed)
      rhs = transposeLastTwo(rewriter, loc, rhs);
    unsigned numLoops = rank + 1;
    SmallVector<AffineExpr> batch;
    for (unsigned i = 0; i + 2 < rank; ++i)
      batch.push_back(getAffineDimExpr(i, ctx));
    AffineExpr m = getAffineDimExpr(rank - 2, ctx);
    AffineExpr k = getAffineDimExpr(rank - 1, ctx);
    AffineExpr n = getAffineDimExpr(rank, ctx);
    auto map = [&](ArrayRef<AffineExpr> lead, AffineExpr a, AffineExpr b) {
      SmallVector<AffineExpr> exprs(lead);
      exprs.push_back(a);
      exprs.push_back(b);
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    // Grouped heads (rank 4, fewer rhs heads): lhs head h reads rhs head
    // h floordiv (lhs heads / rhs heads).
    SmallVector<AffineExpr> rhsBatch(batch);
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (rank == 4 && lhsType.getDimSize(1) != rhsType.getDimSize(1)) {
      int64_t group = lhsType.getDimSize(1) / rhsType.getDimSize(1);
      rhsBatch[1] = rhsBatch[1].floorDiv(group);
    }
    SmallVector<AffineMap> maps = {map(batch, m, k), map(rhsBatch, k, n),
                                   map(batch, m, n)};
    rewriter.replaceOp(op, buildContraction(rewriter, loc, type, sizes, lhs,
                                            rhs, maps, numLoops, Value(),
                                            op.getScaleAttr(),
                                            /*biasAsInit=*/false));
    return success();
  }
};
} // namespace

void xfmr::populateContractionToLinalgPatterns(RewritePatternSet &patterns,
                                               bool biasAsInit) {
  patterns.add<LinearLowering>(patterns.getContext(), biasAsInit);
  patterns.add<MatmulLowering>(patterns.getContext());
}
