//===- xfmrc.cpp - the xfmr compiler driver -------------------------------===//
//
// model (JSON spec or Hugging Face folder) → ModelSpec → xfmr IR → the
// registered pipelines → LLVM IR → object code → OUT.so + OUT.h.
// `--emit` stops after any stage and writes its text.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/import/Importer.h"
#include "compiler/import/ModelSpec.h"
#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class Stage { Xfmr, Fused, Linalg, LLVMDialect, LLVMIR, Asm, Obj, So };

cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model>"),
                               cl::Required);
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::init(""));
cl::opt<std::string> target("target", cl::desc("Target: cpu or cuda"),
                            cl::init("cpu"));
cl::opt<std::string> cudaArch("cuda-arch",
                              cl::desc("CUDA architecture (e.g. sm_90)"),
                              cl::init(""));
cl::opt<std::string> mcpu(
    "mcpu",
    cl::desc("CPU to generate code for: host (default) or an LLVM CPU name "
             "such as x86-64-v3"),
    cl::init("host"));
cl::opt<Stage> emit(
    "emit", cl::desc("Stop after this stage and write its output"),
    cl::init(Stage::So),
    cl::values(clEnumValN(Stage::Xfmr, "xfmr", "imported xfmr IR"),
               clEnumValN(Stage::Fused, "fused", "xfmr IR after the xfmr passes"),
               clEnumValN(Stage::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Stage::LLVMDialect, "llvm", "the LLVM dialect"),
               clEnumValN(Stage::LLVMIR, "llvm-ir", "optimized LLVM IR"),
               clEnumValN(Stage::Asm, "asm", "host assembly"),
               clEnumValN(Stage::Obj, "obj", "host object file"),
               clEnumValN(Stage::So, "so", "shared library + C header")));
cl::opt<bool> printIRAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every pass"),
                              cl::init(false));
cl::opt<std::string> dumpIRDir(
    "dump-ir", cl::desc("Write the IR after every pass into this folder"),
    cl::value_desc("dir"), cl::init(""));

int fail(const Twine &message) {
  WithColor::error(errs(), "xfmrc") << message << "\n";
  return 1;
}

int fail(Error error) {
  std::string message = toString(std::move(error));
  return fail(message);
}

/// Writes `text` to the -o file, or stdout without one.
Error writeText(StringRef text) {
  std::string path = outputPath.empty() ? "-" : outputPath.getValue();
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_Text);
  if (ec)
    return createStringError(ec, "cannot write " + path + ": " + ec.message());
  out.os() << text;
  out.keep();
  return Error::success();
}

Error writeModule(mlir::ModuleOp module) {
  std::string text;
  raw_string_ostream os(text);
  module.print(os);
  return writeText(text);
}

/// The runtime archive next to the driver: <prefix>/bin/xfmrc →
/// <prefix>/lib/libxfmr_runtime.a.
std::string runtimeArchive(const char *argv0) {
  static int anchor;
  SmallString<256> path(sys::fs::getMainExecutable(argv0, &anchor));
  sys::path::remove_filename(path);
  sys::path::append(path, "..", "lib", "libxfmr_runtime.a");
  return std::string(path);
}

/// Runs `build` over `module`, honouring --print-ir-after-all.
Error runPipeline(mlir::ModuleOp module,
                  function_ref<void(mlir::OpPassManager &)> build,
                  StringRef stage) {
  mlir::PassManager pm(module->getContext());
  if (printIRAfterAll) {
    module->getContext()->disableMultithreading();
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](mlir::Pass *, mlir::Operation *) {
          return false;
        },
        /*shouldPrintAfterPass=*/
        [](mlir::Pass *, mlir::Operation *) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  build(pm);
  if (failed(pm.run(module)))
    return createStringError(inconvertibleErrorCode(),
                             "the " + stage + " pipeline failed");
  return Error::success();
}

