//===- PackWeights.cpp - weights in the layout the kernels read
//------------===//
//
// A linear's weight is stored [out, in]; the CPU kernels read it as column
// panels [out / P, in, P], each the contiguous stream one register tile of
// P output columns walks down. The layout is part of the ABI (the manifest
// says which weights the runtime lays out in panels when it opens the
// model), so it is decided here, on the xfmr module, before the ABI is read
// for the manifest.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRPACKWEIGHTS
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// Union-find over the values that carry one weight: the reads of a
/// declared weight and the function arguments calls pass them to (the
/// layers are private functions that take their weights as arguments). A
/// class is packed whole or not at all.
class WeightClasses {
public:
  Value find(Value v) {
    auto it = parent.find(v);
    if (it == parent.end()) {
      parent[v] = v;
      return v;
    }
    if (it->second == v)
      return v;
    Value root = find(it->second);
    parent[v] = root;
    return root;
  }
  void join(Value a, Value b) {
    Value ra = find(a), rb = find(b);
    if (ra != rb) {
      parent[ra] = rb;
      if (poisoned.erase(ra))
        poisoned.insert(rb);
    }
  }
  void poison(Value v) { poisoned.insert(find(v)); }
  bool isPoisoned(Value v) { return poisoned.contains(find(v)); }

private:
  llvm::DenseMap<Value, Value> parent;
  llvm::DenseSet<Value> poisoned;
};

/// The panel width for `out` output features: the register tile's columns
/// (compiler/codegen/cpu/Contractions.cpp), two vectors of 16 lanes where
/// they divide `out`, else one; 0 when neither does.
int64_t panelWidth(int64_t out) {
  for (int64_t width : {32, 16})
    if (out % width == 0)
      return width;
  return 0;
}

/// The width of zero-padded panels, for an `out` no panel width divides,
/// and the least `out` worth padding (an LM head's vocabulary; a narrow
/// weight would waste much of its last panel).
constexpr int64_t kPaddedPanelWidth = 32;
constexpr int64_t kMinPaddedOut = 256;

/// Whether `out` rows go in panels: a width divides it, or it is worth a
/// zero-padded last panel.
bool packable(int64_t out) {
  return panelWidth(out) != 0 || out >= kMinPaddedOut;
}

/// `linear`, whose weight now has zero-padded panels, computes the padded
/// width; its users read the first `out` columns.
void keepFirstColumns(LinearOp linear, int64_t out) {
  OpBuilder b(linear->getContext());
  b.setInsertionPointAfter(linear);
  Location loc = linear.getLoc();
  RankedTensorType type = linear.getType();
  auto weight = cast<RankedTensorType>(linear.getWeight().getType());
  SmallVector<int64_t> padded(type.getShape());
  padded.back() = weight.getDimSize(0) * weight.getDimSize(2);
  linear.getResult().setType(
      RankedTensorType::get(padded, type.getElementType()));
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes;
  llvm::SmallPtrSet<Operation *, 4> own;
  for (int64_t i = 0; i + 1 < type.getRank(); ++i) {
    if (!type.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
      continue;
    }
    auto dim = tensor::DimOp::create(b, loc, linear.getResult(), i);
    own.insert(dim);
    sizes.push_back(dim.getResult());
  }
  sizes.push_back(b.getIndexAttr(out));
  auto slice = tensor::ExtractSliceOp::create(b, loc, type, linear.getResult(),
                                              offsets, sizes, strides);
  own.insert(slice);
  // A contiguous copy of the columns: the slice is a strided view, which
  // no later copy (into the caller's buffer) should have to walk.
  SmallVector<Value> dynamic;
  for (OpFoldResult size : sizes)
    if (auto value = dyn_cast<Value>(size))
      dynamic.push_back(value);
  auto empty = tensor::EmptyOp::create(b, loc, type, dynamic);
  auto copy =
      linalg::CopyOp::create(b, loc, slice.getResult(), empty.getResult());
  own.insert(copy);
  linear.getResult().replaceUsesWithIf(copy->getResult(0), [&](OpOperand &use) {
    return !own.contains(use.getOwner());
  });
}

