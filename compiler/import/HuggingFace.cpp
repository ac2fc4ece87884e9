//===- HuggingFace.cpp - The Hugging Face checkpoint front end ------------===//
//
// Reads a Hugging Face checkpoint folder (config.json + model.safetensors)
// into a ModelSpec: what every model type shares. config.json's `model_type`
// picks the front end of hf/ that maps its fields onto the description (and
// checks them: config.json comes from strangers); this file finds and checks
// the weights: pickle checkpoints are refused, and sharded checkpoints must
// not name files outside the folder.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"
#include "compiler/import/ModelSpec.h"
#include "compiler/import/hf/ModelTypes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <set>

using namespace llvm;

namespace xfmr {
namespace {

/// The model types of INTERFACE.md, each read by its file under hf/; a
/// null importer is a model type whose front end is still to come.
struct ModelType {
  StringLiteral name;
  hf::ConfigImporter importer;
};
constexpr ModelType kModelTypes[] = {{"bert", hf::importBertConfig},
                                     {"gpt2", hf::importGpt2Config},
                                     {"llama", hf::importLlamaConfig},
                                     {"marian", nullptr},
                                     {"t5", nullptr}};

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
  Expected<json::Value> root = detail::readJSONObjectFile(indexFile);
  if (!root)
    return root.takeError();
  const json::Object *index = root->getAsObject();
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

/// The truncation the folder's own tools apply to texts, or 0: what
/// sentence-transformers uses (sentence_bert_config.json's max_seq_length),
/// else what tokenizers does (tokenizer.json's truncation.max_length). Either
/// must fit the model's positions.
Expected<int64_t> readMaxLength(StringRef dir, int64_t maxPositions) {
  auto read = [&](StringRef file, ArrayRef<StringRef> fieldPath,
                  bool &found) -> Expected<int64_t> {
    found = false;
    SmallString<256> path(dir);
    sys::path::append(path, file);
    if (!sys::fs::exists(path))
      return 0;
    Expected<json::Value> root = detail::readJSONObjectFile(path);
    if (!root)
      return root.takeError();
    const json::Value *value = &*root;
    std::string field;
    for (StringRef name : fieldPath) {
      const json::Object *object = value->getAsObject();
      if (!object) // a null truncation is no truncation
        return 0;
      field += (field.empty() ? "" : ".") + name.str();
      value = object->get(name);
      if (!value || value->kind() == json::Value::Null)
        return 0;
    }
    std::optional<int64_t> n = value->getAsInteger();
    if (!n || *n < 1 || *n > maxPositions)
      return detail::makeError(path + ": field '" + field +
                               "': expected an integer from 1 to "
                               "max_position_embeddings (" +
                               Twine(maxPositions) + "), got " +
                               detail::describe(*value));
    found = true;
    return *n;
  };
  bool found = false;
  Expected<int64_t> length =
      read("sentence_bert_config.json", {"max_seq_length"}, found);
  if (!length || found)
    return length;
  return read("tokenizer.json", {"truncation", "max_length"}, found);
}

} // namespace

Expected<ModelSpec> parseHuggingFaceConfig(StringRef text, StringRef path,
                                           StringRef name) {
  Expected<json::Value> root = detail::parseJSONObject(text, path);
  if (!root)
    return root.takeError();
  const json::Object *config = root->getAsObject();
  hf::ConfigReader reader(path, *config);

  const json::Value *typeValue = config->get("model_type");
  if (!typeValue)
    return detail::makeError(path + ": missing required field 'model_type'");
  std::optional<StringRef> modelType = typeValue->getAsString();
  if (!modelType)
    return reader.fieldError("model_type", "expected a string, got " +
                                               detail::describe(*typeValue));
  const ModelType *type = find_if(
      kModelTypes, [&](const ModelType &t) { return t.name == *modelType; });
  if (type == std::end(kModelTypes)) {
    std::string known;
    for (const ModelType &t : kModelTypes)
      known += (known.empty() ? "" : ", ") + t.name.str();
    return reader.fieldError("model_type", "unknown model type " +
                                               detail::describe(*typeValue) +
                                               " (known: " + known + ")");
  }
  if (!type->importer)
    return detail::makeError(path + ": model_type '" + *modelType +
                             "' is not supported yet");

  ModelSpec spec;
  spec.name = name.str();
  spec.origin = path.str();
  if (Error e = type->importer(reader, spec))
    return std::move(e);
  // A backstop: the front end checks with config.json's names and should
  // have caught everything validateSpec checks.
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

  Expected<int64_t> maxLength = readMaxLength(dir, spec->maxPositions);
  if (!maxLength)
    return maxLength.takeError();
  spec->maxLength = *maxLength;

  Expected<std::string> weights = findWeights(dir);
  if (!weights)
    return weights.takeError();
  SmallString<256> absolute(*weights);
  if (std::error_code ec = sys::fs::make_absolute(absolute))
    return detail::makeError(*weights + ": " + ec.message());
  // Keep ".." (a symlinked folder resolves it differently); drop ".".
  sys::path::remove_dots(absolute);
  // Messages about the weights name config.json's fields; a checkpoint
  // folder describes one stack.
  auto configField = [](StringRef path) {
    return path == "stacks[0].num_layers" ? std::string("num_hidden_layers")
                                          : path.str();
  };
  if (Error e = detail::attachWeights(*spec, absolute, configField))
    return std::move(e);
  return spec;
}

} // namespace xfmr
