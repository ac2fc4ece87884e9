//===- SkipPadding.cpp - token-wise work on the real tokens only ----------===//
//
// In a padded batch every linear layer, FFN, norm and residual add also
// works on the padding rows, whose results no real position reads. Here the
// rows of the real tokens are gathered into [tokens, ...]
// (xfmr.remove_padding) and the token-wise ops run on those; ops that mix
// tokens (attention, pooling) get their operands in [batch, seq, ...] form
// again (xfmr.restore_padding, zeros at padding), as ONNX Runtime's
// RemovePadding / RestorePadding and padding-free BERT kernels do. A layer
// function takes and returns the packed tokens (a copy of it does, so that
// callers left alone keep the original).
//
// The padded rows change (to zeros), so the rewrite is sound only where no
// real position's result reads them. An analysis proves that first: it
// follows the padded rows from the embeddings through each op and accepts
// only ops that keep them apart (token-wise ops, head splitting, attention
// whose keys are masked by the same mask, mean pooling). A function with any
// other use of them is left alone.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrABI.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <map>

namespace xfmr {
#define GEN_PASS_DEF_XFMRSKIPPADDING
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {

/// What a value's padded positions are to the real results. Every layout
/// but None indexes tokens by (batch, seq) of the one mask.
enum class Padding {
  /// Does not depend on padded positions (weights, the mask).
  None,
  /// [b, s, ...]: row (b, s) is token (b, s)'s; padded rows are read by no
  /// real result.
  Rows,
  /// [b, h, s, ...]: the same along dimensions 0 and 2.
  Heads,
  /// [b, h, q, k] attention scores: padded queries and keys unread yet.
  Scores,
  /// Scores whose padded keys have the mask's fill added.
  MaskedScores,
  /// [b, h, q, k] probabilities: padded keys exactly zero.
  Probs,
};

/// The [tokens, ...] type of a [b, s, ...] value.
RankedTensorType packedType(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape = {ShapedType::kDynamic};
  llvm::append_range(shape, tensor.getShape().drop_front(2));
  return RankedTensorType::get(shape, tensor.getElementType());
}

bool hasRankAtLeast(Value value, int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() >= rank;
}

/// The operands of a token-wise op that carry tokens: each row of its
/// result is computed from the same row of these alone (the last dimension
/// is a feature, never the sequence). Empty for any other op.
SmallVector<unsigned> tokenOperands(Operation *op) {
  auto rowsOf = [&](ArrayRef<unsigned> operands) -> SmallVector<unsigned> {
    for (unsigned i : operands)
      if (!hasRankAtLeast(op->getOperand(i), 3))
        return {};
    return SmallVector<unsigned>(operands);
  };
  return llvm::TypeSwitch<Operation *, SmallVector<unsigned>>(op)
      .Case([&](LinearOp) { return rowsOf({0}); })
      .Case([&](LayerNormOp norm) -> SmallVector<unsigned> {
        if (norm.getNormalizedAxis() != norm.getType().getRank() - 1)
          return {};
        return rowsOf({0});
      })
      .Case([&](ResidualLayerNormOp) {
        return rowsOf({0, 1});
      })
      .Case([&](AddOp add) -> SmallVector<unsigned> {
        if (add.getLhs().getType() != add.getType() ||
            add.getRhs().getType() != add.getType())
          return {};
        return rowsOf({0, 1});
      })
      .Case([&](RmsNormOp) { return rowsOf({0}); })
      .Case([&](MulOp) {
        return rowsOf({0, 1});
      })
      .Case<ScaleOp, DropoutOp, GeluOp, ReluOp, SiluOp>(
          [&](Operation *) { return rowsOf({0}); })
      .Default([](Operation *) { return SmallVector<unsigned>(); });
}

class SkipPadding;

/// The layouts of one function's values and the rewrite they allow.
class FunctionPacker {
public:
  FunctionPacker(SkipPadding &pass, func::FuncOp func, Value mask)
      : pass(pass), func(func), mask(mask) {}

  /// Seeds: values whose rows are tokens on entry.
  void setRows(Value value) { layouts[value] = Padding::Rows; }

  /// Proves that no real result reads a padded row. Also packs the callees
  /// of calls that take tokens.
  LogicalResult analyze();

  /// Whether analyze() found token-wise work to move.
  bool hasWork() const { return !toPack.empty(); }

  /// Whether the function returns token rows.
  bool returnsRows() {
    Operation *ret = func.getBody().front().getTerminator();
    return ret->getNumOperands() == 1 &&
           layoutOf(ret->getOperand(0)) == Padding::Rows;
  }

  /// Runs the token-wise ops on the packed tokens. With `returnPacked`,
  /// the function returns its tokens packed (a layer function).
  void rewrite(bool returnPacked);

private:
  Padding layoutOf(Value value) const {
    auto it = layouts.find(value);
    return it == layouts.end() ? Padding::None : it->second;
  }
  bool isMask(Value value) const { return value == mask; }
  bool isPaddingMaskOf(Value value) const {
    auto padding = value.getDefiningOp<PaddingMaskOp>();
    return padding && isMask(padding.getPadding());
  }
  /// The layout of `op`'s results, or failure where a real result could
  /// read a padded position.
  FailureOr<Padding> transfer(Operation *op);
  Value packed(Value value);
  Value restored(Value packedValue);

  SkipPadding &pass;
  func::FuncOp func;
  Value mask;
  DenseMap<Value, Padding> layouts;
  /// Token-wise ops to move onto the packed tokens, in order, and the
  /// packed callees of calls among them.
  SmallVector<Operation *> toPack;
  DenseMap<Operation *, func::FuncOp> packedCallees;
  DenseMap<Value, Value> packedValues, restoredValues;
};

class SkipPadding : public xfmr::impl::XfmrSkipPaddingBase<SkipPadding> {
public:
  void runOnOperation() override;

  /// A copy of `callee` that takes its argument 0 as packed tokens (its
  /// argument `maskIndex` being the mask) and returns them packed, or null
  /// where that is not sound.
  func::FuncOp packCallee(func::FuncOp callee, unsigned maskIndex);

  llvm::Statistic &gathers() { return numGathers; }
  llvm::Statistic &scatters() { return numScatters; }
  llvm::Statistic &packedOps() { return numPackedOps; }

private:
  SymbolTable *symbols = nullptr;
  std::map<std::pair<Operation *, unsigned>, func::FuncOp> callees;
  SmallVector<func::FuncOp> created;
};

FailureOr<Padding> FunctionPacker::transfer(Operation *op) {
  SmallVector<Padding> in = llvm::map_to_vector(
      op->getOperands(), [&](Value v) { return layoutOf(v); });
  bool padded = llvm::any_of(in, [](Padding p) { return p != Padding::None; });

  // The embeddings of the token ids and types: the first token rows.
  if (auto embedding = dyn_cast<EmbeddingOp>(op)) {
    auto arg = dyn_cast<BlockArgument>(embedding.getIds());
    auto name = arg ? func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                        abi::kNameAttr)
                    : StringAttr();
    if (name && (name == "input_ids" || name == "token_type_ids") &&
        embedding.getType().getRank() == 3)
      return Padding::Rows;
  }
  if (!padded)
    return Padding::None;

  // Ops that keep rows apart and reorder or extend them.
  auto expect = [&](Padding from, Padding to) -> FailureOr<Padding> {
    if (in[0] != from)
      return failure();
    return to;
  };

  SmallVector<unsigned> tokens = tokenOperands(op);
  if (!tokens.empty()) {
    Padding first = in[tokens.front()];
    bool same =
        llvm::all_of(tokens, [&](unsigned i) { return in[i] == first; });
    bool othersClean = llvm::all_of(llvm::enumerate(in), [&](auto entry) {
      return llvm::is_contained(tokens, entry.index()) ||
             entry.value() == Padding::None;
    });
    if (same && othersClean && first == Padding::Rows) {
      toPack.push_back(op);
      return Padding::Rows;
    }
    // Elementwise on heads keeps them; what would change a masked key's
    // -inf (an activation, a negative scale) is refused.
    if (same && othersClean && first == Padding::Heads &&
        !isa<LinearOp, LayerNormOp, ResidualLayerNormOp>(op))
      return Padding::Heads;
  }

  return llvm::TypeSwitch<Operation *, FailureOr<Padding>>(op)
      .Case(
          [&](AddPositionsOp) { return expect(Padding::Rows, Padding::Rows); })
      .Case([&](SplitHeadsOp) { return expect(Padding::Rows, Padding::Heads); })
      .Case([&](MergeHeadsOp) { return expect(Padding::Heads, Padding::Rows); })
      .Case([&](MatmulOp matmul) -> FailureOr<Padding> {
        if (matmul.getType().getRank() != 4)
          return failure();
        if (matmul.getTransposeRhs() && in[0] == Padding::Heads &&
            in[1] == Padding::Heads)
          return Padding::Scores;
        if (!matmul.getTransposeRhs() && in[0] == Padding::Probs &&
            in[1] == Padding::Heads)
          return Padding::Heads;
        return failure();
      })
      .Case([&](ScaleOp scale) -> FailureOr<Padding> {
        // A positive factor keeps a masked key's fill a fill.
        if (scale.getFactor().isNegative() || scale.getFactor().isZero())
          return failure();
        return in[0];
      })
      .Case([&](DropoutOp) -> FailureOr<Padding> { return in[0]; })
      .Case([&](AddOp add) -> FailureOr<Padding> {
        // scores + padding_mask(mask) masks the padded keys; another
        // addend that reads no padding keeps the scores' layout.
        for (auto [scores, other] : {std::pair(0u, 1u), std::pair(1u, 0u)}) {
          Padding p = in[scores];
          if (in[other] != Padding::None ||
              add->getOperand(scores).getType() != add.getType())
            continue;
          if (p == Padding::Scores && isPaddingMaskOf(add->getOperand(other)))
            return Padding::MaskedScores;
          if (p == Padding::Scores || p == Padding::MaskedScores)
            return p;
        }
        return failure();
      })
      .Case([&](SoftmaxOp softmax) -> FailureOr<Padding> {
        if (in[0] == Padding::MaskedScores && softmax.getNormalizedAxis() == 3)
          return Padding::Probs;
        return failure();
      })
      .Case([&](MaskedSoftmaxOp softmax) -> FailureOr<Padding> {
        bool keysMasked =
            (softmax.getKeyPadding() && isMask(softmax.getKeyPadding())) ||
            in[0] == Padding::MaskedScores;
        if (keysMasked &&
            (in[0] == Padding::Scores || in[0] == Padding::MaskedScores) &&
            layoutOf(softmax.getBias()) == Padding::None)
          return Padding::Probs;
        return failure();
      })
      .Case([&](FusedAttentionOp attention) -> FailureOr<Padding> {
        // Masked keys are never read: zeros in their rows cannot leak.
        if (attention.getKeyPadding() && isMask(attention.getKeyPadding()) &&
            in[0] == Padding::Heads && in[1] == Padding::Heads &&
            in[2] == Padding::Heads &&
            layoutOf(attention.getBias()) == Padding::None)
          return Padding::Heads;
        return failure();
      })
      .Case([&](PoolOp pool) -> FailureOr<Padding> {
        // The mean weighs padded rows by 0; the first token of a
        // left-padded row is padding.
        if (pool.getKind() == PoolingKind::mean && isMask(pool.getMask()) &&
            in[0] == Padding::Rows)
          return Padding::None;
        return failure();
      })
      .Case([&](func::ReturnOp) -> FailureOr<Padding> {
        // Outputs on padded positions are free (INTERFACE.md).
        if (llvm::all_of(in, [](Padding p) {
              return p == Padding::None || p == Padding::Rows;
            }))
          return Padding::None;
        return failure();
      })
      .Case([&](func::CallOp call) -> FailureOr<Padding> {
        auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            call, call.getCalleeAttr());
        auto maskUse = llvm::find(call.getArgOperands(), mask);
        if (!callee || call.getNumResults() != 1 || in[0] != Padding::Rows ||
            maskUse == call.getArgOperands().end() ||
            llvm::any_of(ArrayRef(in).drop_front(),
                         [](Padding p) { return p != Padding::None; }))
          return failure();
        func::FuncOp packedCallee = pass.packCallee(
            callee, std::distance(call.getArgOperands().begin(), maskUse));
        if (!packedCallee)
          return failure();
        packedCallees[call] = packedCallee;
        toPack.push_back(call);
        return Padding::Rows;
      })
      .Default([](Operation *) -> FailureOr<Padding> { return failure(); });
}

