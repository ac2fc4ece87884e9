//===- XfmrDialect.cpp - the xfmr dialect ---------------------------------===//
#include "dialect/XfmrDialect.h"
#include "dialect/XfmrABI.h"
#include "dialect/XfmrOps.h"

using namespace mlir;
using namespace xfmr;

#include "dialect/XfmrDialect.cpp.inc"

void XfmrDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialect/XfmrOps.cpp.inc"
      >();
}

LogicalResult XfmrDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() == abi::kModelAttr)
    return abi::verifyModelAttr(op, attr);
  if (attr.getName() == abi::kStaticWorkBytesAttr) {
    auto bytes = dyn_cast<IntegerAttr>(attr.getValue());
    if (!isa<ModuleOp>(op) || !bytes || bytes.getValue().isNegative())
      return op->emitError() << "'" << abi::kStaticWorkBytesAttr
                             << "' is a non-negative integer on a module";
    return success();
  }
  return abi::verifyEntryAttr(op, attr);
}

LogicalResult XfmrDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                    unsigned,
                                                    NamedAttribute attr) {
  return abi::verifyNameAttr(op, attr);
}

LogicalResult XfmrDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                       unsigned,
                                                       NamedAttribute attr) {
  return abi::verifyNameAttr(op, attr);
}
