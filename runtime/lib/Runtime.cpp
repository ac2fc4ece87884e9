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

#include "runtime/lib/Cuda.h"
#include "runtime/lib/Embedded.h"
#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Status.h"
#include "runtime/lib/tokenizers/Loaders.h"
#include "runtime/lib/tokenizers/TokenizerHandle.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <memory>
#include <new>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

// Defined by the compiled model (docs/abi.md); hidden, so the runtime reads
// its own library's manifest even when several are loaded.
extern "C" __attribute__((visibility("hidden"))) const char xfmr_manifest[];

// Defined by a compiled model that embeds files; this weak, empty definition
// stands in for one that embeds none (Embedded.h).
extern "C" __attribute__((weak, visibility("hidden")))
const xfmr::runtime::EmbeddedFiles xfmr_embedded_files = {};

using namespace xfmr::runtime;
namespace st = xfmr::safetensors;

const EmbeddedFiles &xfmr::runtime::embeddedFiles() {
  const EmbeddedFiles *files = &xfmr_embedded_files;
  // The linker may replace the weak definition: never fold its contents.
  asm("" : "+r"(files));
  return *files;
}

namespace {

const char *kHowToPass =
    "pass the weights (a .safetensors file, or a folder holding "
    "model.safetensors) to xfmr_model_open (xfmr-run: --weights "
    "FILE_OR_DIR), or compile the library with xfmrc --embed-weights";

/// The folder of the file this runtime was linked into (a model library,
/// or the program for a runtime linked into one), found through dladdr;
/// "" if it cannot be told.
std::string libraryFolder() {
  Dl_info info;
  struct link_map *map = nullptr;
  if (!dladdr1(static_cast<const void *>(xfmr_manifest), &info,
               reinterpret_cast<void **>(&map), RTLD_DL_LINKMAP))
    return "";
  // The program itself has no name in its link map. A library's name is
  // the path it was loaded by (relative ones are taken from the current
  // folder, as when it was loaded).
  std::string path =
      map && map->l_name && map->l_name[0] ? map->l_name : "/proc/self/exe";
  if (char *real = ::realpath(path.c_str(), nullptr)) {
    path = real;
    std::free(real);
  } else if (path[0] != '/') {
    return "";
  }
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

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

/// The weights file the library records (relative to its folder), as a
/// path; fails naming the file when there is none to be found.
xfmr_status defaultWeightsPath(const Manifest &manifest, std::string &path) {
  if (manifest.weightsFile.empty())
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                std::string("no weights: the library embeds none and "
                            "records no weights file; ") +
                    kHowToPass);
  std::string folder = libraryFolder();
  if (folder.empty())
    return fail(XFMR_ERROR_IO, "weights not found: the folder of this "
                               "library cannot be told, so its weights "
                               "file " +
                                   manifest.weightsFile +
                                   " (relative to it) cannot be found; " +
                                   kHowToPass);
  path = (folder == "/" ? "" : folder) + "/" + manifest.weightsFile;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int error = errno;
    return fail(XFMR_ERROR_IO,
                "weights not found: the library looks for its weights file " +
                    manifest.weightsFile + " relative to its folder " + folder +
                    ", at " + path + " (" + std::strerror(error) + "); " +
                    kHowToPass);
  }
  // The path as the user would write it, for the tokenizer's folder and
  // messages.
  if (char *real = ::realpath(path.c_str(), nullptr)) {
    path = real;
    std::free(real);
  }
  return XFMR_OK;
}

