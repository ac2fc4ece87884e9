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
// The CUDA pipeline shares the first stage and the conversion to linalg,
// then maps the parallel loops to kernels:
//
//   fused          --buildXfmrToLinalgPipeline(cuda)->  linalg
//   linalg         --buildLinalgToGpuPipeline-------->  gpu (host + kernels)
//   gpu            --buildGpuToLLVMPipeline---------->  llvm + gpu.binary
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

/// What the CUDA pipeline and its GPU stages take.
template <typename Options>
struct CudaTargetOptions : public mlir::PassPipelineOptions<Options> {
  mlir::detail::PassOptions::Option<std::string> cudaArch{
      *this, "cuda-arch",
      llvm::cl::desc("The GPU architecture the kernels are for (sm_80, "
                     "sm_90, ...)"),
      llvm::cl::init("sm_80")};
  mlir::detail::PassOptions::Option<std::string> cudaToolkit{
      *this, "cuda-toolkit",
      llvm::cl::desc("The CUDA toolkit whose libdevice the kernels link "
                     "(their f64 sin, cos and exp) and whose ptxas and "
                     "fatbinary build the fatbin (default: findCudaToolkit)"),
      llvm::cl::init("")};
  mlir::detail::PassOptions::Option<std::string> binaryFormat{
      *this, "binary-format",
      llvm::cl::desc("What the library embeds: fatbin (the cubin and the "
                     "PTX, with the CUDA toolkit's ptxas and fatbinary), "
                     "isa (the PTX alone, no toolkit needed) or emulated "
                     "(the kernels for the host, run by the CUDA emulator: "
                     "xfmr-gpu-emulated-binary)"),
      llvm::cl::init("fatbin")};
};

/// The GPU kernels' arithmetic: exact f32 unless asked.
template <typename Options>
struct Tf32Option : public mlir::PassPipelineOptions<Options> {
  mlir::detail::PassOptions::Option<bool> tf32{
      *this, "tf32",
      llvm::cl::desc("Contractions on the TF32 tensor cores (not exact f32: "
                     "operands rounded to 10 bits of mantissa)"),
      llvm::cl::init(false)};
};

struct LinalgToGpuOptions : public Tf32Option<LinalgToGpuOptions> {};

struct XfmrCudaPipelineOptions
    : public CudaTargetOptions<XfmrCudaPipelineOptions> {
  Option<bool> tf32{*this, "tf32",
                    llvm::cl::desc("Contractions on the TF32 tensor cores "
                                   "(not exact f32)"),
                    llvm::cl::init(false)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Run the fusion passes (masked softmax, "
                                   "residual layer norm)"),
                    llvm::cl::init(true)};
};

/// The CUDA lowering takes every temporary from the runtime's work memory:
/// the device reaches it, not memory from malloc.
struct GpuToLLVMOptions : public CudaTargetOptions<GpuToLLVMOptions> {};

struct LinalgToLLVMOptions
    : public RuntimeAllocatorOption<LinalgToLLVMOptions> {};

/// xfmr → xfmr: decomposition into primitives, inference semantics of
/// dropout, and the fusions.
void buildXfmrOptimizationPipeline(mlir::OpPassManager &pm,
                                   const XfmrPipelineOptions &options);
/// The targets the pipelines compile for.
enum class Target { cpu, cuda };

/// xfmr primitives → linalg on tensors, weights bound to arguments, entry
/// results as caller-provided destinations; on the CPU, attention, the layer
/// norms and the softmaxes as vector kernels first.
void buildXfmrToLinalgPipeline(mlir::OpPassManager &pm,
                               Target target = Target::cpu);
/// linalg on tensors → bufferized loops → the LLVM dialect.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const LinalgToLLVMOptions &options);
/// All three: an imported model to the LLVM dialect, for the host CPU.
void buildXfmrCpuPipeline(mlir::OpPassManager &pm,
                          const XfmrPipelineOptions &options);

/// linalg on tensors → bufferized parallel loops → kernels outlined into a
/// gpu.module, launched from host functions that keep the ABI.
void buildLinalgToGpuPipeline(mlir::OpPassManager &pm,
                              const LinalgToGpuOptions &options);
/// Kernels → NVVM → a gpu.binary for `cudaArch`; host code → the LLVM
/// dialect, launching them through the runtime's mgpu* functions.
void buildGpuToLLVMPipeline(mlir::OpPassManager &pm,
                            const GpuToLLVMOptions &options);
/// An imported model to the LLVM dialect and an embedded gpu.binary, for an
/// NVIDIA GPU.
void buildXfmrCudaPipeline(mlir::OpPassManager &pm,
                           const XfmrCudaPipelineOptions &options);

/// Registers the pipelines above with the pass registry
/// (--xfmr-cpu-pipeline, --xfmr-optimize-pipeline, --xfmr-to-linalg-pipeline,
/// --xfmr-linalg-to-llvm-pipeline, --xfmr-cuda-pipeline,
/// --xfmr-to-linalg-cuda-pipeline, --xfmr-linalg-to-gpu-pipeline,
/// --xfmr-gpu-to-llvm-pipeline) and every xfmr pass.
void registerXfmrPassesAndPipelines();

/// The CUDA toolkit: $CUDA_HOME, $CUDA_PATH or $CUDA_ROOT, else the folder
/// above the bin/ that holds ptxas on the PATH, else /usr/local/cuda; the
/// first that has nvvm/libdevice/libdevice.10.bc, or "" for none.
std::string findCudaToolkit();

/// The dialects and interface models the pipelines need: what a tool that
/// parses xfmr IR or runs these pipelines must register, and no more.
void registerXfmrDialects(mlir::DialectRegistry &registry);

} // namespace xfmr

#endif // XFMR_COMPILER_PIPELINES_PIPELINES_H