LogicalResult FunctionPacker::analyze() {
  if (!func.getBody().hasOneBlock())
    return failure();
  for (Operation &op : func.getBody().front()) {
    if (op.getNumRegions() != 0 || isa<RemovePaddingOp, RestorePaddingOp>(op))
      return failure();
    FailureOr<Padding> layout = transfer(&op);
    if (failed(layout))
      return failure();
    for (Value result : op.getResults())
      if (*layout != Padding::None)
        layouts[result] = *layout;
  }
  return success();
}

Value FunctionPacker::packed(Value value) {
  if (Value known = packedValues.lookup(value))
    return known;
  if (auto restore = value.getDefiningOp<RestorePaddingOp>())
    if (isMask(restore.getMask()))
      return restore.getInput();
  OpBuilder b(func.getContext());
  b.setInsertionPointAfterValue(value);
  Value gathered = RemovePaddingOp::create(b, value.getLoc(), value, mask);
  ++pass.gathers();
  packedValues[value] = gathered;
  return gathered;
}

Value FunctionPacker::restored(Value packedValue) {
  if (Value known = restoredValues.lookup(packedValue))
    return known;
  OpBuilder b(func.getContext());
  b.setInsertionPointAfterValue(packedValue);
  Value scattered =
      RestorePaddingOp::create(b, packedValue.getLoc(), packedValue, mask);
  ++pass.scatters();
  restoredValues[packedValue] = scattered;
  return scattered;
}

