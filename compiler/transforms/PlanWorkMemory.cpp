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
    // Only a model (a module that states one) becomes a library with a
    // manifest to record the plan in.
    if (!getOperation()->hasAttr(abi::kModelAttr))
      return;
    uint64_t total = 0;
    getOperation().walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
        return;
      uint64_t bytes = type.getNumElements() *
                       llvm::divideCeil(type.getElementTypeBitWidth(), 8);
      total += llvm::alignTo(bytes, kGranule);
    });
    Builder b(&getContext());
    getOperation()->setAttr(abi::kStaticWorkBytesAttr,
                            b.getI64IntegerAttr(static_cast<int64_t>(total)));
  }
};
} // namespace
