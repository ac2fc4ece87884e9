//===- Pipelines.h - the xfmr pass pipelines --------------------*- C++ -*-===//
//
// The pipelines xfmrc runs, registered by name so xfmr-opt (and lit tests)
// run exactly what users get. The CPU pipeline is the composition of three
// stages, each of which ends at a level `xfmrc --emit` can stop at:
//
//   xfmr (import)  --buildXfmrOptimizationPipeline-->  fused
//   fused          --buildXfmrToLinalgPipeline------>  linalg
//   linalg         --buildLinalgToLLVMPipeline------>  llvm
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_PIPELINES_PIPELINES_H
#define XFMR_COMPILER_PIPELINES_PIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace xfmr {

/// The `runtime-allocator` option both the CPU pipeline and its last stage
/// take.
template <typename Options>
struct RuntimeAllocatorOption : public mlir::PassPipelineOptions<Options> {
  mlir::detail::PassOptions::Option<bool> runtimeAllocator{
      *this, "runtime-allocator",
      llvm::cl::desc("Take temporaries from the runtime's work memory "
                     "(_mlir_memref_to_llvm_alloc, docs/abi.md); false: "
                     "malloc and free, to run lowered code without the "
                     "runtime (mlir-runner)"),
      llvm::cl::init(true)};
};

struct XfmrPipelineOptions
    : public RuntimeAllocatorOption<XfmrPipelineOptions> {
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Run the fusion passes (masked softmax, "
                                   "residual layer norm)"),
                    llvm::cl::init(true)};
};

struct LinalgToLLVMOptions
    : public RuntimeAllocatorOption<LinalgToLLVMOptions> {};

/// xfmr → xfmr: decomposition into primitives, inference semantics of
/// dropout, and the fusions.
void buildXfmrOptimizationPipeline(mlir::OpPassManager &pm,
                                   const XfmrPipelineOptions &options);
/// xfmr primitives → linalg on tensors, weights bound to arguments, entry
/// results as caller-provided destinations.
void buildXfmrToLinalgPipeline(mlir::OpPassManager &pm);
/// linalg on tensors → bufferized loops → the LLVM dialect.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const LinalgToLLVMOptions &options);
/// All three: an imported model to the LLVM dialect, for the host CPU.
void buildXfmrCpuPipeline(mlir::OpPassManager &pm,
                          const XfmrPipelineOptions &options);

/// Registers the pipelines above with the pass registry
/// (--xfmr-cpu-pipeline, --xfmr-optimize-pipeline, --xfmr-to-linalg-pipeline,
/// --xfmr-linalg-to-llvm-pipeline) and every xfmr pass.
void registerXfmrPassesAndPipelines();

/// The dialects and interface models the pipelines need: what a tool that
/// parses xfmr IR or runs these pipelines must register, and no more.
void registerXfmrDialects(mlir::DialectRegistry &registry);

} // namespace xfmr

#endif // XFMR_COMPILER_PIPELINES_PIPELINES_H
