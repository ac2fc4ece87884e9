//===- SpecParser.cpp - The xfmr JSON spec front end ----------------------===//
//
// Reads an xfmr spec file (docs/spec.md) into a ModelSpec. Every field is
// checked for presence, type and value; unknown fields are rejected so that a
// typo never silently falls back to a default. Each error is one line naming
// the file and the field's JSON path.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/ModelSpec.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace xfmr {
namespace {

/// A string value a field may take, and what it means.
template <typename T> struct Choice {
  StringRef spelling;
  T value;
};

/// Reads the fields of one JSON object of a spec file. Every accessor returns
/// an error naming the file and the field's JSON path ("norm.eps").
class ObjectReader {
public:
  ObjectReader(StringRef file, StringRef prefix, const json::Object &object)
      : file(file), prefix(prefix), object(object) {}

  std::string path(StringRef key) const {
    return prefix.empty() ? key.str() : (prefix + "." + key).str();
  }

  Error fieldError(StringRef key, const Twine &what) const {
    return detail::makeError(file + ": field '" + path(key) + "': " + what);
  }

  /// Rejects the first key (in sorted order) that is not in `known`.
  Error rejectUnknown(ArrayRef<StringRef> known) const {
    SmallVector<StringRef> keys;
    for (const auto &entry : object)
      keys.push_back(entry.first);
    llvm::sort(keys);
    for (StringRef key : keys) {
      if (llvm::is_contained(known, key))
        continue;
      std::string hint;
      unsigned best = 3;
      for (StringRef candidate : known) {
        unsigned distance = key.edit_distance(candidate, true, best);
        if (distance < best) {
          best = distance;
          hint = " (did you mean '" + path(candidate) + "'?)";
        }
      }
      return detail::makeError(file + ": unknown field '" + path(key) + "'" +
                               hint);
    }
    return Error::success();
  }

  /// The value of `key`, or nullptr when absent (an error if `required`).
  Expected<const json::Value *> get(StringRef key, bool required) const {
    const json::Value *value = object.get(key);
    if (!value && required)
      return detail::makeError(file + ": missing required field '" + path(key) +
                               "'");
    return value;
  }

  Error readInt(StringRef key, int64_t &out, bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    std::optional<int64_t> n = (*value)->getAsInteger();
    if (!n)
      return fieldError(key, "expected an integer, got " +
                                 detail::describe(**value));
    out = *n;
    return Error::success();
  }

  Error readNumber(StringRef key, double &out, bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    std::optional<double> x = (*value)->getAsNumber();
    if (!x)
      return fieldError(key,
                        "expected a number, got " + detail::describe(**value));
    out = *x;
    return Error::success();
  }

  Error readBool(StringRef key, bool &out, bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    std::optional<bool> b = (*value)->getAsBoolean();
    if (!b)
      return fieldError(key, "expected true or false, got " +
                                 detail::describe(**value));
    out = *b;
    return Error::success();
  }

  Error readString(StringRef key, std::string &out, bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    std::optional<StringRef> s = (*value)->getAsString();
    if (!s || s->empty())
      return fieldError(key, "expected a non-empty string, got " +
                                 detail::describe(**value));
    out = s->str();
    return Error::success();
  }

  /// Reads a string field that must be one of `choices`; values in `notYet`
  /// are recognised but not supported by this version.
  template <typename T>
  Error readEnum(StringRef key, T &out, ArrayRef<Choice<T>> choices,
                 ArrayRef<StringRef> notYet, bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    if (std::optional<StringRef> s = (*value)->getAsString()) {
      for (const Choice<T> &choice : choices) {
        if (choice.spelling == *s) {
          out = choice.value;
          return Error::success();
        }
      }
      if (llvm::is_contained(notYet, *s))
        return fieldError(key,
                          detail::describe(**value) + " is not supported yet");
    }
    std::string expected;
    for (const Choice<T> &choice : choices)
      expected +=
          (expected.empty() ? "\"" : ", \"") + choice.spelling.str() + "\"";
    return fieldError(key, "expected one of " + expected + ", got " +
                               detail::describe(**value));
  }

  /// The object at `key`, or nullptr when absent.
  Expected<const json::Object *> readObject(StringRef key,
                                            bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value || !*value)
      return value.takeError();
    const json::Object *obj = (*value)->getAsObject();
    if (!obj)
      return fieldError(key,
                        "expected an object, got " + detail::describe(**value));
    return obj;
  }

private:
  StringRef file;
  StringRef prefix;
  const json::Object &object;
};

