//===- Contractions.cpp - contractions as tiled kernels in shared memory --===//
//
// Every f32 contraction the model has (the linear layers, on their column
// panels; attention's scores and its weighted sum of values) reads each
// operand through a projected permutation of its loops. Such an op becomes
// one kernel: a block computes a 128 × 128 tile of C, its 16 × 16 threads
// 8 × 8 elements each, walking the reduction in steps of 8 that the block
// stages in shared memory, two buffers of it: the loads of the next step
// are in flight while the block multiplies the current one (with TF32,
// four warps a 64 × 64 tile in steps of 16). The loops of each kind (batch, m,
// n) are flattened, row-major in loop order, so one kernel serves any number of
// them.
//
// A few rows of A (a decode step's tokens, a small batch's pooled rows)
// leave most of such a tile empty and its few blocks walking the whole
// reduction. Where B is read along its contiguous columns (the linears'
// weight panels), a second kernel serves up to 8 rows: a block of 8 warps
// per 32 columns, the warps splitting the reduction and each lane keeping
// its column's 8 sums; the warps' sums meet in shared memory. The host
// picks the kernel by the rows it has.
//
// Where either kernel would have too few blocks to fill the GPU (a small
// batch's linears, a decode step's narrow ones), its blocks split the
// reduction too: block z of the grid sums one run of k, each run into a
// buffer of partial sums of its own, and a third kernel adds them to C in
// run order, so a result does not depend on how the blocks were scheduled.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/LoopKernelBuilder.h"
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUCONTRACTIONS
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// The exact kernel: the tile of C a block computes, its threads along each
/// side, and the depth of a reduction step.
constexpr int64_t kTile = 128, kThreads = 16, kDepth = 8;
constexpr int64_t kPerThread = kTile / kThreads; // 8 × 8 elements
constexpr int64_t kBlockThreads = kThreads * kThreads;
/// A thread's rows (and columns) of the tile: two runs of 4, one in each
/// half, read from the staged tiles as vectors of 4.
constexpr int64_t kRun = 4;
static_assert(kThreads * kRun * 2 == kTile, "two runs per thread and side");
/// The staged tiles' rows are padded by 4 elements: the threads that store
/// one k of consecutive rows of A then hit distinct banks, and a row still
/// starts 16 bytes aligned; so do the TF32 kernel's fragment reads.
constexpr int64_t kPad = 4;
/// The TF32 kernel: its tile and step, four warps, each 2 × 4 mma tiles of
/// 16 × 8 (32 × 32).
constexpr int64_t kTf32Tile = 64, kTf32Depth = 16;
constexpr int64_t kWarps = 4, kMmaRows = 2, kMmaCols = 4;
/// The skinny kernel: at most 8 rows, 32 columns per block of 8 warps.
constexpr int64_t kSkinnyRows = 8, kSkinnyWarps = 8;
static_assert(kSkinnyRows == kSkinnyWarps,
              "each warp sums one row of the warps' partial sums");
/// Splitting the reduction among blocks: the warps a call aims for (a GPU's
/// worth, about 16 per multiprocessor of the largest, as attention's key
/// splits), and the fewest k of a split: 16 steps of the tiled kernel (its
/// first step's staging and its epilogue are not worth less), 8 per warp of
/// the skinny one.
constexpr int64_t kTargetWarps = 2048, kTiledSplitDepth = 128,
                  kSkinnySplitDepth = 64;
/// The merge kernel's threads per block, an element of C each.
constexpr int64_t kMergeThreads = 256;
using xfmr::cuda::kWarpLanes;

/// The loops of a contraction by kind, and their sizes.
struct ContractionLoops {
  linalg::ContractionDimensions dims;
  SmallVector<Value> sizes; // per loop, index
};

