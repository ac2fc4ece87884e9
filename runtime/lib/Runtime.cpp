//===- Runtime.cpp - the xfmr runtime C API: models -----------------------===//
//
// Implements the model part of runtime/include/xfmr/runtime.h on top of the
// manifest a compiled model provides (docs/abi.md): opening the weights and
// checking them against it. Running the model is Context.cpp's. The runtime
// owns validation (of the manifest, the weights and every input value) so the
// generated code can assume well-formed arguments.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Status.h"
#include "runtime/lib/tokenizers/Loaders.h"
#include "runtime/lib/tokenizers/TokenizerHandle.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unordered_map>
#include <vector>

// Defined by the compiled model (docs/abi.md); hidden, so the runtime reads
// its own library's manifest even when several are loaded.
extern "C" __attribute__((visibility("hidden"))) const char xfmr_manifest[];

using namespace xfmr::runtime;
namespace st = xfmr::safetensors;

namespace {

bool hasExtension(const std::string &path, const char *ext) {
  size_t n = std::strlen(ext);
  return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

const char *kPickleMessage =
    "pickle checkpoints (.bin, .pt, .pth) are not loaded because unpickling "
    "runs arbitrary code; convert the checkpoint to safetensors";

/// Turns the user's weights argument into the path of a safetensors file.
xfmr_status resolveWeightsPath(const Manifest &manifest, const char *arg,
                               std::string &path) {
  if (!arg) {
    if (manifest.weightsFile.empty())
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "no weights: the library was compiled without weights; "
                  "pass --weights FILE_OR_DIR");
    path = manifest.weightsFile;
  } else {
    path = arg;
    if (path.empty())
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "no weights: the weights path is empty; pass --weights "
                  "FILE_OR_DIR");
  }
  for (const char *ext : {".bin", ".pt", ".pth", ".pkl", ".ckpt"})
    if (hasExtension(path, ext))
      return fail(XFMR_ERROR_UNSUPPORTED, path + ": " + kPickleMessage);

  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return fail(XFMR_ERROR_IO, path + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return XFMR_OK;
  std::string dir = path;
  path = dir + "/model.safetensors";
  if (exists(path))
    return XFMR_OK;
  if (exists(dir + "/model.safetensors.index.json"))
    return fail(XFMR_ERROR_UNSUPPORTED,
                dir + ": sharded checkpoints (model.safetensors.index.json) "
                      "are not supported by the runtime yet");
  if (exists(dir + "/pytorch_model.bin"))
    return fail(XFMR_ERROR_UNSUPPORTED,
                dir + ": holds only pytorch_model.bin; " + kPickleMessage);
  return fail(XFMR_ERROR_IO, dir + ": no model.safetensors in this folder");
}

/// dst[c][r] = src[r][c] for a row-major [rows, cols] `src`, in blocks
/// that keep both sides in cache.
void transpose(const float *src, int64_t rows, int64_t cols, float *dst) {
  constexpr int64_t kBlock = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (int64_t r = r0; r < std::min(r0 + kBlock, rows); ++r)
        for (int64_t c = c0; c < std::min(c0 + kBlock, cols); ++c)
          dst[c * rows + r] = src[r * cols + c];
}

} // namespace

