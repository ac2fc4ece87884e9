//===- XfmrOps.h - xfmr operations ------------------------------*- C++ -*-===//
#ifndef XFMR_DIALECT_XFMROPS_H
#define XFMR_DIALECT_XFMROPS_H

#include "dialect/XfmrDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/XfmrEnums.h.inc"

#include "llvm/ADT/APFloat.h"

#define GET_ATTRDEF_CLASSES
#include "dialect/XfmrAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/XfmrOps.h.inc"

#endif // XFMR_DIALECT_XFMROPS_H