/// Whether `op`'s body is `out + a * b`.
bool isMultiplyAdd(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || yield.getNumOperands() != 1 ||
      body->getOperations().size() != 3)
    return false;
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || (add.getLhs() != acc && add.getRhs() != acc))
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// `op` as a contraction the kernel computes, or failure: f32, one
/// reduction loop, C read through a projected permutation, A and B through
/// loops and expressions of the batch loops alone (grouped-query attention
/// reads its key and value heads at head / group).
FailureOr<linalg::ContractionDimensions> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1 ||
      !isMultiplyAdd(op))
    return failure();
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.getElementType().isF32())
      return failure();
  }
  OpOperand &a = *op.getDpsInputOperand(0), &b = *op.getDpsInputOperand(1);
  OpOperand &c = *op.getDpsInitOperand(0);
  if (!op.getMatchingIndexingMap(&c).isProjectedPermutation())
    return failure();
  auto uses = [&](OpOperand &operand, unsigned d) {
    return op.getMatchingIndexingMap(&operand).isFunctionOfDim(d);
  };
  linalg::ContractionDimensions dims;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    bool inA = uses(a, d), inB = uses(b, d), inC = uses(c, d);
    if (iterators[d] == utils::IteratorType::reduction) {
      if (!inA || !inB || inC)
        return failure();
      dims.k.push_back(d);
    } else if (!inC) {
      return failure();
    } else if (inA && inB) {
      dims.batch.push_back(d);
    } else if (inA) {
      dims.m.push_back(d);
    } else if (inB) {
      dims.n.push_back(d);
    } else {
      return failure();
    }
  }
  if (dims.m.empty() || dims.n.empty())
    return failure();
  // What is not a loop of its own must be a function of the batch loops, so
  // that one block's tile reads one batch element's rows.
  for (OpOperand *operand : {&a, &b})
    for (AffineExpr result : op.getMatchingIndexingMap(operand).getResults()) {
      if (isa<AffineDimExpr>(result))
        continue;
      for (unsigned d = 0; d < op.getNumLoops(); ++d)
        if (result.isFunctionOfDim(d) && !llvm::is_contained(dims.batch, d))
          return failure();
    }
  return dims;
}

/// What C holds before the contraction, where the op that wrote all of it
/// comes just before (with nothing between that touches memory but
/// allocations): a fill's value, a broadcast's input (a linear's bias as
/// its initial value), or a copy of a buffer a fill wrote. The kernels read
/// that instead of C, and the op goes.
struct Initializer {
  Operation *writer = nullptr;
  Value value;                 // a fill's, or a copied buffer's fill's
  OpOperand *source = nullptr; // a broadcast's input
  linalg::FillOp copiedFill;   // the fill of a copy's source
};

/// Whether `op` writes `c` with its one input as it stands, broadcast.
bool isBroadcastInto(linalg::GenericOp op, Value c) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getDpsInitOperand(0)->get() != c ||
      op.getDpsInputOperand(0)->get() == c ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
  return op.getBlock()->getOperations().size() == 1 &&
         yield.getOperand(0) == op.getBlock()->getArgument(0);
}

/// The fill of the buffer that `copy` reads, where before the copy the
/// buffer is only filled and copied from (after it, anything: a fill that
/// CSE shared among contractions is copied for each but the last, which
/// writes the buffer itself).
linalg::FillOp fillCopiedBy(memref::CopyOp copy) {
  Value buffer = copy.getSource();
  linalg::FillOp fill;
  for (Operation *user : buffer.getUsers()) {
    // A use inside an op of the block (the deallocation's conditions).
    Operation *at = copy->getBlock()->findAncestorOpInBlock(*user);
    if (!at)
      return {};
    if (copy->isBeforeInBlock(at))
      continue;
    if (auto reader = dyn_cast<memref::CopyOp>(user);
        reader && reader.getSource() == buffer)
      continue;
    auto f = dyn_cast<linalg::FillOp>(user);
    if (fill || !f || f.getDpsInitOperand(0)->get() != buffer)
      return {};
    fill = f;
  }
  return fill;
}

std::optional<Initializer> findInitializer(linalg::LinalgOp op) {
  Value c = op.getDpsInitOperand(0)->get();
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev);
        fill && fill.hasPureBufferSemantics() &&
        fill.getDpsInitOperand(0)->get() == c)
      return Initializer{prev, fill.value(), nullptr, {}};
    if (auto generic = dyn_cast<linalg::GenericOp>(prev);
        generic && isBroadcastInto(generic, c))
      return Initializer{prev, Value(), generic.getDpsInputOperand(0), {}};
    if (auto copy = dyn_cast<memref::CopyOp>(prev);
        copy && copy.getTarget() == c) {
      linalg::FillOp fill = fillCopiedBy(copy);
      if (!fill)
        return std::nullopt;
      return Initializer{prev, fill.value(), nullptr, fill};
    }
    // Between it and the contraction, only ops that touch no memory (a
    // dimension of C, a view of it) or allocate.
    if (!isMemoryEffectFree(prev) && !isa<memref::AllocOp>(prev))
      return std::nullopt;
  }
  return std::nullopt;
}

