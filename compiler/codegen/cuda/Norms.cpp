//===- Norms.cpp - layer norms as one kernel, a warp per row --------------===//
//
// `xfmr.layer_norm` (over the last dimension), `xfmr.residual_layer_norm`
// and `xfmr.rms_norm` as one kernel each: a warp per row, its lanes across
// the features. A first pass forms the row (the residual sum, written as
// the op's second result) and its sum, reduced across the warp by butterfly
// shuffles; a layer norm's second pass sums the squared deviations from the
// mean the same way; the last pass normalizes. Every lane rereads only what
// it wrote or read itself.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/codegen/cuda/TensorKernels.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUNORMS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;
using xfmr::cuda::kWarpLanes;
using xfmr::cuda::readOnlyBuffer;

namespace {
/// Rows per block, a warp each.
constexpr int64_t kRows = 4;

/// What a norm kernel computes.
struct NormKind {
  /// A layer norm (mean and variance); else an RMS norm.
  bool centered;
  Value input, residual, bias, gamma, beta;
  double eps;
};

class NormKernelBuilder {
public:
  NormKernelBuilder(OpBuilder &b, Location loc, const NormKind &kind)
      : b(b), loc(loc), kind(kind) {}

  /// The normalized rows and, for a residual norm, the sums: new buffers
  /// the kernel writes, as tensors.
  SmallVector<Value> build();

private:
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value f32(double value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }
  /// A loop over this lane's features: lane, lane + 32, ... < width.
  scf::ForOp
  features(Value lane, ValueRange init,
           function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return scf::ForOp::create(
        b, loc, lane, index(width), index(kWarpLanes), init,
        [&](OpBuilder &, Location, Value f, ValueRange acc) {
          scf::YieldOp::create(b, loc, body(f, acc));
        });
  }

  OpBuilder &b;
  Location loc;
  const NormKind &kind;
  int64_t width = 0;
};

SmallVector<Value> NormKernelBuilder::build() {
  auto type = cast<RankedTensorType>(kind.input.getType());
  int64_t rank = type.getRank();
  width = type.getDimSize(rank - 1);
  Value input = readOnlyBuffer(b, loc, kind.input);
  Value residual =
      kind.residual ? readOnlyBuffer(b, loc, kind.residual) : Value();
  Value bias = kind.bias ? readOnlyBuffer(b, loc, kind.bias) : Value();
  Value gamma = readOnlyBuffer(b, loc, kind.gamma);
  Value beta = kind.beta ? readOnlyBuffer(b, loc, kind.beta) : Value();

  SmallVector<Value> sizes, dynamicSizes;
  Value rows = index(1);
  for (int64_t d = 0; d < rank; ++d) {
    Value size = memref::DimOp::create(b, loc, input, d);
    sizes.push_back(size);
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(size);
    if (d < rank - 1)
      rows = arith::MulIOp::create(b, loc, rows, size);
  }
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  Value out = memref::AllocOp::create(b, loc, bufferType, dynamicSizes);
  Value sumOut = residual
                     ? memref::AllocOp::create(b, loc, bufferType, dynamicSizes)
                     : Value();

  Value one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, rows, index(kRows)), one, one,
      index(kWarpLanes), index(kRows), one);
  OpBuilder::InsertionGuard guard(b);
  xfmr::cuda::enterKernel(b, loc, launch);

  Value lane = launch.getThreadIds().x;
  Value row = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().x, index(kRows)),
      launch.getThreadIds().y);
  // The whole warp shares its row: a warp-uniform branch.
  auto inRange = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(inRange.thenBlock());
  SmallVector<Value> rowIndices(rank - 1);
  Value rest = row;
  for (int64_t d = rank - 2; d > 0; --d) {
    rowIndices[d] = arith::RemUIOp::create(b, loc, rest, sizes[d]);
    rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
  }
  if (rank > 1)
    rowIndices[0] = rest;
  auto at = [&](Value f) {
    SmallVector<Value> indices(rowIndices);
    indices.push_back(f);
    return indices;
  };
  auto load = [&](Value memref, ValueRange indices) {
    return memref::LoadOp::create(b, loc, memref, indices).getResult();
  };

  // Pass 1: the row ((input + bias) + residual, the unfused ops' order) and
  // the sum of it, or of its squares.
  auto first = features(lane, f32(0.0), [&](Value f, ValueRange acc) {
    Value x = load(input, at(f));
    if (residual) {
      if (bias)
        x = arith::AddFOp::create(b, loc, x, load(bias, ValueRange{f}));
      x = arith::AddFOp::create(b, loc, x, load(residual, at(f)));
      memref::StoreOp::create(b, loc, x, sumOut, at(f));
    }
    Value term = kind.centered ? x : arith::MulFOp::create(b, loc, x, x);
    return SmallVector<Value>{arith::AddFOp::create(b, loc, acc[0], term)};
  });
  Value widthF = f32(static_cast<double>(width));
  Value rowSum = xfmr::cuda::laneSum(b, loc, first.getResult(0), kWarpLanes);
  Value source = residual ? sumOut : input;
  Value mean, denom;
  if (kind.centered) {
    mean = arith::DivFOp::create(b, loc, rowSum, widthF);
    // Pass 2: the squared deviations.
    auto second = features(lane, f32(0.0), [&](Value f, ValueRange acc) {
      Value d = arith::SubFOp::create(b, loc, load(source, at(f)), mean);
      return SmallVector<Value>{math::FmaOp::create(b, loc, d, d, acc[0])};
    });
    Value var = arith::DivFOp::create(
        b, loc, xfmr::cuda::laneSum(b, loc, second.getResult(0), kWarpLanes),
        widthF);
    denom = math::SqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, var, f32(kind.eps)));
  } else {
    Value meanSquare = arith::DivFOp::create(b, loc, rowSum, widthF);
    denom = math::SqrtOp::create(
        b, loc, arith::AddFOp::create(b, loc, meanSquare, f32(kind.eps)));
  }
  // Last pass: normalize, scale and shift.
  features(lane, ValueRange{}, [&](Value f, ValueRange) {
    Value x = load(source, at(f));
    if (kind.centered)
      x = arith::SubFOp::create(b, loc, x, mean);
    Value y =
        arith::MulFOp::create(b, loc, arith::DivFOp::create(b, loc, x, denom),
                              load(gamma, ValueRange{f}));
    if (beta)
      y = arith::AddFOp::create(b, loc, y, load(beta, ValueRange{f}));
    memref::StoreOp::create(b, loc, y, out, at(f));
    return SmallVector<Value>{};
  });

  b.setInsertionPointAfter(launch);
  SmallVector<Value> results = {xfmr::cuda::resultTensor(b, loc, type, out)};
  if (residual)
    results.push_back(xfmr::cuda::resultTensor(b, loc, type, sumOut));
  return results;
}