/// Turns the user's weights argument (or the library's own file) into the
/// path of a safetensors file.
xfmr_status resolveWeightsPath(const Manifest &manifest, const char *arg,
                               std::string &path) {
  if (!arg) {
    if (xfmr_status status = defaultWeightsPath(manifest, path))
      return status;
  } else {
    path = arg;
    if (path.empty())
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  std::string("no weights: the weights path is empty; ") +
                      kHowToPass);
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

/// src [rows, cols] → dst [ceil(rows / width), cols, width]: dst[p, c, j] =
/// src[p·width + j, c], the column panels the kernels read (docs/abi.md); the
/// rows of the last panel past `rows` are zeros.
void toPanels(const float *src, int64_t rows, int64_t cols, int64_t width,
              float *dst) {
  for (int64_t p = 0; p < (rows + width - 1) / width; ++p)
    for (int64_t j = 0; j < width; ++j) {
      int64_t r = p * width + j;
      float *panel = dst + p * cols * width + j;
      for (int64_t c = 0; c < cols; ++c)
        panel[c * width] = r < rows ? src[r * cols + c] : 0.0f;
    }
}

} // namespace

namespace {

/// Checks the safetensors bytes [data, data + size) against the manifest
/// and binds the model's weight descriptors to them: the one check of
/// weights, whether from a file, memory or the library itself. `writable`
/// is `data` when the bytes are the model's own copy (weights are then laid
/// out in place), null for the library's read-only section (weights laid
/// out otherwise than stored are copied). `where` names the source.
/// The view `spec` declares of the stored tensor at `bytes` (F32, maybe
/// unaligned): its rows [rowBegin, rowEnd) of the stored matrix, or of its
/// [out, in] transpose when the file holds [in, out].
std::vector<float> viewOf(const uint8_t *bytes, const WeightSpec &spec) {
  auto at = [&](int64_t index) {
    float v;
    std::memcpy(&v, bytes + index * sizeof(float), sizeof(float));
    return v;
  };
  std::vector<int64_t> view = spec.viewShape();
  int64_t rows = view[0], cols = view.size() > 1 ? view[1] : 1;
  int64_t first = spec.rowEnd >= 0 ? spec.rowBegin : 0;
  std::vector<float> out(static_cast<size_t>(rows * cols));
  // Stored [in, out] (transposed): view row r, column k is stored[k][r].
  int64_t storedCols = spec.shape.size() > 1 ? spec.shape[1] : 1;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k)
      out[r * cols + k] = spec.transposed ? at(k * storedCols + first + r)
                                          : at((first + r) * cols + k);
  return out;
}

