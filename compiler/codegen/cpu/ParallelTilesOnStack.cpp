//===- ParallelTilesOnStack.cpp - small parallel-body buffers on the stack ===//
//
// See Passes.td: the buffers of an scf.forall body, once per iteration, on
// the stack of the thread that runs it.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cpu/Passes.h"

namespace xfmr::cpu {
#define GEN_PASS_DEF_XFMRPARALLELTILESONSTACK
#include "compiler/codegen/cpu/Passes.h.inc"
} // namespace xfmr::cpu

using namespace mlir;

namespace {
constexpr int64_t kMaxBytes = 16 * 1024;

bool isSmallStaticAlloc(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !type.getElementType().isIntOrFloat())
    return false;
  int64_t bits = type.getElementType().getIntOrFloatBitWidth();
  return type.getNumElements() * ((bits + 7) / 8) <= kMaxBytes;
}

struct XfmrParallelTilesOnStackPass
    : xfmr::cpu::impl::XfmrParallelTilesOnStackBase<
          XfmrParallelTilesOnStackPass> {
  void runOnOperation() override {
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk([&](scf::ForallOp op) { foralls.push_back(op); });
    for (scf::ForallOp forall : foralls) {
      Block *body = forall.getBody();
      SmallVector<memref::AllocOp> allocs;
      forall.getRegion().walk([&](memref::AllocOp alloc) {
        if (alloc->getParentOfType<scf::ForallOp>() == forall &&
            isSmallStaticAlloc(alloc))
          allocs.push_back(alloc);
      });
      if (allocs.empty())
        continue;
      // The body is an allocation scope: what it allocates on the stack is
      // released at the end of each iteration.
      for (memref::AllocOp alloc : allocs) {
        // Anew each time: the previous insertion point may be the alloc
        // just erased.
        OpBuilder b = OpBuilder::atBlockBegin(body);
        auto alloca = memref::AllocaOp::create(
            b, alloc.getLoc(), alloc.getType(), alloc.getAlignmentAttr());
        alloc.replaceAllUsesWith(alloca.getResult());
        alloc.erase();
        ++numPromoted;
      }
    }
  }
};
} // namespace
