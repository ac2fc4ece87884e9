//===- ImportUtils.h - Helpers shared by the model front ends ---*- C++ -*-===//
//
// Private to compiler/import: reading hostile JSON files, rendering values in
// one-line error messages, and checking a safetensors header against a spec.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_IMPORTUTILS_H
#define XFMR_COMPILER_IMPORT_IMPORTUTILS_H

#include "compiler/import/ModelSpec.h"
#include "runtime/lib/Safetensors.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <string>

namespace xfmr::detail {

/// Limits that keep a hostile file from exhausting memory or the stack.
constexpr uint64_t kMaxJSONFileBytes = 64ull << 20;
constexpr unsigned kMaxJSONNesting = 64;
/// Largest accepted model dimension (vocabulary, width, heads, positions...).
constexpr int64_t kMaxDimension = (int64_t(1) << 31) - 1;
/// Largest accepted number of layers.
constexpr int64_t kMaxLayers = 1000;

/// A one-line error carrying `message`, with control characters (from names
/// in hostile files) escaped as \n, \t or \xNN.
llvm::Error makeError(const llvm::Twine &message);

/// Reads the JSON file at `path` without parsing it: a regular file of at
/// most kMaxJSONFileBytes.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readJSONFileBuffer(llvm::StringRef path);

/// Parses `text` (at most kMaxJSONFileBytes, nested at most kMaxJSONNesting
/// deep) as JSON. `origin` names it in messages; syntax errors give the line
/// and column: `ORIGIN:3:7: invalid JSON: Expected , or }`.
llvm::Expected<llvm::json::Value> parseJSONText(llvm::StringRef text,
                                                llvm::StringRef origin);

/// parseJSONText of a file whose top level must be an object
/// (`ORIGIN: expected a JSON object, got an array`); the result holds one.
llvm::Expected<llvm::json::Value> parseJSONObject(llvm::StringRef text,
                                                  llvm::StringRef origin);

/// readJSONFileBuffer, then parseJSONObject with `path` as the origin.
llvm::Expected<llvm::json::Value> readJSONObjectFile(llvm::StringRef path);

/// A short, single-line rendering of `value` for "got ..." in messages:
/// strings quoted (long ones truncated), numbers and literals as written,
/// "an object" / "an array" for containers.
std::string describe(const llvm::json::Value &value);

/// The shortest decimal spelling of `x` that reads back as `x` ("0.1").
std::string formatNumber(double x);

/// Reads the header of `path`; errors are prefixed with the path once.
llvm::Error readWeightsHeader(llvm::StringRef path, safetensors::Header &out);

/// Checks `header` (read from spec.weightsPath) against requiredWeights(spec),
/// and refuses layers beyond a stack's `numLayers`; `fieldName` spells a
/// version 2 field path ("stacks[0].num_layers") as spec.origin does.
llvm::Error
checkWeights(const ModelSpec &spec, const safetensors::Header &header,
             llvm::function_ref<std::string(llvm::StringRef)> fieldName);

/// Makes the safetensors file at the absolute `path` the weights of the
/// valid `spec`: reads its header, detects the task prefix of the naming
/// scheme ("bert."), and checks it with checkWeights.
llvm::Error
attachWeights(ModelSpec &spec, llvm::StringRef path,
              llvm::function_ref<std::string(llvm::StringRef)> fieldName);

} // namespace xfmr::detail

#endif // XFMR_COMPILER_IMPORT_IMPORTUTILS_H
