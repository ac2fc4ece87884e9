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

std::vector<int64_t> WeightSpec::viewShape() const {
  std::vector<int64_t> view = shape;
  if (transposed && view.size() == 2)
    std::swap(view[0], view[1]);
  if (rowEnd >= 0 && !view.empty())
    view[0] = rowEnd - rowBegin;
  return view;
}

bool EntrySpec::takes(Input input) const {
  for (Input i : inputs)
    if (i == input)
      return true;
  return false;
}

int Manifest::findEntry(Role role) const {
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].role == role)
      return static_cast<int>(i);
  return -1;
}

namespace {

/// `[A-Za-z_][A-Za-z0-9_]*`, what docs/abi.md allows for names; also keeps
/// messages that quote a name on one line.
bool isIdentifier(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
    return false;
  for (char c : s)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return false;
  return true;
}

/// `s` in quotes, control characters escaped, for one-line messages.
std::string quote(const std::string &s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

/// Collects the first error; the getters return false once one is set.
struct Reader {
  xfmr_status status = XFMR_OK;
  std::string error;
  /// Where the fields read next are ("entries[1].outputs[0]"), for messages.
  std::string where;

  /// A malformed manifest.
  bool fail(const std::string &message) {
    if (status == XFMR_OK) {
      status = XFMR_ERROR_INTERNAL;
      error = "invalid model manifest: " + (where.empty() ? "" : where + ": ") +
              message;
    }
    return false;
  }

  /// A well-formed manifest that asks for something this runtime lacks.
  bool unsupported(const std::string &message) {
    if (status == XFMR_OK) {
      status = XFMR_ERROR_UNSUPPORTED;
      error = message;
    }
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

  const json *object(const json &parent, const char *name) {
    const json *value = field(parent, name);
    if (value && !value->is_object()) {
      fail(std::string("'") + name + "' must be an object");
      return nullptr;
    }
    return value;
  }

  const json *array(const json &parent, const char *name) {
    const json *value = field(parent, name);
    if (value && !value->is_array()) {
      fail(std::string("'") + name + "' must be an array");
      return nullptr;
    }
    return value;
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

  /// A name restricted as docs/abi.md says.
  bool getName(const json &object, const char *name, std::string &out) {
    if (!getString(object, name, out))
      return false;
    if (!isIdentifier(out))
      return fail(std::string("'") + name + "' " + quote(out) +
                  " is not a name ([A-Za-z_][A-Za-z0-9_]*)");
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
      if (!dim.is_number_integer() ||
          (dim.is_number_unsigned() &&
           dim.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
          dim.get<int64_t>() < min)
        return fail(std::string("'") + name +
                    "' must hold integers >= " + std::to_string(min));
      out.push_back(dim.get<int64_t>());
    }
    return true;
  }

  /// An object at `index` of an array, with `where` set to name it.
  const json *element(const json &array, size_t index, std::string place) {
    where = std::move(place) + "[" + std::to_string(index) + "]";
    const json &value = array[index];
    if (!value.is_object()) {
      fail("must be an object");
      return nullptr;
    }
    return &value;
  }
};

bool readConfig(Reader &r, const json &root, Manifest &out) {
  r.where.clear();
  const json *config = r.object(root, "config");
  r.where = "config";
  if (!config || !r.getInt(*config, "vocab_size", out.vocabSize, 1) ||
      !r.getInt(*config, "d_model", out.dModel, 1) ||
      !r.getInt(*config, "num_layers", out.numLayers, 0) ||
      !r.getInt(*config, "num_heads", out.numHeads, 1) ||
      !r.getInt(*config, "max_positions", out.maxPositions, 1) ||
      !r.getInt(*config, "type_vocab_size", out.typeVocabSize, 0))
    return false;
  // Optional: manifests that predate it truncate at max_positions.
  r.where.clear();
  out.maxLength = out.maxPositions;
  if (root.contains("max_length")) {
    if (!r.getInt(root, "max_length", out.maxLength, 1))
      return false;
    if (out.maxLength > out.maxPositions)
      return r.fail("'max_length' (" + std::to_string(out.maxLength) +
                    ") exceeds config 'max_positions' (" +
                    std::to_string(out.maxPositions) + ")");
  }
  // Optional: a model without one generates until the tokens run out.
  if (root.contains("eos_token_id")) {
    if (!r.getInt(root, "eos_token_id", out.eosTokenId, 0))
      return false;
    if (out.eosTokenId >= out.vocabSize)
      return r.fail("'eos_token_id' (" + std::to_string(out.eosTokenId) +
                    ") is outside the vocabulary");
  }
  return true;
}

const char *kExpectedInputs =
    "(expected 'input_ids', 'attention_mask' and optionally 'token_type_ids')";

/// The name, dtype and shape of an input or output.
bool readTensor(Reader &r, const json &tensor, std::string &name,
                std::string &dtype, std::vector<int64_t> &shape) {
  return r.getName(tensor, "name", name) &&
         r.getString(tensor, "dtype", dtype) &&
         r.getShape(tensor, "shape", shape, -1);
}

bool readInputs(Reader &r, const json &entry, const std::string &entryName,
                EntrySpec &spec) {
  std::string place = r.where + ".inputs";
  const json *inputs = r.array(entry, "inputs");
  if (!inputs)
    return false;
  std::vector<std::string> names;
  for (size_t i = 0; i < inputs->size(); ++i) {
    const json *input = r.element(*inputs, i, place);
    std::string name, dtype;
    std::vector<int64_t> shape;
    if (!input || !readTensor(r, *input, name, dtype, shape))
      return false;
    for (const std::string &seen : names)
      if (seen == name)
        return r.fail("input " + quote(name) + " appears twice");
    names.push_back(name);
    if (name == "input_ids")
      spec.inputs.push_back(Input::InputIds);
    else if (name == "attention_mask")
      spec.inputs.push_back(Input::AttentionMask);
    else if (name == "token_type_ids")
      spec.inputs.push_back(Input::TokenTypeIds);
    else
      continue; // Refused below, naming the whole list.
    if (dtype != "I64" || shape != std::vector<int64_t>{-1, -1})
      return r.unsupported("entry " + quote(entryName) + ": input " +
                           quote(name) + " of dtype " + quote(dtype) +
                           " shape " + formatShape(shape) +
                           " is not supported yet (expected I64 [-1, -1])");
  }
  if (spec.inputs.size() != names.size() || !spec.takes(Input::InputIds) ||
      !spec.takes(Input::AttentionMask)) {
    std::string list;
    for (const std::string &name : names)
      list += (list.empty() ? "" : ", ") + quote(name);
    return r.unsupported("entry " + quote(entryName) + ": inputs [" + list +
                         "] are not supported yet " + kExpectedInputs);
  }
  return true;
}

/// The inputs of prefill and decode_step: input_ids and position_ids of
/// the new tokens (I64 [-1, -1], or [-1, 1] for decode_step),
/// attention_mask I64 [-1, -1], kv_cache F32 [layers, 2, -1, kv_heads, -1,
/// head_dim], in and out.
bool readCachedInputs(Reader &r, const json &entry,
                      const std::string &entryName, EntrySpec &spec) {
  std::string place = r.where + ".inputs";
  const json *inputs = r.array(entry, "inputs");
  if (!inputs)
    return false;
  static const char *const names[] = {"input_ids", "position_ids",
                                      "attention_mask", "kv_cache"};
  auto refuse = [&](const std::string &what) {
    return r.unsupported("entry " + quote(entryName) + ": " + what +
                         " is not supported yet (expected input_ids and "
                         "position_ids I64 [-1, " +
                         (spec.role == Role::DecodeStep ? "1" : "-1") +
                         "], attention_mask I64 [-1, -1], and kv_cache F32 "
                         "[layers, 2, -1, kv_heads, -1, head_dim] in/out)");
  };
  if (inputs->size() != 4)
    return refuse(std::to_string(inputs->size()) + " inputs");
  int64_t newTokens = spec.role == Role::DecodeStep ? 1 : -1;
  for (size_t i = 0; i < 4; ++i) {
    const json *input = r.element(*inputs, i, place);
    std::string name, dtype;
    std::vector<int64_t> shape;
    if (!input || !readTensor(r, *input, name, dtype, shape))
      return false;
    bool inout = false;
    if (input->contains("inout")) {
      const json &flag = (*input)["inout"];
      if (!flag.is_boolean())
        return r.fail("'inout' must be a boolean");
      inout = flag.get<bool>();
    }
    std::string what =
        "input " + quote(name) + " " + dtype + " " + formatShape(shape);
    if (name != names[i])
      return refuse(what + " at position " + std::to_string(i));
    if (i == 3) {
      if (dtype != "F32" || !inout || shape.size() != 6 || shape[0] <= 0 ||
          shape[1] != 2 || shape[2] != -1 || shape[3] <= 0 || shape[4] != -1 ||
          shape[5] <= 0)
        return refuse(what + (inout ? "" : " (not in/out)"));
      spec.cache = {shape[0], shape[3], shape[5]};
      spec.inputs.push_back(Input::KvCache);
      continue;
    }
    std::vector<int64_t> expected = {-1, i < 2 ? newTokens : -1};
    if (dtype != "I64" || shape != expected || inout)
      return refuse(what);
    spec.inputs.push_back(i == 0   ? Input::InputIds
                          : i == 1 ? Input::PositionIds
                                   : Input::AttentionMask);
  }
  return true;
}

bool readOutput(Reader &r, const json &entry, const std::string &entryName,
                int64_t dModel, int64_t vocabSize, EntrySpec &spec) {
  std::string place = r.where + ".outputs";
  const json *outputs = r.array(entry, "outputs");
  if (!outputs)
    return false;
  if (outputs->size() != 1)
    return r.unsupported("entry " + quote(entryName) + " has " +
                         std::to_string(outputs->size()) +
                         " outputs; this runtime supports one");
  const json *output = r.element(*outputs, 0, place);
  std::string dtype;
  if (!output ||
      !readTensor(r, *output, spec.outputName, dtype, spec.outputShape))
    return false;
  std::vector<int64_t> expected = {-1, -1, dModel};
  if (spec.role == Role::Embed)
    expected = {-1, dModel};
  if (spec.role == Role::Logits)
    expected = {-1, -1, vocabSize};
  if (spec.role == Role::Prefill || spec.role == Role::DecodeStep)
    expected = {-1, vocabSize};
  if (dtype != "F32" || spec.outputShape != expected)
    return r.unsupported("entry " + quote(entryName) + ": output " +
                         quote(spec.outputName) + " of dtype " + quote(dtype) +
                         " shape " + formatShape(spec.outputShape) +
                         " is not supported yet (expected F32 " +
                         formatShape(expected) + ")");
  return true;
}

/// `pooling` and `normalize`, which only an embed entry may have.
bool readPooling(Reader &r, const json &entry, EntrySpec &spec) {
  bool embed = spec.role == Role::Embed;
  if (entry.contains("pooling")) {
    if (!embed)
      return r.fail("'pooling' is only for embed entries");
    if (!r.getString(entry, "pooling", spec.pooling))
      return false;
    if (spec.pooling != "cls" && spec.pooling != "mean")
      return r.fail("'pooling' must be 'cls' or 'mean', got " +
                    quote(spec.pooling));
  }
  auto it = entry.find("normalize");
  if (it != entry.end()) {
    const json &normalize = *it;
    if (!embed)
      return r.fail("'normalize' is only for embed entries");
    if (!normalize.is_boolean())
      return r.fail("'normalize' must be a boolean");
    spec.normalize = normalize.get<bool>();
  }
  return true;
}

bool readEntries(Reader &r, const json &root, Manifest &out) {
  r.where.clear();
  const json *entries = r.array(root, "entries");
  if (!entries)
    return false;
  if (entries->empty())
    return r.fail("'entries' is empty");
  for (size_t i = 0; i < entries->size(); ++i) {
    const json *entry = r.element(*entries, i, "entries");
    EntrySpec spec;
    std::string role;
    if (!entry || !r.getName(*entry, "role", role))
      return false;
    if (role == "encode")
      spec.role = Role::Encode;
    else if (role == "embed")
      spec.role = Role::Embed;
    else if (role == "logits")
      spec.role = Role::Logits;
    else if (role == "prefill")
      spec.role = Role::Prefill;
    else if (role == "decode_step")
      spec.role = Role::DecodeStep;
    else
      return r.unsupported("entry role " + quote(role) +
                           " is not supported yet (this runtime runs "
                           "'encode', 'embed', 'logits', 'prefill' and "
                           "'decode_step')");
    if (out.findEntry(spec.role) >= 0)
      return r.fail("a second entry with role " + quote(role));
    bool cached = spec.role == Role::Prefill || spec.role == Role::DecodeStep;
    if (!(cached ? readCachedInputs(r, *entry, role, spec)
                 : readInputs(r, *entry, role, spec)))
      return false;
    r.where = "entries[" + std::to_string(i) + "]";
    if (!readOutput(r, *entry, role, out.dModel, out.vocabSize, spec))
      return false;
    r.where = "entries[" + std::to_string(i) + "]";
    if (!readPooling(r, *entry, spec))
      return false;
    out.entries.push_back(std::move(spec));
  }
  r.where.clear();
  for (const EntrySpec &spec : out.entries)
    if (spec.takes(Input::TokenTypeIds) && out.typeVocabSize < 1)
      return r.fail("input 'token_type_ids' needs type_vocab_size >= 1");
  // A session runs both, on one cache.
  int prefill = out.findEntry(Role::Prefill);
  int decode = out.findEntry(Role::DecodeStep);
  if ((prefill < 0) != (decode < 0))
    return r.fail("'prefill' and 'decode_step' come together");
  if (prefill >= 0) {
    if (!(out.entries[prefill].cache == out.entries[decode].cache))
      return r.fail("'prefill' and 'decode_step' disagree on the kv_cache "
                    "shape");
    out.kvCache = out.entries[prefill].cache;
    if (out.kvCache.layers != out.numLayers)
      return r.fail("the kv_cache has " + std::to_string(out.kvCache.layers) +
                    " layers, the model " + std::to_string(out.numLayers));
  }
  return true;
}

bool readWeights(Reader &r, const json &root, Manifest &out) {
  r.where.clear();
  const json *weights = r.array(root, "weights");
  if (!weights)
    return false;
  for (size_t i = 0; i < weights->size(); ++i) {
    const json *weight = r.element(*weights, i, "weights");
    WeightSpec spec;
    std::string dtype;
    if (!weight || !r.getString(*weight, "key", spec.key) ||
        !r.getString(*weight, "dtype", dtype) ||
        !r.getShape(*weight, "shape", spec.shape, 0))
      return false;
    if (dtype != "F32")
      return r.unsupported("weight " + quote(spec.key) + " of dtype " +
                           quote(dtype) + " is not supported yet (only F32)");
    // Optional: a view of the stored tensor.
    if (weight->contains("transposed")) {
      const json &t = (*weight)["transposed"];
      if (!t.is_boolean())
        return r.fail("'transposed' must be a boolean");
      spec.transposed = t.get<bool>();
      if (spec.transposed && spec.shape.size() != 2)
        return r.fail("weight " + quote(spec.key) +
                      " is transposed but not of rank 2");
    }
    if (weight->contains("rows")) {
      std::vector<int64_t> rows;
      if (!r.getShape(*weight, "rows", rows, 0))
        return false;
      int64_t stored = spec.shape.empty()
                           ? 0
                           : (spec.transposed ? spec.shape[1] : spec.shape[0]);
      if (rows.size() != 2 || rows[0] >= rows[1] || rows[1] > stored)
        return r.fail("weight " + quote(spec.key) +
                      ": 'rows' must be [b, e] "
                      "with b < e <= " +
                      std::to_string(stored));
      spec.rowBegin = rows[0];
      spec.rowEnd = rows[1];
    }
    // Optional: manifests that predate packing store every weight as is.
    std::string layout = "row_major";
    if (weight->contains("layout") && !r.getString(*weight, "layout", layout))
      return false;
    if (layout == "panels") {
      if (spec.shape.size() != 2)
        return r.unsupported("weight " + quote(spec.key) +
                             " is in panels but not of rank 2");
      if (!r.getInt(*weight, "panel_width", spec.panelWidth, 1))
        return false;
      // A view's rows may leave the last panel short: it is zero-padded.
      std::vector<int64_t> view = spec.viewShape();
      if (view[0] % spec.panelWidth != 0 && spec.rowEnd < 0)
        return r.fail("shape " + formatShape(view) +
                      " is not a whole number of panels of width " +
                      std::to_string(spec.panelWidth));
    } else if (layout != "row_major") {
      return r.unsupported("weight " + quote(spec.key) + " has layout " +
                           quote(layout) +
                           " (expected 'row_major' or 'panels')");
    }
    out.weights.push_back(std::move(spec));
  }
  return true;
}

/// `weights_file` (relative to the library), `embedded_weights` and
/// `tokenizer`: where the library's own weights and tokenizer are.
bool readEmbedded(Reader &r, const json &root, Manifest &out) {
  r.where.clear();
  if (!r.getString(root, "weights_file", out.weightsFile))
    return false;
  if (!out.weightsFile.empty() && out.weightsFile[0] == '/')
    return r.fail("'weights_file' " + quote(out.weightsFile) +
                  " is an absolute path (it must be relative to the "
                  "library's folder)");
  auto weights = root.find("embedded_weights");
  if (weights != root.end()) {
    if (!weights->is_boolean())
      return r.fail("'embedded_weights' must be a boolean");
    out.embeddedWeights = weights->get<bool>();
  }
  if (!root.contains("tokenizer"))
    return true;
  const json *tokenizer = r.object(root, "tokenizer");
  r.where = "tokenizer";
  std::string format;
  int64_t flags = 0;
  if (!tokenizer || !r.getString(*tokenizer, "format", format) ||
      !r.getInt(*tokenizer, "flags", flags, 0))
    return false;
  if (format == "tokenizer.json")
    out.tokenizer.format = XFMR_TOKENIZER_FORMAT_JSON;
  else if (format == "vocab.txt")
    out.tokenizer.format = XFMR_TOKENIZER_FORMAT_VOCAB_TXT;
  else if (format == "vocab.json")
    out.tokenizer.format = XFMR_TOKENIZER_FORMAT_VOCAB_JSON;
  else
    return r.fail("'format' must be 'tokenizer.json', 'vocab.txt' or "
                  "'vocab.json', got " +
                  quote(format));
  if (flags != 0 && flags != XFMR_TOKENIZER_LOWERCASE &&
      flags != XFMR_TOKENIZER_KEEP_CASE)
    return r.fail("'flags' " + std::to_string(flags) +
                  " is not a tokenizer casing flag");
  out.tokenizer.flags = static_cast<uint32_t>(flags);
  return true;
}

bool readWorkMemory(Reader &r, const json &root, Manifest &out) {
  r.where.clear();
  const json *work = r.object(root, "work_memory");
  r.where = "work_memory";
  return work && r.getInt(*work, "static_bytes", out.staticWorkBytes, 0);
}

/// `cuda_arch`, the GPU a cuda library's kernels are built for: `sm_`
/// and its compute capability (sm_80, sm_90, sm_100); cuda only.
bool readCudaArch(Reader &r, const json &root, Manifest &out) {
  if (out.target != "cuda") {
    if (root.contains("cuda_arch"))
      return r.fail("'cuda_arch' is only for target 'cuda'");
    return true;
  }
  if (!r.getString(root, "cuda_arch", out.cudaArch))
    return false;
  const std::string &arch = out.cudaArch;
  bool valid = arch.size() >= 4 && arch.size() <= 7 &&
               arch.compare(0, 3, "sm_") == 0 && arch[3] != '0';
  for (size_t i = 3; valid && i < arch.size(); ++i)
    valid = arch[i] >= '0' && arch[i] <= '9';
  if (!valid)
    return r.fail("'cuda_arch' " + quote(arch) +
                  " is not sm_ and a compute capability (sm_90)");
  return true;
}

bool readManifest(Reader &r, const json &root, Manifest &out) {
  // Version and target come first: a newer manifest may change every other
  // field, so those are only read once we know we understand the format.
  if (!r.getInt(root, "abi_version", out.abiVersion, 0) ||
      !r.getString(root, "target", out.target))
    return false;
  if (out.abiVersion != XFMR_ABI_VERSION)
    return r.unsupported(
        "library built for ABI version " + std::to_string(out.abiVersion) +
        "; this runtime supports version " + std::to_string(XFMR_ABI_VERSION));
  if (out.target != "cpu" && out.target != "cuda")
    return r.unsupported("library built for target " + quote(out.target) +
                         "; this runtime runs 'cpu' and 'cuda'");
  if (!readCudaArch(r, root, out))
    return false;
  if (!r.getString(root, "kind", out.kind) ||
      !r.getString(root, "name", out.name))
    return false;
  if (out.kind != "encoder" && out.kind != "decoder")
    return r.unsupported("model kind " + quote(out.kind) +
                         " is not supported yet");
  return readConfig(r, root, out) && readEntries(r, root, out) &&
         readWeights(r, root, out) && readEmbedded(r, root, out) &&
         readWorkMemory(r, root, out);
}

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
  if (readManifest(r, root, out))
    return XFMR_OK;
  error = r.error;
  out = Manifest();
  return r.status;
}
