//===- EntryDestinations.cpp - entry results into caller buffers ----------===//
//
// A result returned by a function is allocated by the callee and copied by
// the caller. The library ABI instead hands the caller's output buffers in
// (docs/abi.md), so here each result of an entry point becomes a leading
// memref argument that the returned tensor is materialized into; upstream's
// empty-tensor elimination then lets the producing op write there directly.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrABI.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/InliningUtils.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRENTRYDESTINATIONS
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// Inlines `call` when its callee is a private function of the module with a
/// body; leaves it (the result is then copied into the destination) when a
/// dialect does not allow it.
void inlineIfPrivate(func::CallOp call, SymbolTable &symbols) {
  auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
  if (!callee || !callee.isPrivate() || callee.isExternal())
    return;
  InlinerInterface interface(call.getContext());
  auto cloneInto = [](OpBuilder &, Region *src, Block *inlineBlock,
                      Block *postInsertBlock, IRMapping &mapper,
                      bool shouldClone) {
    assert(shouldClone && "the callee has other callers");
    (void)shouldClone;
    src->cloneInto(inlineBlock->getParent(), postInsertBlock->getIterator(),
                   mapper);
  };
  if (succeeded(
          inlineCall(interface, cloneInto, call, callee, &callee.getBody())))
    call.erase();
}

/// Turns tensor argument `arg` into the caller's buffer, read as a tensor
/// that the function may write in place, and returns the buffer.
Value updateInPlace(func::FuncOp func, unsigned arg, MemRefType memref) {
  BlockArgument tensorArg = func.getArgument(arg);
  Type tensorType = tensorArg.getType();
  tensorArg.setType(memref);
  SmallVector<Type> inputs(func.getArgumentTypes());
  inputs[arg] = memref;
  func.setFunctionType(
      FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  auto tensor = bufferization::ToTensorOp::create(b, func.getLoc(), tensorType,
                                                  tensorArg, /*restrict=*/true,
                                                  /*writable=*/true);
  tensorArg.replaceAllUsesExcept(tensor, tensor);
  return tensorArg;
}

/// Rewrites one entry point into destination-passing style.
LogicalResult makeDestinations(func::FuncOp func, SymbolTable &symbols) {
  OpBuilder b(func.getContext());
  func.walk([&](func::ReturnOp ret) {
    for (Value value : ret.getOperands())
      if (auto call = value.getDefiningOp<func::CallOp>())
        inlineIfPrivate(call, symbols);
  });
  unsigned numResults = func.getNumResults();
  // Each result's destination: a new leading argument, or the argument it
  // updates in place.
  SmallVector<Value> destinations;
  unsigned numOutputs = 0;
  for (unsigned i = 0; i < numResults; ++i) {
    auto tensor = dyn_cast<RankedTensorType>(func.getResultTypes()[i]);
    if (!tensor || !BaseMemRefType::isValidElementType(tensor.getElementType()))
      return func.emitError() << "entry point result " << i
                              << " must be a ranked tensor of numbers, got "
                              << func.getResultTypes()[i];
    auto memref = MemRefType::get(tensor.getShape(), tensor.getElementType());
    if (std::optional<unsigned> updated = abi::updatedArgument(func, i)) {
      destinations.push_back(updateInPlace(func, *updated, memref));
      continue;
    }
    if (failed(func.insertArgument(numOutputs, memref,
                                   func.getResultAttrDict(i), func.getLoc())))
      return failure();
    destinations.push_back(func.getArgument(numOutputs++));
  }

  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (auto [value, dest] : llvm::zip(ret.getOperands(), destinations)) {
      auto op = bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), TypeRange(), value, dest);
      op.setRestrict(true);
      op.setWritable(true);
    }
    ret->setOperands({});
  });
  llvm::BitVector all(numResults, true);
  if (failed(func.eraseResults(all)))
    return failure();
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return success();
}

struct XfmrEntryDestinationsPass
    : xfmr::impl::XfmrEntryDestinationsBase<XfmrEntryDestinationsPass> {
  void runOnOperation() override {
    SymbolTable symbols(getOperation());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func->hasAttr(abi::kEntryAttr) || func.isExternal())
        continue;
      // Callers would not match the new signature.
      if (!SymbolTable::symbolKnownUseEmpty(func, getOperation())) {
        func.emitError() << "entry point @" << func.getName()
                         << " must not be called from the module";
        return signalPassFailure();
      }
      if (failed(makeDestinations(func, symbols)))
        return signalPassFailure();
    }
  }
};
} // namespace
