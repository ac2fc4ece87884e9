//===- Pipelines.cpp - the xfmr pass pipelines ----------------------------===//
#include "compiler/pipelines/Pipelines.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/codegen/cuda/Passes.h"
#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrDialect.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUCommon/GPUToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace xfmr {

void buildXfmrOptimizationPipeline(OpPassManager &pm,
                                   const XfmrPipelineOptions &options) {
  // Per function: MLIR runs them on the functions in parallel.
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createXfmrDecompose());
  funcPm.addPass(createXfmrStripDropout());
  if (options.fuse) {
    funcPm.addPass(createXfmrFuseMaskedSoftmax());
    funcPm.addPass(createXfmrFuseAttention());
    funcPm.addPass(createXfmrFuseResidualLayerNorm());
  }
  funcPm.addPass(createCanonicalizerPass());
  // Token-wise work on the real tokens of a padded batch; on the fused ops,
  // so that what mixes tokens is attention alone.
  pm.addPass(createXfmrSkipPadding());
  // Part of the ABI (the manifest lists each weight's layout), so decided
  // before the ABI is read.
  pm.addPass(createXfmrPackWeights());
}

void buildXfmrToLinalgPipeline(OpPassManager &pm, Target target) {
  pm.addPass(createXfmrBindWeights());
  if (target == Target::cpu) {
    // Attention's key loops, the layer norms and the softmaxes as vector
    // kernels (compiler/codegen/cpu); the conversion lowers the rest.
    pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuAttention());
    pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuLayerNorm());
    pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuSoftmax());
  } else {
    // Fused attention and the layer norms as one kernel each
    // (compiler/codegen/cuda).
    pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuAttention());
    pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuNorms());
  }
  // The CUDA contractions add C's initial value once to the finished sum:
  // a linear's bias can be that value, exactly, without a fill or a pass
  // of its own.
  ConvertXfmrToLinalgOptions lowering;
  lowering.biasAsInit = target == Target::cuda;
  pm.addPass(createConvertXfmrToLinalg(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createXfmrEntryDestinations());
}

/// linalg on tensors → buffers, for every target.
static void addBufferization(OpPassManager &pm) {
  // Fusing elementwise chains (a bias epilogue into its activation) saves
  // whole passes over the activations.
  pm.addNestedPass<func::FuncOp>(createXfmrLinalgFuseElementwise());
  // An entry point's result is computed in the caller's buffer
  // (xfmr-entry-destinations), not in a temporary copied there.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A layer updates the K/V cache it is given in place: its callers use
  // their own buffer, rather than the same one returned.
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
}

/// The host code's memrefs, loops and arithmetic → the LLVM dialect, for
/// every target; `openmp` for the CPU's parallel regions.
static void addHostLowering(OpPassManager &pm, bool runtimeAllocator,
                            bool openmp) {
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrExpandShapeToCast());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  // Temporaries come from the call context's work memory (docs/abi.md).
  memrefToLLVM.useGenericFunctions = runtimeAllocator;
  // Before the structured control flow goes: inside OpenMP regions the
  // memrefs are converted while the regions are still whole.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createSCFToControlFlowPass());
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertVectorToLLVMPass());
  // Intrinsics first (sqrt, and exp where xfmr-approximate-math left one);
  // what has no intrinsic becomes a libm call.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
}

void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const LinalgToLLVMOptions &options) {
  addBufferization(pm);
  // Attention's per-tile state lives on the stack of the thread that runs
  // the tile (compiler/codegen/cpu).
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrParallelTilesOnStack());
  bufferization::buildBufferDeallocationPipeline(pm);
  // The linear layers become vector kernels (compiler/codegen/cpu); what
  // they leave is lowered to loops.
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuContractions());
  // exp, erf and tanh as arithmetic: vector epilogues stay vectors, and
  // LLVM vectorizes the loops that call them.
  pm.addNestedPass<func::FuncOp>(createXfmrApproximateMath());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createXfmrPlanWorkMemory());

  pm.addNestedPass<func::FuncOp>(cpu::createXfmrStridedCopiesAsLoops());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createCanonicalizerPass());

  // The kernels' parallel tiles run on OpenMP threads (libomp); the
  // runtime sets how many per call context.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  addHostLowering(pm, options.runtimeAllocator, /*openmp=*/true);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void buildXfmrCpuPipeline(OpPassManager &pm,
                          const XfmrPipelineOptions &options) {
  buildXfmrOptimizationPipeline(pm, options);
  buildXfmrToLinalgPipeline(pm);
  LinalgToLLVMOptions lowering;
  lowering.runtimeAllocator = options.runtimeAllocator;
  buildLinalgToLLVMPipeline(pm, lowering);
}

