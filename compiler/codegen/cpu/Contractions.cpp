//===- Contractions.cpp - vector kernels for the linear layers ------------===//
//
// A linear layer after bufferization is `fill(C, 0)`, a contraction of A
// [M, K] with the weight in column panels B [N / P, K, P] into C viewed as
// [M, N / P, P], and, usually, an elementwise consumer of C read as [M, N]
// (bias, activation). This pass replaces them with one kernel built from
// vector-dialect operations (see Passes.td for the strategy): LLVM only
// allocates registers and schedules, nothing is left to its auto-vectorizer.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cpu/Vectors.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRCPUCONTRACTIONS
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;

namespace {
using xfmr::cpu::kLanes;
/// Rows of the register tile: with 2 vectors per row, 16 accumulators.
constexpr int64_t kRows = 8;

/// The loop sizes of one kernel. `nr` columns per register tile, the panel
/// width of B (a multiple of kLanes); `mc` × `nc` cache tiles (the unit of
/// parallel work); reduction blocks of `kc`, so a `kc` × `nr` block of a
/// panel stays in L1 while the register tiles of a cache tile walk down it.
struct Tiles {
  int64_t mc, nc, kc, nr;
};

/// The largest of `candidates` (descending) that divides `n`, or 0.
int64_t largestDivisor(int64_t n, ArrayRef<int64_t> candidates) {
  for (int64_t c : candidates)
    if (n % c == 0)
      return c;
  return 0;
}

/// Tiles for C[M, N] += A[M, K] · B with B in panels of `nr` columns;
/// nullopt when a register tile cannot cover a panel.
std::optional<Tiles> selectTiles(int64_t n, int64_t k, int64_t nr) {
  if (nr != kLanes && nr != 2 * kLanes)
    return std::nullopt;
  Tiles tiles;
  tiles.nr = nr;
  // 128 rows leave a tile per thread on 128 tokens, and a row tile's block
  // of A (128 × kc) stays in L2 while its panels go by.
  tiles.mc = 128;
  // At least 8 column tiles where the panels allow: with one row tile (up
  // to 128 tokens, or a decode step's few rows) the column tiles are all
  // the parallel work, and 3 of them (768 / 256) left one of two threads
  // idle a third of the time.
  tiles.nc = largestDivisor(n, {256, 128, 64, 32, 16});
  while (tiles.nc > nr && n / tiles.nc < 8)
    tiles.nc /= 2;
  if (tiles.nc % nr != 0)
    tiles.nc = nr;
  // A register tile's rows of A, 8 × kc floats, stay in L1 (48 KiB here)
  // while it walks the tile's panels: up to kc = 768 (24 KiB). One block up
  // to K = 768 (no partial sums of C in memory, the epilogue on the
  // accumulators), else the largest divisor up to 768. Fewer, deeper blocks
  // also keep a one-row tile's walk down a panel one stream: a GPT-2 decode
  // step (every linear a matrix-vector product, bound by reading B) ran in
  // 21 ms with these blocks against 26 ms with blocks of 256.
  tiles.kc =
      k <= 768 ? k
               : largestDivisor(k, {768, 512, 384, 256, 192, 128, 64, 32, 16});
  if (tiles.kc == 0)
    tiles.kc = k;
  return tiles;
}

/// The buffer `value` is a view of (through subviews, reshapes, casts).
Value rootBuffer(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(op);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

/// Whether `a` and `b` may share memory: distinct allocations and distinct
/// function arguments never do (entry points take restrict buffers), nor
/// does an allocation and a buffer that existed before it.
bool mayAlias(Value a, Value b) {
  Value ra = rootBuffer(a), rb = rootBuffer(b);
  if (ra == rb)
    return true;
  auto fresh = [](Value v) {
    return v.getDefiningOp<memref::AllocOp>() ||
           v.getDefiningOp<memref::AllocaOp>();
  };
  auto olderThan = [](Value v, Value alloc) {
    Operation *allocOp = alloc.getDefiningOp();
    if (auto arg = dyn_cast<BlockArgument>(v))
      return arg.getOwner() == allocOp->getBlock() ||
             arg.getOwner()->getParentOp()->isProperAncestor(allocOp);
    Operation *def = v.getDefiningOp();
    return def->getBlock() == allocOp->getBlock() &&
           def->isBeforeInBlock(allocOp);
  };
  if (isa<BlockArgument>(ra) && isa<BlockArgument>(rb))
    return false;
  if (fresh(ra) && (fresh(rb) || olderThan(rb, ra)))
    return false;
  if (fresh(rb) && olderThan(ra, rb))
    return false;
  return true;
}

/// A rank-`rank` f32 memref with unit innermost stride (what vector.load
/// reads): contiguous rows, or a contiguous vector.
bool isUnitStrideF32(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || type.getRank() != rank || !type.getElementType().isF32())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

bool isRowContiguous(Value value) { return isUnitStrideF32(value, 2); }

/// A contraction `C[m, p, j] += A[m, k] · B[p, k, j]` over loops
/// (m, p, k, j): a linear layer whose weight is in column panels
/// (compiler/conversion/XfmrToLinalg/Contractions.cpp builds it).
struct PanelContraction {
  linalg::GenericOp op;
  /// A [M, K], B [N / P, K, P] and C [M, N / P, P].
  Value a, b, c;
};

/// Whether `value` is `c` read as [M, N]: the collapse of its last two
/// dimensions (C itself is [M, N / P, P]).
bool isRowsView(Value value, Value c) {
  auto collapse = value.getDefiningOp<memref::CollapseShapeOp>();
  return collapse && collapse.getSrc() == c &&
         collapse.getReassociationIndices() ==
             SmallVector<ReassociationIndices>{{0}, {1, 2}};
}

/// Whether `op` makes C's rows view.
bool makesRowsView(Operation *op, Value c) {
  return op->getNumResults() == 1 && isRowsView(op->getResult(0), c);
}

std::optional<PanelContraction> matchPanelContraction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 4)
    return std::nullopt;
  using utils::IteratorType;
  if (op.getIteratorTypesArray() !=
      SmallVector<IteratorType>{IteratorType::parallel, IteratorType::parallel,
                                IteratorType::reduction,
                                IteratorType::parallel})
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto dims = [&](ArrayRef<unsigned> positions) {
    SmallVector<AffineExpr> exprs;
    for (unsigned p : positions)
      exprs.push_back(getAffineDimExpr(p, ctx));
    return AffineMap::get(4, 0, exprs, ctx);
  };
  if (op.getIndexingMapsArray() !=
      SmallVector<AffineMap>{dims({0, 2}), dims({1, 2, 3}), dims({0, 1, 3})})
    return std::nullopt;
  // The body: out + lhs · rhs.
  Block *body = op.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body->getOperations().size() != 3)
    return std::nullopt;
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if ((add.getLhs() != acc && add.getRhs() != acc) || !mul ||
      !((mul.getLhs() == body->getArgument(0) &&
         mul.getRhs() == body->getArgument(1)) ||
        (mul.getLhs() == body->getArgument(1) &&
         mul.getRhs() == body->getArgument(0))))
    return std::nullopt;
  PanelContraction contraction{op, op.getDpsInputOperand(0)->get(),
                               op.getDpsInputOperand(1)->get(),
                               op.getDpsInitOperand(0)->get()};
  auto bType = dyn_cast<MemRefType>(contraction.b.getType());
  auto cType = dyn_cast<MemRefType>(contraction.c.getType());
  if (!isRowContiguous(contraction.a) || !bType || !cType ||
      !bType.hasStaticShape() || !bType.getLayout().isIdentity() ||
      !bType.getElementType().isF32() || !cType.getElementType().isF32())
    return std::nullopt;
  // C's rows must be contiguous, so that it reads as [M, N].
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(cType.getStridesAndOffset(strides, offset)) || strides[2] != 1 ||
      strides[1] != cType.getDimSize(2))
    return std::nullopt;
  return contraction;
}