class KernelBuilder : xfmr::cuda::LoopKernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, linalg::LinalgOp op,
                const ContractionLoops &loops, const Initializer *initializer)
      : LoopKernelBuilder(b, loc, op), loops(loops), initializer(initializer) {}

  /// The kernels of the contraction: the tiled kernel with fused
  /// multiply-adds in each thread (exact f32), or with `mma.sync` on the
  /// tensor cores (`tf32`: the products of operands rounded to TF32); and
  /// where B's columns are contiguous, the skinny kernel (exact f32) for
  /// calls with at most 8 rows.
  void build(bool tf32);

private:
  /// How a kernel's blocks split the reduction: `count` runs of `chunk`
  /// units (steps of the tiled kernel, groups of 8 k of the skinny one),
  /// the last one shorter; where there are several (count > 1), run z's
  /// sums go to partials[z][batch][m][n].
  struct Splits {
    Value count, chunk, several, partials;
  };
  /// The splits for `blocks` blocks of `blockWarps` warps over `units`: as
  /// many as keep the blocks' warps within kTargetWarps, each of at least
  /// `minUnits`; one where that allows no more.
  Splits planSplits(Value blocks, int64_t blockWarps, Value units,
                    int64_t minUnits);
  /// After a kernel, on the host: where its reduction was split, the kernel
  /// that adds the partial sums to C in split order (a thread per element);
  /// then the partial sums' buffer goes.
  void mergeSplits();
  /// One of a thread's results: element (m, n) of its block's batch
  /// element.
  struct Result {
    Value m, n, value;
  };
  /// In a kernel: its thread's results, added to C or, where the
  /// reduction is split, stored as its split's partial sums.
  void finish(ArrayRef<Result> results);

  void buildTiled(bool tf32);
  /// The tiled kernel's body, in `launch`: its grid's x is `colTiles` per
  /// batch element, its reduction `steps` long.
  void buildTiledBody(gpu::LaunchOp launch, Value colTiles, Value steps,
                      bool tf32);
  void buildSkinny();
  /// Whether B's innermost index is the last n loop, at stride 1: a warp's
  /// consecutive columns are consecutive in memory.
  bool columnsContiguousInB();
  Value ceilDiv(Value x, Value by) {
    return arith::CeilDivUIOp::create(b, loc, x, by);
  }
  Value ceilDiv(Value x, int64_t by) { return ceilDiv(x, index(by)); }
  /// The grid's x for `blocks` per batch element: the batch elements with
  /// them on x (which allows 2^31 - 1 blocks, y and z 65535).
  Value batchedX(Value blocks) {
    return loops.dims.batch.empty() ? blocks : mul(batches, blocks);
  }
  /// In the kernel: the block's column block of `blocks`; its batch
  /// element (`batchIndex`, flat) and the batch loops' values set from it.
  Value columnBlock(gpu::LaunchOp launch, Value blocks) {
    Value x = launch.getBlockIds().x;
    if (loops.dims.batch.empty()) {
      batchIndex = index(0);
      return x;
    }
    batchIndex = arith::DivUIOp::create(b, loc, x, blocks);
    decompose(loops.dims.batch, batchIndex);
    return arith::RemUIOp::create(b, loc, x, blocks);
  }
  Value minU(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value maxU(Value x, Value y) { return arith::MaxUIOp::create(b, loc, x, y); }

  /// The product of the sizes of `group`'s loops (1 for none).
  Value extent(ArrayRef<unsigned> group) {
    Value result = index(1);
    for (unsigned d : group)
      result = mul(result, loops.sizes[d]);
    return result;
  }

  void decompose(ArrayRef<unsigned> group, Value flat) {
    LoopKernelBuilder::decompose(group, flat, loops.sizes);
  }

  /// The thread's share of the block's tile × depth of A and depth × tile
  /// of B at reduction step `step`, read from the operands (zeros out of
  /// range): consecutive threads read consecutive k of A's rows and
  /// consecutive n of B's.
  SmallVector<Value> fetch(Value step, Value thread, int64_t blockThreads);
  /// Stores what `fetch` read into buffer `buffer` of the staged tiles.
  void deposit(ValueRange fetched, Value buffer, Value thread,
               int64_t blockThreads);
  /// Where element `e` of a thread's share goes in a staged tile: (k, row
  /// or column), k fastest in A's tile (its rows are contiguous in k), the
  /// column fastest in B's.
  std::pair<Value, Value> sharePosition(Value e, bool kFastest) {
    if (kFastest)
      return {rem(e, stepDepth), div(e, stepDepth)};
    return {div(e, tileSize), rem(e, tileSize)};
  }
  /// One reduction step of the exact kernel from buffer `buffer`: 8 × 8
  /// fused multiply-adds per k.
  SmallVector<Value> multiplyExact(Value buffer, Value tx, Value ty,
                                   ValueRange acc);
  /// Where a lane of the TF32 kernel works: warp (wm, wn) computes rows
  /// wm·32 + [0, 32) and columns wn·32 + [0, 32) of the tile as 2 × 4 mma
  /// tiles of 16 × 8; lane l holds the fragments' elements at group l / 4,
  /// thread-in-group l mod 4.
  struct MmaLane {
    Value warpRow, warpCol, group, inGroup;
  };
  MmaLane mmaLane(Value tx) {
    Value warp = div(tx, kWarpLanes), lane = rem(tx, kWarpLanes);
    return {mul(div(warp, 2), index(32)), mul(rem(warp, 2), index(32)),
            div(lane, 4), rem(lane, 4)};
  }
  /// One reduction step of the TF32 kernel from buffer `buffer`.
  SmallVector<Value> multiplyTf32(Value buffer, const MmaLane &lane,
                                  ValueRange acc);
  /// C[m, n] += `value` where (m, n) is in range.
  void accumulate(Value m, Value n, Value value);

  const ContractionLoops &loops;
  /// What C holds before, where the kernels read it from elsewhere.
  const Initializer *initializer;
  Value zero, rows, cols, depth, batches, rowBase, colBase, tileA, tileB;
  /// The kernel's splits, and in it, its block's split and batch element.
  Splits splits;
  Value split, batchIndex;
  /// The tiled kernel's tile and reduction step.
  int64_t tileSize = kTile, stepDepth = kDepth;
};