/// What `op` computes, if the kernel takes it: rows of a width known here
/// (the loops' bound), over the last dimension.
std::optional<NormKind> normKindOf(Operation *op) {
  if (!isa<xfmr::LayerNormOp, xfmr::ResidualLayerNormOp, xfmr::RmsNormOp>(op))
    return std::nullopt;
  auto input = cast<RankedTensorType>(op->getOperand(0).getType());
  if (input.isDynamicDim(input.getRank() - 1))
    return std::nullopt;
  if (auto norm = dyn_cast<xfmr::LayerNormOp>(op)) {
    if (norm.getNormalizedAxis() + 1 !=
        static_cast<unsigned>(norm.getType().getRank()))
      return std::nullopt;
    return NormKind{true,
                    norm.getInput(),
                    {},
                    {},
                    norm.getGamma(),
                    norm.getBeta(),
                    norm.getEps().convertToDouble()};
  }
  if (auto norm = dyn_cast<xfmr::ResidualLayerNormOp>(op))
    return NormKind{true,
                    norm.getInput(),
                    norm.getResidual(),
                    norm.getBias(),
                    norm.getGamma(),
                    norm.getBeta(),
                    norm.getEps().convertToDouble()};
  auto norm = cast<xfmr::RmsNormOp>(op);
  return NormKind{false,
                  norm.getInput(),
                  {},
                  {},
                  norm.getGamma(),
                  {},
                  norm.getEps().convertToDouble()};
}

struct XfmrGpuNormsPass : xfmr::cuda::impl::XfmrGpuNormsBase<XfmrGpuNormsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> found;
    getOperation().walk([&](Operation *op) {
      if (normKindOf(op))
        found.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    // Each op's operands are read when it is rewritten: an earlier norm's
    // result may be one of them.
    for (Operation *op : found) {
      NormKind kind = *normKindOf(op);
      rewriter.setInsertionPoint(op);
      SmallVector<Value> results =
          NormKernelBuilder(rewriter, op->getLoc(), kind).build();
      rewriter.replaceOp(op, results);
      ++numKernels;
    }
  }
};
} // namespace
