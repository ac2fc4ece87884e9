//===- Codegen.cpp - LLVM dialect → object code → model library -----------===//
#include "compiler/codegen/Codegen.h"
#include "dialect/XfmrOps.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace llvm;

namespace xfmr {

// The runtime header, embedded at build time so OUT.h is self-contained.
static const char kRuntimeHeader[] =
#include "compiler/codegen/RuntimeHeader.inc"
    ;

std::vector<ManifestWeight> collectWeights(mlir::ModuleOp module) {
  std::vector<ManifestWeight> weights;
  for (auto decl : module.getOps<WeightDeclOp>()) {
    ArrayRef<int64_t> shape = decl.getTensorType().getShape();
    weights.push_back({decl.getKey().str(), {shape.begin(), shape.end()}});
  }
  return weights;
}

std::string buildManifest(const ModelSpec &spec,
                          ArrayRef<ManifestWeight> weights) {
  json::Array inputs{"input_ids", "attention_mask"};
  if (spec.typeVocabSize > 0)
    inputs.push_back("token_type_ids");
  json::Array weightList;
  for (const ManifestWeight &w : weights)
    weightList.push_back(json::Object{
        {"key", w.key}, {"dtype", "F32"}, {"shape", json::Array(w.shape)}});
  json::Object manifest{
      {"abi_version", 1},
      {"target", "cpu"},
      {"kind", "encoder"},
      {"name", spec.name},
      {"weights_file", spec.weightsPath},
      {"config",
       json::Object{{"vocab_size", spec.vocabSize},
                    {"d_model", spec.dModel},
                    {"num_layers", spec.numLayers},
                    {"max_positions", spec.maxPositions},
                    {"type_vocab_size", spec.typeVocabSize}}},
      {"inputs", std::move(inputs)},
      {"output", json::Object{{"name", "last_hidden_state"},
                              {"dtype", "F32"},
                              {"shape", json::Array{-1, -1, spec.dModel}}}},
      {"weights", std::move(weightList)}};
  json::Array entries{"encode"};
  if (spec.pooling != Pooling::None) {
    entries.push_back("embed");
    manifest["embedding"] = json::Object{
        {"name", "sentence_embedding"},
        {"pooling", spec.pooling == Pooling::Cls ? "cls" : "mean"},
        {"normalize", spec.normalizeEmbedding},
        {"dtype", "F32"},
        {"shape", json::Array{-1, spec.dModel}}};
  }
  manifest["entries"] = std::move(entries);
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(manifest));
  return text;
}

void registerLLVMTranslations(mlir::DialectRegistry &registry) {
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
}

Expected<std::unique_ptr<TargetMachine>> createHostTargetMachine(StringRef cpu) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  Triple triple(sys::getProcessTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "no LLVM target for " + triple.str() + ": " +
                                 error);
  SubtargetFeatures features;
  std::string cpuName = cpu.str();
  if (cpu == "host") {
    cpuName = sys::getHostCPUName().str();
    for (const auto &[name, enabled] : sys::getHostCPUFeatures())
      features.AddFeature(name, enabled);
  } else if (std::unique_ptr<MCSubtargetInfo> info(
                 target->createMCSubtargetInfo(triple, "", ""));
             !info || !info->isCPUStringValid(cpuName)) {
    return createStringError(inconvertibleErrorCode(),
                             "unknown --mcpu '" + cpuName + "' for " +
                                 triple.str());
  }
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features.getString(), TargetOptions(),
      Reloc::PIC_, std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " +
                                 triple.str());
  return machine;
}

/// void xfmr_entry_<entry>(void **args): calls the C interface of the entry
/// function with args[i] as its i-th (descriptor pointer) argument.
static Error addPackedEntryPoint(Module &module, StringRef entry) {
  std::string cifaceName = ("_mlir_ciface_" + entry).str();
  Function *ciface = module.getFunction(cifaceName);
  if (!ciface)
    return createStringError(inconvertibleErrorCode(),
                             "missing entry point " + cifaceName);
  LLVMContext &ctx = module.getContext();
  auto *ptr = PointerType::getUnqual(ctx);
  auto *type = FunctionType::get(Type::getVoidTy(ctx), {ptr}, false);
  Function *wrapper = Function::Create(type, GlobalValue::ExternalLinkage,
                                       "xfmr_entry_" + entry, module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", wrapper));
  SmallVector<Value *> args;
  for (unsigned i = 0, e = ciface->arg_size(); i < e; ++i) {
    Value *slot = b.CreateConstGEP1_64(ptr, wrapper->getArg(0), i);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(ciface, args);
  b.CreateRetVoid();
  return Error::success();
}

static void addManifest(Module &module, StringRef manifest) {
  Constant *text =
      ConstantDataArray::getString(module.getContext(), manifest, true);
  new GlobalVariable(module, text->getType(), /*isConstant=*/true,
                     GlobalValue::ExternalLinkage, text, "xfmr_manifest");
}

static void optimize(Module &module, TargetMachine &machine) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  builder.buildPerModuleDefaultPipeline(OptimizationLevel::O3)
      .run(module, mam);
}

Expected<std::unique_ptr<Module>>
translateToLLVMIR(mlir::ModuleOp module, LLVMContext &context,
                  TargetMachine &machine, ArrayRef<StringRef> entries,
                  StringRef manifest) {
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "xfmr_model");
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "translation to LLVM IR failed");
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  for (StringRef entry : entries)
    if (Error err = addPackedEntryPoint(*llvmModule, entry))
      return std::move(err);
  // Only the runtime's C API is exported from a model library; everything
  // generated is internal to it.
  addManifest(*llvmModule, manifest);
  for (GlobalValue &value : llvmModule->global_values())
    if (!value.isDeclaration())
      value.setVisibility(GlobalValue::HiddenVisibility);
  optimize(*llvmModule, machine);
  return llvmModule;
}

