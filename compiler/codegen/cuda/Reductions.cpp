//===- Reductions.cpp - row reductions read through shared memory ---------===//
//
// A reduction along the innermost loop (a softmax's maximum and sum, a layer
// norm's statistics) mapped as parallel loops gives each thread a row: the
// threads of a warp then read 32 different rows, one element each. Here a
// warp owns 32 rows and walks their keys in steps of 32: it first copies the
// step's 32 × 32 block of each operand that runs along the keys into shared
// memory, one coalesced row of 32 keys at a time, then each lane folds its
// row's 32 elements from there with the op's own body, in key order. The
// result is that of the op's sequential fold, bit for bit.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/LoopKernelBuilder.h"
#include "compiler/codegen/cuda/Passes.h"

#include <numeric>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUROWREDUCTIONS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// Rows per warp (a block is one warp), and keys per step.
constexpr int64_t kRows = 32, kKeys = 32;

/// Whether `op` is a reduction along its innermost loop alone whose outputs
/// are indexed by all the other loops.
bool isRowReduction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumReductionLoops() != 1 ||
      op.getNumLoops() < 2)
    return false;
  unsigned last = op.getNumLoops() - 1;
  if (op.getIteratorTypesArray()[last] != utils::IteratorType::reduction)
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation() ||
        !isa<MemRefType>(operand.get().getType()))
      return false;
  }
  for (OpOperand &out : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&out);
    if (map.getNumResults() != last || map.isFunctionOfDim(last))
      return false;
  }
  return true;
}

/// Whether input `operand` runs along the keys: its innermost index is the
/// reduction loop, so a row of keys is contiguous.
bool runsAlongKeys(linalg::LinalgOp op, OpOperand &operand) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  unsigned last = op.getNumLoops() - 1;
  return map.getNumResults() > 0 &&
         map.getResults().back() == getAffineDimExpr(last, op.getContext());
}

class RowKernelBuilder : xfmr::cuda::LoopKernelBuilder {
public:
  RowKernelBuilder(OpBuilder &b, Location loc, linalg::LinalgOp op)
      : LoopKernelBuilder(b, loc, op) {}

  void build();

private:
  /// Sets the row loops (all but the innermost) in `point` from the
  /// flattened row.
  void setRow(Value row) {
    SmallVector<unsigned> rowGroup(rowLoops);
    std::iota(rowGroup.begin(), rowGroup.end(), 0);
    decompose(rowGroup, row, sizes);
  }

  SmallVector<Value> sizes;
  unsigned rowLoops = 0;
};