void buildLinalgToGpuPipeline(OpPassManager &pm,
                              const LinalgToGpuOptions &options) {
  addBufferization(pm);
  bufferization::buildBufferDeallocationPipeline(pm);
  // exp, erf and tanh as the same arithmetic as on the CPU: no libdevice,
  // and the two targets' results stay close.
  pm.addNestedPass<func::FuncOp>(createXfmrApproximateMath());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createXfmrPlanWorkMemory());

  // The contractions as kernels of their own (compiler/codegen/cuda).
  cuda::XfmrGpuContractionsOptions contractions;
  contractions.tf32 = options.tf32;
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuContractions(contractions));
  // Row reductions with their rows read coalesced.
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuRowReductions());
  // Every other linalg op (copies too) as parallel loops, innermost
  // dimension first; tiles of 32 × 4 iterations of the two inner dimensions
  // become the threads of a block (32 consecutive elements per warp), the
  // tiles the grid (x the rows), and inner parallel loops run in each
  // thread. Nothing may reorder a tile's loop between the tiling and the
  // mapping.
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuCopiesAsKernels());
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuInnermostFirst());
  pm.addNestedPass<func::FuncOp>(
      createParallelLoopTilingPass({32, 4}, /*noMinMaxBounds=*/true));
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuRowsOnGridX());
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addNestedPass<func::FuncOp>(cuda::createXfmrGpuCheckHostCode());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<gpu::GPUModuleOp>(cuda::createXfmrGpuAlignSharedMemory());
  pm.addNestedPass<gpu::GPUModuleOp>(cuda::createXfmrGpuMinBlocksPerSM());
  // The kernels run one after the other on the call's stream; the host
  // waits for them only where it reads memory they may write.
  pm.addPass(cuda::createXfmrGpuAsyncLaunches());
}

static std::string libdeviceOf(StringRef toolkit) {
  SmallString<256> path(toolkit);
  llvm::sys::path::append(path, "nvvm", "libdevice", "libdevice.10.bc");
  return std::string(path);
}