void FunctionPacker::rewrite(bool returnPacked) {
  OpBuilder b(func.getContext());
  for (Operation *op : toPack) {
    b.setInsertionPoint(op);
    Operation *clone;
    if (auto call = dyn_cast<func::CallOp>(op)) {
      SmallVector<Value> operands(call.getArgOperands());
      operands[0] = packed(operands[0]);
      clone = func::CallOp::create(b, call.getLoc(), packedCallees.at(call),
                                   operands);
    } else {
      IRMapping mapping;
      for (unsigned i : tokenOperands(op))
        mapping.map(op->getOperand(i), packed(op->getOperand(i)));
      clone = b.clone(*op, mapping);
      for (Value result : clone->getResults())
        result.setType(packedType(result.getType()));
      // The normalised dimension is still the last one.
      if (auto norm = dyn_cast<LayerNormOp>(clone))
        norm.setAxisAttr(b.getI64IntegerAttr(-1));
    }
    for (auto [from, to] : llvm::zip(op->getResults(), clone->getResults()))
      packedValues[from] = to;
    ++pass.packedOps();
  }
  if (returnPacked) {
    Operation *ret = func.getBody().front().getTerminator();
    ret->setOperand(0, packed(ret->getOperand(0)));
  }
  // What is left reads the tokens in [b, s, ...] form.
  for (Operation *op : llvm::reverse(toPack)) {
    for (Value result : op->getResults())
      if (!result.use_empty())
        result.replaceAllUsesWith(restored(packedValues.at(result)));
    op->erase();
  }
}

