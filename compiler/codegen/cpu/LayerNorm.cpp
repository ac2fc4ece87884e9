//===- LayerNorm.cpp - layer norms as vector code, a row per iteration ----===//
//
// xfmr.layer_norm (over the last dimension) and xfmr.residual_layer_norm
// whose rows are a whole number of vectors become an scf.forall over the
// rows; a row is read once into vectors and its statistics are Welford's
// update per lane (lane l sees elements l, l + 16, ...: the same update the
// generic lowering runs per row), then the 16 lanes' means and sums of
// squared deviations are combined pairwise (Chan et al.), in a fixed tree.
// A constant row keeps mean = x and m2 = 0 exactly, as the generic lowering
// does, so its result is exactly the bias. xfmr.rms_norm takes the same
// rows, its statistic the per-lane sum of squares, combined in the same
// tree.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cpu/Vectors.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRCPULAYERNORM
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;
using namespace xfmr;

namespace {
using cpu::kLanes;

/// What one normalization reads: the row is `input` (+ `bias`) + `residual`
/// where those are set. `rms`: x / sqrt(mean(x²) + eps) · gamma, no beta.
struct LayerNormOperands {
  Value input, residual, bias, gamma, beta;
  double eps = 0.0;
  bool rms = false;
};

class RowBuilder {
public:
  RowBuilder(OpBuilder &b, Location loc, int64_t width)
      : b(b), loc(loc), width(width),
        vectorType(VectorType::get({kLanes}, b.getF32Type())) {}

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value splat(double value) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, static_cast<float>(value)));
  }
  /// Vector `c` of the row at `rowIndices` of `source`, or of the 1-D
  /// `source` when `rowIndices` is empty.
  Value read(Value source, ValueRange rowIndices, int64_t c) {
    SmallVector<Value> indices(rowIndices);
    indices.push_back(index(c * kLanes));
    Value padding = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
    return vector::TransferReadOp::create(b, loc, vectorType, source, indices,
                                          padding, ArrayRef<bool>{true});
  }
  /// `value` into vector `c` of the 1-D row tensor `row`.
  Value write(Value value, Value row, int64_t c) {
    return vector::TransferWriteOp::create(b, loc, value, row,
                                           ValueRange{index(c * kLanes)},
                                           ArrayRef<bool>{true})
        .getResult();
  }

  /// The row's mean and sum of squared deviations, in every lane.
  std::pair<Value, Value> statistics(ArrayRef<Value> row);
  /// The row's sum of squares, in every lane.
  Value sumOfSquares(ArrayRef<Value> row);
  /// Lane 0 of `v` in every lane.
  Value lane0(Value v) {
    return vector::BroadcastOp::create(
        b, loc, vectorType,
        vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{0}));
  }
  /// The permutation that brings lane l + half to lane l (l < half).
  static SmallVector<int64_t> partnerLanes(int64_t half) {
    SmallVector<int64_t> partner;
    for (int64_t lane = 0; lane < kLanes; ++lane)
      partner.push_back(lane < half ? lane + half : lane);
    return partner;
  }

  OpBuilder &b;
  Location loc;
  int64_t width;
  VectorType vectorType;
};

std::pair<Value, Value> RowBuilder::statistics(ArrayRef<Value> row) {
  // Per lane: mean_k = mean + (x - mean) / k, m2_k = m2 + (x - mean)(x -
  // mean_k), over the row's vectors in order.
  Value mean = row[0], m2 = splat(0.0);
  for (size_t k = 1; k < row.size(); ++k) {
    Value delta = arith::SubFOp::create(b, loc, row[k], mean);
    mean = arith::AddFOp::create(
        b, loc, mean,
        arith::DivFOp::create(b, loc, delta,
                              splat(static_cast<double>(k + 1))));
    m2 = arith::AddFOp::create(
        b, loc, m2,
        arith::MulFOp::create(b, loc, delta,
                              arith::SubFOp::create(b, loc, row[k], mean)));
  }
  // Lanes l and l + half hold equal counts n: the mean of both is the mean
  // of the means, m2 = m2_a + m2_b + delta² · n / 2.
  double count = static_cast<double>(row.size());
  for (int64_t half = kLanes / 2; half >= 1; half /= 2) {
    SmallVector<int64_t> partner = partnerLanes(half);
    Value otherMean = vector::ShuffleOp::create(b, loc, mean, mean, partner);
    Value otherM2 = vector::ShuffleOp::create(b, loc, m2, m2, partner);
    Value delta = arith::SubFOp::create(b, loc, otherMean, mean);
    mean = arith::AddFOp::create(
        b, loc, mean, arith::MulFOp::create(b, loc, delta, splat(0.5)));
    m2 = arith::AddFOp::create(
        b, loc, arith::AddFOp::create(b, loc, m2, otherM2),
        arith::MulFOp::create(b, loc,
                              arith::MulFOp::create(b, loc, delta, delta),
                              splat(count / 2)));
    count *= 2;
  }
  return {lane0(mean), lane0(m2)};
}

Value RowBuilder::sumOfSquares(ArrayRef<Value> row) {
  // Per lane over the row's vectors in order, then the lanes pairwise.
  Value sum = arith::MulFOp::create(b, loc, row[0], row[0]);
  for (Value x : row.drop_front())
    sum =
        arith::AddFOp::create(b, loc, sum, arith::MulFOp::create(b, loc, x, x));
  for (int64_t half = kLanes / 2; half >= 1; half /= 2)
    sum = arith::AddFOp::create(
        b, loc, sum,
        vector::ShuffleOp::create(b, loc, sum, sum, partnerLanes(half)));
  return lane0(sum);
}