void RowKernelBuilder::build() {
  unsigned keyLoop = op.getNumLoops() - 1;
  rowLoops = keyLoop;
  for (Range range : op.createLoopRanges(b, loc))
    sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
  Value rows = index(1);
  for (unsigned d = 0; d < rowLoops; ++d)
    rows = mul(rows, sizes[d]);
  Value keys = sizes[keyLoop];

  // One shared block per operand along the keys, a column of padding
  // against bank conflicts.
  SmallVector<OpOperand *> staged;
  SmallVector<Type> tiles;
  for (OpOperand *input : op.getDpsInputOperands())
    if (runsAlongKeys(op, *input)) {
      staged.push_back(input);
      tiles.push_back(MemRefType::get(
          {kRows, kKeys + 1}, getElementTypeOrSelf(input->get().getType()),
          MemRefLayoutAttrInterface(),
          gpu::AddressSpaceAttr::get(b.getContext(),
                                     gpu::AddressSpace::Workgroup)));
    }
  Value one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, arith::CeilDivUIOp::create(b, loc, rows, index(kRows)), one, one,
      index(kRows), one, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, tiles);
  OpBuilder::InsertionGuard guard(b);
  xfmr::cuda::enterKernel(b, loc, launch);

  Value lane = launch.getThreadIds().x;
  Value rowBase = mul(launch.getBlockIds().x, index(kRows));
  Value row = add(rowBase, lane);
  Value rowInRange = lessThan(row, rows);
  // A lane past the last row computes on the last one and stores nothing.
  Value readRow = arith::SelectOp::create(
      b, loc, rowInRange, row, arith::SubIOp::create(b, loc, rows, index(1)));

  SmallVector<Value> init;
  setRow(readRow);
  for (OpOperand &out : op.getDpsInitsMutable())
    init.push_back(memref::LoadOp::create(b, loc, out.get(), indicesOf(out)));

  auto steps = scf::ForOp::create(
      b, loc, index(0), arith::CeilDivUIOp::create(b, loc, keys, index(kKeys)),
      one, init, [&](OpBuilder &, Location, Value step, ValueRange states) {
        Value keyBase = mul(step, index(kKeys));
        // Stage: row r of the block, keys keyBase + lane.
        Value key = add(keyBase, lane);
        scf::ForOp::create(
            b, loc, index(0), index(kRows), one, ValueRange{},
            [&](OpBuilder &, Location, Value r, ValueRange) {
              Value stagedRow = add(rowBase, r);
              setRow(stagedRow);
              point[keyLoop] = key;
              Value inBounds = arith::AndIOp::create(
                  b, loc, lessThan(stagedRow, rows), lessThan(key, keys));
              for (auto [input, tile] :
                   llvm::zip(staged, launch.getWorkgroupAttributions()))
                memref::StoreOp::create(b, loc, loadOrZero(*input, inBounds),
                                        tile, ValueRange{r, lane});
              scf::YieldOp::create(b, loc);
            });
        gpu::BarrierOp::create(b, loc);
        // Fold: this lane's row, the step's keys in order.
        Value count = arith::MinUIOp::create(
            b, loc, index(kKeys), arith::SubIOp::create(b, loc, keys, keyBase));
        auto fold = scf::ForOp::create(
            b, loc, index(0), count, one, states,
            [&](OpBuilder &, Location, Value j, ValueRange state) {
              setRow(readRow);
              point[keyLoop] = add(keyBase, j);
              IRMapping map;
              Block *opBody = op.getBlock();
              unsigned stagedIndex = 0;
              for (OpOperand *input : op.getDpsInputOperands()) {
                Value value;
                if (llvm::is_contained(staged, input))
                  value = memref::LoadOp::create(
                      b, loc, launch.getWorkgroupAttributions()[stagedIndex++],
                      ValueRange{lane, j});
                else
                  value = memref::LoadOp::create(b, loc, input->get(),
                                                 indicesOf(*input));
                map.map(opBody->getArgument(input->getOperandNumber()), value);
              }
              for (auto [out, value] :
                   llvm::zip(op.getDpsInitsMutable(), state))
                map.map(opBody->getArgument(out.getOperandNumber()), value);
              SmallVector<Value> next;
              for (Operation &inner : opBody->without_terminator()) {
                if (auto indexOp = dyn_cast<linalg::IndexOp>(inner)) {
                  map.map(indexOp.getResult(), point[indexOp.getDim()]);
                  continue;
                }
                b.clone(inner, map);
              }
              for (Value yielded : opBody->getTerminator()->getOperands())
                next.push_back(map.lookupOrDefault(yielded));
              scf::YieldOp::create(b, loc, next);
            });
        // The next step overwrites the blocks only when every lane is done.
        gpu::BarrierOp::create(b, loc);
        scf::YieldOp::create(b, loc, fold.getResults());
      });

  auto store = scf::IfOp::create(b, loc, rowInRange, /*withElseRegion=*/false);
  b.setInsertionPointToStart(store.thenBlock());
  setRow(row);
  for (auto [out, value] :
       llvm::zip(op.getDpsInitsMutable(), steps.getResults()))
    memref::StoreOp::create(b, loc, value, out.get(), indicesOf(out));
}

struct XfmrGpuRowReductionsPass
    : xfmr::cuda::impl::XfmrGpuRowReductionsBase<XfmrGpuRowReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> found;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isRowReduction(op))
        found.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : found) {
      rewriter.setInsertionPoint(op);
      RowKernelBuilder(rewriter, op.getLoc(), op).build();
      rewriter.eraseOp(op);
      ++numKernels;
    }
  }
};
} // namespace