struct XfmrPackWeightsPass
    : xfmr::impl::XfmrPackWeightsBase<XfmrPackWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    WeightClasses classes;
    SmallVector<Value> worklist;
    llvm::DenseSet<Value> seen;
    llvm::MapVector<StringAttr, SmallVector<WeightOp>> reads;
    module.walk([&](WeightOp read) {
      reads[read.getNameAttr().getAttr()].push_back(read);
      worklist.push_back(read.getResult());
    });
    for (auto &[name, list] : reads) {
      auto decl = symbols.lookup<WeightDeclOp>(name);
      for (WeightOp read : list) {
        classes.join(read.getResult(), list.front().getResult());
        // A view of the stored tensor (transposed, rows) is laid out in
        // panels like any weight; one whose rows are already a slice keeps
        // them, so it cannot also take a zero-padded last panel.
        int64_t out = decl ? decl.getTensorType().getDimSize(0) : 0;
        if (!decl || decl.getPanels() || decl.getTensorType().getRank() != 2 ||
            !packable(out) || (decl.getRows() && panelWidth(out) == 0))
          classes.poison(read.getResult());
      }
    }
    // Follow every carrier to its uses: a linear's weight is fine, a call
    // joins the callee's argument to the class, anything else poisons it.
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      classes.find(v);
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (auto linear = dyn_cast<LinearOp>(user)) {
          if (use.getOperandNumber() != 1 ||
              linear.getWeight().getType().getRank() != 2 ||
              linear.getInput().getType().getRank() < 2)
            classes.poison(v);
          // Padded panels would need a padded bias.
          int64_t out = linear.getWeight().getType().getDimSize(0);
          if (panelWidth(out) == 0 && linear.getBias())
            classes.poison(v);
          continue;
        }
        auto call = dyn_cast<func::CallOp>(user);
        auto callee =
            call ? symbols.lookup<func::FuncOp>(call.getCallee()) : nullptr;
        if (!callee || callee.isExternal() || callee.isPublic()) {
          classes.poison(v);
          continue;
        }
        Value arg = callee.getArgument(use.getOperandNumber());
        classes.join(v, arg);
        worklist.push_back(arg);
      }
    }
    // An argument that also receives something other than a weight.
    module.walk([&](func::CallOp call) {
      for (auto [i, operand] : llvm::enumerate(call.getArgOperands())) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!callee || callee.isExternal())
          continue;
        Value arg = callee.getArgument(i);
        if (seen.contains(arg) && !seen.contains(operand))
          classes.poison(arg);
      }
    });

    for (Value v : seen) {
      if (classes.isPoisoned(v))
        continue;
      auto type = cast<RankedTensorType>(v.getType());
      int64_t out = type.getDimSize(0), width = panelWidth(out);
      bool padded = width == 0;
      if (padded)
        width = kPaddedPanelWidth;
      int64_t panels = (out + width - 1) / width;
      v.setType(RankedTensorType::get({panels, type.getDimSize(1), width},
                                      type.getElementType()));
      if (padded)
        for (Operation *user : llvm::make_early_inc_range(v.getUsers()))
          if (auto linear = dyn_cast<LinearOp>(user))
            keepFirstColumns(linear, out);
    }
    for (auto &[name, list] : reads) {
      if (classes.isPoisoned(list.front().getResult()))
        continue;
      auto decl = symbols.lookup<WeightDeclOp>(name);
      int64_t out = decl.getTensorType().getDimSize(0);
      decl.setType(list.front().getType());
      decl.setPanels(true);
      if (panelWidth(out) == 0)
        decl.setRowsAttr(DenseI64ArrayAttr::get(&getContext(), {0, out, out}));
      ++numPacked;
    }
    // Functions whose arguments changed type.
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        func.setType(FunctionType::get(
            &getContext(), func.getBody().front().getArgumentTypes(),
            func.getResultTypes()));
  }
};
} // namespace