Error emitMachineCode(Module &module, TargetMachine &machine,
                      CodeGenFileType kind, StringRef path) {
  std::error_code ec;
  ToolOutputFile out(path, ec,
                     kind == CodeGenFileType::AssemblyFile ? sys::fs::OF_Text
                                                           : sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write " + path + ": " + ec.message());
  legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, out.os(), nullptr, kind))
    return createStringError(inconvertibleErrorCode(),
                             "the target cannot emit this file type");
  pm.run(module);
  out.keep();
  return Error::success();
}

// A build can name the driver and add flags for linking model libraries
// (CMake sets both under XFMR_ENABLE_SANITIZERS: an instrumented runtime
// archive needs the compiler that built it and its sanitizer runtimes).
#ifndef XFMR_MODEL_LINK_DRIVER
#define XFMR_MODEL_LINK_DRIVER ""
#endif
#ifndef XFMR_MODEL_LINK_FLAGS
#define XFMR_MODEL_LINK_FLAGS ""
#endif

Error linkSharedLibrary(StringRef objectPath, StringRef runtimeArchive,
                        StringRef outputPath) {
  StringRef configuredDriver = XFMR_MODEL_LINK_DRIVER;
  ErrorOr<std::string> driver = configuredDriver.empty()
                                    ? sys::findProgramByName("c++")
                                    : sys::findProgramByName(configuredDriver);
  if (!driver && configuredDriver.empty())
    driver = sys::findProgramByName("g++");
  if (!driver)
    return createStringError(inconvertibleErrorCode(),
                             "no C++ compiler driver (" +
                                 (configuredDriver.empty() ? "c++ on PATH"
                                                           : configuredDriver) +
                                 ") to link the shared library");
  if (!sys::fs::exists(runtimeArchive))
    return createStringError(inconvertibleErrorCode(),
                             "runtime library not found at " + runtimeArchive);
  // The linker script next to the archive keeps only the C API exported.
  SmallString<256> exportsMap(sys::path::parent_path(runtimeArchive));
  sys::path::append(exportsMap, "xfmr_runtime.map");
  std::string versionScript = ("-Wl,--version-script=" + exportsMap).str();
  // --whole-archive: the generated object references no runtime symbol (it
  // is the runtime that calls into it), so nothing would be pulled in.
  SmallVector<StringRef> args = {*driver, "-shared"};
  SmallVector<StringRef> extraFlags;
  StringRef(XFMR_MODEL_LINK_FLAGS)
      .split(extraFlags, ' ', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  args.append(extraFlags.begin(), extraFlags.end());
  args.append({"-o", outputPath, objectPath, "-Wl,--whole-archive",
               runtimeArchive, "-Wl,--no-whole-archive", versionScript,
               "-Wl,-z,noexecstack", "-lm"});
  std::string message;
  int rc = sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0,
                               &message);
  if (rc != 0)
    return createStringError(inconvertibleErrorCode(),
                             "linking " + outputPath + " failed" +
                                 (message.empty() ? "" : ": " + message));
  return Error::success();
}

Error writeModelHeader(const ModelSpec &spec, StringRef path) {
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_Text);
  if (ec)
    return createStringError(ec, "cannot write " + path + ": " + ec.message());
  raw_ostream &os = out.os();
  os << "/* Generated by xfmrc for the model \"" << spec.name << "\". */\n"
     << "#ifndef XFMR_MODEL_H\n#define XFMR_MODEL_H\n\n"
     << "#define XFMR_MODEL_NAME \"" << spec.name << "\"\n"
     << "#define XFMR_MODEL_VOCAB_SIZE " << spec.vocabSize << "\n"
     << "#define XFMR_MODEL_D_MODEL " << spec.dModel << "\n"
     << "#define XFMR_MODEL_NUM_LAYERS " << spec.numLayers << "\n"
     << "#define XFMR_MODEL_NUM_HEADS " << spec.numHeads << "\n"
     << "#define XFMR_MODEL_MAX_POSITIONS " << spec.maxPositions << "\n"
     << "#define XFMR_MODEL_TYPE_VOCAB_SIZE " << spec.typeVocabSize << "\n\n"
     << kRuntimeHeader << "\n#endif /* XFMR_MODEL_H */\n";
  out.keep();
  return Error::success();
}

} // namespace xfmr
