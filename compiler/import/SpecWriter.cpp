//===- SpecWriter.cpp - A ModelSpec as a version 2 xfmr spec --------------===//
//
// toJSON writes every field a version 2 spec can hold, including defaults,
// so that a Hugging Face folder's import can be read as a whole, and omits
// only what a field's kind does not have (the theta of learned positions).
// parseSpecText reads the result back to an equal ModelSpec.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ModelSpec.h"
#include "compiler/import/SpecFormat.h"

using namespace llvm;

namespace xfmr {
namespace {

using detail::spell;

json::Object normJSON(const NormSpec &norm) {
  return json::Object{{"kind", spell(detail::kNormKinds, norm.kind)},
                      {"eps", norm.eps}};
}

json::Object positionsJSON(const PositionSpec &positions) {
  json::Object out{{"kind", spell(detail::kPositionKinds, positions.kind)}};
  switch (positions.kind) {
  case PositionKind::Rotary:
    out["theta"] = positions.theta;
    out["scaling"] = positions.scaling;
    [[fallthrough]];
  case PositionKind::Sinusoidal:
    out["layout"] = spell(detail::kLayouts, positions.layout);
    break;
  case PositionKind::RelativeBuckets:
    out["num_buckets"] = positions.numBuckets;
    out["max_distance"] = positions.maxDistance;
    break;
  case PositionKind::None:
  case PositionKind::Learned:
  case PositionKind::ALiBi:
    break;
  }
  return out;
}

json::Object stackJSON(const StackSpec &stack) {
  using detail::AttentionEntry;
  json::Array attention{
      spell(detail::kAttentionEntries,
            stack.causal ? AttentionEntry::CausalSelf : AttentionEntry::Self)};
  if (stack.crossAttention)
    attention.push_back(
        spell(detail::kAttentionEntries, AttentionEntry::Cross));
  json::Object norm = normJSON(stack.norm);
  norm["placement"] = spell(detail::kPlacements, stack.normPlacement);
  norm["final"] = stack.finalNorm;
  json::Object out{
      {"num_layers", stack.numLayers},
      {"attention", std::move(attention)},
      {"num_heads", stack.numHeads},
      {"num_kv_heads", stack.numKVHeads},
      {"positions", positionsJSON(stack.positions)},
      {"norm", std::move(norm)},
      {"ffn", json::Object{{"dim", stack.ffnDim},
                           {"activation",
                            spell(detail::kActivations, stack.activation)},
                           {"gated", stack.gatedFFN}}},
      {"bias", json::Object{{"qkv", stack.qkvBias},
                            {"attention_output", stack.attentionOutputBias},
                            {"ffn", stack.ffnBias}}}};
  if (stack.explicitHeadDim)
    out["head_dim"] = stack.explicitHeadDim;
  if (stack.attentionScale)
    out["attention_scale"] = *stack.attentionScale;
  return out;
}

} // namespace

json::Value toJSON(const ModelSpec &spec) {
  json::Array stacks;
  for (const StackSpec &stack : spec.stacks)
    stacks.push_back(stackJSON(stack));
  json::Object out{
      {"format", "xfmr-spec"},
      {"version", 2},
      {"name", spec.name},
      {"vocab_size", spec.vocabSize},
      {"d_model", spec.dModel},
      {"max_positions", spec.maxPositions},
      {"type_vocab_size", spec.typeVocabSize},
      {"embedding_scale", spec.embeddingScale},
      {"stacks", std::move(stacks)},
      {"dropout",
       json::Object{{"hidden", spec.hiddenDropout},
                    {"attention", spec.attentionDropout},
                    {"mode", spell(detail::kDropoutModes, spec.dropoutMode)}}},
      {"weight_names", spec.weightNames},
  };
  if (spec.embeddingNorm)
    out["embedding_norm"] = normJSON(*spec.embeddingNorm);
  if (spec.lmHead.kind != LMHeadKind::None)
    out["lm_head"] =
        json::Object{{"kind", spell(detail::kLMHeads, spec.lmHead.kind)},
                     {"bias", spec.lmHead.bias},
                     {"scale", spec.lmHead.scale}};
  if (spec.maskFill == MaskFill::Value)
    out["mask_fill"] = spec.maskFillValue;
  else
    out["mask_fill"] = spell(detail::kMaskFills, spec.maskFill);
  if (spec.padTokenId >= 0)
    out["pad_token_id"] = spec.padTokenId;
  if (spec.eosTokenId >= 0)
    out["eos_token_id"] = spec.eosTokenId;
  if (!spec.weightsPath.empty())
    out["weights"] = spec.weightsPath;
  return out;
}

} // namespace xfmr