/// The value of fields with a single accepted spelling (plus the spellings
/// reserved for later versions): the spelling is all they carry.
struct Unit {};

const Choice<PositionKind> kPositions[] = {
    {"learned", PositionKind::Learned},
    {"sinusoidal", PositionKind::Sinusoidal}};
const Choice<Activation> kActivations[] = {{"gelu", Activation::Gelu},
                                           {"gelu_tanh", Activation::GeluTanh},
                                           {"relu", Activation::Relu}};
const Choice<NormPlacement> kPlacements[] = {{"post", NormPlacement::Post}};
const Choice<DropoutMode> kDropoutModes[] = {
    {"inverted", DropoutMode::Inverted}, {"classic", DropoutMode::Classic}};
const Choice<MaskFill> kMaskFills[] = {{"neg_inf", MaskFill::NegInf},
                                       {"lowest", MaskFill::Lowest}};
const Choice<Unit> kNormKinds[] = {{"layer_norm", Unit{}}};
const Choice<Unit> kArchitectures[] = {{"encoder", Unit{}}};
const Choice<Unit> kFormats[] = {{"xfmr-spec", Unit{}}};

constexpr int64_t kSpecVersion = 1;

Error parseNorm(const ObjectReader &top, StringRef file, ModelSpec &spec) {
  Expected<const json::Object *> obj = top.readObject("norm", true);
  if (!obj)
    return obj.takeError();
  ObjectReader norm(file, "norm", **obj);
  if (Error e = norm.rejectUnknown({"kind", "placement", "eps"}))
    return e;
  Unit kind;
  if (Error e =
          norm.readEnum<Unit>("kind", kind, kNormKinds, {"rms_norm"}, true))
    return e;
  if (Error e = norm.readEnum<NormPlacement>("placement", spec.normPlacement,
                                             kPlacements, {"pre"}, true))
    return e;
  return norm.readNumber("eps", spec.normEps, true);
}

Error parseDropout(const ObjectReader &top, StringRef file, ModelSpec &spec) {
  Expected<const json::Object *> obj = top.readObject("dropout", false);
  if (!obj || !*obj)
    return obj.takeError();
  ObjectReader dropout(file, "dropout", **obj);
  if (Error e = dropout.rejectUnknown({"hidden", "attention", "mode"}))
    return e;
  if (Error e = dropout.readNumber("hidden", spec.hiddenDropout, false))
    return e;
  if (Error e = dropout.readNumber("attention", spec.attentionDropout, false))
    return e;
  return dropout.readEnum<DropoutMode>("mode", spec.dropoutMode, kDropoutModes,
                                       {}, false);
}

/// Resolves the "weights" field against the spec's folder.
Expected<std::string> resolveWeightsPath(const ObjectReader &top,
                                         StringRef file, StringRef relative) {
  SmallString<256> resolved;
  if (sys::path::is_absolute(relative)) {
    resolved = relative;
  } else {
    resolved = sys::path::parent_path(file);
    sys::path::append(resolved, relative);
  }
  if (std::error_code ec = sys::fs::make_absolute(resolved))
    return top.fieldError("weights",
                          "cannot resolve '" + relative + "': " + ec.message());
  // Keep ".." (a symlinked folder resolves it differently); drop ".".
  sys::path::remove_dots(resolved);
  sys::fs::file_status status;
  if (sys::fs::status(resolved, status))
    return top.fieldError("weights", "file '" + resolved + "' does not exist");
  if (!sys::fs::is_regular_file(status))
    return top.fieldError("weights",
                          "'" + resolved + "' is not a regular file");
  return std::string(resolved);
}

} // namespace

Expected<ModelSpec> parseSpecFile(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer =
      detail::readJSONFileBuffer(path);
  if (!buffer)
    return buffer.takeError();
  return parseSpecText((*buffer)->getBuffer(), path);
}