SmallVector<Value> KernelBuilder::fetch(Value step, Value thread,
                                        int64_t blockThreads) {
  const linalg::ContractionDimensions &dims = loops.dims;
  unsigned kDim = dims.k.front();
  Value depthBase = mul(step, index(stepDepth));
  auto one = [&](OpOperand &operand, ArrayRef<unsigned> group, Value base,
                 Value extent, Value e, bool kFastest) {
    auto [kk, i] = sharePosition(e, kFastest);
    Value flat = add(base, i), k = add(depthBase, kk);
    decompose(group, flat);
    point[kDim] = k;
    return loadOrZero(operand,
                      both(lessThan(flat, extent), lessThan(k, depth)));
  };
  SmallVector<Value> fetched;
  for (int64_t r = 0; r < tileSize * stepDepth / blockThreads; ++r) {
    Value e = add(thread, index(r * blockThreads));
    fetched.push_back(one(*op.getDpsInputOperand(0), dims.m, rowBase, rows, e,
                          /*kFastest=*/true));
    fetched.push_back(one(*op.getDpsInputOperand(1), dims.n, colBase, cols, e,
                          /*kFastest=*/false));
  }
  return fetched;
}

void KernelBuilder::deposit(ValueRange fetched, Value buffer, Value thread,
                            int64_t blockThreads) {
  for (int64_t r = 0; r < tileSize * stepDepth / blockThreads; ++r) {
    Value e = add(thread, index(r * blockThreads));
    for (bool isA : {true, false}) {
      auto [kk, i] = sharePosition(e, /*kFastest=*/isA);
      memref::StoreOp::create(b, loc, fetched[2 * r + (isA ? 0 : 1)],
                              isA ? tileA : tileB, ValueRange{buffer, kk, i});
    }
  }
}

void KernelBuilder::accumulate(Value m, Value n, Value value) {
  auto store =
      scf::IfOp::create(b, loc, both(lessThan(m, rows), lessThan(n, cols)),
                        /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(store.thenBlock());
  decompose(loops.dims.m, m);
  decompose(loops.dims.n, n);
  OpOperand &out = *op.getDpsInitOperand(0);
  SmallVector<Value> at = indicesOf(out);
  Value old;
  if (!initializer) {
    old = memref::LoadOp::create(b, loc, out.get(), at);
  } else if (initializer->value) {
    old = initializer->value;
  } else {
    // The broadcast's input at its map of C's indices.
    auto broadcast = cast<linalg::LinalgOp>(initializer->writer);
    AffineMap map = broadcast.getMatchingIndexingMap(initializer->source);
    SmallVector<Value> from;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      from.push_back(
          affine::AffineApplyOp::create(b, loc, map.getSubMap({r}), at));
    old = memref::LoadOp::create(b, loc, initializer->source->get(), from);
  }
  memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, old, value),
                          out.get(), at);
}