func::FuncOp SkipPadding::packCallee(func::FuncOp callee, unsigned maskIndex) {
  auto key = std::make_pair(callee.getOperation(), maskIndex);
  if (auto it = callees.find(key); it != callees.end())
    return it->second;
  // A recursive call is left alone.
  callees[key] = nullptr;
  if (!callee.isPrivate() || callee.isExternal() ||
      callee.getNumResults() != 1 || callee.getNumArguments() <= maskIndex ||
      maskIndex == 0 || !hasRankAtLeast(callee.getArgument(0), 3) ||
      callee.getResultTypes()[0] != callee.getArgument(0).getType())
    return nullptr;

  func::FuncOp copy = callee.clone();
  copy.setSymName((callee.getSymName() + "_packed").str());
  symbols->insert(copy, Block::iterator(callee));
  created.push_back(copy);
  Value mask = copy.getArgument(maskIndex);
  FunctionPacker packer(*this, copy, mask);
  BlockArgument tokens = copy.getArgument(0);
  packer.setRows(tokens);
  if (failed(packer.analyze()) || !packer.hasWork() || !packer.returnsRows())
    return nullptr;

  // The argument arrives packed; what reads it in [b, s, ...] form reads
  // its scatter, which packing then looks through.
  Type rowsType = tokens.getType();
  tokens.setType(packedType(rowsType));
  OpBuilder b = OpBuilder::atBlockBegin(&copy.getBody().front());
  auto restore =
      RestorePaddingOp::create(b, copy.getLoc(), rowsType, tokens, mask);
  tokens.replaceAllUsesExcept(restore, restore);
  packer.setRows(restore);
  packer.rewrite(/*returnPacked=*/true);
  if (restore->use_empty())
    restore->erase();
  copy.setType(FunctionType::get(
      &getContext(), copy.getBody().front().getArgumentTypes(),
      copy.getBody().front().getTerminator()->getOperandTypes()));
  callees[key] = copy;
  return copy;
}