/// How an epilogue operand is read at (row, column).
enum class Access { Accumulator, Row, Bias };

/// The elementwise consumer applied in the kernel's store.
struct Epilogue {
  linalg::GenericOp op;
  /// One per DPS input of `op`.
  SmallVector<Access> access;
  /// Where the result goes.
  Value output;
};

/// Whether the scalar body of `generic` can run on vectors as it is: every
/// op elementwise-mappable and pure (no linalg.index, no calls).
bool hasVectorizableBody(linalg::GenericOp generic) {
  for (Operation &op : generic.getBody()->without_terminator()) {
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op))
      return false;
    if (op.getNumOperands() != 0 && !OpTrait::hasElementwiseMappableTraits(&op))
      return false;
    if (!llvm::all_of(op.getResultTypes(), [](Type t) {
          return t.isIntOrIndexOrFloat() && !t.isIndex();
        }))
      return false;
  }
  return true;
}

/// Whether `op` is a linalg.fill of +0.0.
bool isZeroFill(Operation *op) {
  auto fill = dyn_cast<linalg::FillOp>(op);
  if (!fill)
    return false;
  auto zero = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto value = zero ? dyn_cast<FloatAttr>(zero.getValue()) : FloatAttr();
  return value && value.getValue().isZero() && !value.getValue().isNegative();
}

