//===- Contractions.cpp - vector kernels for the linear layers ------------===//
//
// A linear layer after bufferization is `fill(C, 0); matmul(A, B, C)` and,
// usually, an elementwise consumer of C (bias, activation). This pass
// replaces them with one kernel built from vector-dialect operations (see
// Passes.td for the strategy): LLVM only allocates registers and schedules,
// nothing is left to its auto-vectorizer.
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

/// The loop sizes of one kernel. `nr` columns (a multiple of kLanes) per
/// register tile; `mc` × `nc` cache tiles (the unit of parallel work);
/// reduction blocks of `kc`, so a `kc` × `nr` panel of B stays in L1 while
/// the register tiles of a cache tile walk down it.
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

/// Tiles for C[M, N] += A[M, K] · B[K, N]; nullopt when N is not a whole
/// number of vectors.
std::optional<Tiles> selectTiles(int64_t n, int64_t k) {
  int64_t nr = largestDivisor(n, {2 * kLanes, kLanes});
  if (nr == 0)
    return std::nullopt;
  Tiles tiles;
  tiles.nr = nr;
  // Every row tile packs its own copy of the B block; 128 rows amortize
  // that twice as well as 64 (MiniLM, 8 × 128 tokens: about 10% less time),
  // and still leave a tile per thread on 128 tokens.
  tiles.mc = 128;
  tiles.nc = largestDivisor(n, {256, 128, 64, 32, 16});
  // The panel of B a register tile walks: kc × nr floats, within L1 (32 KiB
  // here) with room for the rows of A.
  tiles.kc = k <= 256 ? k : largestDivisor(k, {256, 192, 128, 64, 32, 16});
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

/// Whether `op` makes `c` zero: a fill of zero, or a copy into `c` from a
/// buffer that only a fill of zero writes (CSE shares one zero tensor among
/// the projections of a layer, and bufferization copies it to each).
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
    if (isa<memref::DeallocOp>(user))
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

/// Whether C is a buffer of the kernel's own: an allocation read and
/// written only by what makes it zero, the matmul and `epilogue`.
bool isPrivateAccumulator(linalg::MatmulOp matmul, Value c,
                          Operation *epilogue) {
  if (!c.getDefiningOp<memref::AllocOp>())
    return false;
  return llvm::all_of(c.getUsers(), [&](Operation *user) {
    return user == matmul || user == epilogue ||
           isa<linalg::FillOp, memref::DeallocOp>(user) ||
           (isa<memref::CopyOp>(user) && isZeroInit(user, c));
  });
}

/// The consumer of `matmul`'s result to fuse into its store, if one
/// qualifies. Ops between the two must not touch memory, except allocations
/// and deallocations (`toSink` collects deallocations of the matmul's
/// operands, which move after the kernel, placed at the consumer).
std::optional<Epilogue> findEpilogue(linalg::MatmulOp matmul,
                                     SmallVectorImpl<Operation *> &toSink) {
  Value c = matmul.getDpsInitOperand(0)->get();
  Value a = matmul.getDpsInputOperand(0)->get();
  Value b = matmul.getDpsInputOperand(1)->get();
  SmallVector<Operation *> sink;
  for (Operation *op = matmul->getNextNode(); op; op = op->getNextNode()) {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (generic && llvm::is_contained(generic->getOperands(), c)) {
      if (generic.getNumDpsInits() != 1 || generic.getNumLoops() != 2 ||
          generic.getNumParallelLoops() != 2 || !hasVectorizableBody(generic))
        return std::nullopt;
      OpOperand *init = generic.getDpsInitOperand(0);
      Value output = init->get();
      if (!isRowContiguous(output) ||
          !generic.getMatchingIndexingMap(init).isIdentity() ||
          generic.payloadUsesValueFromOperand(init) || mayAlias(output, a) ||
          mayAlias(output, b))
        return std::nullopt;
      Epilogue epilogue{generic, {}, output};
      MLIRContext *ctx = matmul.getContext();
      AffineMap bias = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Value value = input->get();
        AffineMap map = generic.getMatchingIndexingMap(input);
        if (value == c && map.isIdentity()) {
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
      if (output != c && !isPrivateAccumulator(matmul, c, generic))
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

/// The op that makes a private C zero before `matmul`, if any.
Operation *findZeroInit(linalg::MatmulOp matmul, Value c, Operation *epilogue) {
  if (!isPrivateAccumulator(matmul, c, epilogue))
    return nullptr;
  Operation *init = nullptr;
  for (Operation *user : c.getUsers()) {
    if (user == matmul || user == epilogue || isa<memref::DeallocOp>(user))
      continue;
    if (init || user->getBlock() != matmul->getBlock() ||
        !user->isBeforeInBlock(matmul))
      return nullptr;
    init = user;
  }
  return init && isZeroInit(init, c) ? init : nullptr;
}

/// Erases `alloc` when nothing but deallocations and zero fills use it.
void eraseIfDead(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc || !llvm::all_of(alloc->getUsers(), [](Operation *user) {
        return isa<memref::DeallocOp>(user) || isZeroFill(user);
      }))
    return;
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    user->erase();
  alloc.erase();
}

/// Builds the kernel for one matmul.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc, linalg::MatmulOp matmul,
                const Tiles &tiles, std::optional<Epilogue> epilogue,
                bool zeroInit)
      : b(b), loc(loc), tiles(tiles), epilogue(std::move(epilogue)),
        zeroInit(zeroInit) {
    a = matmul.getDpsInputOperand(0)->get();
    bMat = matmul.getDpsInputOperand(1)->get();
    c = matmul.getDpsInitOperand(0)->get();
    auto bType = cast<MemRefType>(bMat.getType());
    k = bType.getDimSize(0);
    n = bType.getDimSize(1);
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
    // block of B (the OpenMP lowering gives each thread a contiguous range
    // of the iterations), which its next packing then reads from L2; with
    // row tiles outermost, every tile packed a different block, and B came
    // from L3 once per row tile.
    scf::ParallelOp::create(
        b, loc, ValueRange{zeroIdx, zeroIdx},
        ValueRange{numColTiles, numRowTiles}, ValueRange{oneIdx, oneIdx},
        [&](OpBuilder &nb, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value rowBegin = arith::MulIOp::create(b, loc, ivs[1], mc);
          Value rowEnd = arith::MinUIOp::create(
              b, loc, arith::AddIOp::create(b, loc, rowBegin, mc), m);
          Value colBegin =
              arith::MulIOp::create(b, loc, ivs[0], index(tiles.nc));
          // The tile's packed block of B lives on the stack of the thread
          // that runs it: an scf.parallel body is an allocation scope, so
          // the buffer is released at the end of each iteration.
          auto packedType = MemRefType::get(
              {tiles.nc / tiles.nr, tiles.kc, tiles.nr}, b.getF32Type());
          packed = memref::AllocaOp::create(b, loc, packedType,
                                            b.getI64IntegerAttr(64));
          buildCacheTile(rowBegin, rowEnd, colBegin);
        });
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  void buildCacheTile(Value rowBegin, Value rowEnd, Value colBegin) {
    int64_t numBlocks = k / tiles.kc;
    // Every block but the last accumulates into C.
    if (numBlocks > 1)
      forLoop(index(0), index((numBlocks - 1) * tiles.kc), tiles.kc,
              [&](Value kBegin) {
                buildBlock(rowBegin, rowEnd, colBegin, kBegin, /*last=*/false);
              });
    buildBlock(rowBegin, rowEnd, colBegin, index((numBlocks - 1) * tiles.kc),
               /*last=*/true);
  }

  /// One reduction block over the cache tile: column panels outside, so a
  /// panel of B is reused by every register tile of rows.
  void buildBlock(Value rowBegin, Value rowEnd, Value colBegin, Value kBegin,
                  bool last) {
    Value rows = arith::SubIOp::create(b, loc, rowEnd, rowBegin);
    Value fullRows = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, rows, index(kRows)),
        index(kRows));
    Value fullEnd = arith::AddIOp::create(b, loc, rowBegin, fullRows);
    packBlock(colBegin, kBegin);
    forLoop(index(0), index(tiles.nc / tiles.nr), 1, [&](Value panel) {
      Value col = panelColumn(colBegin, panel);
      forLoop(rowBegin, fullEnd, kRows, [&](Value row) {
        buildRegisterTile(kRows, row, col, panel, kBegin, last);
      });
      forLoop(fullEnd, rowEnd, 1, [&](Value row) {
        buildRegisterTile(1, row, col, panel, kBegin, last);
      });
    });
  }

  /// B[kBegin + k, colBegin + p·nr + j] → packed[p, k, j]: each register
  /// tile then reads its panel of B as one contiguous stream (in B itself
  /// consecutive steps are a whole row of B apart, a new page each for the
  /// wide layers).
  void packBlock(Value colBegin, Value kBegin) {
    int64_t numVecs = tiles.nr / kLanes;
    forLoop(index(0), index(tiles.nc / tiles.nr), 1, [&](Value panel) {
      Value col = panelColumn(colBegin, panel);
      forLoop(index(0), index(tiles.kc), 1, [&](Value kk) {
        Value row = arith::AddIOp::create(b, loc, kBegin, kk);
        for (int64_t v = 0; v < numVecs; ++v) {
          Value vec = vector::LoadOp::create(
              b, loc, vecType, bMat, ValueRange{row, offset(col, v * kLanes)});
          vector::StoreOp::create(b, loc, vec, packed,
                                  ValueRange{panel, kk, index(v * kLanes)});
        }
      });
    });
  }

  /// The first column of panel `panel` of the cache tile at `colBegin`.
  Value panelColumn(Value colBegin, Value panel) {
    return arith::AddIOp::create(
        b, loc, colBegin,
        arith::MulIOp::create(b, loc, panel, index(tiles.nr)));
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

  /// `numRows` × nr accumulators over k in [kBegin, kBegin + kc).
  void buildRegisterTile(int64_t numRows, Value row, Value col, Value panel,
                         Value kBegin, bool last) {
    int64_t numVecs = tiles.nr / kLanes;
    SmallVector<Value> rowIdx, colIdx;
    for (int64_t r = 0; r < numRows; ++r)
      rowIdx.push_back(offset(row, r));
    for (int64_t v = 0; v < numVecs; ++v)
      colIdx.push_back(offset(col, v * kLanes));

    // zeroInit implies a single reduction block (the pass sees to it).
    SmallVector<Value> init;
    Value zero;
    if (zeroInit)
      zero = arith::ConstantOp::create(b, loc, vecType, b.getZeroAttr(vecType));
    for (int64_t r = 0; r < numRows; ++r)
      for (int64_t v = 0; v < numVecs; ++v)
        init.push_back(zeroInit ? zero
                                : vector::LoadOp::create(
                                      b, loc, vecType, c,
                                      ValueRange{rowIdx[r], colIdx[v]}));

    Value kEnd = offset(kBegin, tiles.kc);
    auto loop = scf::ForOp::create(
        b, loc, kBegin, kEnd, index(1), init,
        [&](OpBuilder &nb, Location, Value kk, ValueRange acc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
          Value step = arith::SubIOp::create(b, loc, kk, kBegin);
          SmallVector<Value> bVecs;
          for (int64_t v = 0; v < numVecs; ++v)
            bVecs.push_back(vector::LoadOp::create(
                b, loc, vecType, packed,
                ValueRange{panel, step, index(v * kLanes)}));
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
        SmallVector<Value, 2> at = {rowIdx[r], colIdx[v]};
        if (last && epilogue)
          vector::StoreOp::create(b, loc, applyEpilogue(sum, at),
                                  epilogue->output, at);
        else
          vector::StoreOp::create(b, loc, sum, c, at);
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
  Value a, bMat, c;
  /// The cache tile's block of B, packed panel by panel (packBlock).
  Value packed;
  int64_t k, n;
  VectorType vecType;
};

/// Whether `matmul` has the form the kernels handle.
std::optional<Tiles> kernelTiles(linalg::MatmulOp matmul) {
  if (!matmul.hasPureBufferSemantics() || matmul.getNumDpsInputs() != 2)
    return std::nullopt;
  // Only the default (non-transposing, non-broadcasting) matmul.
  if (matmul.hasUserDefinedMaps())
    return std::nullopt;
  Value a = matmul.getDpsInputOperand(0)->get();
  Value b = matmul.getDpsInputOperand(1)->get();
  Value c = matmul.getDpsInitOperand(0)->get();
  if (!isRowContiguous(a) || !isRowContiguous(b) || !isRowContiguous(c))
    return std::nullopt;
  auto bType = cast<MemRefType>(b.getType());
  if (!bType.hasStaticShape() ||
      cast<MemRefType>(c.getType()).getDimSize(1) != bType.getDimSize(1) ||
      cast<MemRefType>(a.getType()).getDimSize(1) != bType.getDimSize(0))
    return std::nullopt;
  if (mayAlias(c, a) || mayAlias(c, b))
    return std::nullopt;
  return selectTiles(bType.getDimSize(1), bType.getDimSize(0));
}

struct XfmrCpuContractionsPass
    : xfmr::cpu::impl::XfmrCpuContractionsBase<XfmrCpuContractionsPass> {
  using XfmrCpuContractionsBase::XfmrCpuContractionsBase;

  /// The pass options, where given and valid for the shape, win (for
  /// measuring other tiles).
  void overrideTiles(Tiles &tiles, linalg::MatmulOp matmul) {
    auto b = cast<MemRefType>(matmul.getDpsInputOperand(1)->get().getType());
    int64_t k = b.getDimSize(0), n = b.getDimSize(1);
    if (rowTile > 0)
      tiles.mc = rowTile;
    if (colTile > 0 && n % colTile == 0 && colTile % tiles.nr == 0)
      tiles.nc = colTile;
    if (depthTile > 0 && k % depthTile == 0)
      tiles.kc = depthTile;
  }

  void runOnOperation() override {
    SmallVector<linalg::MatmulOp> matmuls;
    getOperation().walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    for (linalg::MatmulOp matmul : matmuls) {
      std::optional<Tiles> tiles = kernelTiles(matmul);
      if (!tiles)
        continue;
      overrideTiles(*tiles, matmul);
      SmallVector<Operation *> toSink;
      std::optional<Epilogue> epilogue = findEpilogue(matmul, toSink);
      Value c = matmul.getDpsInitOperand(0)->get();
      Operation *zeroInit =
          findZeroInit(matmul, c, epilogue ? epilogue->op : nullptr);
      // With several reduction blocks C holds the partial sums, so it must
      // start from zero in memory.
      int64_t k =
          cast<MemRefType>(matmul.getDpsInputOperand(1)->get().getType())
              .getDimSize(0);
      if (tiles->kc != k)
        zeroInit = nullptr;
      Operation *anchor =
          epilogue ? epilogue->op.getOperation() : matmul.getOperation();
      OpBuilder b(anchor);
      KernelBuilder(b, matmul.getLoc(), matmul, *tiles, epilogue,
                    zeroInit != nullptr)
          .build();
      for (Operation *op : toSink)
        op->moveAfter(anchor);
      if (epilogue) {
        epilogue->op.erase();
        ++numEpilogues;
      }
      matmul.erase();
      if (zeroInit) {
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