/// The normalized rows of `operands` (and, with a residual, the sums),
/// computed by an scf.forall over the rows.
SmallVector<Value> buildLayerNorm(OpBuilder &b, Location loc,
                                  const LayerNormOperands &operands,
                                  unsigned numResults) {
  auto type = cast<RankedTensorType>(operands.input.getType());
  int64_t rank = type.getRank(), width = type.getShape().back();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, loc, operands.input);
  SmallVector<OpFoldResult> rows(sizes.begin(), sizes.end() - 1);
  SmallVector<Value> inits;
  for (unsigned r = 0; r < numResults; ++r)
    inits.push_back(
        tensor::EmptyOp::create(b, loc, sizes, type.getElementType()));

  auto forall =
      scf::ForallOp::create(b, loc, rows, inits, /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  RowBuilder row(b, loc, width);
  SmallVector<Value> at = forall.getInductionVars();
  int64_t vectors = width / kLanes;

  SmallVector<Value> sum;
  for (int64_t c = 0; c < vectors; ++c) {
    Value x = row.read(operands.input, at, c);
    // (input + bias) + residual: the order of the unfused epilogue and add.
    if (operands.bias)
      x = arith::AddFOp::create(b, loc, x, row.read(operands.bias, {}, c));
    if (operands.residual)
      x = arith::AddFOp::create(b, loc, x, row.read(operands.residual, at, c));
    sum.push_back(x);
  }
  // Centred (layer norm) or not (RMS norm): x - mean, or x.
  Value mean, m2;
  if (operands.rms)
    m2 = row.sumOfSquares(sum);
  else
    std::tie(mean, m2) = row.statistics(sum);
  Value var =
      arith::DivFOp::create(b, loc, m2, row.splat(static_cast<double>(width)));
  Value denom = math::SqrtOp::create(
      b, loc, arith::AddFOp::create(b, loc, var, row.splat(operands.eps)));

  // This iteration's rows of the results, written in place.
  SmallVector<OpFoldResult> offsets(at.begin(), at.end());
  offsets.push_back(b.getIndexAttr(0));
  SmallVector<OpFoldResult> rowSizes(rank - 1, b.getIndexAttr(1));
  rowSizes.push_back(b.getIndexAttr(width));
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  auto rowType = RankedTensorType::get({width}, type.getElementType());
  auto rowOf = [&](unsigned r) -> Value {
    return tensor::ExtractSliceOp::create(b, loc, rowType,
                                          forall.getRegionIterArgs()[r],
                                          offsets, rowSizes, strides);
  };
  SmallVector<Value> outRows = {rowOf(0)};
  if (numResults > 1)
    outRows.push_back(rowOf(1));
  for (int64_t c = 0; c < vectors; ++c) {
    Value centred =
        mean ? arith::SubFOp::create(b, loc, sum[c], mean).getResult() : sum[c];
    Value normed = arith::DivFOp::create(b, loc, centred, denom);
    Value y =
        arith::MulFOp::create(b, loc, normed, row.read(operands.gamma, {}, c));
    if (operands.beta)
      y = arith::AddFOp::create(b, loc, y, row.read(operands.beta, {}, c));
    outRows[0] = row.write(y, outRows[0], c);
    if (numResults > 1)
      outRows[1] = row.write(sum[c], outRows[1], c);
  }
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  for (unsigned r = 0; r < numResults; ++r)
    tensor::ParallelInsertSliceOp::create(b, loc, outRows[r],
                                          forall.getRegionIterArgs()[r],
                                          offsets, rowSizes, strides);
  return SmallVector<Value>(forall.getResults());
}

/// Rows of a whole number of vectors, of a static width.
bool vectorRows(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  int64_t width = tensor.getShape().back();
  return tensor.getRank() >= 1 && !ShapedType::isDynamic(width) &&
         width % kLanes == 0;
}

struct XfmrCpuLayerNormPass
    : xfmr::cpu::impl::XfmrCpuLayerNormBase<XfmrCpuLayerNormPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> norms;
    getOperation().walk([&](Operation *op) {
      if (isa<LayerNormOp, ResidualLayerNormOp, RmsNormOp>(op))
        norms.push_back(op);
    });
    for (Operation *op : norms) {
      LayerNormOperands operands;
      unsigned numResults = 1;
      if (auto norm = dyn_cast<LayerNormOp>(op)) {
        if (norm.getNormalizedAxis() != norm.getType().getRank() - 1 ||
            !vectorRows(norm.getType()))
          continue;
        operands = {norm.getInput(), Value(),
                    Value(),         norm.getGamma(),
                    norm.getBeta(),  norm.getEps().convertToDouble()};
      } else if (auto norm = dyn_cast<RmsNormOp>(op)) {
        if (!vectorRows(norm.getType()))
          continue;
        operands.input = norm.getInput();
        operands.gamma = norm.getGamma();
        operands.eps = norm.getEps().convertToDouble();
        operands.rms = true;
      } else if (auto norm = dyn_cast<ResidualLayerNormOp>(op)) {
        if (!vectorRows(norm.getResult().getType()))
          continue;
        operands = {norm.getInput(), norm.getResidual(),
                    norm.getBias(),  norm.getGamma(),
                    norm.getBeta(),  norm.getEps().convertToDouble()};
        numResults = 2;
      }
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(
          op, buildLayerNorm(rewriter, op->getLoc(), operands, numResults));
      ++numKernels;
    }
  }
};
} // namespace