xfmr_status bindWeights(xfmr_model &model, const uint8_t *data, uint64_t size,
                        uint8_t *writable, const std::string &where) {
  const Manifest &manifest = model.manifest;
  std::string error;
  st::Header header;
  if (!st::parse(data, size, header, error))
    return fail(XFMR_ERROR_FORMAT, where + ": " + error);

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
                  where + ": tensor '" + spec.key +
                      "' is missing (the model needs F32 " +
                      formatShape(spec.shape) + ")");
    const st::TensorInfo &t = *it->second;
    if (t.dtype != st::DType::F32)
      return fail(XFMR_ERROR_MISMATCH,
                  where + ": tensor '" + spec.key + "' has dtype " +
                      st::dtypeName(t.dtype) + ", expected F32");
    if (t.shape != spec.shape)
      return fail(XFMR_ERROR_MISMATCH,
                  where + ": tensor '" + spec.key + "' has shape " +
                      formatShape(t.shape) + ", expected " +
                      formatShape(spec.shape));
    found.push_back(&t);
  }

  // A tensor two weights read (a tied LM head: the token embedding as a
  // table and as a linear's panels) is laid out in panels in a copy, never
  // in the buffer the other reads.
  std::unordered_map<std::string, int> readers;
  for (const WeightSpec &spec : manifest.weights)
    ++readers[spec.key];

  // Reserve so the copies never move once descriptors point into them.
  model.copies.reserve(found.size());
  static const float kEmpty[1] = {0.0f};
  std::vector<float> scratch;
  for (size_t i = 0; i < found.size(); ++i) {
    const st::TensorInfo &t = *found[i];
    const WeightSpec &spec = manifest.weights[i];
    uint64_t offset = header.dataOffset + t.begin;
    const uint8_t *bytes = data + offset;
    uint64_t count = (t.end - t.begin) / sizeof(float);
    std::vector<int64_t> shape = spec.shape;
    if (count == 0) {
      // Never read; point at something valid and aligned all the same.
      model.weights.emplace_back(kEmpty, shape);
      continue;
    }
    float *own =
        writable ? reinterpret_cast<float *>(writable + offset) : nullptr;
    bool aligned = reinterpret_cast<uintptr_t>(bytes) % alignof(float) == 0;
    if (spec.panelWidth) {
      // Laid out once, as the generated kernels read it, from the rows the
      // entry points read: the view, or the tensor as stored.
      if (spec.isView()) {
        scratch = viewOf(bytes, spec);
        shape = spec.viewShape();
      } else {
        scratch.resize(count);
        std::memcpy(scratch.data(), bytes, count * sizeof(float));
      }
      int64_t width = spec.panelWidth, rows = shape[0], cols = shape[1];
      int64_t panels = (rows + width - 1) / width;
      // In place in the model's own copy of the file where the tensor has no
      // other reader and the panels take exactly its bytes; else (a view,
      // maybe with a zero-padded last panel) in memory of its own.
      bool inPlace = own && aligned && !spec.isView() && readers[spec.key] == 1;
      if (!inPlace) {
        model.copies.emplace_back(static_cast<size_t>(panels * width * cols));
        own = model.copies.back().data();
      }
      toPanels(scratch.data(), rows, cols, width, own);
      shape = {panels, cols, width};
    } else if (spec.isView()) {
      // Built once: the transposed and sliced rows the entry points read.
      shape = spec.viewShape();
      model.copies.emplace_back(viewOf(bytes, spec));
      own = model.copies.back().data();
    } else if (!aligned) {
      model.copies.emplace_back(count);
      std::memcpy(model.copies.back().data(), bytes, count * sizeof(float));
      own = model.copies.back().data();
    }
    // Stored as is in the read-only section: read in place.
    model.weights.emplace_back(
        own ? own : reinterpret_cast<const float *>(bytes), shape);
  }
  return XFMR_OK;
}

/// A model with its manifest parsed, ready for its weights.
xfmr_status newModel(std::unique_ptr<xfmr_model> &model) {
  model.reset(new (std::nothrow) xfmr_model);
  if (!model)
    return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate a model");
  std::string error;
  xfmr_status status = parseManifest(xfmr_manifest, model->manifest, error);
  if (status != XFMR_OK)
    return fail(status, error);
  const EmbeddedFiles &files = embeddedFiles();
  if (model->manifest.embeddedWeights != (files.weightsSize > 0) ||
      (model->manifest.tokenizer.format != 0) != (files.tokenizerSize > 0))
    return fail(XFMR_ERROR_INTERNAL,
                "invalid model library: its manifest and the files it "
                "embeds disagree");
  // Before the weights are read: a machine without the GPU learns it first.
  if (model->manifest.isCuda())
    return cuda::openDevice(model->manifest);
  return XFMR_OK;
}

/// Hands the caller a model whose weights are bound: a model on the GPU
/// reads them from device-accessible memory.
xfmr_status finishOpen(std::unique_ptr<xfmr_model> &model,
                       xfmr_model **out_model) {
  if (model->manifest.isCuda())
    if (xfmr_status status = cuda::moveWeights(*model))
      return status;
  *out_model = model.release();
  return XFMR_OK;
}

} // namespace

