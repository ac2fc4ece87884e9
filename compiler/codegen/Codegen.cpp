//===- Codegen.cpp - LLVM dialect → object code → model library -----------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/codegen/cuda/EmulatedDevice.h"
#include "runtime/include/xfmr/runtime.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
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

namespace {
/// A string for the manifest: JSON escapes it, but only valid UTF-8 is JSON.
json::Value jsonString(StringRef text) {
  if (json::isUTF8(text))
    return text.str();
  return json::fixUTF8(text);
}

json::Array jsonShape(ArrayRef<int64_t> shape) { return json::Array(shape); }

json::Array jsonTensors(ArrayRef<abi::TensorInfo> tensors) {
  json::Array list;
  for (const abi::TensorInfo &t : tensors) {
    json::Object object{
        {"name", t.name}, {"dtype", t.dtype}, {"shape", jsonShape(t.shape)}};
    if (t.inout)
      object["inout"] = true;
    list.push_back(std::move(object));
  }
  return list;
}

/// The model kind the roles add up to.
StringRef kindOf(ArrayRef<abi::EntryInfo> entries) {
  bool decoder = false, source = false;
  for (const abi::EntryInfo &entry : entries) {
    decoder |= entry.role == EntryRole::prefill ||
               entry.role == EntryRole::decode_step ||
               entry.role == EntryRole::logits;
    source |= entry.role == EntryRole::encode_source;
  }
  if (source)
    return "encoder-decoder";
  return decoder ? "decoder" : "encoder";
}
} // namespace

std::string buildManifest(const abi::ModelABI &abi, int64_t staticWorkBytes,
                          const LibraryFiles &files, const TargetInfo &target) {
  json::Object config;
  for (auto [key, value] : llvm::zip(abi::kConfigKeys, abi.model.config))
    config[key] = value;
  json::Array weights;
  for (const abi::WeightInfo &w : abi.weights) {
    json::Object weight{{"key", jsonString(w.key)},
                        {"dtype", "F32"},
                        {"shape", jsonShape(w.shape)},
                        {"layout", w.panelWidth ? "panels" : "row_major"}};
    if (w.panelWidth)
      weight["panel_width"] = w.panelWidth;
    if (w.transposed)
      weight["transposed"] = true;
    if (w.rows)
      weight["rows"] = json::Array{w.rows->first, w.rows->second};
    weights.push_back(std::move(weight));
  }
  json::Array entries;
  for (const abi::EntryInfo &entry : abi.entries) {
    json::Object object{{"role", stringifyEntryRole(entry.role)},
                        {"inputs", jsonTensors(entry.inputs)},
                        {"outputs", jsonTensors(entry.outputs)}};
    if (entry.pooling) {
      object["pooling"] = stringifyPoolingKind(*entry.pooling);
      object["normalize"] = entry.normalize;
    }
    entries.push_back(std::move(object));
  }
  json::Object manifest{
      {"abi_version", XFMR_ABI_VERSION},
      {"target", target.name},
      {"kind", kindOf(abi.entries)},
      {"name", jsonString(abi.model.name)},
      {"weights_file", jsonString(files.weightsFile)},
      {"embedded_weights", !files.embeddedWeights.empty()},
      {"config", std::move(config)},
      {"max_length", abi.model.maxLength},
      {"weights", std::move(weights)},
      {"entries", std::move(entries)},
      {"work_memory", json::Object{{"static_bytes", staticWorkBytes}}}};
  if (!target.cudaArch.empty())
    manifest["cuda_arch"] = target.cudaArch;
  if (target.cudaTf32)
    manifest["cuda_tf32"] = true;
  if (abi.model.eosTokenId >= 0)
    manifest["eos_token_id"] = abi.model.eosTokenId;
  if (!files.tokenizerFormat.empty())
    manifest["tokenizer"] =
        json::Object{{"format", files.tokenizerFormat},
                     {"flags", static_cast<int64_t>(files.tokenizerFlags)}};
  std::string text;
  raw_string_ostream os(text);
  os << json::Value(std::move(manifest));
  return text;
}

