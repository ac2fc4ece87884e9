//===- Softmax.cpp - softmax rows as vector code, a row per iteration -----===//
//
// xfmr.softmax (over the last dimension) and xfmr.masked_softmax whose rows
// are a whole number of vectors, or of a width known only at run time,
// become an scf.forall over the rows. An iteration makes three passes over
// its row, 16 elements at a time: the maximum (a lane-wise chain, then a
// fixed tree across the lanes), exp(x - max) written to the result and
// summed lane-wise in column order (then a fixed tree), and the division by
// the sum. Elements are formed exactly as the generic lowering
// (compiler/conversion/XfmrToLinalg/Softmax.cpp) forms them, and a row's
// degenerate cases (all -inf, a sum that is not positive, every key masked)
// select what it selects, so the two differ only by the rounding of the
// sum.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cpu/Vectors.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRCPUSOFTMAX
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;
using namespace xfmr;

namespace {
using cpu::kLanes;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// What a softmax row is formed from. `masked_softmax` sets `scale` and
/// `mask`; its masks apply when `padding` is set or `causal` is.
struct SoftmaxOperands {
  Value input, padding, bias;
  std::optional<double> scale;
  bool causal = false;
  MaskAttr mask;
  bool masks() const { return padding || causal; }
};

/// One vector of a row: its elements, and (with masks) which lanes hold a
/// key that is not masked.
struct RowVector {
  Value value;
  Value unmasked;
};

/// Builds the softmax of one row, at `at` (the indices of every dimension
/// but the last), in an iteration of the forall over the rows.
class RowKernel {
public:
  RowKernel(OpBuilder &b, Location loc, const SoftmaxOperands &operands,
            ValueRange at, OpFoldResult width)
      : b(b), loc(loc), operands(operands), at(at), width(width),
        vectorType(VectorType::get({kLanes}, b.getF32Type())),
        inputType(cast<RankedTensorType>(operands.input.getType())) {}

  /// The probabilities of the row, written into `row` (the row of the
  /// result, a 1-D tensor).
  Value build(Value row);

private:
  using VectorBody = function_ref<SmallVector<Value>(Value column, Value valid,
                                                     ValueRange state)>;

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value splat(double value) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorType, static_cast<float>(value)));
  }
  /// The vector of `source` at `indices` (the last one a column). With
  /// `valid` (a partial vector) the lanes past the row are not read.
  Value read(Value source, ValueRange indices, Value valid, Type elementType);
  Value write(Value value, Value row, Value column, Value valid);
  /// The elements from `column`: lanes past the row (not `valid`) are -inf
  /// and masked.
  RowVector elements(Value column, Value valid);
  /// Whether the bias broadcasts over dimension `d` of the scores (the
  /// generic lowering's test).
  bool biasBroadcasts(int64_t d) {
    return cast<RankedTensorType>(operands.bias.getType()).getDimSize(d) == 1 &&
           inputType.getDimSize(d) != 1;
  }
  /// The bias's indices of this row's key `column`.
  SmallVector<Value> biasIndices(Value column) {
    SmallVector<Value> indices(at);
    indices.push_back(column);
    for (int64_t d = 0; d < 4; ++d)
      if (biasBroadcasts(d))
        indices[d] = index(0);
    return indices;
  }
  /// Runs `body` over the row's vectors in column order, from `init`.
  SmallVector<Value> overRow(ValueRange init, VectorBody body);
  /// `v` reduced across its lanes by `combine`, pairwise in a fixed tree.
  Value acrossLanes(Value v, function_ref<Value(Value, Value)> combine);

  OpBuilder &b;
  Location loc;
  const SoftmaxOperands &operands;
  ValueRange at;
  OpFoldResult width;
  VectorType vectorType;
  RankedTensorType inputType;
  /// Causal: the last key query `at[2]` sees, in every lane.
  Value causalLimit;
  /// A bias of one key per row, in every lane.
  Value rowBias;
};

