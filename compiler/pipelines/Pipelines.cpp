//===- Pipelines.cpp - the xfmr pass pipelines ----------------------------===//
#include "compiler/pipelines/Pipelines.h"
#include "compiler/codegen/cpu/Passes.h"
#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"
#include "dialect/XfmrDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

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

void buildXfmrToLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createXfmrBindWeights());
  // Attention's key loops, the layer norms and the softmaxes as vector
  // kernels (compiler/codegen/cpu); the conversion lowers the rest.
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuAttention());
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuLayerNorm());
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrCpuSoftmax());
  pm.addPass(createConvertXfmrToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createXfmrEntryDestinations());
}

void buildLinalgToLLVMPipeline(OpPassManager &pm,
                               const LinalgToLLVMOptions &options) {
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
  pm.addNestedPass<func::FuncOp>(cpu::createXfmrExpandShapeToCast());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  // Temporaries come from the call context's work memory (docs/abi.md).
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  // Before the structured control flow goes: inside OpenMP regions the
  // memrefs are converted while the regions are still whole.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createSCFToControlFlowPass());
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

void registerXfmrPassesAndPipelines() {
  registerXfmrTransformsPasses();
  registerXfmrConversionPasses();
  cpu::registerXfmrCpuPasses();
  PassPipelineRegistration<XfmrPipelineOptions>(
      "xfmr-optimize-pipeline",
      "xfmr → xfmr: blocks into primitives, dropout for inference, fusions",
      buildXfmrOptimizationPipeline);
  PassPipelineRegistration<>("xfmr-to-linalg-pipeline",
                             "xfmr primitives → linalg on tensors",
                             buildXfmrToLinalgPipeline);
  PassPipelineRegistration<LinalgToLLVMOptions>(
      "xfmr-linalg-to-llvm-pipeline", "linalg on tensors → the LLVM dialect",
      buildLinalgToLLVMPipeline);
  PassPipelineRegistration<XfmrPipelineOptions>(
      "xfmr-cpu-pipeline",
      "an imported model to the LLVM dialect for the host CPU (what xfmrc "
      "runs)",
      buildXfmrCpuPipeline);
}

void registerXfmrDialects(DialectRegistry &registry) {
  registry.insert<XfmrDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect>();
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