/// "xfmr" or "xfmr_..." in any case: the header's NAME_* macros would be
/// the runtime's (XFMR_MODEL_D_MODEL, XFMR_ENCODE_...).
static bool isReservedApiName(StringRef name) {
  std::string upper = name.upper();
  return upper == "XFMR" || StringRef(upper).starts_with("XFMR_");
}

Error checkApiName(StringRef name) {
  auto bad = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(),
                             "--api-name '" + name + "' " + why);
  };
  if (name.empty())
    return bad("is empty");
  if (isDigit(name.front()))
    return bad("starts with a digit (it must be a C identifier)");
  for (char c : name)
    if (!isAlnum(c) && c != '_')
      return bad("is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (isReservedApiName(name))
    return bad("starts with 'xfmr_', which the runtime's names use");
  return Error::success();
}

std::string defaultApiName(StringRef outputPath) {
  StringRef stem = sys::path::stem(outputPath);
  if (stem.size() > 3 && stem.starts_with("lib"))
    stem = stem.drop_front(3);
  std::string name;
  for (char c : stem)
    name += isAlnum(c) ? c : '_';
  if (name.empty() || isDigit(name.front()))
    name.insert(name.begin(), '_');
  if (isReservedApiName(name))
    name = "model_" + name;
  return name;
}

/// What the runtime's sessions call: `input_ids` and `position_ids` I64
/// [-1, -1] (prefill) or [-1, 1] (decode_step), `attention_mask` I64
/// [-1, -1] over the cache,
/// `kv_cache` F32 [layers, 2, -1, kv_heads, -1, head_dim] in/out, and
/// `logits` F32 [-1, vocab].
static Error checkCachedEntry(const abi::EntryInfo &entry, int64_t vocab) {
  auto expected = [](const Twine &what) {
    return createStringError(inconvertibleErrorCode(), "with " + what);
  };
  int64_t newTokens = entry.role == EntryRole::decode_step ? 1 : -1;
  if (entry.inputs.size() != 4 || entry.inputs[0].name != "input_ids" ||
      entry.inputs[1].name != "position_ids" ||
      entry.inputs[2].name != "attention_mask" ||
      entry.inputs[3].name != "kv_cache")
    return expected("inputs other than input_ids, position_ids, "
                    "attention_mask, kv_cache");
  const abi::TensorInfo &mask = entry.inputs[2], &cache = entry.inputs[3];
  for (const abi::TensorInfo &ids : ArrayRef(entry.inputs).take_front(2))
    if (ids.dtype != "I64" || ids.shape != ArrayRef<int64_t>{-1, newTokens} ||
        ids.inout)
      return expected(ids.name + " other than I64 [-1, " +
                      (newTokens == 1 ? "1" : "-1") + "]");
  if (mask.dtype != "I64" || mask.shape != ArrayRef<int64_t>{-1, -1} ||
      mask.inout)
    return expected("attention_mask other than I64 [-1, -1]");
  ArrayRef<int64_t> c = cache.shape;
  if (cache.dtype != "F32" || !cache.inout || c.size() != 6 || c[0] <= 0 ||
      c[1] != 2 || c[2] != -1 || c[3] <= 0 || c[4] != -1 || c[5] <= 0)
    return expected("kv_cache other than an in/out F32 [layers, 2, -1, "
                    "kv_heads, -1, head_dim]");
  if (entry.outputs.size() != 1 || entry.outputs[0].name != "logits" ||
      entry.outputs[0].dtype != "F32" ||
      entry.outputs[0].shape != ArrayRef<int64_t>{-1, vocab})
    return expected("outputs other than logits F32 [-1, vocab_size]");
  return Error::success();
}

