//===- TensorKernels.h - kernels built from xfmr ops on tensors -*- C++ -*-===//
//
// What the CUDA kernels share: for those built before bufferization
// (xfmr-gpu-attention, xfmr-gpu-norms) their operands as buffers and their
// results as tensors of buffers the kernel writes; for all, guarded loads,
// the kernel's body and warp reductions. Internal to
// compiler/codegen/cuda.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CODEGEN_CUDA_TENSORKERNELS_H
#define XFMR_COMPILER_CODEGEN_CUDA_TENSORKERNELS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace xfmr::cuda {

/// The lanes of a warp.
constexpr int64_t kWarpLanes = 32;

/// `tensor` as a buffer of any layout, which the kernel only reads.
inline mlir::Value readOnlyBuffer(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value tensor) {
  auto type = llvm::cast<mlir::RankedTensorType>(tensor.getType());
  auto layout = mlir::StridedLayoutAttr::get(
      b.getContext(), mlir::ShapedType::kDynamic,
      llvm::SmallVector<int64_t>(type.getRank(), mlir::ShapedType::kDynamic));
  auto memref =
      mlir::MemRefType::get(type.getShape(), type.getElementType(), layout);
  return mlir::bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                                 /*readOnly=*/true);
}

/// The tensor of `buffer`, which only the kernel before it wrote.
inline mlir::Value resultTensor(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Type type, mlir::Value buffer) {
  return mlir::bufferization::ToTensorOp::create(b, loc, type, buffer,
                                                 /*restrict=*/b.getUnitAttr(),
                                                 /*writable=*/b.getUnitAttr());
}

/// `memref[indices]` where `inBounds`, else zero of its element type.
inline mlir::Value loadOrZero(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value memref, mlir::ValueRange indices,
                              mlir::Value inBounds) {
  mlir::Type type = mlir::getElementTypeOrSelf(memref.getType());
  auto guarded = mlir::scf::IfOp::create(b, loc, type, inBounds,
                                         /*withElseRegion=*/true);
  mlir::OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(guarded.thenBlock());
  mlir::scf::YieldOp::create(
      b, loc,
      mlir::Value(mlir::memref::LoadOp::create(b, loc, memref, indices)));
  b.setInsertionPointToStart(guarded.elseBlock());
  mlir::scf::YieldOp::create(b, loc,
                             mlir::Value(mlir::arith::ConstantOp::create(
                                 b, loc, b.getZeroAttr(type))));
  return guarded.getResult(0);
}

/// Puts `b` at the start of the body of `launch`, before its terminator
/// (added here): where the kernel's code goes. The caller keeps an
/// insertion guard.
inline void enterKernel(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::gpu::LaunchOp launch) {
  mlir::Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  mlir::gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&body);
}

/// The sum of `value` over each group of `lanes` consecutive lanes (a power
/// of two up to 32), in each of them: butterfly shuffles. The whole warp
/// must run it.
inline mlir::Value laneSum(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value value, int64_t lanes) {
  for (int64_t offset = lanes / 2; offset > 0; offset /= 2) {
    mlir::Value other =
        mlir::gpu::ShuffleOp::create(b, loc, value, offset, kWarpLanes,
                                     mlir::gpu::ShuffleMode::XOR)
            .getShuffleResult();
    value = mlir::arith::AddFOp::create(b, loc, value, other);
  }
  return value;
}

} // namespace xfmr::cuda

#endif // XFMR_COMPILER_CODEGEN_CUDA_TENSORKERNELS_H
