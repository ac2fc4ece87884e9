//===- Launches.cpp - kernels launched without waiting --------------------===//
#include "compiler/codegen/cuda/Buffers.h"
#include "compiler/codegen/cuda/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace xfmr::cuda {
#define GEN_PASS_DEF_XFMRGPUASYNCLAUNCHES
#include "compiler/codegen/cuda/Passes.h.inc"
} // namespace xfmr::cuda

using namespace mlir;

namespace {
/// The functions that launch kernels, themselves or through calls.
using Launchers = DenseSet<Operation *>;

/// The largest host-only list moved to the stack.
constexpr int64_t kHostListElements = 512;

/// Whether any view of `buffer` (itself included) leaves the host code of
/// this function: a kernel's operand, passed to a function that launches
/// kernels or to one outside the module, or returned.
bool reachesKernels(Value buffer, const Launchers &launchers,
                    SymbolTable &symbols) {
  SmallVector<Value> views = {buffer};
  while (!views.empty()) {
    Value view = views.pop_back_val();
    for (Operation *user : view.getUsers()) {
      if (isa<gpu::LaunchFuncOp, func::ReturnOp>(user))
        return true;
      if (auto call = dyn_cast<func::CallOp>(user)) {
        auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
        if (!callee || callee.isExternal() || launchers.contains(callee))
          return true;
      }
      if (auto viewLike = dyn_cast<ViewLikeOpInterface>(user))
        if (viewLike.getViewSource() == view)
          llvm::append_range(views, user->getResults());
    }
  }
  return false;
}

bool argumentMayBeOnDevice(BlockArgument arg, const Launchers &launchers,
                           SymbolTable &symbols);

/// Whether a host access of `memref` may race with a kernel: it is a view
/// of an argument, of a call's result, or of a buffer a kernel may read or
/// write. A buffer the host alone uses (the deallocation's lists, anything
/// on the stack) needs no wait.
bool mayBeOnDevice(Value memref, const Launchers &launchers,
                   SymbolTable &symbols) {
  memref = xfmr::cuda::rootBuffer(memref);
  Operation *def = memref.getDefiningOp();
  if (!def)
    return argumentMayBeOnDevice(cast<BlockArgument>(memref), launchers,
                                 symbols);
  if (isa<memref::AllocaOp>(def))
    return false;
  if (isa<memref::AllocOp>(def))
    return reachesKernels(memref, launchers, symbols);
  return true;
}

/// An argument of an entry point or of a function that launches kernels may
/// be device memory; one of a private host function (the deallocation's
/// helper) is where every call passes host memory.
bool argumentMayBeOnDevice(BlockArgument arg, const Launchers &launchers,
                           SymbolTable &symbols) {
  auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
  if (!func || !func.isPrivate() || launchers.contains(func) ||
      arg.getOwner() != &func.getBody().front())
    return true;
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(func, symbols.getOp());
  if (!uses)
    return true;
  for (const SymbolTable::SymbolUse &use : *uses) {
    auto call = dyn_cast<func::CallOp>(use.getUser());
    if (!call || call->getParentOfType<func::FuncOp>() == func ||
        mayBeOnDevice(call.getOperand(arg.getArgNumber()), launchers, symbols))
      return true;
  }
  return false;
}

/// Whether `op` is a host access the kernels may race with.
bool touchesSharedMemory(Operation *op, const Launchers &launchers,
                         SymbolTable &symbols) {
  auto shared = [&](Value memref) {
    return mayBeOnDevice(memref, launchers, symbols);
  };
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return shared(load.getMemRef());
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return shared(store.getMemRef());
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return shared(copy.getSource()) || shared(copy.getTarget());
  return false;
}

bool containsLaunch(Operation *op) {
  return op->walk([](gpu::LaunchFuncOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// The module's functions that launch kernels, directly or through calls.
Launchers findLaunchers(ModuleOp module, SymbolTable &symbols) {
  Launchers launchers;
  bool changed = true;
  while (changed) {
    changed = false;
    module.walk([&](func::FuncOp func) {
      if (launchers.contains(func))
        return;
      bool launches = func.walk([&](Operation *op) {
                            if (isa<gpu::LaunchFuncOp>(op))
                              return WalkResult::interrupt();
                            auto call = dyn_cast<func::CallOp>(op);
                            if (!call)
                              return WalkResult::advance();
                            Operation *callee =
                                symbols.lookup(call.getCallee());
                            return callee && launchers.contains(callee)
                                       ? WalkResult::interrupt()
                                       : WalkResult::advance();
                          })
                          .wasInterrupted();
      if (launches) {
        launchers.insert(func);
        changed = true;
      }
    });
  }
  return launchers;
}

struct XfmrGpuAsyncLaunchesPass
    : xfmr::cuda::impl::XfmrGpuAsyncLaunchesBase<XfmrGpuAsyncLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    Launchers launchers = findLaunchers(module, symbols);
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        runOnFunction(func, launchers, symbols);
  }

  void runOnFunction(func::FuncOp func, const Launchers &launchers,
                     SymbolTable &symbols) {
    IRRewriter rewriter(&getContext());
    Type token = gpu::AsyncTokenType::get(&getContext());

    // The small lists the deallocation builds and reads on the host, taken
    // from the work memory, could share a block with a kernel still running:
    // they go on the host's stack instead (at the function's top level, so
    // once per call).
    SmallVector<memref::AllocOp> hostLists;
    for (auto alloc : func.getBody().front().getOps<memref::AllocOp>())
      if (alloc.getType().hasStaticShape() &&
          alloc.getType().getNumElements() <= kHostListElements &&
          !reachesKernels(alloc, launchers, symbols))
        hostLists.push_back(alloc);
    for (memref::AllocOp alloc : hostLists) {
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          rewriter.eraseOp(user);
      rewriter.setInsertionPoint(alloc);
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(alloc, alloc.getType(),
                                                    alloc.getAlignmentAttr());
    }

    // Where the host must wait: the outermost ancestor (below the function)
    // of each access that holds no launch.
    SetVector<Operation *> waitBefore;
    func.walk([&](Operation *op) {
      if (!touchesSharedMemory(op, launchers, symbols))
        return;
      Operation *at = op;
      while (at->getParentOp() != func && !containsLaunch(at->getParentOp()))
        at = at->getParentOp();
      waitBefore.insert(at);
    });
    for (Operation *at : waitBefore) {
      rewriter.setInsertionPoint(at);
      Value stream =
          gpu::WaitOp::create(rewriter, at->getLoc(), token, ValueRange{})
              .getAsyncToken();
      gpu::WaitOp::create(rewriter, at->getLoc(), Type(), ValueRange{stream});
      ++numWaits;
    }

    SmallVector<gpu::LaunchFuncOp> launches;
    func.walk([&](gpu::LaunchFuncOp launch) {
      if (!launch.getAsyncToken() && launch.getAsyncDependencies().empty())
        launches.push_back(launch);
    });
    for (gpu::LaunchFuncOp launch : launches) {
      rewriter.setInsertionPoint(launch);
      Location loc = launch.getLoc();
      Value stream = gpu::WaitOp::create(rewriter, loc, token, ValueRange{})
                         .getAsyncToken();
      std::optional<gpu::KernelDim3> cluster;
      if (launch.hasClusterSize())
        cluster = launch.getClusterSizeOperandValues();
      gpu::LaunchFuncOp::create(
          rewriter, loc, launch.getKernel(), launch.getGridSizeOperandValues(),
          launch.getBlockSizeOperandValues(),
          launch.getDynamicSharedMemorySize(), launch.getKernelOperands(),
          token, ValueRange{stream}, cluster);
      rewriter.eraseOp(launch);
      ++numAsync;
    }
  }
};
} // namespace
