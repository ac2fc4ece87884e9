//===- XfmrDialect.cpp - the xfmr dialect ---------------------------------===//
#include "dialect/XfmrDialect.h"
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
