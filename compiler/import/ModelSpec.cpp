//===- ModelSpec.cpp - Weight names, validation and dispatch --------------===//
//
// The checks every front end shares: the fields of a ModelSpec against each
// other, and a safetensors header against the tensors the spec needs. Also
// the entry point that picks a front end for a path.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ModelSpec.h"
#include "compiler/import/ImportUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace xfmr {

//===----------------------------------------------------------------------===//
// Weight names
//===----------------------------------------------------------------------===//

namespace weight_names {
std::string wordEmbeddings() { return "embeddings.word_embeddings.weight"; }
std::string positionEmbeddings() {
  return "embeddings.position_embeddings.weight";
}
std::string tokenTypeEmbeddings() {
  return "embeddings.token_type_embeddings.weight";
}
std::string embeddingNorm(StringRef param) {
  return ("embeddings.LayerNorm." + param).str();
}
std::string layer(int64_t index, StringRef part) {
  return ("encoder.layer." + Twine(index) + "." + part).str();
}
} // namespace weight_names

std::vector<WeightRef> requiredWeights(const ModelSpec &spec) {
  std::vector<WeightRef> refs;
  const std::string &prefix = spec.weightPrefix;
  auto add = [&](std::string name, ArrayRef<int64_t> shape, StringRef hint) {
    refs.push_back(WeightRef{
        prefix + name, SmallVector<int64_t, 2>(shape.begin(), shape.end()),
        hint.str()});
  };
  int64_t d = spec.dModel, f = spec.ffnDim;

  add(weight_names::wordEmbeddings(), {spec.vocabSize, d},
      "vocab_size x d_model");
  if (spec.positions == PositionKind::Learned)
    add(weight_names::positionEmbeddings(), {spec.maxPositions, d},
        "max_positions x d_model");
  if (spec.typeVocabSize > 0)
    add(weight_names::tokenTypeEmbeddings(), {spec.typeVocabSize, d},
        "type_vocab_size x d_model");
  if (spec.embeddingLayerNorm) {
    add(weight_names::embeddingNorm("weight"), {d}, "d_model");
    add(weight_names::embeddingNorm("bias"), {d}, "d_model");
  }

  static const char *const squareProjections[] = {
      "attention.self.query", "attention.self.key", "attention.self.value",
      "attention.output.dense"};
  for (int64_t i = 0; i < spec.numLayers; ++i) {
    auto addLayer = [&](StringRef part, ArrayRef<int64_t> shape,
                        StringRef hint) {
      add(weight_names::layer(i, part), shape, hint);
    };
    for (const char *proj : squareProjections) {
      addLayer((Twine(proj) + ".weight").str(), {d, d}, "d_model x d_model");
      addLayer((Twine(proj) + ".bias").str(), {d}, "d_model");
    }
    addLayer("attention.output.LayerNorm.weight", {d}, "d_model");
    addLayer("attention.output.LayerNorm.bias", {d}, "d_model");
    addLayer("intermediate.dense.weight", {f, d}, "ffn_dim x d_model");
    addLayer("intermediate.dense.bias", {f}, "ffn_dim");
    addLayer("output.dense.weight", {d, f}, "d_model x ffn_dim");
    addLayer("output.dense.bias", {d}, "d_model");
    addLayer("output.LayerNorm.weight", {d}, "d_model");
    addLayer("output.LayerNorm.bias", {d}, "d_model");
  }
  return refs;
}

//===----------------------------------------------------------------------===//
// Field validation
//===----------------------------------------------------------------------===//