Error checkRuntimeSupport(const abi::ModelABI &abi) {
  auto unsupported = [&](const Twine &what) {
    return createStringError(inconvertibleErrorCode(),
                             "entry point " + what +
                                 " is not supported by the runtime yet "
                                 "(docs/abi.md)");
  };
  int64_t dModel = abi.model.config[1], vocab = abi.model.config[0];
  for (const abi::EntryInfo &entry : abi.entries) {
    StringRef role = stringifyEntryRole(entry.role);
    if (entry.role == EntryRole::encode_source)
      return unsupported("role '" + role + "'");
    if (entry.role == EntryRole::prefill ||
        entry.role == EntryRole::decode_step) {
      if (Error e = checkCachedEntry(entry, vocab))
        return unsupported("@" + entry.symbol + " of role '" + role + "' " +
                           toString(std::move(e)));
      continue;
    }
    bool ids = false, mask = false;
    for (const abi::TensorInfo &input : entry.inputs) {
      bool known = input.name == "input_ids" ||
                   input.name == "attention_mask" ||
                   input.name == "token_type_ids";
      if (!known || input.dtype != "I64" ||
          input.shape != ArrayRef<int64_t>{-1, -1})
        return unsupported("@" + entry.symbol + " input '" + input.name +
                           "' (" + input.dtype +
                           ", expected input_ids, "
                           "attention_mask or token_type_ids as I64 [-1, -1])");
      ids |= input.name == "input_ids";
      mask |= input.name == "attention_mask";
    }
    if (!ids || !mask)
      return unsupported("@" + entry.symbol +
                         " without input_ids and attention_mask");
    SmallVector<int64_t> expected = {-1, -1, dModel};
    if (entry.role == EntryRole::embed)
      expected = {-1, dModel};
    if (entry.role == EntryRole::logits)
      expected = {-1, -1, abi.model.config[0]};
    if (entry.outputs.size() != 1 || entry.outputs[0].dtype != "F32" ||
        entry.outputs[0].shape != ArrayRef<int64_t>(expected))
      return unsupported(
          "@" + entry.symbol + " of role '" + role +
          "' with other than one F32 output of shape [" +
          llvm::join(llvm::map_range(
                         expected, [](int64_t d) { return std::to_string(d); }),
                     ", ") +
          "]");
  }
  return Error::success();
}

std::string escapeCString(StringRef text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '?') {
      // `?` too: "??/" is a trigraph for a backslash in older C.
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      // Always three octal digits, so a digit after it is not absorbed.
      out += '\\';
      out += static_cast<char>('0' + (c >> 6));
      out += static_cast<char>('0' + ((c >> 3) & 7));
      out += static_cast<char>('0' + (c & 7));
    }
  }
  return out;
}

void registerLLVMTranslations(mlir::DialectRegistry &registry) {
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerOpenMPDialectTranslation(registry);
  // The CUDA target's host code: the embedded gpu.binary and its launches.
  mlir::registerGPUDialectTranslation(registry);
  mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
}

Expected<std::unique_ptr<TargetMachine>>
createHostTargetMachine(StringRef cpu) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  // Module-level assembly (the embedded files) is parsed when emitting.
  InitializeNativeTargetAsmParser();
  Triple triple(sys::getProcessTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(), "no LLVM target for " +
                                                           triple.str() + ": " +
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
    return createStringError(inconvertibleErrorCode(), "unknown --mcpu '" +
                                                           cpuName + "' for " +
                                                           triple.str());
  }
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features.getString(), TargetOptions(), Reloc::PIC_,
      std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " +
                                 triple.str());
  return machine;
}

