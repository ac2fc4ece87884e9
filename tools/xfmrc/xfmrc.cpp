//===- xfmrc.cpp - the xfmr compiler driver -------------------------------===//
//
// model (JSON spec or Hugging Face folder → ModelSpec → xfmr IR, or a .mlir
// file of xfmr IR) → the registered pipelines → LLVM IR → object code →
// OUT.so + OUT.h. Everything after the import reads the module alone (its
// ABI attributes, dialect/XfmrABI.h). `--emit` stops after any stage and
// writes its text.
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/import/Importer.h"
#include "compiler/import/ModelSpec.h"
#include "compiler/pipelines/Pipelines.h"
#include "compiler/transforms/Passes.h"
#include "runtime/include/xfmr/runtime.h"
#include "runtime/lib/Safetensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"

#include <map>

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class Stage {
  Xfmr,
  Fused,
  Linalg,
  Gpu,
  LLVMDialect,
  LLVMIR,
  Asm,
  Obj,
  So
};

/// xfmrc's own options: --help lists them (and the upstream --mlir-* ones),
/// not the LLVM internals linked in with the back end.
cl::OptionCategory xfmrcCategory("xfmrc options");
cl::OptionCategory mlirCategory("MLIR pass manager and IR printing options");

cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model>"),
                               cl::Required, cl::cat(xfmrcCategory));
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::init(""),
                                cl::cat(xfmrcCategory));
cl::opt<std::string> target("target", cl::desc("Target: cpu or cuda"),
                            cl::init("cpu"), cl::cat(xfmrcCategory));
cl::opt<std::string> cudaArch(
    "cuda-arch",
    cl::desc("With --target=cuda: the GPU architecture of the embedded cubin, "
             "sm_80 (default) or newer, e.g. sm_90; its PTX runs on newer "
             "GPUs too"),
    cl::init(""), cl::cat(xfmrcCategory));
cl::opt<std::string> cudaBinary(
    "cuda-binary",
    cl::desc("With --target=cuda: fatbin (default; the cubin and the PTX, "
             "built with the CUDA toolkit's ptxas and fatbinary), ptx (the "
             "PTX alone, compiled by the driver when loaded) or emulated "
             "(the kernels compiled for this CPU, for testing without a GPU: "
             "run with XFMR_CUDA_DRIVER=libxfmr-cuda-emulator.so; no toolkit "
             "needed)"),
    cl::init("fatbin"), cl::cat(xfmrcCategory));
cl::opt<bool> cudaTf32(
    "cuda-tf32",
    cl::desc("With --target=cuda: the contractions on the TF32 tensor cores "
             "(mma.sync): faster, not exact f32 (operands keep 10 bits of "
             "mantissa); the default is exact f32"),
    cl::init(false), cl::cat(xfmrcCategory));
cl::opt<std::string> mcpu(
    "mcpu",
    cl::desc("CPU to generate code for: host (default) or an LLVM CPU name "
             "such as x86-64-v3"),
    cl::init("host"), cl::cat(xfmrcCategory));
cl::opt<Stage>
    emit("emit", cl::desc("Stop after this stage and write its output"),
         cl::init(Stage::So),
         cl::values(clEnumValN(Stage::Xfmr, "xfmr", "imported xfmr IR"),
                    clEnumValN(Stage::Fused, "fused",
                               "xfmr IR after the xfmr passes"),
                    clEnumValN(Stage::Linalg, "linalg", "linalg on tensors"),
                    clEnumValN(Stage::Gpu, "gpu",
                               "--target=cuda: kernels in a gpu.module and "
                               "the host code that launches them"),
                    clEnumValN(Stage::LLVMDialect, "llvm", "the LLVM dialect"),
                    clEnumValN(Stage::LLVMIR, "llvm-ir", "optimized LLVM IR"),
                    clEnumValN(Stage::Asm, "asm", "host assembly"),
                    clEnumValN(Stage::Obj, "obj", "host object file"),
                    clEnumValN(Stage::So, "so", "shared library + C header")),
         cl::cat(xfmrcCategory));
cl::opt<bool> printIRAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every pass"),
                              cl::init(false), cl::cat(xfmrcCategory));
cl::opt<std::string> dumpIRDir(
    "dump-ir",
    cl::desc("Write the IR after every pass into this folder, one numbered "
             "file per pass (00-input.mlir, 01-xfmr-decompose.mlir, ...)"),
    cl::value_desc("dir"), cl::init(""), cl::cat(xfmrcCategory));
