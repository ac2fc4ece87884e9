//===- Buffers.h - where a buffer of the CUDA host code comes from -*- C++
//-*-===//
//
// Internal to compiler/codegen/cuda.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CODEGEN_CUDA_BUFFERS_H
#define XFMR_COMPILER_CODEGEN_CUDA_BUFFERS_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace xfmr::cuda {

/// The buffer `memref` is a view of (through any chain of views), itself if
/// it is none.
inline mlir::Value rootBuffer(mlir::Value memref) {
  while (mlir::Operation *def = memref.getDefiningOp()) {
    auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(def);
    if (!view)
      break;
    memref = view.getViewSource();
  }
  return memref;
}

} // namespace xfmr::cuda

#endif // XFMR_COMPILER_CODEGEN_CUDA_BUFFERS_H