Value RowKernel::read(Value source, ValueRange indices, Value valid,
                      Type elementType) {
  auto type = VectorType::get({kLanes}, elementType);
  Value padding = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
  if (!valid)
    return vector::TransferReadOp::create(b, loc, type, source, indices,
                                          padding, ArrayRef<bool>{true});
  // A masked read, not an out-of-bounds one: that would need the source's
  // size when vectors are lowered, after memrefs are.
  auto rank = cast<ShapedType>(source.getType()).getRank();
  return vector::TransferReadOp::create(
      b, loc, type, source, indices,
      AffineMap::getMinorIdentityMap(rank, 1, b.getContext()), padding, valid,
      b.getBoolArrayAttr({true}));
}

Value RowKernel::write(Value value, Value row, Value column, Value valid) {
  if (!valid)
    return vector::TransferWriteOp::create(
               b, loc, value, row, ValueRange{column}, ArrayRef<bool>{true})
        .getResult();
  return vector::TransferWriteOp::create(
             b, loc, value, row, ValueRange{column},
             AffineMapAttr::get(
                 AffineMap::getMinorIdentityMap(1, 1, b.getContext())),
             valid, b.getBoolArrayAttr({true}))
      .getResult();
}

RowVector RowKernel::elements(Value column, Value valid) {
  SmallVector<Value> indices(at);
  indices.push_back(column);
  Value x = read(operands.input, indices, valid, b.getF32Type());
  Value unmasked;
  if (operands.scale) {
    // scale · x + bias, then the fill where a mask applies: the generic
    // lowering's order, so the elements are the same numbers.
    x = arith::MulFOp::create(b, loc, x, splat(*operands.scale));
    if (rowBias) {
      x = arith::AddFOp::create(b, loc, x, rowBias);
    } else if (operands.bias) {
      x = arith::AddFOp::create(
          b, loc, x,
          read(operands.bias, biasIndices(column), valid, b.getF32Type()));
    }
    if (operands.masks()) {
      auto maskType = VectorType::get({kLanes}, b.getI1Type());
      Value masked = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(maskType, false));
      if (operands.padding) {
        Value flags = read(operands.padding, ValueRange{at[0], column}, valid,
                           b.getI64Type());
        Value zero = arith::ConstantOp::create(
            b, loc, b.getZeroAttr(VectorType::get({kLanes}, b.getI64Type())));
        masked = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, flags,
                                       zero);
      }
      if (causalLimit) {
        auto lanesType = VectorType::get({kLanes}, b.getI64Type());
        SmallVector<int64_t> lanes;
        for (int64_t l = 0; l < kLanes; ++l)
          lanes.push_back(l);
        Value keys = arith::AddIOp::create(
            b, loc,
            vector::BroadcastOp::create(
                b, loc, lanesType,
                arith::IndexCastOp::create(b, loc, b.getI64Type(), column)),
            arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(lanesType, ArrayRef(lanes))));
        masked = arith::OrIOp::create(
            b, loc, masked,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, keys,
                                  causalLimit));
      }
      Value filled = arith::AddFOp::create(
          b, loc, x, splat(operands.mask.getFillAsDouble()));
      x = arith::SelectOp::create(b, loc, masked, filled, x);
      Value ones = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(maskType, true));
      unmasked = arith::XOrIOp::create(b, loc, masked, ones);
      if (valid)
        unmasked = arith::AndIOp::create(b, loc, unmasked, valid);
    }
  }
  if (valid)
    x = arith::SelectOp::create(b, loc, valid, x, splat(kNegInf));
  return {x, unmasked};
}