cl::opt<std::string> pooling(
    "pooling",
    cl::desc("Add a pooled sentence-embedding entry point: cls or mean"),
    cl::value_desc("cls|mean"), cl::init(""), cl::cat(xfmrcCategory));
cl::opt<bool> normalize("normalize",
                        cl::desc("Scale the pooled vectors to unit L2 norm"),
                        cl::init(false), cl::cat(xfmrcCategory));
cl::opt<bool> noFusion("no-fusion",
                       cl::desc("Skip the fusion passes (for comparison)"),
                       cl::init(false), cl::cat(xfmrcCategory));
cl::list<std::string> requireFusion(
    "require-fusion",
    cl::desc("Fail unless these fusions fired wherever the model has their "
             "pattern: masked-softmax, residual-layernorm, attention"),
    cl::CommaSeparated, cl::value_desc("name,..."), cl::cat(xfmrcCategory));

cl::opt<bool> embedWeights(
    "embed-weights",
    cl::desc("Embed the weights in the library (one self-contained .so; "
             "still checked when opened)"),
    cl::init(false), cl::cat(xfmrcCategory));
cl::opt<std::string> weightsName(
    "weights-name",
    cl::desc("The weights file the library looks for when opened without a "
             "path, relative to the library's folder (default: the weights "
             "the model is compiled from, seen from the folder of -o)"),
    cl::value_desc("path"), cl::init(""), cl::cat(xfmrcCategory));
cl::opt<std::string> apiName(
    "api-name",
    cl::desc("Name of the library's own API table, xfmr_api_NAME(), and of "
             "its header's macros (default: the -o file name)"),
    cl::value_desc("name"), cl::init(""), cl::cat(xfmrcCategory));
cl::opt<bool> noEmbedTokenizer(
    "no-embed-tokenizer",
    cl::desc("Do not embed the tokenizer files of the model's folder"),
    cl::init(false), cl::cat(xfmrcCategory));

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

/// Writes the module after every pass into --dump-ir, one numbered file per
/// pass, across all the stages of one compile.
///
/// Passes on functions run nested in an adaptor on the module, which runs all
/// of them on one function before the next, so a module "after pass k" never
/// exists whole. Each function is kept as it was after each nested pass, and
/// when the adaptor finishes, one file per nested pass is written with every
/// function as that pass left it. (Upstream's enableIRPrintingToFileTree
/// writes one file per function and pass; these files are the module, in
/// pipeline order, which docs/pipeline.md is built from.)
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
    auto module = dyn_cast<mlir::ModuleOp>(op);
    if (!module) {
      snapshot(pass, op);
      return;
    }
    // The pass manager's adaptors have no argument: what they ran was
    // snapshotted function by function.
    if (pass->getArgument().empty()) {
      flush(module);
      return;
    }
    dump(module, passName(pass));
  }

private:
  static std::string passName(mlir::Pass *pass) {
    std::string name(pass->getArgument());
    for (char &c : name)
      if (!isAlnum(c) && c != '-' && c != '.')
        c = '_';
    return name;
  }

  /// Keeps `op` (a function) as nested pass number k left it, k counted per
  /// function: every function runs the same nested pipeline.
  void snapshot(mlir::Pass *pass, mlir::Operation *op) {
    auto symbol = op->getAttrOfType<mlir::StringAttr>(
        mlir::SymbolTable::getSymbolAttrName());
    if (!symbol)
      return;
    unsigned k = ranSoFar[symbol.getValue()]++;
    if (k == stages.size())
      stages.push_back({passName(pass), {}});
    stages[k].functions[symbol.getValue().str()] = op->clone();
  }

  /// Writes one file per snapshotted nested pass.
  void flush(mlir::ModuleOp module) {
    for (Stage &stage : stages) {
      mlir::OwningOpRef<mlir::ModuleOp> copy = module.clone();
      for (auto func : llvm::make_early_inc_range(
               copy->getOps<mlir::FunctionOpInterface>())) {
        auto it = stage.functions.find(func.getName().str());
        if (it == stage.functions.end())
          continue;
        copy->getBody()->getOperations().insert(func->getIterator(),
                                                it->second.release());
        func->erase();
      }
      dump(*copy, stage.name);
    }
    stages.clear();
    ranSoFar.clear();
  }

  struct Stage {
    std::string name;
    std::map<std::string, mlir::OwningOpRef<mlir::Operation *>> functions;
  };

  std::string dir;
  unsigned next = 0;
  std::vector<Stage> stages;
  llvm::StringMap<unsigned> ranSoFar;
};