Expected<ModelSpec> parseSpecText(StringRef text, StringRef path) {
  Expected<json::Value> root = detail::parseJSONText(text, path);
  if (!root)
    return root.takeError();
  const json::Object *object = root->getAsObject();
  if (!object)
    return detail::makeError(path + ": expected a JSON object, got " +
                             detail::describe(*root));
  if (object->get("model_type") && !object->get("format"))
    return detail::makeError(
        path + ": this is not an xfmr spec (no 'format' field) but looks like "
               "a Hugging Face config.json; pass its folder instead");

  ObjectReader top(path, "", *object);
  if (Error e = top.rejectUnknown({"format",
                                   "version",
                                   "name",
                                   "architecture",
                                   "vocab_size",
                                   "d_model",
                                   "num_heads",
                                   "ffn_dim",
                                   "num_layers",
                                   "max_positions",
                                   "positions",
                                   "type_vocab_size",
                                   "norm",
                                   "embedding_layer_norm",
                                   "activation",
                                   "dropout",
                                   "embedding_scale",
                                   "mask_fill",
                                   "pad_token_id",
                                   "weights"}))
    return std::move(e);

  ModelSpec spec;
  Unit unit;
  if (Error e = top.readEnum<Unit>("format", unit, kFormats, {}, true))
    return std::move(e);
  int64_t version = 0;
  if (Error e = top.readInt("version", version, true))
    return std::move(e);
  if (version != kSpecVersion)
    return top.fieldError("version", "expected " + Twine(kSpecVersion) +
                                         ", got " + Twine(version));
  if (Error e = top.readString("name", spec.name, true))
    return std::move(e);
  if (Error e = top.readEnum<Unit>("architecture", unit, kArchitectures,
                                   {"decoder", "encoder-decoder"}, true))
    return std::move(e);
  spec.architecture = "encoder";

  struct IntField {
    StringRef key;
    int64_t *out;
    bool required;
  } intFields[] = {{"vocab_size", &spec.vocabSize, true},
                   {"d_model", &spec.dModel, true},
                   {"num_heads", &spec.numHeads, true},
                   {"ffn_dim", &spec.ffnDim, true},
                   {"num_layers", &spec.numLayers, true},
                   {"max_positions", &spec.maxPositions, true}};
  for (const IntField &field : intFields)
    if (Error e = top.readInt(field.key, *field.out, field.required))
      return std::move(e);
  if (Error e = top.readEnum<PositionKind>("positions", spec.positions,
                                           kPositions, {}, true))
    return std::move(e);
  spec.typeVocabSize = 0;
  if (Error e = top.readInt("type_vocab_size", spec.typeVocabSize, false))
    return std::move(e);
  if (Error e = parseNorm(top, path, spec))
    return std::move(e);
  spec.embeddingLayerNorm = true;
  if (Error e =
          top.readBool("embedding_layer_norm", spec.embeddingLayerNorm, false))
    return std::move(e);
  if (Error e = top.readEnum<Activation>("activation", spec.activation,
                                         kActivations, {}, true))
    return std::move(e);
  if (Error e = parseDropout(top, path, spec))
    return std::move(e);
  if (Error e = top.readBool("embedding_scale", spec.embeddingScale, false))
    return std::move(e);
  if (Error e = top.readEnum<MaskFill>("mask_fill", spec.maskFill, kMaskFills,
                                       {}, false))
    return std::move(e);
  if (object->get("pad_token_id")) {
    if (Error e = top.readInt("pad_token_id", spec.padTokenId, false))
      return std::move(e);
    // -1 means "unset" inside ModelSpec; in a file it is simply out of range.
    if (spec.padTokenId < 0)
      return top.fieldError("pad_token_id",
                            "expected an integer in [0, vocab_size) = [0, " +
                                Twine(spec.vocabSize) + "), got " +
                                Twine(spec.padTokenId));
  }
  std::string weights;
  if (Error e = top.readString("weights", weights, false))
    return std::move(e);

  if (Error e = validateSpec(spec, path))
    return std::move(e);

  if (!weights.empty()) {
    Expected<std::string> resolved = resolveWeightsPath(top, path, weights);
    if (!resolved)
      return resolved.takeError();
    spec.weightsPath = std::move(*resolved);
    safetensors::Header header;
    if (Error e = detail::readWeightsHeader(spec.weightsPath, header))
      return std::move(e);
    spec.weightPrefix = detail::detectWeightPrefix(header);
    if (Error e = detail::checkWeights(spec, header))
      return std::move(e);
  }
  return spec;
}

} // namespace xfmr
