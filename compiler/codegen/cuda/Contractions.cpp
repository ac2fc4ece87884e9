//===- Contractions.cpp - contractions as tiled kernels in shared memory --===//
//
// Every f32 contraction the model has (the linear layers, on their column
// panels; attention's scores and its weighted sum of values) reads each
// operand through a projected permutation of its loops. Such an op becomes
// one kernel: a block computes a 64 × 64 tile of C, its 16 × 16 threads 4 × 4
// elements each, walking the reduction in steps of 16 that the block stages
// in shared memory. The loops of each kind (batch, m, n) are flattened,
// row-major in loop order, so one kernel serves any number of them.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUCONTRACTIONS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// The tile of C a block computes, the threads of a block along each side,
/// and the depth of a reduction step.
constexpr int64_t kTile = 64, kThreads = 16, kDepth = 16;
constexpr int64_t kPerThread = kTile / kThreads; // 4 × 4 elements
constexpr int64_t kBlockThreads = kThreads * kThreads;

/// The loops of a contraction by kind, and their sizes.
struct ContractionLoops {
  linalg::ContractionDimensions dims;
  SmallVector<Value> sizes; // per loop, index
};

/// `op` as a contraction the kernel computes, or failure.
FailureOr<linalg::ContractionDimensions> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32() ||
        !op.getMatchingIndexingMap(&operand).isProjectedPermutation())
      return failure();
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.size() != 1 || dims->m.empty() ||
      dims->n.empty() ||
      dims->batch.size() + dims->m.size() + dims->n.size() + 1 !=
          op.getNumLoops())
    return failure();
  return dims;
}

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, linalg::LinalgOp op,
                const ContractionLoops &loops)
      : b(b), loc(loc), op(op), loops(loops) {}

  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value lessThan(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }

  /// The product of the sizes of `group`'s loops (1 for none).
  Value extent(ArrayRef<unsigned> group) {
    Value result = index(1);
    for (unsigned d : group)
      result = mul(result, loops.sizes[d]);
    return result;
  }

  /// Sets the loops of `group` in `point` from their flattened index.
  void decompose(ArrayRef<unsigned> group, Value flat,
                 SmallVectorImpl<Value> &point) {
    for (unsigned d : llvm::reverse(group.drop_front())) {
      point[d] = arith::RemUIOp::create(b, loc, flat, loops.sizes[d]);
      flat = arith::DivUIOp::create(b, loc, flat, loops.sizes[d]);
    }
    point[group.front()] = flat;
  }

  /// The indices of `operand` at the loop point `point`.
  SmallVector<Value> indicesOf(OpOperand &operand, ArrayRef<Value> point) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    SmallVector<Value> indices;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      indices.push_back(point[map.getDimPosition(r)]);
    return indices;
  }

  /// `operand` at `point` where `inBounds`, else 0.
  Value loadOrZero(OpOperand &operand, ArrayRef<Value> point, Value inBounds) {
    Type f32 = b.getF32Type();
    auto guarded = scf::IfOp::create(b, loc, f32, inBounds,
                                     /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(guarded.thenBlock());
    Value value = memref::LoadOp::create(b, loc, operand.get(),
                                         indicesOf(operand, point));
    scf::YieldOp::create(b, loc, value);
    b.setInsertionPointToStart(guarded.elseBlock());
    scf::YieldOp::create(
        b, loc,
        Value(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))));
    return guarded.getResult(0);
  }

  void build();

private:
  OpBuilder &b;
  Location loc;
  linalg::LinalgOp op;
  const ContractionLoops &loops;
};

