//===- Manifest.cpp - the model library manifest --------------------------===//
//
// The manifest is written by our own compiler, but a library is a file like
// any other: every field is type-checked before use, since with exceptions
// off a wrong-typed access in nlohmann::json would abort.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Manifest.h"

#include <nlohmann/json.hpp>

using json = nlohmann::json;
using namespace xfmr::runtime;

namespace {

/// Collects the first error; the getters return false once one is set.
struct Reader {
  std::string error;

  bool fail(const std::string &message) {
    if (error.empty())
      error = "invalid model manifest: " + message;
    return false;
  }

  const json *field(const json &object, const char *name) {
    auto it = object.find(name);
    if (it == object.end()) {
      fail(std::string("missing field '") + name + "'");
      return nullptr;
    }
    return &*it;
  }

  bool getInt(const json &object, const char *name, int64_t &out, int64_t min) {
    const json *value = field(object, name);
    if (!value)
      return false;
    if (!value->is_number_integer() ||
        (value->is_number_unsigned() &&
         value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
      return fail(std::string("'") + name + "' must be an integer");
    out = value->get<int64_t>();
    if (out < min)
      return fail(std::string("'") + name + "' must be at least " +
                  std::to_string(min) + ", got " + std::to_string(out));
    return true;
  }

  bool getString(const json &object, const char *name, std::string &out) {
    const json *value = field(object, name);
    if (!value)
      return false;
    if (!value->is_string())
      return fail(std::string("'") + name + "' must be a string");
    out = value->get_ref<const std::string &>();
    return true;
  }

  /// A shape whose entries are >= `min` (-1 allows dynamic dimensions).
  bool getShape(const json &object, const char *name, std::vector<int64_t> &out,
                int64_t min) {
    const json *value = field(object, name);
    if (!value)
      return false;
    if (!value->is_array())
      return fail(std::string("'") + name + "' must be an array");
    out.clear();
    for (const json &dim : *value) {
      if (!dim.is_number_integer() || dim.get<int64_t>() < min ||
          (dim.is_number_unsigned() &&
           dim.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
        return fail(std::string("'") + name +
                    "' must hold integers >= " + std::to_string(min));
      out.push_back(dim.get<int64_t>());
    }
    return true;
  }
};

} // namespace

xfmr_status xfmr::runtime::parseManifest(const char *text, Manifest &out,
                                         std::string &error) {
  out = Manifest();
  if (!text) {
    error = "invalid model manifest: missing";
    return XFMR_ERROR_INTERNAL;
  }
  json root = json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    error = "invalid model manifest: not a JSON object";
    return XFMR_ERROR_INTERNAL;
  }
  Reader r;
  // Version and target come first: a newer manifest may change every other
  // field, so those are only read once we know we understand the format.
  if (!r.getInt(root, "abi_version", out.abiVersion, 0) ||
      !r.getString(root, "target", out.target)) {
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  if (out.abiVersion != XFMR_ABI_VERSION) {
    error = "library built for ABI version " + std::to_string(out.abiVersion) +
            "; this runtime supports version " +
            std::to_string(XFMR_ABI_VERSION);
    return XFMR_ERROR_UNSUPPORTED;
  }
  if (out.target != "cpu") {
    error = "library built for target '" + out.target +
            "'; this runtime runs 'cpu'";
    return XFMR_ERROR_UNSUPPORTED;
  }
  if (!r.getString(root, "kind", out.kind) ||
      !r.getString(root, "name", out.name) ||
      !r.getString(root, "weights_file", out.weightsFile)) {
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  if (out.kind != "encoder") {
    error = "model kind '" + out.kind + "' is not supported yet";
    return XFMR_ERROR_UNSUPPORTED;
  }

  const json *config = r.field(root, "config");
  if (config && !config->is_object())
    r.fail("'config' must be an object");
  if (!r.error.empty() || !r.getInt(*config, "vocab_size", out.vocabSize, 1) ||
      !r.getInt(*config, "d_model", out.dModel, 1) ||
      !r.getInt(*config, "num_layers", out.numLayers, 0) ||
      !r.getInt(*config, "max_positions", out.maxPositions, 1)) {
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  if (config->contains("type_vocab_size") &&
      !r.getInt(*config, "type_vocab_size", out.typeVocabSize, 0)) {
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }

  const json *inputs = r.field(root, "inputs");
  if (!inputs || !inputs->is_array()) {
    r.fail("'inputs' must be an array");
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  std::vector<std::string> names;
  for (const json &input : *inputs) {
    if (!input.is_string()) {
      r.fail("'inputs' must hold strings");
      error = r.error;
      return XFMR_ERROR_INTERNAL;
    }
    names.push_back(input.get<std::string>());
  }
  bool basic = names.size() >= 2 && names[0] == "input_ids" &&
               names[1] == "attention_mask";
  if (!basic || names.size() > 3 ||
      (names.size() == 3 && names[2] != "token_type_ids")) {
    std::string list;
    for (const std::string &name : names)
      list += (list.empty() ? "'" : ", '") + name + "'";
    error = "model inputs [" + list +
            "] are not supported yet (expected 'input_ids', "
            "'attention_mask' and optionally 'token_type_ids')";
    return XFMR_ERROR_UNSUPPORTED;
  }
  out.hasTokenTypes = names.size() == 3;
  if (out.hasTokenTypes && out.typeVocabSize < 1) {
    error = "invalid model manifest: input 'token_type_ids' needs "
            "type_vocab_size >= 1";
    return XFMR_ERROR_INTERNAL;
  }

  const json *output = r.field(root, "output");
  std::string dtype;
  std::vector<int64_t> shape;
  if (output && !output->is_object())
    r.fail("'output' must be an object");
  if (!r.error.empty() || !r.getString(*output, "name", out.outputName) ||
      !r.getString(*output, "dtype", dtype) ||
      !r.getShape(*output, "shape", shape, -1)) {
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  if (dtype != "F32" || shape != std::vector<int64_t>{-1, -1, out.dModel}) {
    error = "output '" + out.outputName + "' of dtype " + dtype + " shape " +
            formatShape(shape) +
            " is not supported yet (expected F32 [-1, -1, " +
            std::to_string(out.dModel) + "])";
    return XFMR_ERROR_UNSUPPORTED;
  }

  if (root.contains("embedding")) {
    const json &embedding = root["embedding"];
    std::vector<int64_t> embeddingShape;
    if (!embedding.is_object()) {
      r.fail("'embedding' must be an object");
    } else if (r.getString(embedding, "pooling", out.pooling) &&
               r.getShape(embedding, "shape", embeddingShape, -1)) {
      auto it = embedding.find("normalize");
      const json *normalize = it == embedding.end() ? nullptr : &*it;
      if (normalize && !normalize->is_boolean())
        r.fail("'embedding.normalize' must be a boolean");
      else if (normalize)
        out.normalizeEmbedding = normalize->get<bool>();
      if (r.error.empty() &&
          ((out.pooling != "cls" && out.pooling != "mean") ||
           embeddingShape != std::vector<int64_t>{-1, out.dModel}))
        r.fail("'embedding' must pool (cls or mean) to [-1, d_model]");
    }
    if (!r.error.empty()) {
      error = r.error;
      return XFMR_ERROR_INTERNAL;
    }
    out.hasEmbedding = true;
  }

  const json *weights = r.field(root, "weights");
  if (!weights || !weights->is_array()) {
    r.fail("'weights' must be an array");
    error = r.error;
    return XFMR_ERROR_INTERNAL;
  }
  for (const json &weight : *weights) {
    WeightSpec spec;
    if (!weight.is_object()) {
      r.fail("'weights' must hold objects");
    } else if (r.getString(weight, "key", spec.key) &&
               r.getString(weight, "dtype", dtype) &&
               r.getShape(weight, "shape", spec.shape, 0) && dtype != "F32") {
      error = "weight '" + spec.key + "' of dtype " + dtype +
              " is not supported yet (only F32)";
      return XFMR_ERROR_UNSUPPORTED;
    }
    if (!r.error.empty()) {
      error = r.error;
      return XFMR_ERROR_INTERNAL;
    }
    out.weights.push_back(std::move(spec));
  }
  return XFMR_OK;
}
