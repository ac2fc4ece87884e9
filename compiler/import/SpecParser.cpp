//===- SpecParser.cpp - The xfmr JSON spec front end ----------------------===//
//
// Reads an xfmr spec file (docs/spec.md) into a ModelSpec: version 2, a list
// of stacks, or version 1, the flat encoder spec, read exactly as it always
// was (its reserved values are still "not supported yet"). Every field is
// checked for presence, type and value; unknown fields are rejected so that a
// typo never silently falls back to a default. Each error is one line naming
// the file and the field's JSON path.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/ModelSpec.h"
#include "compiler/import/SpecFormat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>

using namespace llvm;

namespace xfmr {
namespace {

using detail::Choice;

/// Reads the fields of one JSON object of a spec file. Every accessor returns
/// an error naming the file and the field's JSON path ("stacks[0].norm.eps").
class ObjectReader {
public:
  ObjectReader(StringRef file, StringRef prefix, const json::Object &object)
      : file(file), prefix(prefix.str()), object(object) {}

  std::string path(StringRef key) const {
    return prefix.empty() ? key.str() : prefix + "." + key.str();
  }

  Error fieldError(StringRef key, const Twine &what) const {
    return detail::makeError(file + ": field '" + path(key) + "': " + what);
  }

  bool has(StringRef key) const { return object.get(key) != nullptr; }

  /// The keys of the object, sorted, so that the first error is the same on
  /// every run.
  SmallVector<StringRef> sortedKeys() const {
    SmallVector<StringRef> keys;
    for (const auto &entry : object)
      keys.push_back(entry.first);
    llvm::sort(keys);
    return keys;
  }

