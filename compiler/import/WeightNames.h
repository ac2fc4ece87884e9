//===- WeightNames.h - How checkpoints name a model's tensors ---*- C++ -*-===//
//
// Private to compiler/import. A ModelSpec knows its tensors by what they are
// (TensorRef); a naming scheme says what a family of checkpoints calls them.
// "xfmr" (docs/spec.md) names every tensor a description can have; each
// architecture's front end brings the scheme of its checkpoints ("bert" in
// hf/Bert.cpp), which names only the tensors that architecture has.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_WEIGHTNAMES_H
#define XFMR_COMPILER_IMPORT_WEIGHTNAMES_H

#include "compiler/import/ModelSpec.h"
#include "runtime/lib/Safetensors.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace xfmr::detail {

struct WeightNaming {
  /// The value of a spec's "weight_names".
  llvm::StringLiteral name;
  /// The name of `ref` without prefix, or std::nullopt when the scheme has
  /// none (the tensor belongs to an architecture its checkpoints never are).
  std::optional<std::string> (*tensorName)(const ModelSpec &spec,
                                           const TensorRef &ref);
  /// Prefixes that checkpoints saved from task models put before every name
  /// ("bert." for BertForMaskedLM), tried in order when the token embedding
  /// is absent under its plain name.
  llvm::ArrayRef<llvm::StringLiteral> taskPrefixes;
  /// More to say about the missing tensor `key` (a legacy spelling found in
  /// `header`), or an empty string.
  std::string (*missingHint)(llvm::StringRef key,
                             const safetensors::Header &header) = nullptr;
  /// How the scheme's checkpoints store `ref` when not as the description
  /// reads it (transposed, or a slice of a fused tensor); null: as read.
  WeightView (*view)(const ModelSpec &spec, const TensorRef &ref) = nullptr;
};

/// The scheme called `name`, or nullptr.
const WeightNaming *findWeightNaming(llvm::StringRef name);
/// Every scheme, for messages.
llvm::ArrayRef<const WeightNaming *> weightNamings();

/// The schemes, each defined next to what it belongs to.
extern const WeightNaming kXfmrNaming;  // WeightNames.cpp
extern const WeightNaming kBertNaming;  // hf/Bert.cpp
extern const WeightNaming kGpt2Naming;  // hf/Gpt2.cpp
extern const WeightNaming kLlamaNaming; // hf/Llama.cpp

/// The name of `ref` in the "xfmr" scheme ("decoder.layers.0.ffn_norm
/// .weight"); messages use it to say which tensor another scheme has no name
/// for.
std::string xfmrTensorName(const ModelSpec &spec, const TensorRef &ref);

/// "encoder" or "decoder": how names and messages refer to a stack.
llvm::StringRef stackName(const StackSpec &stack);
/// "weight" or "bias".
llvm::StringRef paramName(TensorRef::Param param);

} // namespace xfmr::detail

#endif // XFMR_COMPILER_IMPORT_WEIGHTNAMES_H
