//===- KernelAttributes.cpp - what the outlined kernels tell the backend --===//
//
// Two facts about a kernel that only its gpu.func can carry (gpu.launch has
// no place for them): how its shared memory must be aligned, and how many
// of its blocks an SM should hold at once.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/codegen/cuda/TensorKernels.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUALIGNSHAREDMEMORY
#define GEN_PASS_DEF_XFMRGPUMINBLOCKSPERSM
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// The largest alignment a vector load or store of `buffer` states (0 for
/// none).
int64_t alignmentAskedOf(Value buffer) {
  int64_t asked = 0;
  for (Operation *user : buffer.getUsers()) {
    std::optional<uint64_t> alignment;
    if (auto load = dyn_cast<vector::LoadOp>(user))
      alignment = load.getAlignment();
    else if (auto store = dyn_cast<vector::StoreOp>(user))
      alignment = store.getAlignment();
    if (alignment)
      asked = std::max<int64_t>(asked, *alignment);
  }
  return asked;
}

struct XfmrGpuAlignSharedMemoryPass
    : xfmr::cuda::impl::XfmrGpuAlignSharedMemoryBase<
          XfmrGpuAlignSharedMemoryPass> {
  void runOnOperation() override {
    StringRef name = LLVM::LLVMDialect::getAlignAttrName();
    getOperation().walk([&](gpu::GPUFuncOp func) {
      for (auto [i, buffer] :
           llvm::enumerate(func.getWorkgroupAttributions())) {
        int64_t asked = alignmentAskedOf(buffer);
        auto has = dyn_cast_or_null<IntegerAttr>(
            func.getWorkgroupAttributionAttr(i, name));
        if (asked == 0 || (has && has.getInt() >= asked))
          continue;
        func.setWorkgroupAttributionAttr(
            i, name,
            IntegerAttr::get(IntegerType::get(&getContext(), 64), asked));
        ++numAligned;
      }
    });
  }
};

/// The warps an SM should hold at least: enough to hide the latency of
/// shared and global memory behind one another's arithmetic. 16 of the 64
/// an sm_80 or sm_90 SM can hold, which caps a thread at 128 of the SM's
/// 65536 registers.
constexpr int64_t kMinWarpsPerSM = 16;

struct XfmrGpuMinBlocksPerSMPass
    : xfmr::cuda::impl::XfmrGpuMinBlocksPerSMBase<XfmrGpuMinBlocksPerSMPass> {
  void runOnOperation() override {
    // NVVM's launch bound: ptxas keeps the kernel's registers few enough for
    // this many blocks per SM (PTX `.minnctapersm`).
    StringRef name = NVVM::NVVMDialect::getMinctasmAttrName();
    getOperation().walk([&](gpu::GPUFuncOp func) {
      std::optional<ArrayRef<int32_t>> size = func.getKnownBlockSize();
      if (!func.isKernel() || !size || func->hasAttr(name))
        return;
      int64_t threads = 1;
      for (int32_t extent : *size)
        threads *= extent;
      int64_t blocks =
          llvm::divideCeil(kMinWarpsPerSM * xfmr::cuda::kWarpLanes, threads);
      if (blocks < 2)
        return;
      func->setAttr(
          name, IntegerAttr::get(IntegerType::get(&getContext(), 32), blocks));
      ++numBounded;
    });
  }
};
} // namespace
