//===- PlanWorkMemory.cpp - the statically sized work memory --------------===//
//
// A call context reserves the work memory the compiler can size before the
// first call (docs/abi.md). That is every temporary of static shape, counted
// once: the context hands a freed block out again for the next request of the
// same size, so an allocation in a loop needs its bytes once.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrABI.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "llvm/Support/MathExtras.h"

namespace xfmr {
#define GEN_PASS_DEF_XFMRPLANWORKMEMORY
#include "compiler/transforms/Passes.h.inc"
} // namespace xfmr

using namespace mlir;
using namespace xfmr;

namespace {
/// The runtime hands out work memory in multiples of this (WorkMemory.h).
constexpr uint64_t kGranule = 64;

struct XfmrPlanWorkMemoryPass
    : xfmr::impl::XfmrPlanWorkMemoryBase<XfmrPlanWorkMemoryPass> {
  void runOnOperation() override {
    DataLayout dataLayout(getOperation());
    // Only a model (a module that states one) becomes a library with a
    // manifest to record the plan in.
    if (!getOperation()->hasAttr(abi::kModelAttr))
      return;
    uint64_t total = 0;
    WalkResult result = getOperation().walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape())
        return WalkResult::advance();
      // Sizes the data layout would give (index and vectors included), with
      // every product checked: a plan that wrapped would be a lie.
      uint64_t bytes = llvm::divideCeil(
          dataLayout.getTypeSizeInBits(type.getElementType()), 8);
      bool overflow = false;
      for (int64_t dim : type.getShape())
        bytes = llvm::SaturatingMultiply(bytes, static_cast<uint64_t>(dim),
                                         &overflow);
      uint64_t rounded = llvm::alignTo(bytes, kGranule);
      total = llvm::SaturatingAdd(total, rounded, &overflow);
      if (overflow || rounded < bytes ||
          total > static_cast<uint64_t>(INT64_MAX)) {
        alloc.emitError() << "a temporary of " << type
                          << " is larger than any machine's memory";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    Builder b(&getContext());
    getOperation()->setAttr(abi::kStaticWorkBytesAttr,
                            b.getI64IntegerAttr(static_cast<int64_t>(total)));
  }
};
} // namespace