/// void xfmr_entry_<role>(void **args): calls the C interface of the entry
/// function `symbol` with args[i] as its i-th (descriptor pointer) argument.
static Expected<Function *>
addPackedEntryPoint(Module &module, StringRef symbol, StringRef role) {
  std::string cifaceName = ("_mlir_ciface_" + symbol).str();
  Function *ciface = module.getFunction(cifaceName);
  if (!ciface)
    return createStringError(inconvertibleErrorCode(),
                             "missing entry point " + cifaceName);
  LLVMContext &ctx = module.getContext();
  auto *ptr = PointerType::getUnqual(ctx);
  auto *type = FunctionType::get(Type::getVoidTy(ctx), {ptr}, false);
  Function *wrapper = Function::Create(type, GlobalValue::ExternalLinkage,
                                       "xfmr_entry_" + role, module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", wrapper));
  SmallVector<Value *> args;
  for (unsigned i = 0, e = ciface->arg_size(); i < e; ++i) {
    Value *slot = b.CreateConstGEP1_64(ptr, wrapper->getArg(0), i);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(ciface, args);
  b.CreateRetVoid();
  return wrapper;
}

/// xfmr_entry_table: the packed entry points in manifest order, the only way
/// the runtime reaches generated code.
static void addEntryTable(Module &module, ArrayRef<Function *> entries) {
  auto *ptr = PointerType::getUnqual(module.getContext());
  auto *type = ArrayType::get(ptr, entries.size());
  SmallVector<Constant *> slots(entries.begin(), entries.end());
  new GlobalVariable(module, type, /*isConstant=*/true,
                     GlobalValue::ExternalLinkage,
                     ConstantArray::get(type, slots), "xfmr_entry_table");
}

/// `path` as the inside of an assembler string literal.
static std::string escapeAsmString(StringRef path) {
  std::string out;
  for (unsigned char c : path) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    out += '\\';
    out += static_cast<char>('0' + (c >> 6));
    out += static_cast<char>('0' + ((c >> 3) & 7));
    out += static_cast<char>('0' + (c & 7));
  }
  return out;
}

/// xfmr_embedded_files (runtime/lib/Embedded.h): a (pointer, size) pair per
/// embedded file, the bytes in read-only data, included by the assembler
/// straight from the files (no copy of the weights in the LLVM module).
static void addEmbeddedFiles(Module &module, const LibraryFiles &files) {
  const std::pair<StringRef, StringRef> embedded[] = {
      {"weights", files.embeddedWeights},
      {"tokenizer",
       files.tokenizerFormat.empty() ? StringRef() : files.tokenizerPath},
      {"merges",
       files.tokenizerFormat.empty() ? StringRef() : files.mergesPath}};
  std::string text;
  raw_string_ostream os(text);
  os << ".pushsection .rodata.xfmr_embedded,\"a\",@progbits\n";
  for (auto [name, path] : embedded) {
    if (path.empty())
      continue;
    // 64 bytes: what the runtime's own buffers are aligned to.
    os << ".p2align 6\n.Lxfmr_embedded_" << name << ":\n.incbin \""
       << escapeAsmString(path) << "\"\n.Lxfmr_embedded_" << name << "_end:\n";
  }
  os << ".popsection\n"
     << ".pushsection .data.rel.ro.xfmr_embedded_files,\"aw\",@progbits\n"
     << ".p2align 3\n.globl xfmr_embedded_files\n.hidden xfmr_embedded_files\n"
     << ".type xfmr_embedded_files,@object\n"
     << ".size xfmr_embedded_files, 48\nxfmr_embedded_files:\n";
  for (auto [name, path] : embedded) {
    if (path.empty()) {
      os << ".quad 0\n.quad 0\n";
      continue;
    }
    os << ".quad .Lxfmr_embedded_" << name << "\n.quad .Lxfmr_embedded_" << name
       << "_end - .Lxfmr_embedded_" << name << "\n";
  }
  os << ".popsection\n";
  module.appendModuleInlineAsm(text);
}

/// const xfmr_api *xfmr_api_<name>(void): this library's table of the C API
/// (runtime.h), reached through the runtime's hidden xfmr_runtime_api so
/// that no other library's definition can stand in for it.
static void addApiFunction(Module &module, StringRef name) {
  LLVMContext &ctx = module.getContext();
  auto *ptr = PointerType::getUnqual(ctx);
  auto *table =
      new GlobalVariable(module, Type::getInt8Ty(ctx),
                         /*isConstant=*/true, GlobalValue::ExternalLinkage,
                         nullptr, "xfmr_runtime_api");
  table->setVisibility(GlobalValue::HiddenVisibility);
  Function *api = Function::Create(FunctionType::get(ptr, false),
                                   GlobalValue::ExternalLinkage,
                                   "xfmr_api_" + name, module);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", api));
  b.CreateRet(table);
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
  builder.buildPerModuleDefaultPipeline(OptimizationLevel::O3).run(module, mam);
}

Expected<std::unique_ptr<Module>>
translateToLLVMIR(mlir::ModuleOp module, LLVMContext &context,
                  TargetMachine &machine, const abi::ModelABI &abi,
                  StringRef manifest, const LibraryFiles &files,
                  StringRef apiName) {
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "xfmr_model");
  if (!llvmModule)
    return createStringError(inconvertibleErrorCode(),
                             "translation to LLVM IR failed");
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  // readModelABI reserves these names; a clash here is a compiler bug, and a
  // renamed global would leave the runtime bound to something else.
  std::string apiFunction = ("xfmr_api_" + apiName).str();
  for (StringRef name :
       {StringRef("xfmr_manifest"), StringRef("xfmr_entry_table"),
        StringRef("xfmr_embedded_files"), StringRef("xfmr_runtime_api"),
        StringRef(apiFunction)})
    if (llvmModule->getNamedValue(name))
      return createStringError(inconvertibleErrorCode(),
                               "internal error: the symbol " + name +
                                   " is already defined");
  SmallVector<Function *> entries;
  for (const abi::EntryInfo &entry : abi.entries) {
    Expected<Function *> packed = addPackedEntryPoint(
        *llvmModule, entry.symbol, stringifyEntryRole(entry.role));
    if (!packed)
      return packed.takeError();
    entries.push_back(*packed);
  }
  addEntryTable(*llvmModule, entries);
  // Only the runtime's C API is exported from a model library; everything
  // generated is internal to it.
  addManifest(*llvmModule, manifest);
  // The emulated kernels of --cuda-binary=emulated and their device table
  // are what the CUDA emulator looks up with dlsym.
  for (GlobalValue &value : llvmModule->global_values())
    if (!value.isDeclaration() &&
        !value.getName().starts_with(cuda::emulated::kKernelPrefix) &&
        value.getName() != cuda::emulated::kDeviceTable)
      value.setVisibility(GlobalValue::HiddenVisibility);
  // xfmr_embedded_files is hidden too (its assembly says so); the API
  // function is the one symbol of the model's own that is exported.
  if (!files.embeddedWeights.empty() || !files.tokenizerFormat.empty())
    addEmbeddedFiles(*llvmModule, files);
  if (!apiName.empty())
    addApiFunction(*llvmModule, apiName);
  optimize(*llvmModule, machine);
  return llvmModule;
}