int compile(const char *argv0) {
  if (target != "cpu") {
    if (target == "cuda")
      return fail("--target=cuda is not supported yet");
    return fail("unknown --target '" + target + "' (expected cpu or cuda)");
  }
  if (!cudaArch.empty())
    return fail("--cuda-arch needs --target=cuda, which is not supported yet");
  if (!dumpIRDir.empty())
    return fail("--dump-ir is not supported yet");
  if ((emit == Stage::Obj || emit == Stage::So) && outputPath.empty())
    return fail("-o is required for --emit=obj and --emit=so");

  Expected<xfmr::ModelSpec> spec = xfmr::loadModel(modelPath);
  if (!spec)
    return fail(spec.takeError());

  mlir::DialectRegistry registry;
  xfmr::registerXfmrDialects(registry);
  xfmr::registerLLVMTranslations(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  mlir::OwningOpRef<mlir::ModuleOp> module = xfmr::importModel(*spec, context);
  if (failed(mlir::verify(*module)))
    return fail("internal error: the imported module does not verify");
  std::vector<xfmr::ManifestWeight> weights = xfmr::collectWeights(*module);
  if (emit == Stage::Xfmr)
  {
    if (Error err = writeModule(*module))
      return fail(std::move(err));
    return 0;
  }

  struct Step {
    Stage stage;
    StringRef name;
    void (*build)(mlir::OpPassManager &);
  };
  const Step steps[] = {
      {Stage::Fused, "xfmr optimization", xfmr::buildXfmrOptimizationPipeline},
      {Stage::Linalg, "xfmr to linalg", xfmr::buildXfmrToLinalgPipeline},
      {Stage::LLVMDialect, "linalg to LLVM", xfmr::buildLinalgToLLVMPipeline}};
  for (const Step &step : steps) {
    if (Error err = runPipeline(*module, step.build, step.name))
      return fail(std::move(err));
    if (emit == step.stage) {
      if (Error err = writeModule(*module))
        return fail(std::move(err));
      return 0;
    }
  }

  Expected<std::unique_ptr<TargetMachine>> machine =
      xfmr::createHostTargetMachine(mcpu);
  if (!machine)
    return fail(machine.takeError());
  LLVMContext llvmContext;
  Expected<std::unique_ptr<Module>> llvmModule = xfmr::translateToLLVMIR(
      *module, llvmContext, **machine, xfmr::kEncodeEntry,
      xfmr::buildManifest(*spec, weights));
  if (!llvmModule)
    return fail(llvmModule.takeError());

  if (emit == Stage::LLVMIR) {
    std::string text;
    raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    if (Error err = writeText(text))
      return fail(std::move(err));
    return 0;
  }
  if (emit == Stage::Asm || emit == Stage::Obj) {
    auto kind = emit == Stage::Asm ? CodeGenFileType::AssemblyFile
                                   : CodeGenFileType::ObjectFile;
    std::string path = outputPath.empty() ? "-" : outputPath.getValue();
    if (Error err = xfmr::emitMachineCode(**llvmModule, **machine, kind, path))
      return fail(std::move(err));
    return 0;
  }

  // --emit=so: object into a temporary file, then link. Nothing is left
  // behind on failure.
  SmallString<128> objectPath;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("xfmr-model", "o", objectPath))
    return fail("cannot create a temporary file: " + ec.message());
  scope_exit removeObject([&] { sys::fs::remove(objectPath); });
  if (Error err = xfmr::emitMachineCode(**llvmModule, **machine,
                                        CodeGenFileType::ObjectFile,
                                        objectPath))
    return fail(std::move(err));
  if (Error err = xfmr::linkSharedLibrary(objectPath, runtimeArchive(argv0),
                                          outputPath)) {
    sys::fs::remove(outputPath);
    return fail(std::move(err));
  }
  SmallString<256> headerPath(outputPath.getValue());
  sys::path::replace_extension(headerPath, "h");
  if (Error err = xfmr::writeModelHeader(*spec, headerPath)) {
    sys::fs::remove(outputPath);
    return fail(std::move(err));
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "xfmr compiler: model → library\n");
  return compile(argv[0]);
}
