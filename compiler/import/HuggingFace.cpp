//===- HuggingFace.cpp - The Hugging Face checkpoint front end ------------===//
//
// Reads a Hugging Face checkpoint folder (config.json + model.safetensors)
// into a ModelSpec. config.json comes from strangers: every field the model
// depends on is type- and range-checked, settings that change the computation
// and are not implemented are refused, pickle checkpoints are refused, and
// sharded checkpoints must not name files outside the folder. Fields the
// computation does not depend on (architectures, torch_dtype, ...) are
// ignored, as transformers does.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/ModelSpec.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <set>

using namespace llvm;

namespace xfmr {
namespace {

/// Reads config.json fields with transformers' BertConfig defaults.
class ConfigReader {
public:
  ConfigReader(StringRef file, const json::Object &config)
      : file(file), config(config) {}

  Error fieldError(StringRef key, const Twine &what) const {
    return detail::makeError(file + ": field '" + key + "': " + what);
  }

  /// An integer field (absent: `fallback`) in [min, max].
  Error readInt(StringRef key, int64_t fallback, int64_t min, int64_t max,
                int64_t &out) const {
    out = fallback;
    const json::Value *value = config.get(key);
    if (!value)
      return Error::success();
    std::optional<int64_t> n = value->getAsInteger();
    if (!n)
      return fieldError(key,
                        "expected an integer, got " + detail::describe(*value));
    out = *n;
    if (out < min)
      return fieldError(key, "expected an integer >= " + Twine(min) + ", got " +
                                 detail::formatNumber(out));
    if (out > max)
      return fieldError(key, "expected at most " + Twine(max) + ", got " +
                                 detail::formatNumber(out));
    return Error::success();
  }

  Error readNumber(StringRef key, double fallback, double &out) const {
    out = fallback;
    const json::Value *value = config.get(key);
    if (!value)
      return Error::success();
    std::optional<double> x = value->getAsNumber();
    if (!x)
      return fieldError(key,
                        "expected a number, got " + detail::describe(*value));
    out = *x;
    return Error::success();
  }

  Error readRate(StringRef key, double fallback, double &out) const {
    if (Error e = readNumber(key, fallback, out))
      return e;
    if (out >= 0.0 && out < 1.0)
      return Error::success();
    return fieldError(key, "expected a number in [0, 1), got " +
                               detail::formatNumber(out));
  }

  Error readBool(StringRef key, bool fallback, bool &out) const {
    out = fallback;
    const json::Value *value = config.get(key);
    if (!value)
      return Error::success();
    std::optional<bool> b = value->getAsBoolean();
    if (!b)
      return fieldError(key, "expected true or false, got " +
                                 detail::describe(*value));
    out = *b;
    return Error::success();
  }

  /// A string field (absent: `fallback`).
  Error readString(StringRef key, StringRef fallback, std::string &out) const {
    out = fallback.str();
    const json::Value *value = config.get(key);
    if (!value)
      return Error::success();
    std::optional<StringRef> s = value->getAsString();
    if (!s)
      return fieldError(key,
                        "expected a string, got " + detail::describe(*value));
    out = s->str();
    return Error::success();
  }