/// Whether `user` comes after `op` in `op`'s block (itself or through the
/// op of that block it is nested in).
bool isAfter(Operation *user, Operation *op) {
  Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
  return ancestor && ancestor != op && op->isBeforeInBlock(ancestor);
}

/// Whether `op` makes `c` zero: a fill of zero, or a copy into `c` from a
/// buffer that only a fill of zero has written when the copy runs (CSE
/// shares one zero tensor among the projections of a layer; bufferization
/// copies it to each but the last, which accumulates into it, after the
/// copies).
bool isZeroInit(Operation *op, Value c) {
  if (isZeroFill(op))
    return cast<linalg::FillOp>(op).getOutputs()[0] == c;
  auto copy = dyn_cast<memref::CopyOp>(op);
  if (!copy || copy.getTarget() != c)
    return false;
  Value source = copy.getSource();
  if (!source.getDefiningOp<memref::AllocOp>())
    return false;
  Operation *fill = nullptr;
  for (Operation *user : source.getUsers()) {
    if (isa<memref::DeallocOp>(user) || isAfter(user, copy))
      continue;
    if (auto other = dyn_cast<memref::CopyOp>(user)) {
      if (other.getSource() == source)
        continue;
      return false;
    }
    if (fill || !isZeroFill(user) || user->getBlock() != copy->getBlock() ||
        !user->isBeforeInBlock(copy))
      return false;
    fill = user;
  }
  return fill != nullptr;
}

/// Whether `user` copies C out before the contraction writes it (another
/// projection taking the shared zeros, see isZeroInit).
bool copiesOutBefore(Operation *user, const PanelContraction &kernel) {
  auto copy = dyn_cast<memref::CopyOp>(user);
  return copy && copy.getSource() == kernel.c &&
         copy->getBlock() == kernel.op->getBlock() &&
         copy->isBeforeInBlock(kernel.op);
}

/// Whether C is a buffer of the kernel's own: an allocation read and
/// written only by what makes it zero, the contraction and `epilogue`
/// (through C's rows view), and read before the contraction only by copies.
bool isPrivateAccumulator(const PanelContraction &kernel, Operation *epilogue) {
  Value c = kernel.c;
  if (!c.getDefiningOp<memref::AllocOp>())
    return false;
  return llvm::all_of(c.getUsers(), [&](Operation *user) {
    if (makesRowsView(user, c))
      return llvm::all_of(user->getUsers(),
                          [&](Operation *u) { return u == epilogue; });
    return user == kernel.op || isa<linalg::FillOp, memref::DeallocOp>(user) ||
           copiesOutBefore(user, kernel) ||
           (isa<memref::CopyOp>(user) && isZeroInit(user, c));
  });
}

