//===- IrFuzzer.cpp - libFuzzer target for xfmr IR and the CPU pipeline ---===//
//
// Parses arbitrary bytes as MLIR with the dialects the xfmr pipelines use,
// verifies the result and runs the CPU pipeline (what xfmrc runs up to the
// LLVM dialect; no machine code) on it. A failed parse, verification or pass
// is fine as long as it says why; a crash, an assertion or a sanitizer report
// is a bug. Diagnostics are captured, not printed. The dialect, the passes
// and the pipelines are compiled into the fuzzer (instrumented); libMLIR.so
// is not.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;

namespace {

[[noreturn]] void fail(const char *what) {
  fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

const DialectRegistry &registry() {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry;
    xfmr::registerXfmrDialects(*r);
    return r;
  }();
  return *registry;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: nothing uniqued by one input reaches the next,
  // and memory stays bounded. One thread, so that a report is reproducible.
  MLIRContext context(registry(), MLIRContext::Threading::DISABLED);
  bool sawError = false;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      sawError = true;
    return success();
  });

  // A null-terminated copy, as a file read from disk would be.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module) {
    if (!sawError)
      fail("parse failed without an error");
    return 0;
  }
  if (failed(verify(*module))) {
    if (!sawError)
      fail("verification failed without an error");
    return 0;
  }

  PassManager pm(&context);
  xfmr::XfmrPipelineOptions options;
  xfmr::buildXfmrCpuPipeline(pm, options);
  if (failed(pm.run(*module))) {
    // xfmrc would fail with nothing to show the user.
    if (!sawError)
      fail("the pipeline failed without an error");
    return 0;
  }
  // The pass manager verifies after every pass; check the end result once
  // more, as xfmrc's translation to LLVM IR relies on it.
  if (failed(verify(*module)))
    fail("the pipeline left IR that does not verify");
  return 0;
}
