//===- WeightNames.cpp - The xfmr naming scheme and the scheme table ------===//
//
// The "xfmr" scheme names every tensor a description can have, so a spec of
// any architecture can come with a weights file (docs/spec.md, "Weight
// names"), and messages can say which tensor another scheme cannot name.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/WeightNames.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

using namespace llvm;

namespace xfmr::detail {

StringRef stackName(const StackSpec &stack) {
  return stack.role() == StackRole::Encoder ? "encoder" : "decoder";
}

StringRef paramName(TensorRef::Param param) {
  return param == TensorRef::Param::Weight ? "weight" : "bias";
}

std::string xfmrTensorName(const ModelSpec &spec, const TensorRef &ref) {
  using Kind = TensorRef::Kind;
  using Sublayer = TensorRef::Sublayer;
  std::string param = paramName(ref.param).str();
  auto model = [&](const Twine &module) {
    return (module + "." + param).str();
  };
  if (ref.stack < 0) {
    switch (ref.kind) {
    case Kind::TokenEmbedding:
      return model("embed_tokens");
    case Kind::TokenTypeEmbedding:
      return model("embed_token_types");
    case Kind::EmbeddingNorm:
      return model("embed_norm");
    case Kind::LMHead:
      return model("lm_head");
    default:
      llvm_unreachable("a stack's tensor without a stack");
    }
  }
  std::string stack = stackName(spec.stacks[ref.stack]).str();
  if (ref.layer < 0) {
    switch (ref.kind) {
    case Kind::PositionEmbedding:
      return model(stack + ".embed_positions");
    case Kind::RelativeBias:
      return model(stack + ".relative_bias");
    case Kind::FinalNorm:
      return model(stack + ".final_norm");
    default:
      llvm_unreachable("a layer's tensor without a layer");
    }
  }
  std::string layer = stack + ".layers." + std::to_string(ref.layer) + ".";
  StringRef attention =
      ref.sublayer == Sublayer::CrossAttention ? "cross_attn" : "self_attn";
  switch (ref.kind) {
  case Kind::Query:
    return model(layer + attention + ".q_proj");
  case Kind::Key:
    return model(layer + attention + ".k_proj");
  case Kind::Value:
    return model(layer + attention + ".v_proj");
  case Kind::AttentionOutput:
    return model(layer + attention + ".o_proj");
  case Kind::Norm:
    return model(
        layer + (ref.sublayer == Sublayer::FFN ? StringRef("ffn") : attention) +
        "_norm");
  case Kind::FFNUp:
    return model(layer + "ffn.up_proj");
  case Kind::FFNGate:
    return model(layer + "ffn.gate_proj");
  case Kind::FFNDown:
    return model(layer + "ffn.down_proj");
  default:
    llvm_unreachable("a model's or stack's tensor in a layer");
  }
}

const WeightNaming kXfmrNaming = {
    "xfmr",
    [](const ModelSpec &spec, const TensorRef &ref)
        -> std::optional<std::string> { return xfmrTensorName(spec, ref); },
    {},
    nullptr};

static const WeightNaming *const kNamings[] = {&kXfmrNaming, &kBertNaming,
                                               &kGpt2Naming, &kLlamaNaming};

const WeightNaming *findWeightNaming(StringRef name) {
  for (const WeightNaming *naming : kNamings)
    if (naming->name == name)
      return naming;
  return nullptr;
}

ArrayRef<const WeightNaming *> weightNamings() { return kNamings; }

} // namespace xfmr::detail