Error validateSpec(const ModelSpec &spec, StringRef origin) {
  auto fieldError = [&](StringRef field, const Twine &what) {
    return detail::makeError(origin + ": field '" + field + "': " + what);
  };
  auto checkSize = [&](StringRef field, int64_t value, int64_t min,
                       int64_t max) -> Error {
    if (value < min)
      return fieldError(field, Twine("expected an integer ") +
                                   (min == 0 ? ">= 0" : "> 0") + ", got " +
                                   Twine(value));
    if (value > max)
      return fieldError(field, "expected at most " + Twine(max) + ", got " +
                                   Twine(value));
    return Error::success();
  };

  if (spec.name.empty())
    return fieldError("name", "expected a non-empty string");
  if (spec.architecture != "encoder") {
    if (spec.architecture == "decoder" ||
        spec.architecture == "encoder-decoder")
      return fieldError("architecture",
                        "\"" + spec.architecture + "\" is not supported yet");
    return fieldError("architecture", "expected one of \"encoder\", got \"" +
                                          spec.architecture + "\"");
  }
  if (Error e =
          checkSize("vocab_size", spec.vocabSize, 1, detail::kMaxDimension))
    return e;
  if (Error e = checkSize("d_model", spec.dModel, 1, detail::kMaxDimension))
    return e;
  if (spec.numHeads <= 0 || spec.numHeads > spec.dModel ||
      spec.dModel % spec.numHeads != 0)
    return fieldError(
        "num_heads", "expected an integer > 0 that divides d_model (" +
                         Twine(spec.dModel) + "), got " + Twine(spec.numHeads));
  if (Error e = checkSize("ffn_dim", spec.ffnDim, 1, detail::kMaxDimension))
    return e;
  if (Error e = checkSize("num_layers", spec.numLayers, 1, detail::kMaxLayers))
    return e;
  if (Error e = checkSize("max_positions", spec.maxPositions, 1,
                          detail::kMaxDimension))
    return e;
  if (Error e = checkSize("type_vocab_size", spec.typeVocabSize, 0,
                          detail::kMaxDimension))
    return e;
  if (spec.normPlacement == NormPlacement::Pre)
    return fieldError("norm.placement", "\"pre\" is not supported yet");
  if (!(spec.normEps > 0.0) || !std::isfinite(spec.normEps))
    return fieldError("norm.eps", "expected a finite number > 0, got " +
                                      detail::formatNumber(spec.normEps));
  auto checkRate = [&](StringRef field, double p) -> Error {
    if (p >= 0.0 && p < 1.0)
      return Error::success();
    return fieldError(field, "expected a number in [0, 1), got " +
                                 detail::formatNumber(p));
  };
  if (Error e = checkRate("dropout.hidden", spec.hiddenDropout))
    return e;
  if (Error e = checkRate("dropout.attention", spec.attentionDropout))
    return e;
  if (spec.padTokenId != -1 &&
      (spec.padTokenId < 0 || spec.padTokenId >= spec.vocabSize))
    return fieldError("pad_token_id",
                      "expected an integer in [0, vocab_size) = [0, " +
                          Twine(spec.vocabSize) + "), got " +
                          Twine(spec.padTokenId));
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

namespace detail {

std::string detectWeightPrefix(const safetensors::Header &header) {
  std::string plain = weight_names::wordEmbeddings();
  if (!header.find(plain) && header.find("bert." + plain))
    return "bert.";
  return "";
}

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

Error checkWeights(const ModelSpec &spec, const safetensors::Header &header) {
  StringRef file = spec.weightsPath;
  for (const WeightRef &ref : requiredWeights(spec)) {
    const safetensors::TensorInfo *info = header.find(ref.key);
    if (!info) {
      std::string hint;
      // Checkpoints converted from the original TensorFlow BERT may still
      // use the legacy LayerNorm parameter names.
      StringRef key = ref.key;
      for (auto [modern, legacy] :
           {std::pair<StringRef, StringRef>{".LayerNorm.weight", "gamma"},
            {".LayerNorm.bias", "beta"}}) {
        if (!key.ends_with(modern))
          continue;
        std::string legacyKey =
            (key.drop_back(modern.size()) + ".LayerNorm." + legacy).str();
        if (header.find(legacyKey))
          hint = "; found the legacy name '" + legacyKey +
                 "', which is not supported yet";
      }
      return makeError(file + ": missing tensor '" + ref.key +
                       "' (expected F32 " + formatShape(ref.shape) + ")" +
                       hint);
    }
    if (info->dtype != safetensors::DType::F32)
      return makeError(file + ": tensor '" + ref.key + "' has dtype " +
                       safetensors::dtypeName(info->dtype) + ", expected F32");
    if (!equal(info->shape, ref.shape))
      return makeError(file + ": tensor '" + ref.key + "' has shape " +
                       formatShape(info->shape) + ", expected " +
                       formatShape(ref.shape) + " (" + ref.shapeHint + ")");
  }
  return Error::success();
}

} // namespace detail

Error validateWeights(const ModelSpec &spec) {
  if (spec.weightsPath.empty())
    return detail::makeError("model '" + spec.name +
                             "': no weights file to validate");
  safetensors::Header header;
  if (Error e = detail::readWeightsHeader(spec.weightsPath, header))
    return e;
  return detail::checkWeights(spec, header);
}

//===----------------------------------------------------------------------===//
// Dispatch and printing
//===----------------------------------------------------------------------===//

Expected<ModelSpec> loadModel(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return detail::makeError(path + ": " + ec.message());
  if (sys::fs::is_directory(status))
    return importHuggingFaceFolder(path);
  return parseSpecFile(path);
}

static StringRef enumName(PositionKind kind) {
  return kind == PositionKind::Learned ? "learned" : "sinusoidal";
}
static StringRef enumName(Activation act) {
  switch (act) {
  case Activation::Gelu:
    return "gelu";
  case Activation::GeluTanh:
    return "gelu_tanh";
  case Activation::Relu:
    return "relu";
  }
  llvm_unreachable("unknown activation");
}

json::Value toJSON(const ModelSpec &spec) {
  json::Object norm{
      {"kind", "layer_norm"},
      {"placement", spec.normPlacement == NormPlacement::Post ? "post" : "pre"},
      {"eps", spec.normEps}};
  json::Object dropout{{"hidden", spec.hiddenDropout},
                       {"attention", spec.attentionDropout},
                       {"mode", spec.dropoutMode == DropoutMode::Inverted
                                    ? "inverted"
                                    : "classic"}};
  json::Object out{
      {"format", "xfmr-spec"},
      {"version", 1},
      {"name", spec.name},
      {"architecture", spec.architecture},
      {"vocab_size", spec.vocabSize},
      {"d_model", spec.dModel},
      {"num_heads", spec.numHeads},
      {"ffn_dim", spec.ffnDim},
      {"num_layers", spec.numLayers},
      {"max_positions", spec.maxPositions},
      {"positions", enumName(spec.positions)},
      {"type_vocab_size", spec.typeVocabSize},
      {"norm", std::move(norm)},
      {"embedding_layer_norm", spec.embeddingLayerNorm},
      {"activation", enumName(spec.activation)},
      {"dropout", std::move(dropout)},
      {"embedding_scale", spec.embeddingScale},
      {"mask_fill", spec.maskFill == MaskFill::NegInf ? "neg_inf" : "lowest"},
  };
  if (spec.padTokenId >= 0)
    out["pad_token_id"] = spec.padTokenId;
  if (!spec.weightsPath.empty())
    out["weights"] = spec.weightsPath;
  return out;
}

} // namespace xfmr
