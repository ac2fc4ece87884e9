//===- Gpt2.cpp - The Hugging Face `gpt2` front end -----------------------===//
//
// config.json of `model_type: "gpt2"` → the description of what
// GPT2LMHeadModel computes: a pre-LN LayerNorm decoder with learned
// positions, tanh GELU, a final norm and the LM head tied to the token
// embedding, with transformers' GPT2Config defaults; and its checkpoints'
// tensors. GPT-2's Conv1D layers store their weights [in, out], and one
// Conv1D computes Q, K and V together: the names come with views (the
// transpose, and each projection's third of the fused weight and bias),
// which the runtime takes once at open.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/WeightNames.h"
#include "compiler/import/hf/ModelTypes.h"

using namespace llvm;

namespace xfmr {
namespace hf {

Error importGpt2Config(const ConfigReader &r, ModelSpec &spec) {
  const int64_t maxDim = detail::kMaxDimension;
  StackSpec stack;
  if (Error e = r.readInt("vocab_size", 50257, 1, maxDim, spec.vocabSize))
    return e;
  if (Error e = r.readInt("n_embd", 768, 1, maxDim, spec.dModel))
    return e;
  if (Error e = r.readInt("n_head", 12, 1, maxDim, stack.numHeads))
    return e;
  if (spec.dModel % stack.numHeads != 0)
    return r.fieldError("n_head", "expected a divisor of n_embd (" +
                                      Twine(spec.dModel) + "), got " +
                                      Twine(stack.numHeads));
  stack.numKVHeads = stack.numHeads;
  // n_inner null or absent: 4 x n_embd.
  stack.ffnDim = 4 * spec.dModel;
  if (r.has("n_inner"))
    if (Error e = r.readInt("n_inner", stack.ffnDim, 1, maxDim, stack.ffnDim))
      return e;
  if (Error e =
          r.readInt("n_layer", 12, 1, detail::kMaxLayers, stack.numLayers))
    return e;
  if (Error e = r.readInt("n_positions", 1024, 1, maxDim, spec.maxPositions))
    return e;
  if (Error e = r.readPositive("layer_norm_epsilon", 1e-5, stack.norm.eps))
    return e;

  if (Error e = readActivation(
          r, "activation_function", "gelu_new",
          {"gelu_new", "gelu_pytorch_tanh", "gelu", "relu"}, stack.activation))
    return e;

  bool scaled = true;
  if (Error e = r.readBool("scale_attn_weights", true, scaled))
    return e;
  if (!scaled)
    stack.attentionScale = 1.0;
  for (StringRef flag :
       {"scale_attn_by_inverse_layer_idx", "add_cross_attention"}) {
    bool value = false;
    if (Error e = r.readBool(flag, false, value))
      return e;
    if (value)
      return r.fieldError(flag, "true is not supported yet");
  }
  bool tied = true;
  if (Error e = r.readBool("tie_word_embeddings", true, tied))
    return e;
  if (!tied)
    return r.fieldError("tie_word_embeddings", "false is not supported yet");

  if (Error e = r.readRate("resid_pdrop", 0.1, spec.hiddenDropout))
    return e;
  if (Error e = r.readRate("attn_pdrop", 0.1, spec.attentionDropout))
    return e;
  spec.dropoutMode = DropoutMode::Inverted;
  if (Error e =
          r.readTokenId("pad_token_id", -1, spec.vocabSize, spec.padTokenId))
    return e;
  if (Error e =
          r.readTokenId("eos_token_id", -1, spec.vocabSize, spec.eosTokenId))
    return e;

  stack.causal = true;
  stack.positions.kind = PositionKind::Learned;
  stack.normPlacement = NormPlacement::Pre;
  stack.norm.kind = NormKind::LayerNorm;
  stack.finalNorm = true;
  spec.stacks.push_back(stack);
  spec.lmHead.kind = LMHeadKind::Tied;
  // transformers adds the lowest f32 to padded and future keys; -inf gives
  // the same probabilities on every query with a real key to see.
  spec.maskFill = MaskFill::NegInf;
  spec.weightNames = detail::kGpt2Naming.name.str();
  return Error::success();
}

} // namespace hf

namespace detail {
namespace {

using Kind = TensorRef::Kind;
using Sublayer = TensorRef::Sublayer;

/// GPT2Model's names ("transformer." before them in GPT2LMHeadModel
/// checkpoints, a task prefix).
std::optional<std::string> gpt2TensorName(const ModelSpec &spec,
                                          const TensorRef &ref) {
  if (ref.stack > 0 ||
      (ref.stack == 0 && spec.stacks[0].role() != StackRole::Decoder))
    return std::nullopt;
  std::string param = paramName(ref.param).str();
  switch (ref.kind) {
  case Kind::TokenEmbedding:
    return "wte." + param;
  case Kind::PositionEmbedding:
    return "wpe." + param;
  case Kind::FinalNorm:
    return "ln_f." + param;
  default:
    break;
  }
  if (ref.layer < 0 || ref.sublayer == Sublayer::CrossAttention)
    return std::nullopt;
  std::string layer = "h." + std::to_string(ref.layer) + ".";
  switch (ref.kind) {
  case Kind::Query:
  case Kind::Key:
  case Kind::Value:
    return layer + "attn.c_attn." + param;
  case Kind::AttentionOutput:
    return layer + "attn.c_proj." + param;
  case Kind::Norm:
    return layer + (ref.sublayer == Sublayer::FFN ? "ln_2." : "ln_1.") + param;
  case Kind::FFNUp:
    return layer + "mlp.c_fc." + param;
  case Kind::FFNDown:
    return layer + "mlp.c_proj." + param;
  default:
    return std::nullopt;
  }
}

/// Conv1D weights are stored [in, out]; Q, K and V are the first, second
/// and third d_model rows (outputs) of c_attn, and of its bias.
WeightView gpt2View(const ModelSpec &spec, const TensorRef &ref) {
  WeightView view;
  bool weight = ref.param == TensorRef::Param::Weight;
  switch (ref.kind) {
  case Kind::Query:
  case Kind::Key:
  case Kind::Value: {
    int64_t d = spec.dModel;
    int64_t third = ref.kind == Kind::Query ? 0 : ref.kind == Kind::Key ? 1 : 2;
    view.transposed = weight;
    view.rowBegin = third * d;
    view.rowEnd = (third + 1) * d;
    view.storedRows = 3 * d;
    return view;
  }
  case Kind::AttentionOutput:
  case Kind::FFNUp:
  case Kind::FFNDown:
    view.transposed = weight;
    return view;
  default:
    return view;
  }
}

constexpr StringLiteral kGpt2TaskPrefixes[] = {"transformer."};

} // namespace

const WeightNaming kGpt2Naming = {"gpt2", gpt2TensorName, kGpt2TaskPrefixes,
                                  nullptr, gpt2View};

} // namespace detail
} // namespace xfmr