/// Runs the passes that `build` adds over `module`, with the IR printing and
/// dumping the command line asked for.
Error runPipeline(mlir::ModuleOp module,
                  function_ref<void(mlir::OpPassManager &)> build,
                  StringRef stage, DumpIRInstrumentation *dumper) {
  mlir::PassManager pm(module->getContext());
  // The upstream --mlir-* pass manager flags (timing, statistics, IR
  // printing with filters, crash reproducers).
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return createStringError(inconvertibleErrorCode(),
                             "invalid pass manager options");
  if (printIRAfterAll) {
    module->getContext()->disableMultithreading();
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](mlir::Pass *,
                                     mlir::Operation *) { return false; },
        /*shouldPrintAfterPass=*/
        [](mlir::Pass *, mlir::Operation *) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (dumper) {
    // The snapshots of nested passes are taken in order.
    module->getContext()->disableMultithreading();
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

/// Parses a .mlir file of xfmr IR; diagnostics go to stderr with their
/// locations.
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
parseModule(mlir::MLIRContext &context) {
  auto source = llvm::MemoryBuffer::getFile(modelPath, /*IsText=*/true);
  if (std::error_code ec = source.getError())
    return createStringError(ec,
                             "cannot read " + modelPath + ": " + ec.message());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*source), SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return createStringError(inconvertibleErrorCode(),
                             modelPath + ": not valid xfmr IR");
  return module;
}

/// The module of the model: parsed from a .mlir file, or imported from a
/// spec or a Hugging Face folder (with the driver's pooling options).
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
loadModule(mlir::MLIRContext &context) {
  xfmr::Pooling poolingKind = xfmr::Pooling::None;
  if (pooling == "cls")
    poolingKind = xfmr::Pooling::Cls;
  else if (pooling == "mean")
    poolingKind = xfmr::Pooling::Mean;
  else if (!pooling.empty())
    return createStringError(inconvertibleErrorCode(),
                             "unknown --pooling '" + pooling +
                                 "' (expected cls or mean)");
  if (normalize && poolingKind == xfmr::Pooling::None)
    return createStringError(inconvertibleErrorCode(),
                             "--normalize needs --pooling");

  if (sys::path::extension(modelPath) == ".mlir") {
    if (poolingKind != xfmr::Pooling::None)
      return createStringError(
          inconvertibleErrorCode(),
          "--pooling applies to a spec or a Hugging Face folder; xfmr IR "
          "states its entry points itself (#xfmr.entry<embed>)");
    return parseModule(context);
  }

  Expected<xfmr::ModelSpec> spec = xfmr::loadModel(modelPath);
  if (!spec)
    return spec.takeError();
  spec->pooling = poolingKind;
  spec->normalizeEmbedding = normalize;
  // A valid description the importer cannot lower yet is refused by name.
  if (Error err = xfmr::checkImportable(*spec))
    return std::move(err);
  mlir::OwningOpRef<mlir::ModuleOp> module = xfmr::importModel(*spec, context);
  if (failed(mlir::verify(*module)))
    return createStringError(inconvertibleErrorCode(),
                             "internal error: the imported module does not "
                             "verify");
  return module;
}

/// `path` made absolute and with "." and ".." taken out lexically (the
/// names the user gave, symbolic links kept).
std::string absolutePath(StringRef path) {
  SmallString<256> result(path);
  sys::fs::make_absolute(result);
  sys::path::remove_dots(result, /*remove_dot_dot=*/true);
  return std::string(result);
}

/// `path` relative to the folder `base` (both absolute).
std::string relativePath(StringRef path, StringRef base) {
  SmallVector<StringRef> to, from;
  for (auto it = sys::path::begin(path), e = sys::path::end(path); it != e;
       ++it)
    to.push_back(*it);
  for (auto it = sys::path::begin(base), e = sys::path::end(base); it != e;
       ++it)
    from.push_back(*it);
  size_t common = 0;
  while (common < to.size() && common < from.size() &&
         to[common] == from[common])
    ++common;
  SmallString<256> result;
  for (size_t i = common; i < from.size(); ++i)
    sys::path::append(result, "..");
  for (size_t i = common; i < to.size(); ++i)
    sys::path::append(result, to[i]);
  return std::string(result);
}

bool isRegularFile(const Twine &path) {
  sys::fs::file_status status;
  return !sys::fs::status(path, status) && sys::fs::is_regular_file(status);
}

/// The casing tokenizer_config.json in `folder` gives a vocab.txt, as the
/// runtime's folder loader reads it: do_lower_case, else none (0).
uint32_t vocabTxtCasing(StringRef folder) {
  SmallString<256> path(folder);
  sys::path::append(path, "tokenizer_config.json");
  uint64_t size = 0;
  // A regular file of a sane size only: never block on a FIFO.
  if (!isRegularFile(path) || sys::fs::file_size(path, size) ||
      size > (64u << 20))
    return 0;
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return 0;
  Expected<json::Value> config = json::parse((*buffer)->getBuffer());
  if (!config) {
    consumeError(config.takeError());
    return 0;
  }
  const json::Object *object = config->getAsObject();
  std::optional<bool> lower =
      object ? object->getBoolean("do_lower_case") : std::nullopt;
  if (!lower)
    return 0;
  return *lower ? XFMR_TOKENIZER_LOWERCASE : XFMR_TOKENIZER_KEEP_CASE;
}

/// What the library records about its weights and tokenizer and what it
/// embeds (docs/abi.md), for a library written to `output`.
Expected<xfmr::LibraryFiles> libraryFiles(const xfmr::abi::ModelABI &abi,
                                          StringRef output) {
  xfmr::LibraryFiles files;
  StringRef weights = abi.model.weightsFile;
  std::string outputFolder =
      absolutePath(output.empty() || output == "-"
                       ? StringRef(".")
                       : sys::path::parent_path(absolutePath(output)));
  if (embedWeights) {
    if (weights.empty())
      return createStringError(inconvertibleErrorCode(),
                               "--embed-weights: the model names no weights "
                               "file (its xfmr.model weights_file is empty)");
    std::string absolute = absolutePath(weights);
    if (!isRegularFile(absolute))
      return createStringError(inconvertibleErrorCode(),
                               "--embed-weights: " + absolute +
                                   " is not a regular file");
    // The runtime checks the bytes again when the model is opened; this
    // refuses a library that could never open.
    xfmr::safetensors::Header header;
    std::string error;
    if (!xfmr::safetensors::readHeader(absolute, header, error))
      return createStringError(inconvertibleErrorCode(),
                               "--embed-weights: " + error);
    files.embeddedWeights = absolute;
  }
  if (!weightsName.empty()) {
    if (sys::path::is_absolute(weightsName))
      return createStringError(inconvertibleErrorCode(),
                               "--weights-name " + weightsName +
                                   ": the name must be relative to the "
                                   "library's folder");
    files.weightsFile = weightsName;
  } else if (!weights.empty() && !embedWeights) {
    files.weightsFile = relativePath(absolutePath(weights), outputFolder);
  }
  if (noEmbedTokenizer || weights.empty())
    return files;
  // The tokenizer files of the weights' folder, in the order the runtime's
  // folder loader takes them.
  std::string folder = sys::path::parent_path(absolutePath(weights)).str();
  auto in = [&](StringRef name) {
    SmallString<256> path(folder);
    sys::path::append(path, name);
    return std::string(path);
  };
  if (isRegularFile(in("tokenizer.json"))) {
    files.tokenizerFormat = "tokenizer.json";
    files.tokenizerPath = in("tokenizer.json");
  } else if (isRegularFile(in("vocab.txt"))) {
    files.tokenizerFormat = "vocab.txt";
    files.tokenizerPath = in("vocab.txt");
    files.tokenizerFlags = vocabTxtCasing(folder);
  } else if (isRegularFile(in("vocab.json")) &&
             isRegularFile(in("merges.txt"))) {
    files.tokenizerFormat = "vocab.json";
    files.tokenizerPath = in("vocab.json");
    files.mergesPath = in("merges.txt");
  }
  return files;
}

/// Refuses an --emit=so output the library and its header cannot both be
/// written to, before anything is written.
Error checkLibraryOutput(StringRef library, StringRef header) {
  if (library == "-")
    return createStringError(inconvertibleErrorCode(),
                             "--emit=so cannot write to stdout; name the "
                             "library with -o OUT.so");
  if (library == header)
    return createStringError(
        inconvertibleErrorCode(),
        "-o " + library +
            ": the header would overwrite the library (it is written "
            "beside it with the extension .h); name the library OUT.so");
  for (StringRef path : {library, header}) {
    sys::fs::file_status status;
    if (sys::fs::status(path, status))
      continue;
    if (!sys::fs::is_regular_file(status))
      return createStringError(
          inconvertibleErrorCode(),
          "-o " + library + ": " + path +
              " exists and is not a regular file; --emit=so writes OUT.so "
              "and OUT.h beside it, so name a new or regular file (use "
              "--emit=obj -o /dev/null to discard the output)");
  }
  if (sys::fs::equivalent(library, header))
    return createStringError(inconvertibleErrorCode(),
                             "-o " + library + ": " + header +
                                 " is the same file; name the library OUT.so");
  return Error::success();
}

/// The target --target, --cuda-arch and --cuda-binary name, or a failure
/// saying what is wrong with them.
Expected<xfmr::TargetInfo> selectTarget() {
  auto bad = [](const Twine &message) {
    return createStringError(inconvertibleErrorCode(), message);
  };
  xfmr::TargetInfo info;
  info.name = target;
  if (target == "cpu") {
    if (!cudaArch.empty())
      return bad("--cuda-arch needs --target=cuda");
    if (cudaBinary.getNumOccurrences())
      return bad("--cuda-binary needs --target=cuda");
    if (cudaTf32)
      return bad("--cuda-tf32 needs --target=cuda");
    return info;
  }
  if (target != "cuda")
    return bad("unknown --target '" + target + "' (expected cpu or cuda)");
  info.cudaArch = cudaArch.empty() ? "sm_80" : cudaArch.getValue();
  StringRef arch = info.cudaArch;
  unsigned version = 0;
  if (!arch.consume_front("sm_") || arch.empty() ||
      arch.getAsInteger(10, version) || arch.starts_with("0"))
    return bad("--cuda-arch '" + info.cudaArch +
               "' is not a CUDA architecture (expected sm_80, sm_90, ...)");
  if (version < 80)
    return bad("--cuda-arch " + info.cudaArch +
               ": the CUDA target needs sm_80 or newer");
  if (cudaBinary != "fatbin" && cudaBinary != "ptx" && cudaBinary != "emulated")
    return bad("unknown --cuda-binary '" + cudaBinary +
               "' (expected fatbin, ptx or emulated)");
  info.cudaTf32 = cudaTf32;
  if (cudaBinary == "emulated")
    return info;
  // Found once, here: every stage then uses the same one.
  info.cudaToolkit = xfmr::findCudaToolkit();
  if (info.cudaToolkit.empty())
    return bad("--target=cuda needs the CUDA toolkit (its libdevice, ptxas "
               "and fatbinary): none found in $CUDA_HOME, $CUDA_PATH, "
               "$CUDA_ROOT, beside ptxas on the PATH or in /usr/local/cuda");
  return info;
}

int compile(const char *argv0) {
  Expected<xfmr::TargetInfo> targetInfo = selectTarget();
  if (!targetInfo)
    return fail(targetInfo.takeError());
  bool cuda = targetInfo->name == "cuda";
  if (emit == Stage::Gpu && !cuda)
    return fail("--emit=gpu needs --target=cuda");
  if ((emit == Stage::Obj || emit == Stage::So) && outputPath.empty())
    return fail("-o is required for --emit=obj and --emit=so");
  SmallString<256> headerPath(outputPath.getValue());
  sys::path::replace_extension(headerPath, "h");
  if (emit == Stage::So)
    if (Error err = checkLibraryOutput(outputPath, headerPath))
      return fail(std::move(err));
  std::string api =
      apiName.empty() ? xfmr::defaultApiName(outputPath) : apiName.getValue();
  bool codegen = emit == Stage::LLVMIR || emit == Stage::Asm ||
                 emit == Stage::Obj || emit == Stage::So;
  if (Error err = codegen ? xfmr::checkApiName(api) : Error::success())
    return fail(std::move(err));

  mlir::DialectRegistry registry;
  xfmr::registerXfmrDialects(registry);
  xfmr::registerLLVMTranslations(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  Expected<mlir::OwningOpRef<mlir::ModuleOp>> loaded = loadModule(context);
  if (!loaded)
    return fail(loaded.takeError());
  mlir::OwningOpRef<mlir::ModuleOp> module = std::move(*loaded);
  // The ABI of the library, from the module alone: what the manifest and
  // OUT.h say, whatever front end the module came from.
  FailureOr<xfmr::abi::ModelABI> abi = xfmr::abi::readModelABI(*module);
  if (failed(abi))
    return 1;
  // A library (or its object) must be one the runtime can run; the textual
  // stages show any module.
  if (emit == Stage::Obj || emit == Stage::So)
    if (Error err = xfmr::checkRuntimeSupport(*abi))
      return fail(std::move(err));
  if (emit == Stage::Xfmr) {
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
  xfmr::Target pipelineTarget = cuda ? xfmr::Target::cuda : xfmr::Target::cpu;
  auto toLinalg = [&](mlir::OpPassManager &pm) {
    xfmr::buildXfmrToLinalgPipeline(pm, pipelineTarget);
  };
  auto toGpu = [&](mlir::OpPassManager &pm) {
    if (!cuda)
      return;
    xfmr::LinalgToGpuOptions kernels;
    kernels.tf32 = targetInfo->cudaTf32;
    xfmr::buildLinalgToGpuPipeline(pm, kernels);
  };
  auto lower = [&](mlir::OpPassManager &pm) {
    if (!cuda) {
      xfmr::buildLinalgToLLVMPipeline(pm, xfmr::LinalgToLLVMOptions());
      return;
    }
    xfmr::GpuToLLVMOptions lowering;
    lowering.cudaArch = targetInfo->cudaArch;
    lowering.binaryFormat = cudaBinary == "ptx"        ? "isa"
                            : cudaBinary == "emulated" ? "emulated"
                                                       : "fatbin";
    lowering.cudaToolkit = targetInfo->cudaToolkit;
    xfmr::buildGpuToLLVMPipeline(pm, lowering);
  };
  struct Step {
    Stage stage;
    StringRef name;
    function_ref<void(mlir::OpPassManager &)> build;
  };
  const Step steps[] = {
      {Stage::Fused, "xfmr optimization", optimize},
      {Stage::Linalg, "xfmr to linalg", toLinalg},
      {Stage::Gpu, "linalg to gpu", toGpu},
      {Stage::LLVMDialect, cuda ? "gpu to LLVM" : "linalg to LLVM", lower}};
  for (const Step &step : steps) {
    if (Error err = runPipeline(*module, step.build, step.name, dumper.get()))
      return fail(std::move(err));
    // The optimization decides the weights' layouts (xfmr-pack-weights),
    // which the manifest reports.
    if (step.stage == Stage::Fused) {
      abi = xfmr::abi::readModelABI(*module);
      if (failed(abi))
        return 1;
    }
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
  int64_t staticWorkBytes = 0;
  if (auto bytes = (*module)->getAttrOfType<mlir::IntegerAttr>(
          xfmr::abi::kStaticWorkBytesAttr))
    staticWorkBytes = bytes.getInt();
  Expected<xfmr::LibraryFiles> files = libraryFiles(*abi, outputPath);
  if (!files)
    return fail(files.takeError());
  LLVMContext llvmContext;
  Expected<std::unique_ptr<Module>> llvmModule = xfmr::translateToLLVMIR(
      *module, llvmContext, **machine, *abi,
      xfmr::buildManifest(*abi, staticWorkBytes, *files, *targetInfo), *files,
      api);
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
  if (Error err = xfmr::emitMachineCode(
          **llvmModule, **machine, CodeGenFileType::ObjectFile, objectPath))
    return fail(std::move(err));
  if (Error err = xfmr::linkSharedLibrary(objectPath, runtimeArchive(argv0),
                                          outputPath)) {
    sys::fs::remove(outputPath);
    return fail(std::move(err));
  }
  if (Error err = xfmr::writeModelHeader(*abi, headerPath, api, *targetInfo)) {
    sys::fs::remove(outputPath);
    return fail(std::move(err));
  }
  return 0;
}

/// Registers the upstream --mlir-* options xfmrc supports and hides every
/// other option linked in (LLVM's back-end internals) from --help; they stay
/// under --help-hidden.
void registerOptions() {
  auto &options = cl::getRegisteredOptions();
  SmallPtrSet<cl::Option *, 32> linkedIn;
  for (auto &entry : options)
    linkedIn.insert(entry.second);
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // --help, --version and the like: LLVM's generic category, which has no
  // accessor of its own.
  const cl::OptionCategory *generic = options["help"]->Categories.front();
  for (auto &entry : options) {
    cl::Option *option = entry.second;
    if (!linkedIn.contains(option)) {
      option->addCategory(mlirCategory);
      continue;
    }
    if (is_contained(option->Categories, &xfmrcCategory) ||
        is_contained(option->Categories, generic))
      continue;
    if (option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  registerOptions();
  cl::ParseCommandLineOptions(argc, argv, "xfmr compiler: model → library\n");
  return compile(argv[0]);
}