/// Turns off SelectionDAG's merging of consecutive stores, unless the
/// command line set it. A model's entry point is one basic block that
/// passes every layer its weights as expanded memref descriptors, so its
/// calls store thousands of arguments to the stack; the merge candidate
/// search over them grew with the square of the layer count (24 layers of
/// BERT-base compiled in twice the time of 2, most of it in
/// BaseIndexOffset::match). The kernels store whole vectors, which there is
/// nothing to merge.
static void limitStoreMerging() {
  auto &options = cl::getRegisteredOptions();
  auto it = options.find("combiner-store-merging");
  if (it == options.end())
    return;
  auto *merging = static_cast<cl::opt<bool> *>(it->second);
  if (merging->getNumOccurrences() == 0)
    merging->setValue(false);
}

Error emitMachineCode(Module &module, TargetMachine &machine,
                      CodeGenFileType kind, StringRef path) {
  limitStoreMerging();
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
    return createStringError(
        inconvertibleErrorCode(),
        "no C++ compiler driver (" +
            (configuredDriver.empty() ? "c++ on PATH" : configuredDriver) +
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
               "-Wl,-z,noexecstack", XFMR_OPENMP_LIBRARY, "-lm",
               // The library's calls to its own C API bind to itself, never
               // to another model library's copy in the same program.
               "-Wl,-Bsymbolic"});
  // Every symbol resolved now (a runtime function the generated code needs
  // and the runtime lacks is a compile error, not a dlopen failure), except
  // under sanitizers, whose runtimes the executable brings.
  if (!StringRef(XFMR_MODEL_LINK_FLAGS).contains("-fsanitize"))
    args.push_back("-Wl,-z,defs");
  std::string message;
  int rc = sys::ExecuteAndWait(*driver, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return createStringError(inconvertibleErrorCode(),
                             "linking " + outputPath + " failed" +
                                 (message.empty() ? "" : ": " + message));
  return Error::success();
}

