//===- BindWeights.cpp - weights become entry-point arguments -------------===//
//
// Weights stay out of the IR until code generation: here each declared
// weight becomes an argument of the public entry points, in declaration
// order, which is the order the runtime passes them in (docs/abi.md).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRBINDWEIGHTS
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
struct XfmrBindWeightsPass
    : xfmr::impl::XfmrBindWeightsBase<XfmrBindWeightsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<WeightDeclOp> decls(module.getOps<WeightDeclOp>());
    llvm::DenseMap<StringAttr, unsigned> position;
    for (auto [i, decl] : llvm::enumerate(decls))
      position[decl.getSymNameAttr()] = i;

    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (func.isPrivate()) {
        WalkResult result = func.walk([&](WeightOp read) {
          read.emitOpError() << "reads a weight in a private function; "
                                "pass weights to it as arguments";
          return WalkResult::interrupt();
        });
        if (result.wasInterrupted())
          return signalPassFailure();
        continue;
      }
      Block &entry = func.getBody().front();
      unsigned first = entry.getNumArguments();
      for (WeightDeclOp decl : decls)
        entry.addArgument(decl.getType(), decl.getLoc());
      func.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                     func.getResultTypes()));
      IRRewriter rewriter(&getContext());
      func.walk([&](WeightOp read) {
        unsigned index = position.lookup(read.getNameAttr().getAttr());
        rewriter.replaceOp(read, entry.getArgument(first + index));
      });
    }
    for (WeightDeclOp decl : decls)
      decl.erase();
  }
};
} // namespace