/// The consumer of the contraction's result (C read as [M, N]) to fuse into
/// its store, if one qualifies. Ops between the two must not touch memory,
/// except allocations and deallocations (`toSink` collects deallocations of
/// the contraction's operands, which move after the kernel, placed at the
/// consumer).
std::optional<Epilogue> findEpilogue(const PanelContraction &kernel,
                                     SmallVectorImpl<Operation *> &toSink) {
  Value a = kernel.a, b = kernel.b, c = kernel.c;
  auto readsC = [&](Value value) { return isRowsView(value, c); };
  SmallVector<Operation *> sink;
  for (Operation *op = kernel.op->getNextNode(); op; op = op->getNextNode()) {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic && llvm::any_of(generic->getOperands(), readsC)) {
      if (generic.getNumDpsInits() != 1 || generic.getNumLoops() != 2 ||
          generic.getNumParallelLoops() != 2 || !hasVectorizableBody(generic))
        return std::nullopt;
      OpOperand *init = generic.getDpsInitOperand(0);
      Value output = init->get();
      if (!isRowContiguous(output) ||
          cast<MemRefType>(output.getType()).getDimSize(1) !=
              cast<MemRefType>(b.getType()).getDimSize(0) *
                  cast<MemRefType>(b.getType()).getDimSize(2) ||
          !generic.getMatchingIndexingMap(init).isIdentity() ||
          generic.payloadUsesValueFromOperand(init) || mayAlias(output, a) ||
          mayAlias(output, b))
        return std::nullopt;
      Epilogue epilogue{generic, {}, output};
      MLIRContext *ctx = generic.getContext();
      AffineMap bias = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Value value = input->get();
        AffineMap map = generic.getMatchingIndexingMap(input);
        if (readsC(value) && map.isIdentity()) {
          epilogue.access.push_back(Access::Accumulator);
          continue;
        }
        // Another view of C would read partial sums.
        if (mayAlias(value, c))
          return std::nullopt;
        if (map.isIdentity() && isRowContiguous(value)) {
          epilogue.access.push_back(Access::Row);
        } else if (map == bias && isUnitStrideF32(value, 1)) {
          epilogue.access.push_back(Access::Bias);
        } else {
          return std::nullopt;
        }
      }
      if (!llvm::is_contained(epilogue.access, Access::Accumulator))
        return std::nullopt;
      // The accumulators go to the consumer's output only: C must have no
      // other reader, unless the consumer writes C itself.
      if (!readsC(output) && !isPrivateAccumulator(kernel, generic))
        return std::nullopt;
      toSink.append(sink);
      return epilogue;
    }
    if (isMemoryEffectFree(op) || isa<memref::AllocOp>(op))
      continue;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      Value freed = dealloc.getMemref();
      if (freed == c)
        return std::nullopt;
      if (mayAlias(freed, a) || mayAlias(freed, b))
        sink.push_back(op);
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

/// The op that makes a private C zero before the contraction, if any.
Operation *findZeroInit(const PanelContraction &kernel, Operation *epilogue) {
  Value c = kernel.c;
  if (!isPrivateAccumulator(kernel, epilogue))
    return nullptr;
  Operation *init = nullptr;
  for (Operation *user : c.getUsers()) {
    if (user == kernel.op || isa<memref::DeallocOp>(user) ||
        makesRowsView(user, c) || copiesOutBefore(user, kernel))
      continue;
    if (init || user->getBlock() != kernel.op->getBlock() ||
        !user->isBeforeInBlock(kernel.op))
      return nullptr;
    init = user;
  }
  return init && isZeroInit(init, c) ? init : nullptr;
}

/// Erases `alloc` when nothing but deallocations, zero fills and unused
/// views use it.
void eraseIfDead(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return;
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    if (isa<ViewLikeOpInterface>(user) && user->use_empty())
      user->erase();
  if (!llvm::all_of(alloc->getUsers(), [](Operation *user) {
        return isa<memref::DeallocOp>(user) || isZeroFill(user);
      }))
    return;
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    user->erase();
  alloc.erase();
}

