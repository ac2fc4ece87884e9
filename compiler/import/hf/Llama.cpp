//===- Llama.cpp - The Hugging Face `llama` front end ---------------------===//
//
// config.json of `model_type: "llama"` → the description of what
// LlamaForCausalLM computes: a pre-LN RMSNorm decoder with rotary positions
// (the half_split layout transformers computes), a SwiGLU FFN, grouped-query
// attention and an LM head, with transformers' LlamaConfig defaults; and the
// names of its checkpoints' tensors.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/WeightNames.h"
#include "compiler/import/hf/ModelTypes.h"

using namespace llvm;

namespace xfmr {
namespace hf {

namespace {
/// The rotary settings: `rope_parameters` (transformers 5), else
/// `rope_theta` and `rope_scaling` (older configs; `rope_scaling` then
/// names the scaling). Only the default and linear scalings are read.
Error readRotary(const ConfigReader &r, PositionSpec &positions) {
  positions.kind = PositionKind::Rotary;
  positions.layout = FeatureLayout::HalfSplit;
  positions.scaling = 1.0;
  if (Error e = r.readPositive("rope_theta", 10000.0, positions.theta))
    return e;
  for (StringRef key : {"rope_parameters", "rope_scaling"}) {
    Expected<std::optional<ConfigReader>> nested = r.readObject(key);
    if (!nested)
      return nested.takeError();
    if (!*nested)
      continue;
    const ConfigReader &rope = **nested;
    if (rope.has("rope_theta"))
      if (Error e =
              rope.readPositive("rope_theta", positions.theta, positions.theta))
        return e;
    std::string type;
    StringRef typeKey = rope.has("rope_type") ? "rope_type" : "type";
    if (Error e = rope.readString(typeKey, "default", type))
      return e;
    if (type == "linear") {
      if (Error e = rope.readPositive("factor", 1.0, positions.scaling))
        return e;
    } else if (type != "default") {
      return rope.fieldError(typeKey, "\"" + type +
                                          "\" is not supported yet (expected "
                                          "\"default\" or \"linear\")");
    }
  }
  return Error::success();
}
} // namespace

Error importLlamaConfig(const ConfigReader &r, ModelSpec &spec) {
  const int64_t maxDim = detail::kMaxDimension;
  StackSpec stack;
  if (Error e = r.readInt("vocab_size", 32000, 1, maxDim, spec.vocabSize))
    return e;
  if (Error e = r.readInt("hidden_size", 4096, 1, maxDim, spec.dModel))
    return e;
  if (Error e = r.readInt("num_attention_heads", 32, 1, maxDim, stack.numHeads))
    return e;
  // Absent or null: one K/V head per query head.
  stack.numKVHeads = stack.numHeads;
  if (r.has("num_key_value_heads"))
    if (Error e = r.readInt("num_key_value_heads", stack.numHeads, 1,
                            stack.numHeads, stack.numKVHeads))
      return e;
  if (stack.numHeads % stack.numKVHeads != 0)
    return r.fieldError("num_key_value_heads",
                        "expected a divisor of num_attention_heads (" +
                            Twine(stack.numHeads) + "), got " +
                            Twine(stack.numKVHeads));
  if (!r.has("head_dim") && spec.dModel % stack.numHeads != 0)
    return r.fieldError("num_attention_heads",
                        "expected a divisor of hidden_size (" +
                            Twine(spec.dModel) + "), got " +
                            Twine(stack.numHeads));
  stack.explicitHeadDim = spec.dModel / stack.numHeads;
  if (r.has("head_dim"))
    if (Error e = r.readInt("head_dim", stack.explicitHeadDim, 1, maxDim,
                            stack.explicitHeadDim))
      return e;
  if (stack.explicitHeadDim % 2 != 0)
    return r.fieldError("head_dim", "expected an even head width (rotary "
                                    "positions turn pairs), got " +
                                        Twine(stack.explicitHeadDim));
  if (Error e = r.readInt("intermediate_size", 11008, 1, maxDim, stack.ffnDim))
    return e;
  if (Error e = r.readInt("num_hidden_layers", 32, 1, detail::kMaxLayers,
                          stack.numLayers))
    return e;
  if (Error e = r.readInt("max_position_embeddings", 2048, 1, maxDim,
                          spec.maxPositions))
    return e;
  if (Error e = r.readPositive("rms_norm_eps", 1e-6, stack.norm.eps))
    return e;
  if (Error e = readRotary(r, stack.positions))
    return e;

  if (Error e = readActivation(
          r, "hidden_act", "silu",
          {"silu", "gelu", "gelu_new", "gelu_pytorch_tanh"}, stack.activation))
    return e;

  bool attentionBias = false, mlpBias = false, tied = false;
  if (Error e = r.readBool("attention_bias", false, attentionBias))
    return e;
  if (Error e = r.readBool("mlp_bias", false, mlpBias))
    return e;
  if (Error e = r.readBool("tie_word_embeddings", false, tied))
    return e;
  int64_t tensorParallel = 1;
  if (Error e = r.readInt("pretraining_tp", 1, 1, maxDim, tensorParallel))
    return e;
  if (tensorParallel != 1)
    return r.fieldError("pretraining_tp",
                        Twine(tensorParallel) + " is not supported yet");
  if (Error e = r.readRate("attention_dropout", 0.0, spec.attentionDropout))
    return e;
  spec.dropoutMode = DropoutMode::Inverted;
  if (Error e =
          r.readTokenId("pad_token_id", -1, spec.vocabSize, spec.padTokenId))
    return e;
  if (Error e =
          r.readTokenId("eos_token_id", -1, spec.vocabSize, spec.eosTokenId))
    return e;

  // LlamaForCausalLM: pre-LN RMSNorm around both sublayers, a final norm,
  // SwiGLU, the Q/K/V and output projections biased together.
  stack.causal = true;
  stack.normPlacement = NormPlacement::Pre;
  stack.norm.kind = NormKind::RMSNorm;
  stack.finalNorm = true;
  stack.gatedFFN = true;
  stack.qkvBias = attentionBias;
  stack.attentionOutputBias = attentionBias;
  stack.ffnBias = mlpBias;
  spec.stacks.push_back(stack);
  spec.lmHead.kind = tied ? LMHeadKind::Tied : LMHeadKind::Separate;
  // transformers adds the lowest f32 to padded and future keys; -inf gives
  // the same probabilities on every query with a real key to see (a padded
  // query's row is never read), and lets the fused kernel skip the keys.
  spec.maskFill = MaskFill::NegInf;
  spec.weightNames = detail::kLlamaNaming.name.str();
  return Error::success();
}

} // namespace hf

namespace detail {
namespace {

/// LlamaForCausalLM's names: the decoder under "model.", the head beside it.
std::optional<std::string> llamaTensorName(const ModelSpec &spec,
                                           const TensorRef &ref) {
  using Kind = TensorRef::Kind;
  using Sublayer = TensorRef::Sublayer;
  if (ref.stack > 0 ||
      (ref.stack == 0 && spec.stacks[0].role() != StackRole::Decoder))
    return std::nullopt;
  std::string param = paramName(ref.param).str();
  switch (ref.kind) {
  case Kind::TokenEmbedding:
    return "model.embed_tokens." + param;
  case Kind::FinalNorm:
    return "model.norm." + param;
  case Kind::LMHead:
    return "lm_head." + param;
  default:
    break;
  }
  if (ref.layer < 0 || ref.sublayer == Sublayer::CrossAttention)
    return std::nullopt;
  std::string layer = "model.layers." + std::to_string(ref.layer) + ".";
  switch (ref.kind) {
  case Kind::Query:
    return layer + "self_attn.q_proj." + param;
  case Kind::Key:
    return layer + "self_attn.k_proj." + param;
  case Kind::Value:
    return layer + "self_attn.v_proj." + param;
  case Kind::AttentionOutput:
    return layer + "self_attn.o_proj." + param;
  case Kind::Norm:
    return layer +
           (ref.sublayer == Sublayer::FFN ? "post_attention_layernorm."
                                          : "input_layernorm.") +
           param;
  case Kind::FFNUp:
    return layer + "mlp.up_proj." + param;
  case Kind::FFNGate:
    return layer + "mlp.gate_proj." + param;
  case Kind::FFNDown:
    return layer + "mlp.down_proj." + param;
  default:
    return std::nullopt;
  }
}

} // namespace

const WeightNaming kLlamaNaming = {"llama", llamaTensorName, {}, nullptr};

} // namespace detail
} // namespace xfmr