void KernelBuilder::build(bool tf32) {
  const linalg::ContractionDimensions &dims = loops.dims;
  rows = extent(dims.m);
  cols = extent(dims.n);
  depth = loops.sizes[dims.k.front()];
  batches = extent(dims.batch);
  if (!columnsContiguousInB()) {
    buildTiled(tf32);
    return;
  }
  Value few = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, rows,
                                    index(kSkinnyRows));
  auto choice = scf::IfOp::create(b, loc, few, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(choice.thenBlock());
  buildSkinny();
  b.setInsertionPointToStart(choice.elseBlock());
  buildTiled(tf32);
}

bool KernelBuilder::columnsContiguousInB() {
  OpOperand &operand = *op.getDpsInputOperand(1);
  auto last = dyn_cast<AffineDimExpr>(
      op.getMatchingIndexingMap(&operand).getResults().back());
  if (!last || last.getPosition() != loops.dims.n.back())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  auto type = cast<MemRefType>(operand.get().getType());
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

KernelBuilder::Splits KernelBuilder::planSplits(Value blocks,
                                                int64_t blockWarps, Value units,
                                                int64_t minUnits) {
  Value one = index(1);
  Value most = arith::DivUIOp::create(b, loc, index(kTargetWarps / blockWarps),
                                      maxU(blocks, one));
  Value count = maxU(minU(most, div(units, minUnits)), one);
  Splits result;
  result.chunk = ceilDiv(units, count);
  // No run is empty.
  result.count = maxU(ceilDiv(units, maxU(result.chunk, one)), one);
  // Unsplit, the kernel is given an empty buffer.
  result.several = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                         result.count, one);
  int64_t dynamic = ShapedType::kDynamic;
  result.partials = memref::AllocOp::create(
      b, loc,
      MemRefType::get({dynamic, dynamic, dynamic, dynamic}, b.getF32Type()),
      ValueRange{arith::SelectOp::create(b, loc, result.several, result.count,
                                         index(0)),
                 batches, rows, cols});
  return result;
}

void KernelBuilder::mergeSplits() {
  Value one = index(1);
  auto merge = scf::IfOp::create(b, loc, splits.several,
                                 /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(merge.thenBlock());
    Value total = mul(mul(batches, rows), cols);
    auto launch =
        gpu::LaunchOp::create(b, loc, ceilDiv(total, kMergeThreads), one, one,
                              index(kMergeThreads), one, one);
    xfmr::cuda::enterKernel(b, loc, launch);
    Value e = add(mul(launch.getBlockIds().x, index(kMergeThreads)),
                  launch.getThreadIds().x);
    auto inRange = scf::IfOp::create(b, loc, lessThan(e, total),
                                     /*withElseRegion=*/false);
    b.setInsertionPointToStart(inRange.thenBlock());
    // Element e of C flattened as [batch][m][n].
    Value n = arith::RemUIOp::create(b, loc, e, cols);
    Value rest = arith::DivUIOp::create(b, loc, e, cols);
    Value m = arith::RemUIOp::create(b, loc, rest, rows);
    batchIndex = arith::DivUIOp::create(b, loc, rest, rows);
    if (!loops.dims.batch.empty())
      decompose(loops.dims.batch, batchIndex);
    Value none = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    auto sum = scf::ForOp::create(
        b, loc, index(0), splits.count, one, ValueRange{none},
        [&](OpBuilder &, Location, Value run, ValueRange acc) {
          Value partial = memref::LoadOp::create(
              b, loc, splits.partials, ValueRange{run, batchIndex, m, n});
          scf::YieldOp::create(
              b, loc,
              ValueRange{arith::AddFOp::create(b, loc, acc[0], partial)});
        });
    accumulate(m, n, sum.getResult(0));
  }
  memref::DeallocOp::create(b, loc, splits.partials);
}