void KernelBuilder::build() {
  const linalg::ContractionDimensions &dims = loops.dims;
  unsigned kDim = dims.k.front();
  Value rows = extent(dims.m), cols = extent(dims.n);
  Value depth = loops.sizes[kDim], batches = extent(dims.batch);
  auto ceilDiv = [&](Value x, int64_t by) {
    return arith::CeilDivUIOp::create(b, loc, x, index(by));
  };
  auto shared = MemRefType::get(
      {kDepth, kTile}, b.getF32Type(), MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  Value threads = index(kThreads), one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, ceilDiv(cols, kTile), ceilDiv(rows, kTile), batches, threads,
      threads, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/TypeRange{shared, shared});
  Block &body = launch.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&body);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
  // As[k][m] and Bs[k][n]: the block's operands for one reduction step.
  Value tileA = launch.getWorkgroupAttributions()[0];
  Value tileB = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  Value rowBase = mul(launch.getBlockIds().y, index(kTile));
  Value colBase = mul(launch.getBlockIds().x, index(kTile));
  Value thread = add(mul(ty, threads), tx);

  SmallVector<Value> point(op.getNumLoops());
  if (!dims.batch.empty())
    decompose(dims.batch, launch.getBlockIds().z, point);
  OpOperand &lhs = *op.getDpsInputOperand(0), &rhs = *op.getDpsInputOperand(1);
  OpOperand &out = *op.getDpsInitOperand(0);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  SmallVector<Value> init(kPerThread * kPerThread, zero);

  auto steps = scf::ForOp::create(
      b, loc, index(0), ceilDiv(depth, kDepth), one, init,
      [&](OpBuilder &, Location, Value step, ValueRange acc) {
        Value depthBase = mul(step, index(kDepth));
        // Each thread stages 4 elements of each operand: consecutive
        // threads read consecutive k of A's rows and consecutive n of B's.
        for (int64_t r = 0; r < kTile * kDepth / kBlockThreads; ++r) {
          Value e = add(thread, index(r * kBlockThreads));
          Value i = arith::DivUIOp::create(b, loc, e, index(kDepth));
          Value kk = arith::RemUIOp::create(b, loc, e, index(kDepth));
          Value m = add(rowBase, i), k = add(depthBase, kk);
          decompose(dims.m, m, point);
          point[kDim] = k;
          Value inA = arith::AndIOp::create(b, loc, lessThan(m, rows),
                                            lessThan(k, depth));
          memref::StoreOp::create(b, loc, loadOrZero(lhs, point, inA), tileA,
                                  ValueRange{kk, i});

          Value kkB = arith::DivUIOp::create(b, loc, e, index(kTile));
          Value j = arith::RemUIOp::create(b, loc, e, index(kTile));
          Value n = add(colBase, j), kB = add(depthBase, kkB);
          decompose(dims.n, n, point);
          point[kDim] = kB;
          Value inB = arith::AndIOp::create(b, loc, lessThan(n, cols),
                                            lessThan(kB, depth));
          memref::StoreOp::create(b, loc, loadOrZero(rhs, point, inB), tileB,
                                  ValueRange{kkB, j});
        }
        gpu::BarrierOp::create(b, loc);
        auto inner = scf::ForOp::create(
            b, loc, index(0), index(kDepth), one, acc,
            [&](OpBuilder &, Location, Value kk, ValueRange partial) {
              SmallVector<Value> a, bv, next;
              for (int64_t t = 0; t < kPerThread; ++t) {
                a.push_back(memref::LoadOp::create(
                    b, loc, tileA,
                    ValueRange{kk, add(ty, index(t * kThreads))}));
                bv.push_back(memref::LoadOp::create(
                    b, loc, tileB,
                    ValueRange{kk, add(tx, index(t * kThreads))}));
              }
              for (int64_t r = 0; r < kPerThread; ++r)
                for (int64_t c = 0; c < kPerThread; ++c) {
                  next.push_back(math::FmaOp::create(
                      b, loc, a[r], bv[c], partial[r * kPerThread + c]));
                }
              scf::YieldOp::create(b, loc, next);
            });
        // The next step overwrites the tiles only when every thread is done
        // reading them.
        gpu::BarrierOp::create(b, loc);
        scf::YieldOp::create(b, loc, inner.getResults());
      });

  // Thread (tx, ty) holds rows ty + 16 r and columns tx + 16 c of the tile:
  // consecutive threads store consecutive columns.
  for (int64_t r = 0; r < kPerThread; ++r)
    for (int64_t c = 0; c < kPerThread; ++c) {
      Value m = add(rowBase, add(ty, index(r * kThreads)));
      Value n = add(colBase, add(tx, index(c * kThreads)));
      Value inC =
          arith::AndIOp::create(b, loc, lessThan(m, rows), lessThan(n, cols));
      auto store = scf::IfOp::create(b, loc, inC, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard storeGuard(b);
      b.setInsertionPointToStart(store.thenBlock());
      decompose(dims.m, m, point);
      decompose(dims.n, n, point);
      SmallVector<Value> at = indicesOf(out, point);
      Value old = memref::LoadOp::create(b, loc, out.get(), at);
      Value sum = arith::AddFOp::create(b, loc, old,
                                        steps.getResult(r * kPerThread + c));
      memref::StoreOp::create(b, loc, sum, out.get(), at);
    }
}

struct XfmrGpuContractionsPass
    : xfmr::cuda::impl::XfmrGpuContractionsBase<XfmrGpuContractionsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, linalg::ContractionDimensions>>
        found;
    getOperation().walk([&](linalg::LinalgOp op) {
      FailureOr<linalg::ContractionDimensions> dims = matchContraction(op);
      if (succeeded(dims))
        found.push_back({op, *dims});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, dims] : found) {
      rewriter.setInsertionPoint(op);
      ContractionLoops loops{dims, {}};
      for (Range range : op.createLoopRanges(rewriter, op.getLoc()))
        loops.sizes.push_back(
            getValueOrCreateConstantIndexOp(rewriter, op.getLoc(), range.size));
      KernelBuilder(rewriter, op.getLoc(), op, loops).build();
      rewriter.eraseOp(op);
      ++numKernels;
    }
  }
};
} // namespace