Error writeModelHeader(const abi::ModelABI &abi, StringRef path,
                       StringRef apiName, const TargetInfo &target) {
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_Text);
  if (ec)
    return createStringError(ec, "cannot write " + path + ": " + ec.message());
  raw_ostream &os = out.os();
  // The facts of the model, as "#define <PREFIX>NAME value" lines.
  auto facts = [&](StringRef prefix) {
    os << "#define " << prefix << "NAME \"" << escapeCString(abi.model.name)
       << "\"\n";
    for (auto [key, value] : llvm::zip(abi::kConfigKeys, abi.model.config))
      os << "#define " << prefix << StringRef(key).upper() << " " << value
         << "\n";
    os << "#define " << prefix << "MAX_LENGTH " << abi.model.maxLength << "\n";
    os << "#define " << prefix << "TARGET \"" << target.name << "\"\n";
    if (!target.cudaArch.empty())
      os << "#define " << prefix << "CUDA_ARCH \"" << target.cudaArch << "\"\n";
    if (target.cudaTf32)
      os << "#define " << prefix << "CUDA_TF32 1\n";
  };
  std::string prefix = StringRef(apiName).upper() + "_";
  // Strings from the model reach this file only as escaped C literals.
  os << "/* Generated by xfmrc: a compiled xfmr model (" << prefix
     << "NAME) and the runtime API it exports. */\n"
     << "#ifndef XFMR_MODEL_" << apiName << "_H\n#define XFMR_MODEL_" << apiName
     << "_H\n\n";
  facts(prefix);
  os << "\n"
     << kRuntimeHeader << "\n"
     << "/* This library's own C API, as a table (runtime.h): a program that\n"
        " * links several model libraries calls each through its table. */\n"
     << "XFMR_API const xfmr_api *xfmr_api_" << apiName << "(void);\n\n"
     << "/* XFMR_MODEL_*: the model of a program that includes one model\n"
        " * header. A second model header undefines them, so that a use is an\n"
        " * error rather than the first model's value. */\n"
     << "#ifndef XFMR_MODEL_HEADER_INCLUDED\n"
     << "#define XFMR_MODEL_HEADER_INCLUDED\n";
  facts("XFMR_MODEL_");
  os << "#else\n#undef XFMR_MODEL_NAME\n";
  for (StringRef key : abi::kConfigKeys)
    os << "#undef XFMR_MODEL_" << key.upper() << "\n";
  os << "#undef XFMR_MODEL_MAX_LENGTH\n#undef XFMR_MODEL_TARGET\n"
     << "#undef XFMR_MODEL_CUDA_ARCH\n#undef XFMR_MODEL_CUDA_TF32\n"
     << "#endif\n\n#endif /* XFMR_MODEL_" << apiName << "_H */\n";
  out.keep();
  return Error::success();
}

} // namespace xfmr
