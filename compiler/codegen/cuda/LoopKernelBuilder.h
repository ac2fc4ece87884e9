//===- LoopKernelBuilder.h - kernels built from a linalg op's loops -*- C++
//-*-===//
//
// What the CUDA kernels built from a linalg op share: the op's loop values at
// the element being read or written, its operands' indices there, guarded
// loads and the index arithmetic. Internal to compiler/codegen/cuda.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CODEGEN_CUDA_LOOPKERNELBUILDER_H
#define XFMR_COMPILER_CODEGEN_CUDA_LOOPKERNELBUILDER_H

#include "compiler/codegen/cuda/TensorKernels.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace xfmr::cuda {

class LoopKernelBuilder {
protected:
  LoopKernelBuilder(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::linalg::LinalgOp op)
      : b(b), loc(loc), op(op), point(op.getNumLoops()) {}

  mlir::Value index(int64_t value) {
    return mlir::arith::ConstantIndexOp::create(b, loc, value);
  }
  mlir::Value add(mlir::Value x, mlir::Value y) {
    return mlir::arith::AddIOp::create(b, loc, x, y);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulIOp::create(b, loc, x, y);
  }
  mlir::Value div(mlir::Value x, int64_t by) {
    return mlir::arith::DivUIOp::create(b, loc, x, index(by));
  }
  mlir::Value rem(mlir::Value x, int64_t by) {
    return mlir::arith::RemUIOp::create(b, loc, x, index(by));
  }
  mlir::Value lessThan(mlir::Value x, mlir::Value y) {
    return mlir::arith::CmpIOp::create(b, loc, mlir::arith::CmpIPredicate::ult,
                                       x, y);
  }
  mlir::Value both(mlir::Value x, mlir::Value y) {
    return mlir::arith::AndIOp::create(b, loc, x, y);
  }

  /// Sets the loops `group` in `point` from their index flattened row-major
  /// over `sizes` (one per loop of the op).
  void decompose(llvm::ArrayRef<unsigned> group, mlir::Value flat,
                 llvm::ArrayRef<mlir::Value> sizes) {
    for (unsigned d : llvm::reverse(group.drop_front())) {
      point[d] = mlir::arith::RemUIOp::create(b, loc, flat, sizes[d]);
      flat = mlir::arith::DivUIOp::create(b, loc, flat, sizes[d]);
    }
    point[group.front()] = flat;
  }

  /// The indices of `operand` at the loop point: a loop's value, or an
  /// expression of loops (whose values the caller has set).
  llvm::SmallVector<mlir::Value> indicesOf(mlir::OpOperand &operand) {
    mlir::AffineMap map = op.getMatchingIndexingMap(&operand);
    llvm::SmallVector<mlir::Value> indices;
    for (mlir::AffineExpr result : map.getResults()) {
      if (auto dim = llvm::dyn_cast<mlir::AffineDimExpr>(result)) {
        indices.push_back(point[dim.getPosition()]);
        continue;
      }
      llvm::SmallVector<mlir::Value> operands;
      for (unsigned d = 0; d < map.getNumDims(); ++d)
        operands.push_back(result.isFunctionOfDim(d) ? point[d] : index(0));
      indices.push_back(mlir::affine::AffineApplyOp::create(
          b, loc, mlir::AffineMap::get(map.getNumDims(), 0, result), operands));
    }
    return indices;
  }

  /// `operand` at the loop point where `inBounds`, else zero.
  mlir::Value loadOrZero(mlir::OpOperand &operand, mlir::Value inBounds) {
    return xfmr::cuda::loadOrZero(b, loc, operand.get(), indicesOf(operand),
                                  inBounds);
  }

  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::linalg::LinalgOp op;
  /// The loops' values at the element being read or written.
  llvm::SmallVector<mlir::Value> point;
};

} // namespace xfmr::cuda

#endif // XFMR_COMPILER_CODEGEN_CUDA_LOOPKERNELBUILDER_H