void SkipPadding::runOnOperation() {
  ModuleOp module = getOperation();
  SymbolTable table(module);
  symbols = &table;
  for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
    auto role = func->getAttrOfType<EntryRoleAttr>(abi::kEntryAttr);
    if (!role || func.isExternal() ||
        (role.getValue() != EntryRole::encode &&
         role.getValue() != EntryRole::embed))
      continue;
    Value mask;
    for (BlockArgument arg : func.getArguments()) {
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), abi::kNameAttr);
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (name && name == "attention_mask" && type && type.getRank() == 2 &&
          type.getElementType().isInteger(64))
        mask = arg;
    }
    if (!mask)
      continue;
    FunctionPacker packer(*this, func, mask);
    if (failed(packer.analyze()) || !packer.hasWork())
      continue;
    packer.rewrite(/*returnPacked=*/false);
    ++numFunctions;
  }
  // Copies no caller took (in creation order: a copy's callees come after
  // it), then originals whose callers all moved: their copy takes the name.
  llvm::SetVector<func::FuncOp> kept;
  for (func::FuncOp copy : created) {
    if (SymbolTable::symbolKnownUseEmpty(copy, module))
      table.erase(copy);
    else
      kept.insert(copy);
  }
  llvm::DenseSet<Operation *> erased;
  for (auto &[key, copy] : callees) {
    if (!copy || !kept.contains(copy) || erased.contains(key.first))
      continue;
    auto original = cast<func::FuncOp>(key.first);
    if (!SymbolTable::symbolKnownUseEmpty(original, module))
      continue;
    StringAttr name = original.getSymNameAttr();
    erased.insert(original);
    table.erase(original);
    if (failed(table.rename(copy, name)))
      return signalPassFailure();
  }
  symbols = nullptr;
}

} // namespace