std::string findCudaToolkit() {
  SmallVector<std::string> candidates;
  for (const char *name : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (std::optional<std::string> value = llvm::sys::Process::GetEnv(name))
      candidates.push_back(*value);
  if (llvm::ErrorOr<std::string> ptxas = llvm::sys::findProgramByName("ptxas"))
    candidates.push_back(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
            .str());
  candidates.push_back("/usr/local/cuda");
  for (const std::string &candidate : candidates)
    if (!candidate.empty() && llvm::sys::fs::exists(libdeviceOf(candidate)))
      return candidate;
  return "";
}

void buildGpuToLLVMPipeline(OpPassManager &pm,
                            const GpuToLLVMOptions &options) {
  // Emulated kernels (the CUDA emulator's) need no toolkit.
  bool emulated = options.binaryFormat == "emulated";
  std::string toolkit = emulated ? std::string()
                        : options.cudaToolkit.empty()
                            ? findCudaToolkit()
                            : options.cudaToolkit.getValue();
  // The kernels: NVVM for the chosen architecture. PTX 8.0 (CUDA 12) is
  // what sm_90 needs; the drivers that run sm_80 code read it too.
  // libdevice holds what NVPTX has no instruction for (f64 sin, cos, exp).
  GpuNVVMAttachTargetOptions target;
  target.chip = options.cudaArch;
  target.features = "+ptx80";
  target.optLevel = 3;
  if (!toolkit.empty())
    target.linkLibs.push_back(libdeviceOf(toolkit));
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // The TF32 kernels' mma.sync.
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // The host: the CPU's lowering without threads, then the launches.
  addHostLowering(pm, /*runtimeAllocator=*/true, /*openmp=*/false);
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (emulated) {
    pm.addPass(cuda::createXfmrGpuEmulatedBinary());
  } else {
    GpuModuleToBinaryPassOptions binary;
    binary.toolkitPath = toolkit;
    binary.compilationTarget = options.binaryFormat;
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
  pm.addPass(createCanonicalizerPass());
}

void buildXfmrCudaPipeline(OpPassManager &pm,
                           const XfmrCudaPipelineOptions &options) {
  XfmrPipelineOptions optimize;
  optimize.fuse = options.fuse;
  buildXfmrOptimizationPipeline(pm, optimize);
  buildXfmrToLinalgPipeline(pm, Target::cuda);
  LinalgToGpuOptions kernels;
  kernels.tf32 = options.tf32;
  buildLinalgToGpuPipeline(pm, kernels);
  GpuToLLVMOptions lowering;
  lowering.cudaArch = options.cudaArch;
  lowering.binaryFormat = options.binaryFormat;
  lowering.cudaToolkit = options.cudaToolkit;
  buildGpuToLLVMPipeline(pm, lowering);
}

void registerXfmrPassesAndPipelines() {
  registerXfmrTransformsPasses();
  registerXfmrConversionPasses();
  cpu::registerXfmrCpuPasses();
  cuda::registerXfmrCudaPasses();
  PassPipelineRegistration<XfmrPipelineOptions>(
      "xfmr-optimize-pipeline",
      "xfmr → xfmr: blocks into primitives, dropout for inference, fusions",
      buildXfmrOptimizationPipeline);
  PassPipelineRegistration<>(
      "xfmr-to-linalg-pipeline", "xfmr primitives → linalg on tensors",
      [](OpPassManager &pm) { buildXfmrToLinalgPipeline(pm, Target::cpu); });
  PassPipelineRegistration<LinalgToLLVMOptions>(
      "xfmr-linalg-to-llvm-pipeline", "linalg on tensors → the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<XfmrPipelineOptions>(
      "xfmr-cpu-pipeline",
      "an imported model to the LLVM dialect for the host CPU (what xfmrc "
      "runs)",
      buildXfmrCpuPipeline);
  PassPipelineRegistration<>(
      "xfmr-to-linalg-cuda-pipeline",
      "xfmr primitives → linalg on tensors, for the CUDA target",
      [](OpPassManager &pm) { buildXfmrToLinalgPipeline(pm, Target::cuda); });
  PassPipelineRegistration<LinalgToGpuOptions>(
      "xfmr-linalg-to-gpu-pipeline",
      "linalg on tensors → kernels in a gpu.module and their launches",
      buildLinalgToGpuPipeline);
  PassPipelineRegistration<GpuToLLVMOptions>(
      "xfmr-gpu-to-llvm-pipeline",
      "kernels → NVVM → gpu.binary; host → the LLVM dialect",
      buildGpuToLLVMPipeline);
  PassPipelineRegistration<XfmrCudaPipelineOptions>(
      "xfmr-cuda-pipeline",
      "an imported model to the LLVM dialect and a gpu.binary for an NVIDIA "
      "GPU (what xfmrc --target=cuda runs)",
      buildXfmrCudaPipeline);
}

void registerXfmrDialects(DialectRegistry &registry) {
  registry.insert<XfmrDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, gpu::GPUDialect, linalg::LinalgDialect,
                  LLVM::LLVMDialect, math::MathDialect, memref::MemRefDialect,
                  NVVM::NVVMDialect, nvgpu::NVGPUDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect>();
  // The GPU lowering converts what each loaded dialect says it lowers to
  // (the kernels' arith, control flow, math, memref, vector and index ops; the
  // host's launches), and gpu-module-to-binary serializes NVVM through the
  // target's interface.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  gpu::registerConvertGpuToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  NVVM::registerConvertGpuToNVVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  // xfmr-entry-destinations inlines the call that produces an entry's
  // result.
  func::registerInlinerExtension(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
}

} // namespace xfmr