  /// Rejects the first key (in sorted order) that is not in `known`.
  Error rejectUnknown(ArrayRef<StringRef> known) const {
    for (StringRef key : sortedKeys()) {
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
    return matchEnum(path(key), **value, out, choices, notYet);
  }

  /// Matches `value`, at JSON path `field`, against `choices`.
  template <typename T>
  Error matchEnum(StringRef field, const json::Value &value, T &out,
                  ArrayRef<Choice<T>> choices,
                  ArrayRef<StringRef> notYet = {}) const {
    if (std::optional<StringRef> s = value.getAsString()) {
      for (const Choice<T> &choice : choices) {
        if (choice.spelling == *s) {
          out = choice.value;
          return Error::success();
        }
      }
      if (llvm::is_contained(notYet, *s))
        return detail::makeError(file + ": field '" + field +
                                 "': " + detail::describe(value) +
                                 " is not supported yet");
    }
    return detail::makeError(file + ": field '" + field +
                             "': expected one of " + listChoices(choices) +
                             ", got " + detail::describe(value));
  }

  template <typename T>
  static std::string listChoices(ArrayRef<Choice<T>> choices) {
    std::string list;
    for (const Choice<T> &choice : choices)
      list += (list.empty() ? "\"" : ", \"") + choice.spelling.str() + "\"";
    return list;
  }

  /// The object at `key`, or nullptr when absent.
  Expected<const json::Object *> readObject(StringRef key,
                                            bool required) const {
    Expected<const json::Value *> value = get(key, required);
    if (!value)
      return value.takeError();
    if (!*value)
      return nullptr;
    const json::Object *obj = (*value)->getAsObject();
    if (!obj)
      return fieldError(key,
                        "expected an object, got " + detail::describe(**value));
    return obj;
  }

  /// The array at `key` (required).
  Expected<const json::Array *> readArray(StringRef key) const {
    Expected<const json::Value *> value = get(key, /*required=*/true);
    if (!value)
      return value.takeError();
    const json::Array *array = (*value)->getAsArray();
    if (!array)
      return fieldError(key,
                        "expected an array, got " + detail::describe(**value));
    return array;
  }

  /// A reader of the nested object `key` (whose JSON path is this object's
  /// path of `key`).
  ObjectReader nested(StringRef key, const json::Object &obj) const {
    return ObjectReader(file, path(key), obj);
  }

  StringRef getFile() const { return file; }

private:
  StringRef file;
  std::string prefix;
  const json::Object &object;
};

/// The value of fields with a single accepted spelling (plus the spellings
/// reserved for later versions): the spelling is all they carry.
struct Unit {};

const Choice<Unit> kFormats[] = {{"xfmr-spec", Unit{}}};

/// Reads `key` as an optional nested object with exactly the fields `known`
/// and calls `read` on it; absent, `read` is not called.
Error readNestedObject(const ObjectReader &parent, StringRef key, bool required,
                       ArrayRef<StringRef> known,
                       function_ref<Error(const ObjectReader &)> read) {
  Expected<const json::Object *> obj = parent.readObject(key, required);
  if (!obj || !*obj)
    return obj.takeError();
  ObjectReader reader = parent.nested(key, **obj);
  if (Error e = reader.rejectUnknown(known))
    return e;
  return read(reader);
}

//===----------------------------------------------------------------------===//
// Fields both versions have
//===----------------------------------------------------------------------===//

Error parseDropout(const ObjectReader &top, ModelSpec &spec) {
  return readNestedObject(
      top, "dropout", false, {"hidden", "attention", "mode"},
      [&](const ObjectReader &dropout) -> Error {
        if (Error e = dropout.readNumber("hidden", spec.hiddenDropout, false))
          return e;
        if (Error e =
                dropout.readNumber("attention", spec.attentionDropout, false))
          return e;
        return dropout.readEnum<DropoutMode>("mode", spec.dropoutMode,
                                             detail::kDropoutModes, {}, false);
      });
}

/// "neg_inf", "lowest", or the finite value itself.
Error parseMaskFill(const ObjectReader &top, ModelSpec &spec) {
  Expected<const json::Value *> value = top.get("mask_fill", false);
  if (!value || !*value)
    return value.takeError();
  if (std::optional<double> x = (*value)->getAsNumber()) {
    spec.maskFill = MaskFill::Value;
    spec.maskFillValue = *x;
    return Error::success();
  }
  if (Error e = top.matchEnum<MaskFill>(top.path("mask_fill"), **value,
                                        spec.maskFill, detail::kMaskFills)) {
    consumeError(std::move(e));
    return top.fieldError(
        "mask_fill",
        "expected one of " +
            ObjectReader::listChoices<MaskFill>(detail::kMaskFills) +
            " or a number, got " + detail::describe(**value));
  }
  return Error::success();
}

/// `pad_token_id` (and, in version 2, `eos_token_id`): a token id.
Error parseTokenId(const ObjectReader &top, StringRef field, int64_t &out,
                   const ModelSpec &spec) {
  if (!top.has(field))
    return Error::success();
  if (Error e = top.readInt(field, out, false))
    return e;
  // -1 means "unset" inside ModelSpec; in a file it is simply out of range.
  if (out < 0)
    return top.fieldError(field, "expected an integer in [0, vocab_size) = "
                                 "[0, " +
                                     Twine(spec.vocabSize) + "), got " +
                                     Twine(out));
  return Error::success();
}

Error parsePadToken(const ObjectReader &top, ModelSpec &spec) {
  return parseTokenId(top, "pad_token_id", spec.padTokenId, spec);
}

/// Resolves the "weights" field against the spec's folder.
Expected<std::string> resolveWeightsPath(const ObjectReader &top,
                                         StringRef relative) {
  SmallString<256> resolved;
  if (sys::path::is_absolute(relative)) {
    resolved = relative;
  } else {
    resolved = sys::path::parent_path(top.getFile());
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

/// Reads "weights" (after validation, so that a bad field is reported before
/// a large file is read) and checks the file against the description.
Error parseWeights(const ObjectReader &top, const std::string &weights,
                   ModelSpec &spec,
                   function_ref<std::string(StringRef)> fieldName) {
  if (weights.empty())
    return Error::success();
  Expected<std::string> resolved = resolveWeightsPath(top, weights);
  if (!resolved)
    return resolved.takeError();
  return detail::attachWeights(spec, *resolved, fieldName);
}

//===----------------------------------------------------------------------===//
// Version 1
//===----------------------------------------------------------------------===//

// Version 1 knows only what the first encoder compiler supported; the
// values it reserved stay reserved.
const Choice<PositionKind> kV1Positions[] = {
    {"learned", PositionKind::Learned},
    {"sinusoidal", PositionKind::Sinusoidal}};
const Choice<Activation> kV1Activations[] = {
    {"gelu", Activation::Gelu},
    {"gelu_tanh", Activation::GeluTanh},
    {"relu", Activation::Relu}};
const Choice<NormPlacement> kV1Placements[] = {{"post", NormPlacement::Post}};
const Choice<Unit> kV1NormKinds[] = {{"layer_norm", Unit{}}};
const Choice<Unit> kV1Architectures[] = {{"encoder", Unit{}}};

/// The version 1 spelling of a description field that validateSpec names by
/// its version 2 path.
std::string v1FieldName(StringRef path) {
  if (path == "embedding_norm.eps" || path == "stacks[0].norm.eps")
    return "norm.eps";
  if (path == "stacks[0].ffn.dim")
    return "ffn_dim";
  path.consume_front("stacks[0].");
  return path.str();
}

Expected<ModelSpec> parseVersion1(const ObjectReader &top, StringRef path) {
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
  spec.origin = path.str();
  StackSpec stack;
  Unit unit;
  if (Error e = top.readEnum<Unit>("format", unit, kFormats, {}, true))
    return std::move(e);
  int64_t version = 0;
  if (Error e = top.readInt("version", version, true))
    return std::move(e);
  if (Error e = top.readString("name", spec.name, true))
    return std::move(e);
  if (Error e = top.readEnum<Unit>("architecture", unit, kV1Architectures,
                                   {"decoder", "encoder-decoder"}, true))
    return std::move(e);

  struct IntField {
    StringRef key;
    int64_t *out;
  } intFields[] = {
      {"vocab_size", &spec.vocabSize},  {"d_model", &spec.dModel},
      {"num_heads", &stack.numHeads},   {"ffn_dim", &stack.ffnDim},
      {"num_layers", &stack.numLayers}, {"max_positions", &spec.maxPositions}};
  for (const IntField &field : intFields)
    if (Error e = top.readInt(field.key, *field.out, true))
      return std::move(e);
  stack.numKVHeads = stack.numHeads;
  if (Error e = top.readEnum<PositionKind>("positions", stack.positions.kind,
                                           kV1Positions, {}, true))
    return std::move(e);
  if (Error e = top.readInt("type_vocab_size", spec.typeVocabSize, false))
    return std::move(e);
  if (Error e = readNestedObject(
          top, "norm", true, {"kind", "placement", "eps"},
          [&](const ObjectReader &norm) -> Error {
            if (Error e = norm.readEnum<Unit>("kind", unit, kV1NormKinds,
                                              {"rms_norm"}, true))
              return e;
            if (Error e = norm.readEnum<NormPlacement>(
                    "placement", stack.normPlacement, kV1Placements, {"pre"},
                    true))
              return e;
            return norm.readNumber("eps", stack.norm.eps, true);
          }))
    return std::move(e);
  bool embeddingLayerNorm = true;
  if (Error e = top.readBool("embedding_layer_norm", embeddingLayerNorm, false))
    return std::move(e);
  if (embeddingLayerNorm)
    spec.embeddingNorm = stack.norm;
  if (Error e = top.readEnum<Activation>("activation", stack.activation,
                                         kV1Activations, {}, true))
    return std::move(e);
  if (Error e = parseDropout(top, spec))
    return std::move(e);
  if (Error e = top.readBool("embedding_scale", spec.embeddingScale, false))
    return std::move(e);
  if (Error e = parseMaskFill(top, spec))
    return std::move(e);
  if (Error e = parsePadToken(top, spec))
    return std::move(e);
  std::string weights;
  if (Error e = top.readString("weights", weights, false))
    return std::move(e);

  // A version 1 spec is a post-LN encoder with every bias, named as a
  // Hugging Face BERT checkpoint.
  spec.stacks.push_back(stack);
  spec.weightNames = "bert";
  if (Error e = validateSpec(spec, path, v1FieldName))
    return std::move(e);
  if (Error e = parseWeights(top, weights, spec, v1FieldName))
    return std::move(e);
  return spec;
}

//===----------------------------------------------------------------------===//
// Version 2
//===----------------------------------------------------------------------===//

Error parseNorm(const ObjectReader &reader, NormSpec &norm) {
  if (Error e = reader.readEnum<NormKind>("kind", norm.kind, detail::kNormKinds,
                                          {}, true))
    return e;
  return reader.readNumber("eps", norm.eps, true);
}

/// ["self"], ["causal_self"] or ["causal_self", "cross"].
Error parseAttention(const ObjectReader &reader, StackSpec &stack) {
  using detail::AttentionEntry;
  Expected<const json::Array *> array = reader.readArray("attention");
  if (!array)
    return array.takeError();
  SmallVector<AttentionEntry, 2> entries;
  for (auto [index, value] : enumerate(**array)) {
    AttentionEntry entry = AttentionEntry::Self;
    std::string field =
        reader.path("attention") + "[" + std::to_string(index) + "]";
    if (Error e = reader.matchEnum<AttentionEntry>(field, value, entry,
                                                   detail::kAttentionEntries))
      return e;
    entries.push_back(entry);
  }
  using Entries = ArrayRef<AttentionEntry>;
  ArrayRef<AttentionEntry> got = entries;
  if (got == Entries{AttentionEntry::Self}) {
    stack.causal = false;
  } else if (got == Entries{AttentionEntry::CausalSelf}) {
    stack.causal = true;
  } else if (got ==
             Entries{AttentionEntry::CausalSelf, AttentionEntry::Cross}) {
    stack.causal = stack.crossAttention = true;
  } else {
    return reader.fieldError("attention",
                             "expected [\"self\"], [\"causal_self\"] or "
                             "[\"causal_self\", \"cross\"]");
  }
  return Error::success();
}

/// The kind, then only the fields of that kind.
Error parsePositions(const ObjectReader &reader, PositionSpec &positions) {
  if (Error e = reader.readEnum<PositionKind>("kind", positions.kind,
                                              detail::kPositionKinds, {}, true))
    return e;
  SmallVector<StringRef, 3> own;
  switch (positions.kind) {
  case PositionKind::Sinusoidal:
    own = {"layout"};
    break;
  case PositionKind::Rotary:
    own = {"layout", "theta", "scaling"};
    positions.layout = FeatureLayout::HalfSplit;
    break;
  case PositionKind::RelativeBuckets:
    own = {"num_buckets", "max_distance"};
    break;
  case PositionKind::None:
  case PositionKind::Learned:
  case PositionKind::ALiBi:
    break;
  }
  for (StringRef key : reader.sortedKeys())
    if (key != "kind" && !is_contained(own, key))
      return reader.fieldError(
          key, "not a field of \"" +
                   detail::spell(detail::kPositionKinds, positions.kind) +
                   "\" positions");
  if (Error e = reader.readEnum<FeatureLayout>("layout", positions.layout,
                                               detail::kLayouts, {}, false))
    return e;
  if (Error e = reader.readNumber("theta", positions.theta, false))
    return e;
  if (Error e = reader.readNumber("scaling", positions.scaling, false))
    return e;
  if (Error e = reader.readInt("num_buckets", positions.numBuckets, false))
    return e;
  return reader.readInt("max_distance", positions.maxDistance, false);
}

Error parseStack(const ObjectReader &reader, StackSpec &stack) {
  if (Error e = reader.rejectUnknown(
          {"num_layers", "attention", "num_heads", "num_kv_heads", "head_dim",
           "attention_scale", "positions", "norm", "ffn", "bias"}))
    return e;
  if (Error e = reader.readInt("num_layers", stack.numLayers, true))
    return e;
  if (Error e = parseAttention(reader, stack))
    return e;
  if (Error e = reader.readInt("num_heads", stack.numHeads, true))
    return e;
  stack.numKVHeads = stack.numHeads;
  if (Error e = reader.readInt("num_kv_heads", stack.numKVHeads, false))
    return e;
  if (reader.has("head_dim")) {
    if (Error e = reader.readInt("head_dim", stack.explicitHeadDim, false))
      return e;
    // 0 means "d_model / num_heads" inside StackSpec.
    if (stack.explicitHeadDim <= 0)
      return reader.fieldError("head_dim", "expected an integer > 0, got " +
                                               Twine(stack.explicitHeadDim));
  }
  if (reader.has("attention_scale")) {
    double scale = 0.0;
    if (Error e = reader.readNumber("attention_scale", scale, false))
      return e;
    stack.attentionScale = scale;
  }
  if (Error e = readNestedObject(
          reader, "positions", true,
          {"kind", "layout", "theta", "scaling", "num_buckets", "max_distance"},
          [&](const ObjectReader &positions) {
            return parsePositions(positions, stack.positions);
          }))
    return e;
  if (Error e = readNestedObject(
          reader, "norm", true, {"kind", "placement", "eps", "final"},
          [&](const ObjectReader &norm) -> Error {
            if (Error e = parseNorm(norm, stack.norm))
              return e;
            if (Error e = norm.readEnum<NormPlacement>(
                    "placement", stack.normPlacement, detail::kPlacements, {},
                    true))
              return e;
            return norm.readBool("final", stack.finalNorm, false);
          }))
    return e;
  if (Error e = readNestedObject(
          reader, "ffn", true, {"dim", "activation", "gated"},
          [&](const ObjectReader &ffn) -> Error {
            if (Error e = ffn.readInt("dim", stack.ffnDim, true))
              return e;
            if (Error e =
                    ffn.readEnum<Activation>("activation", stack.activation,
                                             detail::kActivations, {}, true))
              return e;
            return ffn.readBool("gated", stack.gatedFFN, false);
          }))
    return e;
  return readNestedObject(
      reader, "bias", false, {"qkv", "attention_output", "ffn"},
      [&](const ObjectReader &bias) -> Error {
        if (Error e = bias.readBool("qkv", stack.qkvBias, false))
          return e;
        if (Error e = bias.readBool("attention_output",
                                    stack.attentionOutputBias, false))
          return e;
        return bias.readBool("ffn", stack.ffnBias, false);
      });
}

Error parseStacks(const ObjectReader &top, ModelSpec &spec) {
  Expected<const json::Array *> array = top.readArray("stacks");
  if (!array)
    return array.takeError();
  // Checked before the stacks are read, so that a huge list costs nothing.
  if ((*array)->size() < 1 || (*array)->size() > 2)
    return top.fieldError("stacks", "expected 1 or 2 stacks, got " +
                                        Twine((*array)->size()));
  for (auto [index, value] : enumerate(**array)) {
    std::string key = "stacks[" + std::to_string(index) + "]";
    const json::Object *obj = value.getAsObject();
    if (!obj)
      return detail::makeError(top.getFile() + ": field '" + key +
                               "': expected an object, got " +
                               detail::describe(value));
    StackSpec stack;
    if (Error e = parseStack(ObjectReader(top.getFile(), key, *obj), stack))
      return e;
    spec.stacks.push_back(stack);
  }
  return Error::success();
}

Expected<ModelSpec> parseVersion2(const ObjectReader &top, StringRef path) {
  if (Error e = top.rejectUnknown(
          {"format", "version", "name", "vocab_size", "d_model",
           "max_positions", "type_vocab_size", "embedding_scale",
           "embedding_norm", "stacks", "lm_head", "dropout", "mask_fill",
           "pad_token_id", "eos_token_id", "weight_names", "weights"}))
    return std::move(e);

  ModelSpec spec;
  spec.origin = path.str();
  Unit unit;
  if (Error e = top.readEnum<Unit>("format", unit, kFormats, {}, true))
    return std::move(e);
  if (Error e = top.readString("name", spec.name, true))
    return std::move(e);
  for (auto [key, out] :
       {std::pair<StringRef, int64_t *>{"vocab_size", &spec.vocabSize},
        {"d_model", &spec.dModel},
        {"max_positions", &spec.maxPositions}})
    if (Error e = top.readInt(key, *out, true))
      return std::move(e);
  if (Error e = top.readInt("type_vocab_size", spec.typeVocabSize, false))
    return std::move(e);
  if (Error e = top.readBool("embedding_scale", spec.embeddingScale, false))
    return std::move(e);
  if (Error e = readNestedObject(top, "embedding_norm", false, {"kind", "eps"},
                                 [&](const ObjectReader &norm) {
                                   spec.embeddingNorm.emplace();
                                   return parseNorm(norm, *spec.embeddingNorm);
                                 }))
    return std::move(e);
  if (Error e = parseStacks(top, spec))
    return std::move(e);
  if (Error e = readNestedObject(
          top, "lm_head", false, {"kind", "bias", "scale"},
          [&](const ObjectReader &head) -> Error {
            if (Error e = head.readEnum<LMHeadKind>("kind", spec.lmHead.kind,
                                                    detail::kLMHeads, {}, true))
              return e;
            if (Error e = head.readBool("bias", spec.lmHead.bias, false))
              return e;
            return head.readNumber("scale", spec.lmHead.scale, false);
          }))
    return std::move(e);
  if (Error e = parseDropout(top, spec))
    return std::move(e);
  if (Error e = parseMaskFill(top, spec))
    return std::move(e);
  if (Error e = parsePadToken(top, spec))
    return std::move(e);
  if (Error e = parseTokenId(top, "eos_token_id", spec.eosTokenId, spec))
    return std::move(e);
  if (Error e = top.readString("weight_names", spec.weightNames, false))
    return std::move(e);
  std::string weights;
  if (Error e = top.readString("weights", weights, false))
    return std::move(e);

  if (Error e = validateSpec(spec, path))
    return std::move(e);
  if (Error e = parseWeights(top, weights, spec,
                             [](StringRef field) { return field.str(); }))
    return std::move(e);
  return spec;
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
  Expected<json::Value> root = detail::parseJSONObject(text, path);
  if (!root)
    return root.takeError();
  const json::Object *object = root->getAsObject();
  if (object->get("model_type") && !object->get("format"))
    return detail::makeError(
        path + ": this is not an xfmr spec (no 'format' field) but looks like "
               "a Hugging Face config.json; pass its folder instead");

  // The version decides which fields exist. A file without a valid one is
  // read as version 1, which reports what is wrong as it always did.
  ObjectReader top(path, "", *object);
  std::optional<int64_t> version;
  if (const json::Value *value = object->get("version"))
    version = value->getAsInteger();
  if (version == 2)
    return parseVersion2(top, path);
  if (version && *version != 1)
    return top.fieldError("version", "expected 1 or 2, got " + Twine(*version));
  // Say so before version 1's unknown-field check misreads a version 2 file.
  if (!version && object->get("version")) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << *object->get("version");
    return top.fieldError("version", "expected 1 or 2, got " + text);
  }
  return parseVersion1(top, path);
}

} // namespace xfmr