/// xfmr_model_open's body, run in guard(): its containers can throw
/// std::bad_alloc (see Status.h).
static xfmr_status openModel(const char *weights_path, xfmr_model **out_model) {
  if (!out_model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_model is NULL");
  *out_model = nullptr;

  std::unique_ptr<xfmr_model> model(new xfmr_model);
  std::string error;
  xfmr_status status = parseManifest(xfmr_manifest, model->manifest, error);
  if (status != XFMR_OK)
    return fail(status, error);
  const Manifest &manifest = model->manifest;

  std::string &path = model->weightsPath;
  status = resolveWeightsPath(manifest, weights_path, path);
  if (status != XFMR_OK)
    return status;
  if (!model->file.open(path, error))
    return fail(XFMR_ERROR_IO, error);
  st::Header header;
  if (!st::parse(model->file.data(), model->file.size(), header, error))
    return fail(XFMR_ERROR_FORMAT, path + ": " + error);

  std::unordered_map<std::string, const st::TensorInfo *> byName;
  for (const st::TensorInfo &t : header.tensors)
    byName.emplace(t.name, &t);

  // Check every weight before building anything, so the first problem is
  // reported whatever the order.
  std::vector<const st::TensorInfo *> found;
  for (const WeightSpec &spec : manifest.weights) {
    auto it = byName.find(spec.key);
    if (it == byName.end())
      return fail(XFMR_ERROR_MISMATCH,
                  path + ": tensor '" + spec.key +
                      "' is missing (the model needs F32 " +
                      formatShape(spec.shape) + ")");
    const st::TensorInfo &t = *it->second;
    if (t.dtype != st::DType::F32)
      return fail(XFMR_ERROR_MISMATCH,
                  path + ": tensor '" + spec.key + "' has dtype " +
                      st::dtypeName(t.dtype) + ", expected F32");
    if (t.shape != spec.shape)
      return fail(XFMR_ERROR_MISMATCH,
                  path + ": tensor '" + spec.key + "' has shape " +
                      formatShape(t.shape) + ", expected " +
                      formatShape(spec.shape));
    found.push_back(&t);
  }

  // Reserve so the copies never move once descriptors point into them.
  model->copies.reserve(found.size());
  static const float kEmpty[1] = {0.0f};
  std::vector<float> scratch;
  for (size_t i = 0; i < found.size(); ++i) {
    const st::TensorInfo &t = *found[i];
    const WeightSpec &spec = manifest.weights[i];
    uint8_t *bytes = model->file.mutableData() + header.dataOffset + t.begin;
    float *data = reinterpret_cast<float *>(bytes);
    uint64_t count = (t.end - t.begin) / sizeof(float);
    std::vector<int64_t> shape = spec.shape;
    if (count == 0) {
      // Never read; point at something valid and aligned all the same.
      model->weights.emplace_back(kEmpty, shape);
      continue;
    }
    if (reinterpret_cast<uintptr_t>(bytes) % alignof(float) != 0) {
      model->copies.emplace_back(count);
      std::memcpy(model->copies.back().data(), bytes, count * sizeof(float));
      data = model->copies.back().data();
    }
    if (spec.transposed) {
      // Laid out once, in place (the buffer is the model's own), as the
      // generated kernels read it.
      scratch.assign(data, data + count);
      transpose(scratch.data(), shape[0], shape[1], data);
      std::swap(shape[0], shape[1]);
    }
    model->weights.emplace_back(data, shape);
  }
  *out_model = model.release();
  return XFMR_OK;
}

xfmr_status xfmr_model_open(const char *weights_path, xfmr_model **out_model) {
  return guard("opening the model",
               [&] { return openModel(weights_path, out_model); });
}

void xfmr_model_close(xfmr_model *model) { delete model; }

xfmr_status xfmr_model_get_info(const xfmr_model *model,
                                xfmr_model_info *out_info) {
  if (!model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (!out_info)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_info is NULL");
  const Manifest &m = model->manifest;
  out_info->abi_version = static_cast<int32_t>(m.abiVersion);
  int embed = m.findEntry(Role::Embed);
  out_info->pooling = embed < 0 ? nullptr : m.entries[embed].pooling.c_str();
  out_info->name = m.name.c_str();
  out_info->target = m.target.c_str();
  out_info->kind = m.kind.c_str();
  out_info->vocab_size = m.vocabSize;
  out_info->d_model = m.dModel;
  out_info->num_layers = m.numLayers;
  out_info->max_positions = m.maxPositions;
  out_info->type_vocab_size = m.typeVocabSize;
  out_info->max_length = m.maxLength;
  return XFMR_OK;
}

const char *xfmr_model_manifest(const xfmr_model *model) {
  if (!model) {
    fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
    return nullptr;
  }
  return xfmr_manifest;
}

namespace {

/// The folder of a weights path: the path itself if it is a folder.
std::string folderOf(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return path;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

} // namespace

/// xfmr_model_load_tokenizer's body, run in guard().
static xfmr_status loadModelTokenizer(const xfmr_model *model,
                                      xfmr_tokenizer **out_tokenizer) {
  if (!out_tokenizer)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_tokenizer is NULL");
  *out_tokenizer = nullptr;
  if (!model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
  // The weights in use first: a checkpoint passed at open time brings its
  // own tokenizer; then those the model was compiled from.
  std::vector<std::string> folders = {folderOf(model->weightsPath)};
  if (!model->manifest.weightsFile.empty()) {
    std::string compiled = folderOf(model->manifest.weightsFile);
    if (compiled != folders[0])
      folders.push_back(compiled);
  }
  for (const std::string &folder : folders)
    if (xfmr::tokenizers::hasTokenizerFiles(folder))
      return xfmr_tokenizer_load(folder.c_str(), 0, out_tokenizer);
  std::string where = folders[0];
  for (size_t i = 1; i < folders.size(); ++i)
    where += " or " + folders[i];
  return fail(XFMR_ERROR_IO, "no tokenizer (tokenizer.json, vocab.txt or "
                             "vocab.json + merges.txt) in " +
                                 where);
}

xfmr_status xfmr_model_load_tokenizer(const xfmr_model *model,
                                      xfmr_tokenizer **out_tokenizer) {
  return guard("loading the tokenizer",
               [&] { return loadModelTokenizer(model, out_tokenizer); });
}
