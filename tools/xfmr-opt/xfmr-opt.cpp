//===- xfmr-opt.cpp - mlir-opt for the xfmr dialect -----------------------===//
//
// Registers only what the xfmr pipelines use (not every upstream dialect),
// which keeps the link and the start-up fast.
//
//===----------------------------------------------------------------------===//
#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  xfmr::registerXfmrDialects(registry);
  xfmr::registerXfmrPassesAndPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "xfmr optimizer driver\n", registry));
}
