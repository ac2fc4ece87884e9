//===- Runtime.cpp - the xfmr runtime C API -------------------------------===//
//
// Implements runtime/include/xfmr/runtime.h on top of the two symbols a
// compiled model provides (docs/abi.md): the manifest, and the packed entry
// point that takes MLIR memref descriptors. The runtime owns validation (of
// the manifest, the weights and every input value) so the generated code can
// assume well-formed arguments.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "runtime/lib/Manifest.h"
#include "runtime/lib/Safetensors.h"
#include "runtime/lib/Status.h"
#include "runtime/lib/tokenizers/Loaders.h"
#include "runtime/lib/tokenizers/TokenizerHandle.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unordered_map>
#include <vector>

// Defined by the compiled model (docs/abi.md). Only libraries compiled with
// --pooling define the embedding entry point.
extern "C" const char xfmr_manifest[];
extern "C" void xfmr_entry_encode(void **args);
extern "C" __attribute__((weak)) void xfmr_entry_embed(void **args);

using namespace xfmr::runtime;
namespace st = xfmr::safetensors;

namespace {

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};
using IdBuffer = std::unique_ptr<int64_t[], FreeDeleter>;

/// A strided memref descriptor of any rank, laid out as MLIR's
///   struct { T *allocated; T *aligned; int64_t offset;
///            int64_t sizes[rank]; int64_t strides[rank]; }
/// Every field is 8 bytes on the 64-bit hosts we target, so a flat array of
/// 64-bit words has exactly that layout.
class Descriptor {
public:
  static_assert(sizeof(void *) == sizeof(uint64_t), "64-bit host required");

  Descriptor() = default;
  /// A contiguous row-major view of `data` with shape `shape`.
  Descriptor(const void *data, const std::vector<int64_t> &shape)
      : words(3 + 2 * shape.size(), 0) {
    std::memcpy(&words[0], &data, sizeof(void *));
    std::memcpy(&words[1], &data, sizeof(void *));
    size_t rank = shape.size();
    int64_t stride = 1;
    for (size_t i = rank; i-- > 0;) {
      words[3 + i] = static_cast<uint64_t>(shape[i]);
      words[3 + rank + i] = static_cast<uint64_t>(stride);
      stride *= shape[i];
    }
  }
  void *get() { return words.data(); }

private:
  std::vector<uint64_t> words;
};

/// The result descriptor an entry point fills: rank 3 for the hidden states,
/// rank 2 for pooled vectors (whose strides then start where sizes[2] is).
struct ResultDescriptor {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t words[6];
};

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

} // namespace

struct xfmr_model {
  Manifest manifest;
  std::string weightsPath;
  st::MappedFile file;
  /// Aligned copies of tensors whose data in the mapping is not 4-byte
  /// aligned (safetensors only aligns what its writer chose to).
  std::vector<std::vector<float>> copies;
  /// One per manifest weight, in entry point order; built once, read-only.
  std::vector<Descriptor> weights;
};

xfmr_status xfmr_model_open(const char *weights_path, xfmr_model **out_model) {
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
  for (size_t i = 0; i < found.size(); ++i) {
    const st::TensorInfo &t = *found[i];
    const uint8_t *bytes = model->file.data() + header.dataOffset + t.begin;
    const void *data = bytes;
    uint64_t count = (t.end - t.begin) / sizeof(float);
    if (count == 0) {
      // Never read; point at something valid and aligned all the same.
      data = kEmpty;
    } else if (reinterpret_cast<uintptr_t>(bytes) % alignof(float) != 0) {
      model->copies.emplace_back(count);
      std::memcpy(model->copies.back().data(), bytes, count * sizeof(float));
      data = model->copies.back().data();
    }
    model->weights.emplace_back(data, manifest.weights[i].shape);
  }
  *out_model = model.release();
  return XFMR_OK;
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
  out_info->pooling = m.hasEmbedding ? m.pooling.c_str() : nullptr;
  out_info->name = m.name.c_str();
  out_info->target = m.target.c_str();
  out_info->kind = m.kind.c_str();
  out_info->vocab_size = m.vocabSize;
  out_info->d_model = m.dModel;
  out_info->num_layers = m.numLayers;
  out_info->max_positions = m.maxPositions;
  out_info->type_vocab_size = m.typeVocabSize;
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

/// Checks that every value of a [batch, seq] array lies in [0, limit).
xfmr_status checkRange(const char *name, const int64_t *values, int64_t batch,
                       int64_t seq, int64_t limit, const char *what) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t s = 0; s < seq; ++s) {
      int64_t v = values[b * seq + s];
      if (v < 0 || v >= limit)
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    std::string(name) + "[" + std::to_string(b) + "][" +
                        std::to_string(s) + "] = " + std::to_string(v) +
                        " is outside " + what + " [0, " +
                        std::to_string(limit) + ")");
    }
  }
  return XFMR_OK;
}

} // namespace