/// Builds the kernel for one contraction.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, const PanelContraction &kernel,
                const Tiles &tiles, std::optional<Epilogue> epilogue,
                bool zeroInit)
      : b(b), loc(loc), tiles(tiles), epilogue(std::move(epilogue)),
        zeroInit(zeroInit), a(kernel.a), bPanels(kernel.b), c(kernel.c) {
    auto bType = cast<MemRefType>(bPanels.getType());
    k = bType.getDimSize(1);
    n = bType.getDimSize(0) * bType.getDimSize(2);
    vecType = VectorType::get({kLanes}, b.getF32Type());
  }

  void build() {
    Value zeroIdx = index(0), oneIdx = index(1);
    // The rows from A: C may be a buffer of its own that the kernel never
    // touches (its epilogue writes elsewhere), and then goes.
    Value m = memref::DimOp::create(b, loc, a, 0);
    Value mc = index(tiles.mc);
    Value numRowTiles = arith::CeilDivUIOp::create(b, loc, m, mc);
    Value numColTiles = index(n / tiles.nc);
    // Column tiles outermost: a thread's consecutive tiles share their
    // panels of B (the OpenMP lowering gives each thread a contiguous range
    // of the iterations), which the next tile then reads from L2.
    scf::ParallelOp::create(
        b, loc, ValueRange{zeroIdx, zeroIdx},
        ValueRange{numColTiles, numRowTiles}, ValueRange{oneIdx, oneIdx},
        [&](OpBuilder &nb, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value rowBegin = arith::MulIOp::create(b, loc, ivs[1], mc);
          Value rowEnd = arith::MinUIOp::create(
              b, loc, arith::AddIOp::create(b, loc, rowBegin, mc), m);
          Value firstPanel =
              arith::MulIOp::create(b, loc, ivs[0], index(tiles.nc / tiles.nr));
          buildCacheTile(rowBegin, rowEnd, firstPanel);
        });
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  void buildCacheTile(Value rowBegin, Value rowEnd, Value firstPanel) {
    int64_t numBlocks = k / tiles.kc;
    // Every block but the last accumulates into C.
    if (numBlocks > 1)
      forLoop(index(0), index((numBlocks - 1) * tiles.kc), tiles.kc,
              [&](Value kBegin) {
                buildBlock(rowBegin, rowEnd, firstPanel, kBegin,
                           /*last=*/false);
              });
    buildBlock(rowBegin, rowEnd, firstPanel, index((numBlocks - 1) * tiles.kc),
               /*last=*/true);
  }

  /// One reduction block over the cache tile: row tiles outside, so the
  /// 8 × kc block of A a row tile reads stays in L1 while it walks the
  /// tile's panels (the kc × nc block of B stays in L2).
  void buildBlock(Value rowBegin, Value rowEnd, Value firstPanel, Value kBegin,
                  bool last) {
    Value rows = arith::SubIOp::create(b, loc, rowEnd, rowBegin);
    Value fullRows = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, rows, index(kRows)),
        index(kRows));
    Value fullEnd = arith::AddIOp::create(b, loc, rowBegin, fullRows);
    Value numPanels = index(tiles.nc / tiles.nr);
    auto rowTiles = [&](Value begin, Value end, int64_t numRows) {
      forLoop(begin, end, numRows, [&](Value row) {
        forLoop(index(0), numPanels, 1, [&](Value p) {
          Value panel = arith::AddIOp::create(b, loc, firstPanel, p);
          buildRegisterTile(numRows, row, panel, kBegin, last);
        });
      });
    };
    rowTiles(rowBegin, fullEnd, kRows);
    rowTiles(fullEnd, rowEnd, 1);
  }

  void forLoop(Value begin, Value end, int64_t step,
               llvm::function_ref<void(Value)> body) {
    scf::ForOp::create(b, loc, begin, end, index(step), ValueRange{},
                       [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPoint(nb.getInsertionBlock(),
                                             nb.getInsertionPoint());
                         body(iv);
                         scf::YieldOp::create(b, loc);
                       });
  }

  Value offset(Value base, int64_t delta) {
    return delta == 0 ? base
                      : arith::AddIOp::create(b, loc, base, index(delta));
  }

  /// `numRows` × nr accumulators of panel `panel` over k in
  /// [kBegin, kBegin + kc).
  void buildRegisterTile(int64_t numRows, Value row, Value panel, Value kBegin,
                         bool last) {
    int64_t numVecs = tiles.nr / kLanes;
    SmallVector<Value> rowIdx, laneIdx, colIdx;
    for (int64_t r = 0; r < numRows; ++r)
      rowIdx.push_back(offset(row, r));
    Value col = arith::MulIOp::create(b, loc, panel, index(tiles.nr));
    for (int64_t v = 0; v < numVecs; ++v) {
      laneIdx.push_back(index(v * kLanes));
      colIdx.push_back(offset(col, v * kLanes));
    }

    // zeroInit implies a single reduction block (the pass sees to it).
    SmallVector<Value> init;
    Value zero;
    if (zeroInit)
      zero = arith::ConstantOp::create(b, loc, vecType, b.getZeroAttr(vecType));
    for (int64_t r = 0; r < numRows; ++r)
      for (int64_t v = 0; v < numVecs; ++v)
        init.push_back(zeroInit
                           ? zero
                           : vector::LoadOp::create(
                                 b, loc, vecType, c,
                                 ValueRange{rowIdx[r], panel, laneIdx[v]}));

    Value kEnd = offset(kBegin, tiles.kc);
    auto loop = scf::ForOp::create(
        b, loc, kBegin, kEnd, index(1), init,
        [&](OpBuilder &nb, Location, Value kk, ValueRange acc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          SmallVector<Value> bVecs;
          for (int64_t v = 0; v < numVecs; ++v)
            bVecs.push_back(vector::LoadOp::create(
                b, loc, vecType, bPanels, ValueRange{panel, kk, laneIdx[v]}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < numRows; ++r) {
            Value scalar =
                memref::LoadOp::create(b, loc, a, ValueRange{rowIdx[r], kk});
            Value splat = vector::BroadcastOp::create(b, loc, vecType, scalar);
            for (int64_t v = 0; v < numVecs; ++v)
              next.push_back(vector::FMAOp::create(b, loc, splat, bVecs[v],
                                                   acc[r * numVecs + v]));
          }
          scf::YieldOp::create(b, loc, next);
        });

    for (int64_t r = 0; r < numRows; ++r)
      for (int64_t v = 0; v < numVecs; ++v) {
        Value sum = loop.getResult(r * numVecs + v);
        if (last && epilogue) {
          SmallVector<Value, 2> at = {rowIdx[r], colIdx[v]};
          vector::StoreOp::create(b, loc, applyEpilogue(sum, at),
                                  epilogue->output, at);
        } else {
          vector::StoreOp::create(b, loc, sum, c,
                                  ValueRange{rowIdx[r], panel, laneIdx[v]});
        }
      }
  }

  /// The consumer's scalar body, on vectors of kLanes.
  Value applyEpilogue(Value sum, ValueRange at) {
    linalg::GenericOp op = epilogue->op;
    Block *body = op.getBody();
    IRMapping map;
    for (auto [i, input] : llvm::enumerate(op.getDpsInputOperands())) {
      Value value;
      switch (epilogue->access[i]) {
      case Access::Accumulator:
        value = sum;
        break;
      case Access::Row:
        value = vector::LoadOp::create(b, loc, vecType, input->get(), at);
        break;
      case Access::Bias:
        value = vector::LoadOp::create(b, loc, vecType, input->get(),
                                       ValueRange{at[1]});
        break;
      }
      map.map(body->getArgument(i), value);
    }
    auto vectorOf = [&](Value scalar) -> Value {
      if (Value mapped = map.lookupOrNull(scalar))
        if (isa<VectorType>(mapped.getType()))
          return mapped;
      Value s = map.lookupOrDefault(scalar);
      return vector::BroadcastOp::create(
          b, loc, VectorType::get({kLanes}, s.getType()), s);
    };
    for (Operation &scalarOp : body->without_terminator()) {
      if (scalarOp.getNumOperands() == 0) {
        b.clone(scalarOp, map);
        continue;
      }
      OperationState state(loc, scalarOp.getName());
      for (Value operand : scalarOp.getOperands())
        state.addOperands(vectorOf(operand));
      for (Type t : scalarOp.getResultTypes())
        state.addTypes(VectorType::get({kLanes}, t));
      state.addAttributes(scalarOp.getAttrs());
      Operation *vectorOp = b.create(state);
      map.map(scalarOp.getResults(), vectorOp->getResults());
    }
    return vectorOf(body->getTerminator()->getOperand(0));
  }

  OpBuilder &b;
  Location loc;
  Tiles tiles;
  std::optional<Epilogue> epilogue;
  bool zeroInit;
  /// A [M, K], B [N / nr, K, nr], C [M, N / nr, nr].
  Value a, bPanels, c;
  int64_t k, n;
  VectorType vecType;
};