SmallVector<Value> RowKernel::overRow(ValueRange init, VectorBody body) {
  std::optional<int64_t> staticWidth = getConstantIntValue(width);
  Value whole;
  if (staticWidth) {
    whole = index(*staticWidth);
  } else {
    Value w = getValueOrCreateConstantIndexOp(b, loc, width);
    whole = arith::SubIOp::create(
        b, loc, w, arith::RemUIOp::create(b, loc, w, index(kLanes)));
  }
  auto loop =
      scf::ForOp::create(b, loc, index(0), whole, index(kLanes), init,
                         [](OpBuilder &, Location, Value, ValueRange) {});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    scf::YieldOp::create(
        b, loc,
        body(loop.getInductionVar(), Value(), loop.getRegionIterArgs()));
  }
  SmallVector<Value> state(loop.getResults());
  if (staticWidth)
    return state;
  // The partial vector (no lane valid when the width is a multiple).
  Value left = arith::SubIOp::create(
      b, loc, getValueOrCreateConstantIndexOp(b, loc, width), whole);
  Value valid = vector::CreateMaskOp::create(
      b, loc, VectorType::get({kLanes}, b.getI1Type()), ValueRange{left});
  return body(whole, valid, state);
}

Value RowKernel::acrossLanes(Value v,
                             function_ref<Value(Value, Value)> combine) {
  for (int64_t half = kLanes / 2; half >= 1; half /= 2) {
    SmallVector<int64_t> partner;
    for (int64_t lane = 0; lane < kLanes; ++lane)
      partner.push_back(lane < half ? lane + half : lane);
    v = combine(v, vector::ShuffleOp::create(b, loc, v, v, partner));
  }
  return vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{0});
}

Value RowKernel::build(Value row) {
  Value widthValue = getValueOrCreateConstantIndexOp(b, loc, width);
  if (operands.causal) {
    // Query i sees keys j <= i + keys - queries.
    Value queries = tensor::DimOp::create(b, loc, operands.input, 2);
    Value limit = arith::AddIOp::create(
        b, loc, at[2], arith::SubIOp::create(b, loc, widthValue, queries));
    causalLimit = vector::BroadcastOp::create(
        b, loc, VectorType::get({kLanes}, b.getI64Type()),
        arith::IndexCastOp::create(b, loc, b.getI64Type(), limit));
  }
  if (operands.bias && biasBroadcasts(3))
    rowBias = vector::BroadcastOp::create(
        b, loc, vectorType,
        tensor::ExtractOp::create(b, loc, operands.bias,
                                  biasIndices(index(0))));

  // The maximum and, with masks, whether some key is not masked.
  bool masks = operands.masks();
  SmallVector<Value> init = {splat(kNegInf)};
  if (masks)
    init.push_back(arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({kLanes}, b.getI1Type()),
                               false)));
  SmallVector<Value> stats =
      overRow(init, [&](Value column, Value valid, ValueRange state) {
        RowVector x = elements(column, valid);
        SmallVector<Value> next = {
            arith::MaximumFOp::create(b, loc, state[0], x.value)};
        if (masks)
          next.push_back(arith::OrIOp::create(b, loc, state[1], x.unmasked));
        return next;
      });
  Value rowMax = acrossLanes(stats[0], [&](Value x, Value y) -> Value {
    return arith::MaximumFOp::create(b, loc, x, y);
  });
  Value max = vector::BroadcastOp::create(b, loc, vectorType, rowMax);

  // e = exp(x - max) into the row, summed; 0 when the maximum is -inf
  // (every element is).
  Value allNegInf = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OEQ, rowMax,
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(kNegInf)));
  SmallVector<Value> sums = overRow(
      {splat(0.0), row}, [&](Value column, Value valid, ValueRange state) {
        Value x = elements(column, valid).value;
        Value e = arith::SelectOp::create(
            b, loc, allNegInf, splat(0.0),
            math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, max)));
        return SmallVector<Value>{arith::AddFOp::create(b, loc, state[0], e),
                                  write(e, state[1], column, valid)};
      });
  Value rowSum = acrossLanes(sums[0], [&](Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  });
  Value sum = vector::BroadcastOp::create(b, loc, vectorType, rowSum);

  // p = e / sum where the sum is positive, else 0; with masks, what
  // fully_masked says where every key is masked.
  Value positive = arith::CmpFOp::create(
      b, loc, arith::CmpFPredicate::OGT, rowSum,
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0)));
  Value unmaskedRow, fullyMasked;
  if (masks) {
    unmaskedRow = vector::ReductionOp::create(b, loc, vector::CombiningKind::OR,
                                              stats[1]);
    fullyMasked = splat(0.0);
    if (operands.mask.getFullyMasked() == FullyMaskedPolicy::uniform) {
      Value keys = arith::SIToFPOp::create(
          b, loc, b.getF32Type(),
          arith::IndexCastOp::create(b, loc, b.getI64Type(), widthValue));
      fullyMasked = vector::BroadcastOp::create(
          b, loc, vectorType,
          arith::DivFOp::create(
              b, loc, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0)),
              keys));
    }
  }
  return overRow({sums[1]}, [&](Value column, Value valid, ValueRange state) {
    Value e = read(state[0], ValueRange{column}, valid, b.getF32Type());
    Value p = arith::SelectOp::create(
        b, loc, positive, arith::DivFOp::create(b, loc, e, sum), splat(0.0));
    if (masks)
      p = arith::SelectOp::create(b, loc, unmaskedRow, p, fullyMasked);
    return SmallVector<Value>{write(p, state[0], column, valid)};
  })[0];
}