  const json::Object &getConfig() const { return config; }

private:
  StringRef file;
  const json::Object &config;
};

/// The model types of INTERFACE.md; only "bert" is implemented so far.
constexpr StringRef kKnownModelTypes[] = {"bert", "gpt2", "llama", "marian",
                                          "t5"};

Error readBertConfig(const ConfigReader &r, ModelSpec &spec) {
  const int64_t maxDim = detail::kMaxDimension;
  if (Error e = r.readInt("vocab_size", 30522, 1, maxDim, spec.vocabSize))
    return e;
  if (Error e = r.readInt("hidden_size", 768, 1, maxDim, spec.dModel))
    return e;
  if (Error e = r.readInt("num_attention_heads", 12, 1, maxDim, spec.numHeads))
    return e;
  if (spec.dModel % spec.numHeads != 0)
    return r.fieldError("num_attention_heads",
                        "expected a divisor of hidden_size (" +
                            Twine(spec.dModel) + "), got " +
                            Twine(spec.numHeads));
  if (Error e = r.readInt("intermediate_size", 3072, 1, maxDim, spec.ffnDim))
    return e;
  if (Error e = r.readInt("num_hidden_layers", 12, 1, detail::kMaxLayers,
                          spec.numLayers))
    return e;
  if (Error e = r.readInt("max_position_embeddings", 512, 1, maxDim,
                          spec.maxPositions))
    return e;
  // BertModel always adds a token type embedding (row 0 by default), so a
  // BERT checkpoint needs at least one row.
  if (Error e = r.readInt("type_vocab_size", 2, 1, maxDim, spec.typeVocabSize))
    return e;
  if (Error e = r.readNumber("layer_norm_eps", 1e-12, spec.normEps))
    return e;
  if (!(spec.normEps > 0.0) || !std::isfinite(spec.normEps))
    return r.fieldError("layer_norm_eps",
                        "expected a finite number > 0, got " +
                            detail::formatNumber(spec.normEps));

  std::string act;
  if (Error e = r.readString("hidden_act", "gelu", act))
    return e;
  if (act == "gelu")
    spec.activation = Activation::Gelu;
  else if (act == "gelu_new" || act == "gelu_pytorch_tanh")
    spec.activation = Activation::GeluTanh;
  else if (act == "relu")
    spec.activation = Activation::Relu;
  else
    return r.fieldError("hidden_act", "expected one of \"gelu\", \"gelu_new\", "
                                      "\"gelu_pytorch_tanh\", \"relu\", got " +
                                          detail::describe(json::Value(act)));

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
  spec.positions = PositionKind::Learned;

  // pad_token_id may be null (no padding token).
  spec.padTokenId = 0;
  const json::Value *pad = r.getConfig().get("pad_token_id");
  if (pad && pad->kind() == json::Value::Null)
    spec.padTokenId = -1;
  else if (Error e = r.readInt("pad_token_id", 0, INT64_MIN, INT64_MAX,
                               spec.padTokenId))
    return e;
  else if (spec.padTokenId < 0 || spec.padTokenId >= spec.vocabSize)
    return r.fieldError("pad_token_id",
                        "expected an integer in [0, vocab_size) = [0, " +
                            Twine(spec.vocabSize) + "), got " +
                            Twine(spec.padTokenId));

  for (StringRef flag : {"is_decoder", "add_cross_attention"}) {
    bool value = false;
    if (Error e = r.readBool(flag, false, value))
      return e;
    if (value)
      return r.fieldError(flag, "true is not supported yet (BertModel as an "
                                "encoder only)");
  }

  spec.architecture = "encoder";
  spec.normPlacement = NormPlacement::Post;
  spec.embeddingLayerNorm = true;
  spec.embeddingScale = false;
  // BertModel adds torch.finfo(float32).min to padded keys.
  spec.maskFill = MaskFill::Lowest;
  return Error::success();
}

/// Rejects a shard name that points outside the folder by its spelling
/// alone: empty, absolute, or with a ".." component.
Error checkShardName(StringRef indexFile, StringRef tensor,
                     StringRef relative) {
  auto fail = [&](const Twine &why) {
    return detail::makeError(indexFile + ": field 'weight_map." + tensor +
                             "': shard '" + relative + "' " + why);
  };
  if (relative.empty())
    return detail::makeError(indexFile + ": field 'weight_map." + tensor +
                             "': expected a non-empty file name");
  if (sys::path::is_absolute(relative) || relative.starts_with("/") ||
      relative.starts_with("\\"))
    return fail("is an absolute path; shards must be inside the checkpoint "
                "folder");
  for (StringRef component :
       make_range(sys::path::begin(relative), sys::path::end(relative)))
    if (component == "..")
      return fail("escapes the checkpoint folder ('..')");
  return Error::success();
}

/// Checks that the shard resolves, through any symlinks, to a regular file
/// inside the folder whose real path is `realDir`.
Error checkShardTarget(StringRef indexFile, StringRef dir, StringRef realDir,
                       StringRef tensor, StringRef relative) {
  auto fail = [&](const Twine &why) {
    return detail::makeError(indexFile + ": field 'weight_map." + tensor +
                             "': shard '" + relative + "' " + why);
  };
  SmallString<256> full(dir);
  sys::path::append(full, relative);
  SmallString<256> real;
  if (sys::fs::real_path(full, real))
    return fail("does not exist");
  if (!StringRef(real).starts_with((realDir + "/").str()))
    return fail("resolves outside the checkpoint folder (to '" + real + "')");
  if (!sys::fs::is_regular_file(real))
    return fail("is not a regular file");
  return Error::success();
}

/// Validates a sharded checkpoint's index, then refuses it: a ModelSpec
/// names a single weights file so far.
Error checkShardedIndex(StringRef dir, StringRef indexFile) {
  Expected<json::Value> root = detail::readJSONFile(indexFile);
  if (!root)
    return root.takeError();
  const json::Object *index = root->getAsObject();
  if (!index)
    return detail::makeError(indexFile + ": expected a JSON object, got " +
                             detail::describe(*root));
  const json::Value *mapValue = index->get("weight_map");
  if (!mapValue)
    return detail::makeError(indexFile +
                             ": missing required field 'weight_map'");
  const json::Object *weightMap = mapValue->getAsObject();
  if (!weightMap)
    return detail::makeError(indexFile +
                             ": field 'weight_map': expected an object, got " +
                             detail::describe(*mapValue));
  SmallString<256> realDir;
  if (std::error_code ec = sys::fs::real_path(dir, realDir))
    return detail::makeError(dir + ": " + ec.message());

  // Sorted, so that the first error is the same on every run.
  std::set<std::string> tensors;
  for (const auto &entry : *weightMap)
    tensors.insert(entry.first.str());
  // Every name is checked by its spelling before any is looked up, so a
  // hostile path is reported even when an earlier shard is merely missing.
  SmallVector<std::pair<StringRef, StringRef>> shards; // (tensor, file)
  StringSet<> seen;
  for (const std::string &tensor : tensors) {
    const json::Value &shard = *weightMap->get(tensor);
    std::optional<StringRef> name = shard.getAsString();
    if (!name)
      return detail::makeError(indexFile + ": field 'weight_map." + tensor +
                               "': expected a file name, got " +
                               detail::describe(shard));
    if (Error e = checkShardName(indexFile, tensor, *name))
      return e;
    if (seen.insert(*name).second)
      shards.push_back({tensor, *name});
  }
  for (auto [tensor, name] : shards)
    if (Error e = checkShardTarget(indexFile, dir, realDir, tensor, name))
      return e;
  return detail::makeError(indexFile +
                           ": sharded checkpoints are not supported yet");
}

/// Finds the weights of the checkpoint in `dir`: model.safetensors, else an
/// error that says what was found instead.
Expected<std::string> findWeights(StringRef dir) {
  SmallString<256> single(dir);
  sys::path::append(single, "model.safetensors");
  if (sys::fs::exists(single)) {
    if (!sys::fs::is_regular_file(single))
      return detail::makeError(single + ": not a regular file");
    return std::string(single);
  }
  SmallString<256> index(dir);
  sys::path::append(index, "model.safetensors.index.json");
  if (sys::fs::exists(index))
    return checkShardedIndex(dir, index);

  // Pickle checkpoints: prefer naming the canonical file.
  std::string pickle;
  std::error_code ec;
  std::set<std::string> names;
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    names.insert(sys::path::filename(it->path()).str());
  if (names.count("pytorch_model.bin")) {
    pickle = "pytorch_model.bin";
  } else {
    for (const std::string &name : names) {
      StringRef n = name;
      if (n.ends_with(".bin") || n.ends_with(".pt") || n.ends_with(".pth") ||
          n.ends_with(".ckpt") || n.ends_with(".pkl") ||
          n == "pytorch_model.bin.index.json") {
        pickle = name;
        break;
      }
    }
  }
  if (!pickle.empty())
    return detail::makeError(dir + ": refusing pickle checkpoint '" + pickle +
                             "': it can execute code when loaded; convert it "
                             "to safetensors");
  return detail::makeError(dir + ": no weights found: expected "
                                 "model.safetensors (or a sharded "
                                 "model.safetensors.index.json)");
}

/// The folder's own name ("bert-tiny" for "models/bert-tiny/").
std::string folderName(StringRef dir) {
  StringRef trimmed = dir.rtrim("/");
  StringRef name = sys::path::filename(trimmed);
  if (!name.empty() && name != "." && name != "..")
    return name.str();
  SmallString<256> real;
  if (!sys::fs::real_path(dir, real) && !sys::path::filename(real).empty())
    return sys::path::filename(real).str();
  return "model";
}

} // namespace

Expected<ModelSpec> parseHuggingFaceConfig(StringRef text, StringRef path,
                                           StringRef name) {
  Expected<json::Value> root = detail::parseJSONText(text, path);
  if (!root)
    return root.takeError();
  const json::Object *config = root->getAsObject();
  if (!config)
    return detail::makeError(path + ": expected a JSON object, got " +
                             detail::describe(*root));
  ConfigReader reader(path, *config);

  const json::Value *typeValue = config->get("model_type");
  if (!typeValue)
    return detail::makeError(path + ": missing required field 'model_type'");
  std::optional<StringRef> modelType = typeValue->getAsString();
  if (!modelType)
    return reader.fieldError("model_type", "expected a string, got " +
                                               detail::describe(*typeValue));
  if (*modelType != "bert") {
    if (is_contained(kKnownModelTypes, *modelType))
      return detail::makeError(path + ": model_type '" + *modelType +
                               "' is not supported yet");
    return reader.fieldError(
        "model_type", "unknown model type " + detail::describe(*typeValue) +
                          " (known: bert, gpt2, llama, marian, t5)");
  }

  ModelSpec spec;
  spec.name = name.str();
  if (Error e = readBertConfig(reader, spec))
    return std::move(e);
  // A backstop: the checks above use config.json's names and should have
  // caught everything validateSpec checks.
  if (Error e = validateSpec(spec, path))
    return std::move(e);
  return spec;
}

Expected<ModelSpec> importHuggingFaceFolder(StringRef dir) {
  if (!sys::fs::is_directory(dir))
    return detail::makeError(dir + ": not a folder");
  SmallString<256> configPath(dir);
  sys::path::append(configPath, "config.json");
  if (!sys::fs::exists(configPath))
    return detail::makeError(dir + ": not a Hugging Face checkpoint folder "
                                   "(no config.json)");
  Expected<std::unique_ptr<MemoryBuffer>> buffer =
      detail::readJSONFileBuffer(configPath);
  if (!buffer)
    return buffer.takeError();
  Expected<ModelSpec> spec = parseHuggingFaceConfig(
      (*buffer)->getBuffer(), configPath, folderName(dir));
  if (!spec)
    return spec.takeError();

  Expected<std::string> weights = findWeights(dir);
  if (!weights)
    return weights.takeError();
  SmallString<256> absolute(*weights);
  if (std::error_code ec = sys::fs::make_absolute(absolute))
    return detail::makeError(*weights + ": " + ec.message());
  // Keep ".." (a symlinked folder resolves it differently); drop ".".
  sys::path::remove_dots(absolute);
  spec->weightsPath = std::string(absolute);

  safetensors::Header header;
  if (Error e = detail::readWeightsHeader(spec->weightsPath, header))
    return std::move(e);
  spec->weightPrefix = detail::detectWeightPrefix(header);
  if (Error e = detail::checkWeights(*spec, header))
    return std::move(e);
  return spec;
}

} // namespace xfmr
