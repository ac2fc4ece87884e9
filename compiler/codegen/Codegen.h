//===- Codegen.h - LLVM dialect → object code → model library ---*- C++ -*-===//
//
// The back half of xfmrc: translate the lowered module to LLVM IR, add what
// the runtime expects of a model library (docs/abi.md: the packed entry
// point and the manifest), optimize and emit object code for the host CPU
// with LLVM's TargetMachine, and link it with the runtime into OUT.so.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_CODEGEN_CODEGEN_H
#define XFMR_COMPILER_CODEGEN_CODEGEN_H

#include "dialect/XfmrABI.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace xfmr {

/// Where a library finds its weights and tokenizer, and what it embeds
/// (docs/abi.md); xfmrc decides.
struct LibraryFiles {
  /// The weights file the library looks for when opened without a path,
  /// relative to the library's own folder; "" for none.
  std::string weightsFile;
  /// A safetensors file whose bytes the library embeds; "" for none.
  std::string embeddedWeights;
  /// The tokenizer the library embeds: "tokenizer.json", "vocab.txt" or
  /// "vocab.json" ("" for none), its load flags
  /// (XFMR_TOKENIZER_LOWERCASE/KEEP_CASE), the file, and merges.txt for
  /// vocab.json.
  std::string tokenizerFormat;
  uint32_t tokenizerFlags = 0;
  std::string tokenizerPath, mergesPath;
};

/// What a library's kernels run on (xfmrc --target, --cuda-arch); the
/// manifest and OUT.h say it.
struct TargetInfo {
  /// "cpu" or "cuda".
  std::string name = "cpu";
  /// For "cuda": the architecture of the embedded cubin, "sm_80", ...
  std::string cudaArch;
  /// For "cuda": the toolkit the kernels are built with.
  std::string cudaToolkit;
  /// For "cuda": the contractions run on the TF32 tensor cores.
  bool cudaTf32 = false;
};

/// The JSON manifest embedded in the library (docs/abi.md), from the ABI
/// the module states, the work memory the compiler could size
/// (xfmr-plan-work-memory), the library's files and its target.
std::string buildManifest(const abi::ModelABI &abi, int64_t staticWorkBytes,
                          const LibraryFiles &files = {},
                          const TargetInfo &target = {});

/// Fails unless `name` can name a library's API (xfmrc --api-name): a C
/// identifier other than "xfmr" and "xfmr_..." in any case (the runtime's).
llvm::Error checkApiName(llvm::StringRef name);

/// The API name of a library written to `outputPath`: its file name without
/// the extension (and a leading "lib"), every character outside
/// [A-Za-z0-9_] as '_', '_' before a leading digit, and "model_" before a
/// name checkApiName reserves.
std::string defaultApiName(llvm::StringRef outputPath);

/// Fails, naming the entry point, for an ABI this runtime cannot run yet:
/// roles other than encode and embed, other inputs, other outputs.
llvm::Error checkRuntimeSupport(const abi::ModelABI &abi);

/// `text` as the inside of a C string literal: quotes, backslashes and `?`
/// escaped, every byte outside printable ASCII as a three-digit octal escape.
std::string escapeCString(llvm::StringRef text);

/// Registers the translations from the dialects that reach LLVM IR.
void registerLLVMTranslations(mlir::DialectRegistry &registry);

/// A TargetMachine for the host's architecture, PIC. `cpu` is "host" (this
/// machine's CPU and every feature it has) or an LLVM CPU name such as
/// "x86-64-v3" for a library that must run on other machines too.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(llvm::StringRef cpu = "host");

/// Translates a module in the LLVM dialect to LLVM IR and adds a packed entry
/// point for each entry of `abi`, the `xfmr_entry_table` of them, the
/// `xfmr_manifest` string, the files `files` embeds (`xfmr_embedded_files`)
/// and, for a non-empty `apiName`, the exported `xfmr_api_<apiName>`; then
/// runs LLVM's O3 pipeline for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine, const abi::ModelABI &abi,
                  llvm::StringRef manifest, const LibraryFiles &files = {},
                  llvm::StringRef apiName = "");

/// Writes assembly or object code of `module` to `path`.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            llvm::CodeGenFileType kind, llvm::StringRef path);

/// Links `objectPath` with the runtime archive into the shared library
/// `outputPath`, using the system C++ compiler driver.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef runtimeArchive,
                              llvm::StringRef outputPath);

/// Writes the C header of a compiled model: its dimensions and target as
/// macros (as `<APINAME>_*`, and as `XFMR_MODEL_*` unless another model's
/// header came first), the runtime API it exports and its
/// `xfmr_api_<apiName>`, under an include guard of its own.
llvm::Error writeModelHeader(const abi::ModelABI &abi, llvm::StringRef path,
                             llvm::StringRef apiName,
                             const TargetInfo &target = {});

} // namespace xfmr

#endif // XFMR_COMPILER_CODEGEN_CODEGEN_H