/// xfmr_model_open's body, run in guard(): its containers can throw
/// std::bad_alloc (see Status.h).
static xfmr_status openModel(const char *weights_path, xfmr_model **out_model) {
  if (!out_model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_model is NULL");
  *out_model = nullptr;

  std::unique_ptr<xfmr_model> model;
  if (xfmr_status status = newModel(model))
    return status;
  const EmbeddedFiles &files = embeddedFiles();
  if (!weights_path && files.weightsSize > 0) {
    if (xfmr_status status =
            bindWeights(*model, files.weights, files.weightsSize,
                        /*writable=*/nullptr, "the library's embedded weights"))
      return status;
    return finishOpen(model, out_model);
  }

  std::string &path = model->weightsPath;
  model->explicitWeights = weights_path != nullptr;
  if (xfmr_status status =
          resolveWeightsPath(model->manifest, weights_path, path))
    return status;
  std::string error;
  if (!model->file.open(path, error))
    return fail(XFMR_ERROR_IO, error);
  if (xfmr_status status =
          bindWeights(*model, model->file.data(), model->file.size(),
                      model->file.mutableData(), path))
    return status;
  return finishOpen(model, out_model);
}

xfmr_status xfmr_model_open(const char *weights_path, xfmr_model **out_model) {
  return guard("opening the model",
               [&] { return openModel(weights_path, out_model); });
}

/// xfmr_model_open_from_memory's body, run in guard().
static xfmr_status openModelFromMemory(const void *data, size_t size,
                                       xfmr_model **out_model) {
  if (!out_model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_model is NULL");
  *out_model = nullptr;
  if (!data && size)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "data is NULL");
  std::unique_ptr<xfmr_model> model;
  if (xfmr_status status = newModel(model))
    return status;
  std::string error;
  if (!model->file.assign(static_cast<const uint8_t *>(data), size, error))
    return fail(XFMR_ERROR_OUT_OF_MEMORY, "weights in memory: " + error);
  if (xfmr_status status =
          bindWeights(*model, model->file.data(), model->file.size(),
                      model->file.mutableData(), "weights in memory"))
    return status;
  return finishOpen(model, out_model);
}

xfmr_status xfmr_model_open_from_memory(const void *data, size_t size,
                                        xfmr_model **out_model) {
  return guard("opening the model",
               [&] { return openModelFromMemory(data, size, out_model); });
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
  // A checkpoint passed at open time brings its own tokenizer; then the one
  // embedded at compile time; then the files beside the weights the library
  // found itself.
  std::string folder =
      model->weightsPath.empty() ? "" : folderOf(model->weightsPath);
  if (model->explicitWeights && xfmr::tokenizers::hasTokenizerFiles(folder))
    return xfmr_tokenizer_load(folder.c_str(), 0, out_tokenizer);
  const EmbeddedTokenizer &embedded = model->manifest.tokenizer;
  const EmbeddedFiles &files = embeddedFiles();
  if (embedded.format != 0 && files.tokenizerSize > 0) {
    xfmr_status status = xfmr_tokenizer_load_from_memory(
        embedded.format, files.tokenizer, files.tokenizerSize, files.merges,
        files.mergesSize, embedded.flags, out_tokenizer);
    if (status != XFMR_OK)
      return fail(status, std::string("the library's embedded tokenizer: ") +
                              xfmr_last_error());
    return XFMR_OK;
  }
  if (!model->explicitWeights && !folder.empty() &&
      xfmr::tokenizers::hasTokenizerFiles(folder))
    return xfmr_tokenizer_load(folder.c_str(), 0, out_tokenizer);
  const char *kFiles = "(tokenizer.json, vocab.txt or vocab.json + merges.txt)";
  const char *kHow = "; the library embeds none (its model folder had none "
                     "when it was compiled); pass one to xfmr_tokenizer_load "
                     "(xfmr-run: --tokenizer PATH)";
  if (folder.empty())
    return fail(XFMR_ERROR_IO, std::string("no tokenizer ") + kFiles +
                                   ": the weights were not read from a "
                                   "folder" +
                                   kHow);
  return fail(XFMR_ERROR_IO,
              std::string("no tokenizer ") + kFiles + " in " + folder + kHow);
}

xfmr_status xfmr_model_load_tokenizer(const xfmr_model *model,
                                      xfmr_tokenizer **out_tokenizer) {
  return guard("loading the tokenizer",
               [&] { return loadModelTokenizer(model, out_tokenizer); });
}