void KernelBuilder::finish(ArrayRef<Result> results) {
  auto whole =
      scf::IfOp::create(b, loc,
                        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              splits.count, index(1)),
                        /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(whole.thenBlock());
  for (const Result &result : results)
    accumulate(result.m, result.n, result.value);
  b.setInsertionPointToStart(whole.elseBlock());
  for (const Result &result : results) {
    auto store = scf::IfOp::create(
        b, loc, both(lessThan(result.m, rows), lessThan(result.n, cols)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(store.thenBlock());
    memref::StoreOp::create(b, loc, result.value, splits.partials,
                            ValueRange{split, batchIndex, result.m, result.n});
  }
}

void KernelBuilder::buildSkinny() {
  const linalg::ContractionDimensions &dims = loops.dims;
  // Partial[w][r][l]: warp w's sum for row r of lane l's column.
  auto shared = MemRefType::get(
      {kSkinnyWarps, kSkinnyRows, kWarpLanes}, b.getF32Type(),
      MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  Value one = index(1);
  Value colBlocks = ceilDiv(cols, kWarpLanes);
  // A split's unit: 8 k, one per warp.
  splits = planSplits(batchedX(colBlocks), kSkinnyWarps,
                      ceilDiv(depth, kSkinnyWarps),
                      kSkinnySplitDepth / kSkinnyWarps);
  auto launch = gpu::LaunchOp::create(
      b, loc, batchedX(colBlocks), one, splits.count, index(kWarpLanes),
      index(kSkinnyWarps), one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/TypeRange{shared});
  {
    OpBuilder::InsertionGuard guard(b);
    xfmr::cuda::enterKernel(b, loc, launch);
    Value partial = launch.getWorkgroupAttributions()[0];
    Value lane = launch.getThreadIds().x, warp = launch.getThreadIds().y;
    Value n = add(mul(columnBlock(launch, colBlocks), index(kWarpLanes)), lane);
    Value column = lessThan(n, cols);
    zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    unsigned kDim = dims.k.front();
    // The block's split: k in [begin, end).
    split = launch.getBlockIds().z;
    Value run = mul(splits.chunk, index(kSkinnyWarps));
    Value begin = mul(split, run);
    Value end = minU(add(begin, run), depth);

    // Warp w takes k = begin + w, begin + w + 8, ...: the block's warps read
    // 8 consecutive rows of B's columns at a time, a warp 32 consecutive
    // columns of one.
    SmallVector<Value> init(kSkinnyRows, zero);
    auto sums = scf::ForOp::create(
        b, loc, add(begin, warp), end, index(kSkinnyWarps), init,
        [&](OpBuilder &, Location, Value k, ValueRange acc) {
          decompose(dims.n, n);
          point[kDim] = k;
          Value bk = loadOrZero(*op.getDpsInputOperand(1), column);
          SmallVector<Value> next;
          for (int64_t r = 0; r < kSkinnyRows; ++r) {
            decompose(dims.m, index(r));
            Value ak =
                loadOrZero(*op.getDpsInputOperand(0), lessThan(index(r), rows));
            next.push_back(math::FmaOp::create(b, loc, ak, bk, acc[r]));
          }
          scf::YieldOp::create(b, loc, next);
        });
    for (int64_t r = 0; r < kSkinnyRows; ++r)
      memref::StoreOp::create(b, loc, sums.getResult(r), partial,
                              ValueRange{warp, index(r), lane});
    gpu::BarrierOp::create(b, loc);
    // Warp r adds row r's partial sums in warp order.
    Value total = zero;
    for (int64_t w = 0; w < kSkinnyWarps; ++w)
      total = arith::AddFOp::create(
          b, loc, total,
          memref::LoadOp::create(b, loc, partial,
                                 ValueRange{index(w), warp, lane}));
    finish({{warp, n, total}});
  }
  mergeSplits();
}

SmallVector<Value> KernelBuilder::multiplyExact(Value buffer, Value tx,
                                                Value ty, ValueRange acc) {
  // Thread (tx, ty) holds rows 4 ty + [0, 4) of each half of the tile and
  // columns 4 tx + [0, 4) of each half: per k, four vector loads.
  auto vectorType = VectorType::get({kRun}, b.getF32Type());
  auto runs = [&](Value tile, Value base, Value kk) {
    SmallVector<Value> elements;
    for (int64_t half = 0; half < 2; ++half) {
      Value run = vector::LoadOp::create(
          b, loc, vectorType, tile,
          ValueRange{buffer, kk, add(index(half * kTile / 2), base)},
          /*nontemporal=*/false, llvm::Align(kRun * 4));
      for (int64_t i = 0; i < kRun; ++i)
        elements.push_back(vector::ExtractOp::create(b, loc, run, i));
    }
    return elements;
  };
  Value rowRun = mul(ty, index(kRun)), colRun = mul(tx, index(kRun));
  SmallVector<Value> sums(acc.begin(), acc.end());
  for (int64_t kk = 0; kk < stepDepth; ++kk) {
    SmallVector<Value> a = runs(tileA, rowRun, index(kk));
    SmallVector<Value> bv = runs(tileB, colRun, index(kk));
    for (int64_t r = 0; r < kPerThread; ++r)
      for (int64_t c = 0; c < kPerThread; ++c) {
        Value &sum = sums[r * kPerThread + c];
        sum = math::FmaOp::create(b, loc, a[r], bv[c], sum);
      }
  }
  return sums;
}

SmallVector<Value>
KernelBuilder::multiplyTf32(Value buffer, const MmaLane &lane, ValueRange acc) {
  auto [warpRow, warpCol, group, inGroup] = lane;
  auto aType = VectorType::get({4, 1}, b.getF32Type());
  auto bType = VectorType::get({2, 1}, b.getF32Type());
  auto at = [&](Value tile, Value k, Value i) {
    return memref::LoadOp::create(b, loc, tile, ValueRange{buffer, k, i})
        .getResult();
  };
  SmallVector<Value> next(acc.begin(), acc.end());
  for (int64_t ks = 0; ks < stepDepth; ks += 8) {
    Value k0 = add(index(ks), inGroup), k1 = add(k0, index(4));
    SmallVector<Value> fragA, fragB;
    for (int64_t i = 0; i < kMmaRows; ++i) {
      Value r0 = add(add(warpRow, index(16 * i)), group);
      Value r1 = add(r0, index(8));
      fragA.push_back(vector::FromElementsOp::create(
          b, loc, aType,
          ValueRange{at(tileA, k0, r0), at(tileA, k0, r1), at(tileA, k1, r0),
                     at(tileA, k1, r1)}));
    }
    for (int64_t j = 0; j < kMmaCols; ++j) {
      Value c = add(add(warpCol, index(8 * j)), group);
      fragB.push_back(vector::FromElementsOp::create(
          b, loc, bType, ValueRange{at(tileB, k0, c), at(tileB, k1, c)}));
    }
    for (int64_t i = 0; i < kMmaRows; ++i)
      for (int64_t j = 0; j < kMmaCols; ++j) {
        Value &c = next[i * kMmaCols + j];
        c = nvgpu::MmaSyncOp::create(b, loc, fragA[i], fragB[j], c,
                                     ArrayRef<int64_t>{16, 8, 8},
                                     /*tf32Enabled=*/true);
      }
  }
  return next;
}

void KernelBuilder::buildTiled(bool tf32) {
  tileSize = tf32 ? kTf32Tile : kTile;
  stepDepth = tf32 ? kTf32Depth : kDepth;
  // Two buffers of each tile: the block multiplies one while its threads'
  // loads of the next step are in flight, then stores them in the other.
  auto shared = MemRefType::get(
      {2, stepDepth, tileSize + kPad}, b.getF32Type(),
      MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  // Exact: 16 × 16 threads. TF32: four warps, 2 × 2 over the tile.
  int64_t blockThreads = tf32 ? kWarps * kWarpLanes : kBlockThreads;
  Value one = index(1);
  Value blockX = tf32 ? index(blockThreads) : index(kThreads);
  Value blockY = tf32 ? one : index(kThreads);
  Value colTiles = ceilDiv(cols, tileSize), rowTiles = ceilDiv(rows, tileSize);
  Value steps = ceilDiv(depth, stepDepth);
  splits =
      planSplits(mul(batchedX(colTiles), rowTiles), blockThreads / kWarpLanes,
                 steps, kTiledSplitDepth / stepDepth);
  auto launch = gpu::LaunchOp::create(
      b, loc, batchedX(colTiles), rowTiles, splits.count, blockX, blockY, one,
      /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{},
      /*workgroupAttributions=*/TypeRange{shared, shared});
  {
    OpBuilder::InsertionGuard guard(b);
    xfmr::cuda::enterKernel(b, loc, launch);
    buildTiledBody(launch, colTiles, steps, tf32);
  }
  mergeSplits();
}

void KernelBuilder::buildTiledBody(gpu::LaunchOp launch, Value colTiles,
                                   Value steps, bool tf32) {
  int64_t blockThreads = tf32 ? kWarps * kWarpLanes : kBlockThreads;
  Value one = index(1);
  // As[buffer][k][m] and Bs[buffer][k][n]: the block's operands for one
  // reduction step.
  tileA = launch.getWorkgroupAttributions()[0];
  tileB = launch.getWorkgroupAttributions()[1];
  Value tx = launch.getThreadIds().x, ty = launch.getThreadIds().y;
  rowBase = mul(launch.getBlockIds().y, index(tileSize));
  colBase = mul(columnBlock(launch, colTiles), index(tileSize));
  Value thread = tf32 ? tx : add(mul(ty, index(kThreads)), tx);
  zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

  SmallVector<Value> init;
  if (tf32)
    init.assign(kMmaRows * kMmaCols,
                arith::ConstantOp::create(
                    b, loc,
                    DenseElementsAttr::get(
                        VectorType::get({2, 2}, b.getF32Type()), 0.0f)));
  else
    init.assign(kPerThread * kPerThread, zero);

  MmaLane lane;
  if (tf32)
    lane = mmaLane(tx);
  // The block's split: steps [begin, begin + count).
  split = launch.getBlockIds().z;
  Value begin = mul(split, splits.chunk);
  Value count = arith::SubIOp::create(
      b, loc, minU(add(begin, splits.chunk), steps), begin);
  deposit(fetch(begin, thread, blockThreads), index(0), thread, blockThreads);
  gpu::BarrierOp::create(b, loc);
  auto sums =
      scf::ForOp::create(b, loc, index(0), count, one, init,
                         [&](OpBuilder &, Location, Value i, ValueRange acc) {
                           // The next step's share (zeros past the last), read
                           // before the multiplication so that its loads
                           // overlap it.
                           Value next = add(i, one);
                           SmallVector<Value> fetched =
                               fetch(add(begin, next), thread, blockThreads);
                           Value buffer = rem(i, 2);
                           SmallVector<Value> product =
                               tf32 ? multiplyTf32(buffer, lane, acc)
                                    : multiplyExact(buffer, tx, ty, acc);
                           // The other buffer was last read in the step before,
                           // which every thread finished at the barrier that
                           // ended it.
                           deposit(fetched, rem(next, 2), thread, blockThreads);
                           gpu::BarrierOp::create(b, loc);
                           scf::YieldOp::create(b, loc, product);
                         });

  SmallVector<Result> results;
  if (tf32) {
    // Element (r, c) of an accumulator is row group + 8 r, column
    // 2 · inGroup + c of its 16 × 8 tile.
    auto [warpRow, warpCol, group, inGroup] = lane;
    for (int64_t i = 0; i < kMmaRows; ++i)
      for (int64_t j = 0; j < kMmaCols; ++j)
        for (int64_t r = 0; r < 2; ++r)
          for (int64_t c = 0; c < 2; ++c) {
            Value m =
                add(rowBase, add(add(warpRow, index(16 * i + 8 * r)), group));
            Value n = add(colBase, add(add(warpCol, index(8 * j + c)),
                                       mul(inGroup, index(2))));
            Value value = vector::ExtractOp::create(
                b, loc, sums.getResult(i * kMmaCols + j),
                ArrayRef<int64_t>{r, c});
            results.push_back({m, n, value});
          }
  } else {
    // Thread (tx, ty)'s element (r, c) is row 4 ty + r mod 4 of half r / 4,
    // column 4 tx + c mod 4 of half c / 4.
    auto within = [&](Value t, int64_t i) {
      return add(index((i / kRun) * kTile / 2 + i % kRun), mul(t, index(kRun)));
    };
    for (int64_t r = 0; r < kPerThread; ++r)
      for (int64_t c = 0; c < kPerThread; ++c)
        results.push_back({add(rowBase, within(ty, r)),
                           add(colBase, within(tx, c)),
                           sums.getResult(r * kPerThread + c)});
  }
  finish(results);
}

struct XfmrGpuContractionsPass
    : xfmr::cuda::impl::XfmrGpuContractionsBase<XfmrGpuContractionsPass> {
  using Base::Base;
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
      std::optional<Initializer> init = findInitializer(op);
      KernelBuilder(rewriter, op.getLoc(), op, loops, init ? &*init : nullptr)
          .build(tf32);
      rewriter.eraseOp(op);
      ++numKernels;
      if (!init)
        continue;
      rewriter.eraseOp(init->writer);
      ++numInitializers;
      // A shared fill goes with the last copy of it.
      if (linalg::FillOp fill = init->copiedFill;
          fill && llvm::all_of(fill.getDpsInitOperand(0)->get().getUsers(),
                               [&](Operation *user) {
                                 return user == fill ||
                                        isa<memref::DeallocOp>(user);
                               }))
        rewriter.eraseOp(fill);
    }
  }
};
} // namespace
