//===- ModelSpec.cpp - Tensors, validation and dispatch -------------------===//
//
// What every front end shares: the tensors a description needs, the checks
// of its fields against each other, a safetensors header against those
// tensors, and the entry point that picks a front end for a path.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ModelSpec.h"
#include "compiler/import/ImportUtils.h"
#include "compiler/import/WeightNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cfloat>
#include <cmath>
#include <tuple>

using namespace llvm;

namespace xfmr {

//===----------------------------------------------------------------------===//
// The description
//===----------------------------------------------------------------------===//

bool operator==(const PositionSpec &a, const PositionSpec &b) {
  if (a.kind != b.kind)
    return false;
  switch (a.kind) {
  case PositionKind::Sinusoidal:
    return a.layout == b.layout;
  case PositionKind::Rotary:
    return a.layout == b.layout && a.theta == b.theta && a.scaling == b.scaling;
  case PositionKind::RelativeBuckets:
    return a.numBuckets == b.numBuckets && a.maxDistance == b.maxDistance;
  case PositionKind::None:
  case PositionKind::Learned:
  case PositionKind::ALiBi:
    return true;
  }
  llvm_unreachable("unknown position kind");
}

double StackSpec::scale(int64_t dModel) const {
  if (attentionScale)
    return *attentionScale;
  return 1.0 / std::sqrt(static_cast<double>(headDim(dModel)));
}

bool operator==(const StackSpec &a, const StackSpec &b) {
  auto fields = [](const StackSpec &s) {
    return std::tie(s.numLayers, s.causal, s.crossAttention, s.numHeads,
                    s.numKVHeads, s.explicitHeadDim, s.attentionScale,
                    s.positions, s.norm, s.normPlacement, s.finalNorm, s.ffnDim,
                    s.activation, s.gatedFFN, s.qkvBias, s.attentionOutputBias,
                    s.ffnBias);
  };
  return fields(a) == fields(b);
}

Architecture ModelSpec::architecture() const {
  if (stacks.size() > 1)
    return Architecture::EncoderDecoder;
  if (!stacks.empty() && stacks.front().causal)
    return Architecture::Decoder;
  return Architecture::Encoder;
}

bool operator==(const ModelSpec &a, const ModelSpec &b) {
  auto fields = [](const ModelSpec &s) {
    return std::tie(s.name, s.vocabSize, s.dModel, s.maxPositions, s.maxLength,
                    s.typeVocabSize, s.embeddingScale, s.embeddingNorm,
                    s.stacks, s.lmHead, s.hiddenDropout, s.attentionDropout,
                    s.dropoutMode, s.maskFill, s.padTokenId, s.eosTokenId,
                    s.pooling, s.normalizeEmbedding, s.weightNames,
                    s.weightsPath, s.weightPrefix);
  };
  if (fields(a) != fields(b))
    return false;
  return a.maskFill != MaskFill::Value || a.maskFillValue == b.maskFillValue;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

namespace {

/// A tensor of the description with its shape, before naming.
struct TensorShape {
  TensorRef ref;
  SmallVector<int64_t, 2> shape;
  std::string hint;
};

/// Lists the tensors of a description in requiredWeights order.
class TensorLister {
public:
  explicit TensorLister(const ModelSpec &spec) : spec(spec) {}

  std::vector<TensorShape> run() {
    using Kind = TensorRef::Kind;
    int64_t d = spec.dModel;
    add({Kind::TokenEmbedding}, {spec.vocabSize, d}, "vocab_size x d_model");
    // The position tables come next, as in a BERT checkpoint (and in the
    // entry points' weight arguments, which follow this order).
    for (auto [index, stack] : enumerate(spec.stacks)) {
      if (stack.positions.kind != PositionKind::Learned)
        continue;
      TensorRef ref{Kind::PositionEmbedding};
      ref.stack = static_cast<int>(index);
      add(ref, {spec.maxPositions, d}, "max_positions x d_model");
    }
    if (spec.typeVocabSize > 0)
      add({Kind::TokenTypeEmbedding}, {spec.typeVocabSize, d},
          "type_vocab_size x d_model");
    if (spec.embeddingNorm)
      addNorm({Kind::EmbeddingNorm}, *spec.embeddingNorm);
    for (auto [index, stack] : enumerate(spec.stacks))
      addStack(static_cast<int>(index), stack);
    const LMHeadSpec &head = spec.lmHead;
    if (head.kind == LMHeadKind::Separate)
      add({Kind::LMHead}, {spec.vocabSize, d}, "vocab_size x d_model");
    if (head.kind != LMHeadKind::None && head.bias)
      add({Kind::LMHead, TensorRef::Param::Bias}, {spec.vocabSize},
          "vocab_size");
    return std::move(tensors);
  }

private:
  void add(TensorRef ref, ArrayRef<int64_t> shape, StringRef hint) {
    tensors.push_back(
        {ref, SmallVector<int64_t, 2>(shape.begin(), shape.end()), hint.str()});
  }

  /// A [out, in] matrix and, with `bias`, its [out] bias.
  void addLinear(TensorRef ref, bool bias, int64_t out, int64_t in,
                 StringRef outHint, StringRef inHint) {
    ref.param = TensorRef::Param::Weight;
    add(ref, {out, in}, (outHint + " x " + inHint).str());
    if (!bias)
      return;
    ref.param = TensorRef::Param::Bias;
    add(ref, {out}, outHint);
  }

  /// A norm's [d_model] gain and, for LayerNorm, its bias.
  void addNorm(TensorRef ref, const NormSpec &norm) {
    ref.param = TensorRef::Param::Weight;
    add(ref, {spec.dModel}, "d_model");
    if (!norm.hasBias())
      return;
    ref.param = TensorRef::Param::Bias;
    add(ref, {spec.dModel}, "d_model");
  }

  void addStack(int index, const StackSpec &stack) {
    using Kind = TensorRef::Kind;
    using Sublayer = TensorRef::Sublayer;
    int64_t d = spec.dModel;
    TensorRef ref{Kind::RelativeBias};
    ref.stack = index;
    if (stack.positions.kind == PositionKind::RelativeBuckets)
      add(ref, {stack.positions.numBuckets, stack.numHeads},
          "num_buckets x num_heads");

    int64_t headDim = stack.headDim(d);
    int64_t qWidth = stack.numHeads * headDim;
    int64_t kvWidth = stack.numKVHeads * headDim;
    StringRef qHint =
        stack.explicitHeadDim ? "num_heads * head_dim" : "d_model";
    StringRef kvHint =
        stack.numKVHeads == stack.numHeads ? qHint : "num_kv_heads * head_dim";
    for (int64_t layer = 0; layer < stack.numLayers; ++layer) {
      TensorRef at = ref;
      at.layer = layer;
      auto attention = [&](Sublayer sublayer) {
        at.sublayer = sublayer;
        at.kind = Kind::Query;
        addLinear(at, stack.qkvBias, qWidth, d, qHint, "d_model");
        at.kind = Kind::Key;
        addLinear(at, stack.qkvBias, kvWidth, d, kvHint, "d_model");
        at.kind = Kind::Value;
        addLinear(at, stack.qkvBias, kvWidth, d, kvHint, "d_model");
        at.kind = Kind::AttentionOutput;
        addLinear(at, stack.attentionOutputBias, d, qWidth, "d_model", qHint);
        at.kind = Kind::Norm;
        addNorm(at, stack.norm);
      };
      attention(Sublayer::SelfAttention);
      if (stack.crossAttention)
        attention(Sublayer::CrossAttention);
      at.sublayer = Sublayer::FFN;
      at.kind = Kind::FFNUp;
      addLinear(at, stack.ffnBias, stack.ffnDim, d, "ffn_dim", "d_model");
      if (stack.gatedFFN) {
        at.kind = Kind::FFNGate;
        addLinear(at, stack.ffnBias, stack.ffnDim, d, "ffn_dim", "d_model");
      }
      at.kind = Kind::FFNDown;
      addLinear(at, stack.ffnBias, d, stack.ffnDim, "d_model", "ffn_dim");
      at.kind = Kind::Norm;
      addNorm(at, stack.norm);
    }
    if (stack.finalNorm) {
      ref.kind = Kind::FinalNorm;
      addNorm(ref, stack.norm);
    }
  }

  const ModelSpec &spec;
  std::vector<TensorShape> tensors;
};

} // namespace

std::vector<WeightRef> requiredWeights(const ModelSpec &spec) {
  const detail::WeightNaming *naming =
      detail::findWeightNaming(spec.weightNames);
  assert(naming && "validateSpec checks the naming scheme");
  std::vector<WeightRef> refs;
  for (TensorShape &tensor : TensorLister(spec).run()) {
    std::optional<std::string> name;
    if (naming)
      name = naming->tensorName(spec, tensor.ref);
    assert(name && "validateSpec checks that the scheme names every tensor");
    if (!name)
      name = detail::xfmrTensorName(spec, tensor.ref);
    WeightView view;
    if (naming && naming->view)
      view = naming->view(spec, tensor.ref);
    refs.push_back({tensor.ref, spec.weightPrefix + *name,
                    std::move(tensor.shape), std::move(tensor.hint), view});
  }
  return refs;
}

SmallVector<int64_t, 2> WeightRef::storedShape() const {
  SmallVector<int64_t, 2> stored = shape;
  if (view.isSlice())
    stored[0] = view.storedRows;
  if (view.transposed)
    std::swap(stored[0], stored[1]);
  return stored;
}

//===----------------------------------------------------------------------===//
// Field validation
//===----------------------------------------------------------------------===//

namespace {

/// Checks one description; every message names `origin` and the field.
class Validator {
public:
  Validator(const ModelSpec &spec, StringRef origin,
            function_ref<std::string(StringRef)> fieldName)
      : spec(spec), origin(origin), fieldName(fieldName) {}

  Error run() {
    if (spec.name.empty())
      return fieldError("name", "expected a non-empty string");
    if (Error e = checkSize("vocab_size", spec.vocabSize, 1))
      return e;
    if (Error e = checkSize("d_model", spec.dModel, 1))
      return e;
    if (Error e = checkSize("max_positions", spec.maxPositions, 1))
      return e;
    if (Error e = checkSize("type_vocab_size", spec.typeVocabSize, 0))
      return e;
    if (spec.embeddingNorm)
      if (Error e =
              checkPositive("embedding_norm.eps", spec.embeddingNorm->eps))
        return e;
    if (Error e = checkStacks())
      return e;
    for (auto [index, stack] : enumerate(spec.stacks))
      if (Error e = checkStack("stacks[" + std::to_string(index) + "].", stack))
        return e;
    if (Error e = checkLMHead())
      return e;
    if (Error e = checkRate("dropout.hidden", spec.hiddenDropout))
      return e;
    if (Error e = checkRate("dropout.attention", spec.attentionDropout))
      return e;
    if (spec.maskFill == MaskFill::Value &&
        !(spec.maskFillValue < 0.0 && spec.maskFillValue >= -FLT_MAX))
      return fieldError("mask_fill",
                        "expected a finite f32 number < 0, got " +
                            detail::formatNumber(spec.maskFillValue));
    for (auto [field, id] :
         {std::pair<const char *, int64_t>{"pad_token_id", spec.padTokenId},
          {"eos_token_id", spec.eosTokenId}})
      if (id != -1 && (id < 0 || id >= spec.vocabSize))
        return fieldError(field,
                          "expected an integer in [0, vocab_size) = [0, " +
                              Twine(spec.vocabSize) + "), got " + Twine(id));
    return checkNaming();
  }

private:
  Error fieldError(const Twine &field, const Twine &what) const {
    return detail::makeError(origin + ": field '" + fieldName(field.str()) +
                             "': " + what);
  }

  Error checkSize(const Twine &field, int64_t value, int64_t min,
                  int64_t max = detail::kMaxDimension) const {
    if (value < min)
      return fieldError(field,
                        "expected an integer " +
                            (min == 1 ? Twine("> 0") : ">= " + Twine(min)) +
                            ", got " + Twine(value));
    if (value > max)
      return fieldError(field, "expected at most " + Twine(max) + ", got " +
                                   Twine(value));
    return Error::success();
  }

  Error checkPositive(const Twine &field, double x) const {
    if (x > 0.0 && std::isfinite(x))
      return Error::success();
    return fieldError(field, "expected a finite number > 0, got " +
                                 detail::formatNumber(x));
  }

  Error checkRate(const Twine &field, double p) const {
    if (p >= 0.0 && p < 1.0)
      return Error::success();
    return fieldError(field, "expected a number in [0, 1), got " +
                                 detail::formatNumber(p));
  }

  /// An encoder, a decoder, or an encoder then a decoder that attends to it.
  Error checkStacks() const {
    size_t count = spec.stacks.size();
    if (count < 1 || count > 2)
      return fieldError("stacks",
                        "expected 1 or 2 stacks, got " + Twine(count));
    if (count == 2) {
      if (spec.stacks[0].causal)
        return fieldError("stacks[0].attention",
                          "the first of two stacks is the encoder: expected "
                          "[\"self\"]");
      if (!spec.stacks[1].causal || !spec.stacks[1].crossAttention)
        return fieldError("stacks[1].attention",
                          "the second of two stacks is the decoder: expected "
                          "[\"causal_self\", \"cross\"]");
    }
    for (auto [index, stack] : enumerate(spec.stacks)) {
      if (!stack.crossAttention)
        continue;
      std::string field = "stacks[" + std::to_string(index) + "].attention";
      if (!stack.causal)
        return fieldError(field, "\"cross\" needs \"causal_self\" (a decoder)");
      if (index == 0)
        return fieldError(field,
                          "\"cross\" needs an encoder stack before this one");
    }
    return Error::success();
  }

  Error checkStack(const std::string &p, const StackSpec &stack) const {
    if (Error e =
            checkSize(p + "num_layers", stack.numLayers, 1, detail::kMaxLayers))
      return e;
    if (stack.explicitHeadDim == 0) {
      if (stack.numHeads <= 0 || stack.numHeads > spec.dModel ||
          spec.dModel % stack.numHeads != 0)
        return fieldError(p + "num_heads",
                          "expected an integer > 0 that divides d_model (" +
                              Twine(spec.dModel) + "), got " +
                              Twine(stack.numHeads));
    } else {
      if (Error e = checkSize(p + "num_heads", stack.numHeads, 1))
        return e;
      if (Error e = checkSize(p + "head_dim", stack.explicitHeadDim, 1))
        return e;
      if (stack.numHeads * stack.explicitHeadDim > detail::kMaxDimension)
        return fieldError(p + "head_dim",
                          "num_heads * head_dim = " +
                              Twine(stack.numHeads * stack.explicitHeadDim) +
                              " exceeds " + Twine(detail::kMaxDimension));
    }
    if (stack.numKVHeads <= 0 || stack.numKVHeads > stack.numHeads ||
        stack.numHeads % stack.numKVHeads != 0)
      return fieldError(p + "num_kv_heads",
                        "expected an integer > 0 that divides num_heads (" +
                            Twine(stack.numHeads) + "), got " +
                            Twine(stack.numKVHeads));
    if (stack.attentionScale)
      if (Error e = checkPositive(p + "attention_scale", *stack.attentionScale))
        return e;
    if (Error e = checkPositions(p + "positions.", stack))
      return e;
    if (Error e = checkPositive(p + "norm.eps", stack.norm.eps))
      return e;
    return checkSize(p + "ffn.dim", stack.ffnDim, 1);
  }

  Error checkPositions(const std::string &p, const StackSpec &stack) const {
    const PositionSpec &positions = stack.positions;
    if (positions.kind == PositionKind::RelativeBuckets) {
      // T5 gives half the buckets to each direction in an encoder, and
      // half of a direction's buckets to exact distances.
      int64_t minBuckets = stack.causal ? 2 : 4;
      if (Error e =
              checkSize(p + "num_buckets", positions.numBuckets, minBuckets))
        return e;
      int64_t exact =
          (stack.causal ? positions.numBuckets : positions.numBuckets / 2) / 2;
      return checkSize(p + "max_distance", positions.maxDistance, exact + 1);
    }
    if (positions.kind == PositionKind::Rotary) {
      if (Error e = checkPositive(p + "theta", positions.theta))
        return e;
      if (Error e = checkPositive(p + "scaling", positions.scaling))
        return e;
      // Rotary embeddings rotate pairs of features.
      int64_t headDim = stack.headDim(spec.dModel);
      if (headDim % 2 != 0)
        return fieldError(p + "kind",
                          "\"rotary\" needs an even head_dim, got " +
                              Twine(headDim));
    }
    return Error::success();
  }

  Error checkLMHead() const {
    const LMHeadSpec &head = spec.lmHead;
    if (head.kind == LMHeadKind::None) {
      if (head.bias || head.scale != 1.0)
        return fieldError("lm_head", "a bias or scale without an LM head");
      return Error::success();
    }
    if (spec.architecture() == Architecture::Encoder)
      return fieldError("lm_head", "an LM head needs a decoder stack");
    return checkPositive("lm_head.scale", head.scale);
  }

  /// The scheme exists and names every tensor the description has.
  Error checkNaming() const {
    const detail::WeightNaming *naming =
        detail::findWeightNaming(spec.weightNames);
    if (!naming) {
      std::string known;
      for (const detail::WeightNaming *candidate : detail::weightNamings())
        known += (known.empty() ? "\"" : ", \"") + candidate->name.str() + "\"";
      return fieldError("weight_names",
                        "expected one of " + known + ", got " +
                            detail::describe(json::Value(spec.weightNames)));
    }
    for (const TensorShape &tensor : TensorLister(spec).run())
      if (!naming->tensorName(spec, tensor.ref))
        return fieldError("weight_names",
                          "\"" + naming->name + "\" has no name for '" +
                              detail::xfmrTensorName(spec, tensor.ref) +
                              "' (its xfmr name)");
    return Error::success();
  }

  const ModelSpec &spec;
  StringRef origin;
  function_ref<std::string(StringRef)> fieldName;
};

} // namespace

Error validateSpec(const ModelSpec &spec, StringRef origin,
                   function_ref<std::string(StringRef)> fieldName) {
  return Validator(spec, origin, fieldName).run();
}

Error validateSpec(const ModelSpec &spec, StringRef origin) {
  return validateSpec(spec, origin, [](StringRef path) { return path.str(); });
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

namespace detail {

Error readWeightsHeader(StringRef path, safetensors::Header &out) {
  std::string error;
  if (safetensors::readHeader(path.str(), out, error))
    return Error::success();
  StringRef message = error;
  // Name the file exactly once, whether or not the reader already did.
  if (message.consume_front(path) && message.consume_front(":"))
    message = message.ltrim();
  return makeError(path + ": " + message);
}

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  raw_string_ostream os(text);
  os << '[';
  interleave(shape, os, ", ");
  os << ']';
  return text;
}

/// Refuses a weights file that holds layers beyond a stack's `numLayers`
/// (a config.json saying 3 layers over a 6-layer checkpoint): the model would
/// run without them, silently. Other extra tensors (a pooler, a task head)
/// are what checkpoints of task models hold, and are left alone.
static Error
checkNoExtraLayers(const ModelSpec &spec, const safetensors::Header &header,
                   ArrayRef<WeightRef> required,
                   function_ref<std::string(StringRef)> fieldName) {
  const WeightNaming *naming = findWeightNaming(spec.weightNames);
  if (!naming)
    return Error::success();
  StringSet<> names;
  for (const safetensors::TensorInfo &info : header.tensors)
    names.insert(info.name);
  for (auto [index, stack] : enumerate(spec.stacks)) {
    // Layer L exists when any tensor a layer has is there under L's name;
    // each layer found holds a tensor of its own, so this ends.
    auto keyOf = [&](const WeightRef &ref, int64_t layer) {
      TensorRef at = ref.tensor;
      at.layer = layer;
      std::optional<std::string> name = naming->tensorName(spec, at);
      return name ? spec.weightPrefix + *name : std::string();
    };
    std::string example;
    int64_t last = -1;
    for (int64_t layer = stack.numLayers;; ++layer) {
      std::string found;
      for (const WeightRef &ref : required) {
        if (ref.tensor.stack != static_cast<int>(index) || ref.tensor.layer)
          continue;
        std::string key = keyOf(ref, layer);
        if (!key.empty() && names.contains(key)) {
          found = key;
          break;
        }
      }
      if (found.empty())
        break;
      if (example.empty())
        example = found;
      last = layer;
    }
    if (last < 0)
      continue;
    std::string field =
        fieldName("stacks[" + std::to_string(index) + "].num_layers");
    std::string layers = last == stack.numLayers
                             ? " layer " + std::to_string(last)
                             : " layers " + std::to_string(stack.numLayers) +
                                   " to " + std::to_string(last);
    return makeError(spec.weightsPath + ": holds " + stackName(stack) + layers +
                     " (e.g. '" + example + "'), but " + spec.origin +
                     " field '" + field + "' is " +
                     std::to_string(stack.numLayers));
  }
  return Error::success();
}

Error checkWeights(const ModelSpec &spec, const safetensors::Header &header,
                   function_ref<std::string(StringRef)> fieldName) {
  StringRef file = spec.weightsPath;
  const WeightNaming *naming = findWeightNaming(spec.weightNames);
  std::vector<WeightRef> required = requiredWeights(spec);
  for (const WeightRef &ref : required) {
    const safetensors::TensorInfo *info = header.find(ref.key);
    if (!info) {
      std::string hint;
      if (naming && naming->missingHint)
        hint = naming->missingHint(ref.key, header);
      return makeError(file + ": missing tensor '" + ref.key +
                       "' (expected F32 " + formatShape(ref.storedShape()) +
                       ")" + hint);
    }
    if (info->dtype != safetensors::DType::F32)
      return makeError(file + ": tensor '" + ref.key + "' has dtype " +
                       safetensors::dtypeName(info->dtype) + ", expected F32");
    if (!equal(info->shape, ref.storedShape()))
      return makeError(file + ": tensor '" + ref.key + "' has shape " +
                       formatShape(info->shape) + ", expected " +
                       formatShape(ref.storedShape()) + " (" + ref.shapeHint +
                       ")");
  }
  return checkNoExtraLayers(spec, header, required, fieldName);
}

/// The task prefix of `spec`'s scheme under which `header` stores the
/// weights, or "" (also when the plain names are there).
static std::string detectWeightPrefix(const ModelSpec &spec,
                                      const safetensors::Header &header) {
  const WeightNaming *naming = findWeightNaming(spec.weightNames);
  if (!naming)
    return "";
  std::optional<std::string> tokens =
      naming->tensorName(spec, TensorRef{TensorRef::Kind::TokenEmbedding});
  if (!tokens || header.find(*tokens))
    return "";
  for (StringRef prefix : naming->taskPrefixes)
    if (header.find((prefix + *tokens).str()))
      return prefix.str();
  return "";
}

Error attachWeights(ModelSpec &spec, StringRef path,
                    function_ref<std::string(StringRef)> fieldName) {
  spec.weightsPath = path.str();
  safetensors::Header header;
  if (Error e = readWeightsHeader(spec.weightsPath, header))
    return e;
  spec.weightPrefix = detectWeightPrefix(spec, header);
  return checkWeights(spec, header, fieldName);
}

} // namespace detail

Error validateWeights(const ModelSpec &spec) {
  if (spec.weightsPath.empty())
    return detail::makeError("model '" + spec.name +
                             "': no weights file to validate");
  safetensors::Header header;
  if (Error e = detail::readWeightsHeader(spec.weightsPath, header))
    return e;
  return detail::checkWeights(spec, header,
                              [](StringRef path) { return path.str(); });
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

Expected<ModelSpec> loadModel(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return detail::makeError(path + ": " + ec.message());
  if (sys::fs::is_directory(status))
    return importHuggingFaceFolder(path);
  return parseSpecFile(path);
}

} // namespace xfmr