namespace {

/// Validates the inputs of one call and runs `entry` on them, copying its
/// result of shape `resultShape` (rank 2 or 3) into `output`.
xfmr_status run(const xfmr_model *model, void (*entry)(void **),
                int64_t batch, int64_t seq, const int64_t *input_ids,
                const int64_t *attention_mask, const int64_t *token_type_ids,
                bool pooled, float *output) {
  if (!model)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
  if (!input_ids)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "input_ids is NULL");
  if (!output)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "output is NULL");
  if (batch <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "batch must be positive, got " + std::to_string(batch));
  if (seq <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "sequence length must be positive, got " + std::to_string(seq));
  const Manifest &m = model->manifest;
  if (seq > m.maxPositions)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "sequence length " + std::to_string(seq) +
                    " exceeds the model's maximum of " +
                    std::to_string(m.maxPositions) + " positions");
  int64_t tokens = 0, outputSize = 0;
  if (__builtin_mul_overflow(batch, seq, &tokens) ||
      __builtin_mul_overflow(tokens, m.dModel, &outputSize) ||
      outputSize > static_cast<int64_t>(SIZE_MAX / sizeof(float)))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "batch " + std::to_string(batch) + " x sequence length " +
                    std::to_string(seq) + " is too large");

  xfmr_status status = checkRange("input_ids", input_ids, batch, seq,
                                  m.vocabSize, "the vocabulary");
  if (status != XFMR_OK)
    return status;
  if (attention_mask) {
    for (int64_t i = 0; i < tokens; ++i) {
      int64_t v = attention_mask[i];
      if (v != 0 && v != 1)
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "attention_mask[" + std::to_string(i / seq) + "][" +
                        std::to_string(i % seq) + "] = " + std::to_string(v) +
                        " is not 0 or 1");
    }
  }
  if (token_type_ids) {
    if (m.hasTokenTypes) {
      status = checkRange("token_type_ids", token_type_ids, batch, seq,
                          m.typeVocabSize, "the token types");
      if (status != XFMR_OK)
        return status;
    } else {
      for (int64_t i = 0; i < tokens; ++i)
        if (token_type_ids[i] != 0)
          return fail(XFMR_ERROR_INVALID_ARGUMENT,
                      "token_type_ids[" + std::to_string(i / seq) + "][" +
                          std::to_string(i % seq) +
                          "] = " + std::to_string(token_type_ids[i]) +
                          " but this model has no token types");
    }
  }

  // Defaults for omitted inputs: no padding, all type 0.
  IdBuffer ones, zeros;
  size_t bytes = static_cast<size_t>(tokens) * sizeof(int64_t);
  if (!attention_mask) {
    ones.reset(static_cast<int64_t *>(std::malloc(bytes)));
    if (!ones)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate attention_mask");
    for (int64_t i = 0; i < tokens; ++i)
      ones[i] = 1;
    attention_mask = ones.get();
  }
  if (m.hasTokenTypes && !token_type_ids) {
    zeros.reset(static_cast<int64_t *>(std::calloc(tokens, sizeof(int64_t))));
    if (!zeros)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate token_type_ids");
    token_type_ids = zeros.get();
  }

  std::vector<int64_t> inputShape = {batch, seq};
  Descriptor ids(input_ids, inputShape), mask(attention_mask, inputShape),
      types;
  ResultDescriptor result;
  std::memset(&result, 0, sizeof(result));
  std::vector<void *> args;
  args.reserve(4 + model->weights.size());
  args.push_back(&result);
  args.push_back(ids.get());
  args.push_back(mask.get());
  if (m.hasTokenTypes) {
    types = Descriptor(token_type_ids, inputShape);
    args.push_back(types.get());
  }
  // The callee reads weights only; the ABI just has no const.
  for (const Descriptor &w : model->weights)
    args.push_back(const_cast<Descriptor &>(w).get());

  entry(args.data());

  std::unique_ptr<float, FreeDeleter> owner(result.allocated);
  std::vector<int64_t> expected = {batch, seq, m.dModel};
  if (pooled)
    expected = {batch, m.dModel};
  size_t rank = expected.size();
  std::vector<int64_t> sizes(result.words, result.words + rank);
  const int64_t *strides = result.words + rank;
  if (sizes != expected)
    return fail(XFMR_ERROR_INTERNAL, "the model returned shape " +
                                         formatShape(sizes) + ", expected " +
                                         formatShape(expected));
  if (!result.aligned)
    return fail(XFMR_ERROR_INTERNAL, "the model returned no data");
  // Copy element by element unless the result is contiguous row-major.
  const float *base = result.aligned + result.offset;
  int64_t count = pooled ? batch * m.dModel : outputSize;
  bool contiguous = true;
  for (size_t i = rank, stride = 1; i-- > 0; stride *= expected[i])
    contiguous &= strides[i] == static_cast<int64_t>(stride);
  if (contiguous) {
    std::memcpy(output, base, static_cast<size_t>(count) * sizeof(float));
    return XFMR_OK;
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i)
      offset += index[i] * strides[i];
    output[n] = base[offset];
    for (size_t i = rank; i-- > 0;) {
      if (++index[i] < expected[i])
        break;
      index[i] = 0;
    }
  }
  return XFMR_OK;
}

} // namespace

xfmr_status xfmr_encode(const xfmr_model *model, int64_t batch, int64_t seq,
                        const int64_t *input_ids, const int64_t *attention_mask,
                        const int64_t *token_type_ids, float *output) {
  return run(model, xfmr_entry_encode, batch, seq, input_ids, attention_mask,
             token_type_ids, /*pooled=*/false, output);
}

xfmr_status xfmr_embed(const xfmr_model *model, int64_t batch, int64_t seq,
                       const int64_t *input_ids, const int64_t *attention_mask,
                       const int64_t *token_type_ids, float *output) {
  if (model && (!model->manifest.hasEmbedding || !xfmr_entry_embed))
    return fail(XFMR_ERROR_UNSUPPORTED,
                "this library has no sentence embedding; compile the model "
                "with xfmrc --pooling=cls|mean");
  return run(model, xfmr_entry_embed, batch, seq, input_ids, attention_mask,
             token_type_ids, /*pooled=*/true, output);
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

xfmr_status xfmr_model_load_tokenizer(const xfmr_model *model,
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