/// The tiles for `kernel`, if the kernels handle its shape.
std::optional<Tiles> kernelTiles(const PanelContraction &kernel) {
  if (mayAlias(kernel.c, kernel.a) || mayAlias(kernel.c, kernel.b))
    return std::nullopt;
  auto bType = cast<MemRefType>(kernel.b.getType());
  return selectTiles(bType.getDimSize(0) * bType.getDimSize(2),
                     bType.getDimSize(1), bType.getDimSize(2));
}

struct XfmrCpuContractionsPass
    : xfmr::cpu::impl::XfmrCpuContractionsBase<XfmrCpuContractionsPass> {
  using XfmrCpuContractionsBase::XfmrCpuContractionsBase;

  /// The pass options, where given and valid for the shape, win (for
  /// measuring other tiles).
  void overrideTiles(Tiles &tiles, const PanelContraction &kernel) {
    auto b = cast<MemRefType>(kernel.b.getType());
    int64_t k = b.getDimSize(1), n = b.getDimSize(0) * b.getDimSize(2);
    if (rowTile > 0)
      tiles.mc = rowTile;
    if (colTile > 0 && n % colTile == 0 && colTile % tiles.nr == 0)
      tiles.nc = colTile;
    if (depthTile > 0 && k % depthTile == 0)
      tiles.kc = depthTile;
  }

  void runOnOperation() override {
    SmallVector<PanelContraction> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<PanelContraction> kernel = matchPanelContraction(op))
        kernels.push_back(*kernel);
    });
    for (PanelContraction kernel : kernels) {
      std::optional<Tiles> tiles = kernelTiles(kernel);
      if (!tiles)
        continue;
      overrideTiles(*tiles, kernel);
      SmallVector<Operation *> toSink;
      std::optional<Epilogue> epilogue = findEpilogue(kernel, toSink);
      Operation *zeroInit =
          findZeroInit(kernel, epilogue ? epilogue->op : nullptr);
      // With several reduction blocks C holds the partial sums, so it must
      // start from zero in memory.
      int64_t k = cast<MemRefType>(kernel.b.getType()).getDimSize(1);
      if (tiles->kc != k)
        zeroInit = nullptr;
      Operation *anchor =
          epilogue ? epilogue->op.getOperation() : kernel.op.getOperation();
      OpBuilder b(anchor);
      KernelBuilder(b, kernel.op.getLoc(), kernel, *tiles, epilogue,
                    zeroInit != nullptr)
          .build();
      for (Operation *op : toSink)
        op->moveAfter(anchor);
      if (epilogue) {
        epilogue->op.erase();
        ++numEpilogues;
      }
      Value c = kernel.c;
      kernel.op.erase();
      // The zeros stay while another projection still copies them out.
      bool zerosRead = llvm::any_of(c.getUsers(), [&](Operation *user) {
        auto copy = dyn_cast<memref::CopyOp>(user);
        return copy && copy.getSource() == c;
      });
      if (zeroInit && !zerosRead) {
        Value source;
        if (auto copy = dyn_cast<memref::CopyOp>(zeroInit))
          source = copy.getSource();
        zeroInit->erase();
        if (source)
          eraseIfDead(source);
      }
      // C may now be dead.
      eraseIfDead(c);
      ++numKernels;
    }
  }
};
} // namespace
