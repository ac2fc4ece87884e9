//===- Bert.cpp - The Hugging Face `bert` front end -----------------------===//
//
// config.json of `model_type: "bert"` → the description of what BertModel
// computes (docs/spec.md, "config.json → spec"), with transformers'
// BertConfig defaults, and the names of BERT checkpoints' tensors, which
// version 1 specs use too.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/WeightNames.h"
#include "compiler/import/hf/ModelTypes.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace xfmr {
namespace hf {

Error importBertConfig(const ConfigReader &r, ModelSpec &spec) {
  const int64_t maxDim = detail::kMaxDimension;
  StackSpec stack;
  if (Error e = r.readInt("vocab_size", 30522, 1, maxDim, spec.vocabSize))
    return e;
  if (Error e = r.readInt("hidden_size", 768, 1, maxDim, spec.dModel))
    return e;
  if (Error e = r.readInt("num_attention_heads", 12, 1, maxDim, stack.numHeads))
    return e;
  if (spec.dModel % stack.numHeads != 0)
    return r.fieldError("num_attention_heads",
                        "expected a divisor of hidden_size (" +
                            Twine(spec.dModel) + "), got " +
                            Twine(stack.numHeads));
  stack.numKVHeads = stack.numHeads;
  if (Error e = r.readInt("intermediate_size", 3072, 1, maxDim, stack.ffnDim))
    return e;
  if (Error e = r.readInt("num_hidden_layers", 12, 1, detail::kMaxLayers,
                          stack.numLayers))
    return e;
  if (Error e = r.readInt("max_position_embeddings", 512, 1, maxDim,
                          spec.maxPositions))
    return e;
  // BertModel always adds a token type embedding (row 0 by default), so a
  // BERT checkpoint needs at least one row.
  if (Error e = r.readInt("type_vocab_size", 2, 1, maxDim, spec.typeVocabSize))
    return e;
  if (Error e = r.readPositive("layer_norm_eps", 1e-12, stack.norm.eps))
    return e;

  if (Error e = readActivation(
          r, "hidden_act", "gelu",
          {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu"}, stack.activation))
    return e;

  if (Error e = r.readRate("hidden_dropout_prob", 0.1, spec.hiddenDropout))
    return e;
  if (Error e = r.readRate("attention_probs_dropout_prob", 0.1,
                           spec.attentionDropout))
    return e;
  // torch.nn.Dropout scales by 1/(1-p) in training: identity at inference.
  spec.dropoutMode = DropoutMode::Inverted;

  std::string positions;
  if (Error e = r.readString("position_embedding_type", "absolute", positions))
    return e;
  if (positions == "relative_key" || positions == "relative_key_query")
    return r.fieldError("position_embedding_type",
                        "\"" + positions + "\" is not supported yet");
  if (positions != "absolute")
    return r.fieldError("position_embedding_type",
                        "expected \"absolute\", got " +
                            detail::describe(json::Value(positions)));
  stack.positions.kind = PositionKind::Learned;

  if (Error e =
          r.readTokenId("pad_token_id", 0, spec.vocabSize, spec.padTokenId))
    return e;

  for (StringRef flag : {"is_decoder", "add_cross_attention"}) {
    bool value = false;
    if (Error e = r.readBool(flag, false, value))
      return e;
    if (value)
      return r.fieldError(flag, "true is not supported yet (BertModel as an "
                                "encoder only)");
  }

  // A post-LN encoder with every bias; the embedding LayerNorm shares the
  // layers' epsilon.
  stack.causal = false;
  stack.normPlacement = NormPlacement::Post;
  stack.norm.kind = NormKind::LayerNorm;
  spec.stacks.push_back(stack);
  spec.embeddingNorm = stack.norm;
  spec.embeddingScale = false;
  // BertModel adds torch.finfo(float32).min to padded keys.
  spec.maskFill = MaskFill::Lowest;
  spec.weightNames = detail::kBertNaming.name.str();
  return Error::success();
}

} // namespace hf

namespace detail {
namespace {

/// BertModel's names; a BERT checkpoint has one encoder stack and no
/// gate, final norm, relative bias or LM head.
std::optional<std::string> bertTensorName(const ModelSpec &spec,
                                          const TensorRef &ref) {
  using Kind = TensorRef::Kind;
  using Sublayer = TensorRef::Sublayer;
  if (ref.stack > 0 ||
      (ref.stack == 0 && spec.stacks[0].role() != StackRole::Encoder))
    return std::nullopt;
  std::string param = paramName(ref.param).str();
  switch (ref.kind) {
  case Kind::TokenEmbedding:
    return "embeddings.word_embeddings." + param;
  case Kind::PositionEmbedding:
    return "embeddings.position_embeddings." + param;
  case Kind::TokenTypeEmbedding:
    return "embeddings.token_type_embeddings." + param;
  case Kind::EmbeddingNorm:
    return "embeddings.LayerNorm." + param;
  default:
    break;
  }
  if (ref.layer < 0 || ref.sublayer == Sublayer::CrossAttention)
    return std::nullopt;
  std::string layer = "encoder.layer." + std::to_string(ref.layer) + ".";
  switch (ref.kind) {
  case Kind::Query:
    return layer + "attention.self.query." + param;
  case Kind::Key:
    return layer + "attention.self.key." + param;
  case Kind::Value:
    return layer + "attention.self.value." + param;
  case Kind::AttentionOutput:
    return layer + "attention.output.dense." + param;
  case Kind::Norm:
    return layer +
           (ref.sublayer == Sublayer::FFN ? "output" : "attention.output") +
           ".LayerNorm." + param;
  case Kind::FFNUp:
    return layer + "intermediate.dense." + param;
  case Kind::FFNDown:
    return layer + "output.dense." + param;
  default:
    return std::nullopt;
  }
}

/// Checkpoints converted from the original TensorFlow BERT may still use
/// the legacy LayerNorm parameter names.
std::string bertMissingHint(StringRef key, const safetensors::Header &header) {
  for (auto [modern, legacy] :
       {std::pair<StringRef, StringRef>{".LayerNorm.weight", "gamma"},
        {".LayerNorm.bias", "beta"}}) {
    if (!key.ends_with(modern))
      continue;
    std::string legacyKey =
        (key.drop_back(modern.size()) + ".LayerNorm." + legacy).str();
    if (header.find(legacyKey))
      return "; found the legacy name '" + legacyKey +
             "', which is not supported yet";
  }
  return "";
}

/// BertForMaskedLM and the other task models keep BertModel under "bert.".
constexpr StringLiteral kBertTaskPrefixes[] = {"bert."};

} // namespace

const WeightNaming kBertNaming = {"bert", bertTensorName, kBertTaskPrefixes,
                                  bertMissingHint};

} // namespace detail
} // namespace xfmr
