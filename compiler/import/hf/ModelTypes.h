//===- ModelTypes.h - The Hugging Face front ends by model type -*- C++ -*-===//
//
// Private to compiler/import. Each config.json `model_type` has one small
// file under hf/ that maps its config fields onto a ModelSpec and names its
// checkpoints' tensors (a WeightNaming); HuggingFace.cpp dispatches to it
// through its table and does the rest (folder, weights, shards) for all.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_COMPILER_IMPORT_HF_MODELTYPES_H
#define XFMR_COMPILER_IMPORT_HF_MODELTYPES_H

#include "compiler/import/ModelSpec.h"
#include "compiler/import/hf/ConfigReader.h"

#include "llvm/Support/Error.h"

namespace xfmr::hf {

/// Fills `spec` (its name and origin already set) from config.json, checking
/// every field the model's output depends on; the weights come later.
using ConfigImporter = llvm::Error (*)(const ConfigReader &config,
                                       ModelSpec &spec);

/// The activation config.json field `key` names (absent: `fallback`), one
/// of the transformers names `accepted` (the model type's, listed in that
/// order in the message): "gelu", "gelu_new" and "gelu_pytorch_tanh" (tanh
/// GELU), "relu", "silu"; hf/ModelTypes.cpp.
llvm::Error readActivation(const ConfigReader &config, llvm::StringRef key,
                           llvm::StringRef fallback,
                           llvm::ArrayRef<llvm::StringRef> accepted,
                           Activation &out);

/// `bert` (BertModel), hf/Bert.cpp.
llvm::Error importBertConfig(const ConfigReader &config, ModelSpec &spec);
/// `gpt2` (GPT2LMHeadModel), hf/Gpt2.cpp.
llvm::Error importGpt2Config(const ConfigReader &config, ModelSpec &spec);
/// `llama` (LlamaForCausalLM), hf/Llama.cpp.
llvm::Error importLlamaConfig(const ConfigReader &config, ModelSpec &spec);

} // namespace xfmr::hf

#endif // XFMR_COMPILER_IMPORT_HF_MODELTYPES_H
