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
#include "compiler/transforms/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
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
    "dump-ir",
    cl::desc("Write the IR after every pass into this folder, one numbered "
             "file per pass (00-input.mlir, 01-xfmr-decompose.mlir, ...)"),
    cl::value_desc("dir"), cl::init(""));
cl::opt<std::string> pooling(
    "pooling",
    cl::desc("Add a pooled sentence-embedding entry point: cls or mean"),
    cl::value_desc("cls|mean"), cl::init(""));
cl::opt<bool> normalize("normalize",
                        cl::desc("Scale the pooled vectors to unit L2 norm"),
                        cl::init(false));
cl::opt<bool> noFusion("no-fusion",
                       cl::desc("Skip the fusion passes (for comparison)"),
                       cl::init(false));
cl::list<std::string> requireFusion(
    "require-fusion",
    cl::desc("Fail unless these fusions fired wherever the model has their "
             "pattern: masked-softmax, residual-layernorm"),
    cl::CommaSeparated, cl::value_desc("name,..."));

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

/// Writes the module after every pass that runs on it into --dump-ir, one
/// numbered file per pass, across all the stages of one compile.
class DumpIRInstrumentation : public mlir::PassInstrumentation {
public:
  explicit DumpIRInstrumentation(StringRef dir) : dir(dir) {}

  /// Writes `module` as the next file, named after `stage`.
  void dump(mlir::ModuleOp module, StringRef stage) {
    SmallString<256> path(dir);
    sys::path::append(path, formatv("{0:2}-{1}.mlir", next++, stage).str());
    std::replace(path.begin() + dir.size(), path.end(), ' ', '0');
    std::error_code ec;
    raw_fd_ostream os(path, ec, sys::fs::OF_Text);
    if (ec) {
      WithColor::warning(errs(), "xfmrc")
          << "cannot write " << path << ": " << ec.message() << "\n";
      return;
    }
    module.print(os);
  }

  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override {
    // Nested passes (on each function) are covered by their adaptor, which
    // runs on the module.
    if (auto module = dyn_cast<mlir::ModuleOp>(op))
      dump(module, passName(pass));
  }

private:
  static std::string passName(mlir::Pass *pass) {
    std::string name(pass->getArgument());
    if (name.empty())
      name = pass->getName().str();
    for (char &c : name)
      if (!isAlnum(c) && c != '-' && c != '.')
        c = '_';
    return name;
  }

  std::string dir;
  unsigned next = 0;
};

/// Runs the passes that `build` adds over `module`, with the IR printing and
/// dumping the command line asked for.
Error runPipeline(mlir::ModuleOp module,
                  function_ref<void(mlir::OpPassManager &)> build,
                  StringRef stage, DumpIRInstrumentation *dumper) {
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
  if (dumper) {
    // The instrumentation outlives this pass manager: wrap it without
    // transferring ownership.
    struct Forward : mlir::PassInstrumentation {
      explicit Forward(DumpIRInstrumentation &target) : target(target) {}
      void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override {
        target.runAfterPass(pass, op);
      }
      DumpIRInstrumentation &target;
    };
    pm.addInstrumentation(std::make_unique<Forward>(*dumper));
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
  if ((emit == Stage::Obj || emit == Stage::So) && outputPath.empty())
    return fail("-o is required for --emit=obj and --emit=so");

  xfmr::Pooling poolingKind = xfmr::Pooling::None;
  if (pooling == "cls")
    poolingKind = xfmr::Pooling::Cls;
  else if (pooling == "mean")
    poolingKind = xfmr::Pooling::Mean;
  else if (!pooling.empty())
    return fail("unknown --pooling '" + pooling + "' (expected cls or mean)");
  if (normalize && poolingKind == xfmr::Pooling::None)
    return fail("--normalize needs --pooling");

  Expected<xfmr::ModelSpec> spec = xfmr::loadModel(modelPath);
  if (!spec)
    return fail(spec.takeError());
  spec->pooling = poolingKind;
  spec->normalizeEmbedding = normalize;

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

  std::unique_ptr<DumpIRInstrumentation> dumper;
  if (!dumpIRDir.empty()) {
    if (std::error_code ec = sys::fs::create_directories(dumpIRDir))
      return fail("cannot create " + dumpIRDir + ": " + ec.message());
    dumper = std::make_unique<DumpIRInstrumentation>(dumpIRDir);
    dumper->dump(*module, "input");
  }

  xfmr::XfmrPipelineOptions options;
  options.fuse = !noFusion;
  auto optimize = [&](mlir::OpPassManager &pm) {
    xfmr::buildXfmrOptimizationPipeline(pm, options);
    if (!requireFusion.empty()) {
      xfmr::XfmrCheckFusionsOptions check;
      check.require.assign(requireFusion.begin(), requireFusion.end());
      pm.addPass(xfmr::createXfmrCheckFusions(check));
    }
  };
  struct Step {
    Stage stage;
    StringRef name;
    function_ref<void(mlir::OpPassManager &)> build;
  };
  const Step steps[] = {
      {Stage::Fused, "xfmr optimization", optimize},
      {Stage::Linalg, "xfmr to linalg", xfmr::buildXfmrToLinalgPipeline},
      {Stage::LLVMDialect, "linalg to LLVM", xfmr::buildLinalgToLLVMPipeline}};
  for (const Step &step : steps) {
    if (Error err =
            runPipeline(*module, step.build, step.name, dumper.get()))
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
  SmallVector<StringRef> entries = {xfmr::kEncodeEntry};
  if (spec->pooling != xfmr::Pooling::None)
    entries.push_back(xfmr::kEmbedEntry);
  LLVMContext llvmContext;
  Expected<std::unique_ptr<Module>> llvmModule = xfmr::translateToLLVMIR(
      *module, llvmContext, **machine, entries,
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