/// The softmax of `operands` computed by an scf.forall over the rows.
Value buildSoftmax(OpBuilder &b, Location loc,
                   const SoftmaxOperands &operands) {
  auto type = cast<RankedTensorType>(operands.input.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, loc, operands.input);
  SmallVector<OpFoldResult> rows(sizes.begin(), sizes.end() - 1);
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  auto forall = scf::ForallOp::create(b, loc, rows, ValueRange{init},
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getTerminator());
  SmallVector<Value> at = forall.getInductionVars();

  // This iteration's row of the result, written in place.
  SmallVector<OpFoldResult> offsets(at.begin(), at.end());
  offsets.push_back(b.getIndexAttr(0));
  SmallVector<OpFoldResult> rowSizes(rank - 1, b.getIndexAttr(1));
  rowSizes.push_back(sizes.back());
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  auto rowType =
      RankedTensorType::get({type.getShape().back()}, type.getElementType());
  Value row = tensor::ExtractSliceOp::create(b, loc, rowType,
                                             forall.getRegionIterArgs()[0],
                                             offsets, rowSizes, strides);
  row = RowKernel(b, loc, operands, at, sizes.back()).build(row);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(
      b, loc, row, forall.getRegionIterArgs()[0], offsets, rowSizes, strides);
  return forall.getResult(0);
}

/// Rows of a whole number of vectors, or of a width known only at run time.
bool vectorRows(RankedTensorType type) {
  int64_t width = type.getShape().back();
  return type.getRank() >= 2 &&
         (ShapedType::isDynamic(width) || width % kLanes == 0);
}

struct XfmrCpuSoftmaxPass
    : xfmr::cpu::impl::XfmrCpuSoftmaxBase<XfmrCpuSoftmaxPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> softmaxes;
    getOperation().walk([&](Operation *op) {
      if (isa<SoftmaxOp, MaskedSoftmaxOp>(op))
        softmaxes.push_back(op);
    });
    for (Operation *op : softmaxes) {
      SoftmaxOperands operands;
      if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
        if (softmax.getNormalizedAxis() != softmax.getType().getRank() - 1 ||
            !vectorRows(softmax.getType()))
          continue;
        operands.input = softmax.getInput();
      } else if (auto softmax = dyn_cast<MaskedSoftmaxOp>(op)) {
        if (!vectorRows(softmax.getType()))
          continue;
        operands = {softmax.getScores(), softmax.getKeyPadding(),
                    softmax.getBias(),   softmax.getScale().convertToDouble(),
                    softmax.getCausal(), softmax.getMask()};
      }
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, buildSoftmax(rewriter, op->getLoc(), operands));
      ++numKernels;
    }
  }
};
} // namespace
