//===- Manifest.h - the model library manifest ------------------*- C++ -*-===//
//
// The JSON manifest a compiled model library embeds (docs/abi.md, version 2),
// parsed and validated once when a model is opened. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_MANIFEST_H
#define XFMR_RUNTIME_MANIFEST_H

#include "xfmr/runtime.h"

#include "runtime/lib/FormatShape.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xfmr::runtime {

using xfmr::formatShape;

/// The entry point roles this runtime can call.
enum class Role { Encode, Embed, Logits, Prefill, DecodeStep };

/// The inputs it knows how to fill: each a [batch, seq] int64 array but
/// the cache. A session's calls take `input_ids` and `position_ids` of the
/// new tokens, `attention_mask` over all cached ones, and the K/V cache.
enum class Input {
  InputIds,
  AttentionMask,
  TokenTypeIds,
  PositionIds,
  KvCache
};

/// What the K/V cache of a decoder holds per sequence and slot (docs/abi.md):
/// the cache is F32 [layers, 2, batch, kvHeads, capacity, headDim].
struct KvCacheShape {
  int64_t layers = 0, kvHeads = 0, headDim = 0;
  bool operator==(const KvCacheShape &o) const {
    return layers == o.layers && kvHeads == o.kvHeads && headDim == o.headDim;
  }
};

struct WeightSpec {
  std::string key;
  /// The shape in the weights file.
  std::vector<int64_t> shape;
  /// `"layout": "panels"` with `"panel_width": P`: the entry points read
  /// the stored [out, in] matrix as column panels [out / P, in, P], laid out
  /// once at open (docs/abi.md); 0 for the stored layout.
  int64_t panelWidth = 0;
  /// `"transposed": true`: the stored [in, out] matrix is read as its
  /// [out, in] transpose. `"rows": [b, e]`: the entry points read rows
  /// [b, e) of it (of a vector, elements); rowEnd -1 for every row.
  bool transposed = false;
  int64_t rowBegin = 0, rowEnd = -1;

  /// The shape the entry points read, before any panels: [rows, cols] of
  /// the (transposed, sliced) stored tensor.
  std::vector<int64_t> viewShape() const;
  /// Whether the runtime must build the tensor (a transpose or a slice).
  bool isView() const { return transposed || rowEnd >= 0; }
};

/// One entry of the manifest's `entries`, i.e. of xfmr_entry_table.
struct EntrySpec {
  Role role = Role::Encode;
  /// In the order of the entry point's input arguments.
  std::vector<Input> inputs;
  /// The one output (F32): its name and shape, -1 for batch and seq.
  std::string outputName;
  std::vector<int64_t> outputShape;
  /// prefill and decode_step only.
  KvCacheShape cache;
  /// embed only: "cls", "mean", or "" when the manifest does not say.
  std::string pooling;
  bool normalize = false;

  bool takes(Input input) const;
};

/// `tokenizer`: the tokenizer files xfmrc embedded in the library
/// (docs/abi.md), loaded with xfmr_tokenizer_load_from_memory.
struct EmbeddedTokenizer {
  /// XFMR_TOKENIZER_FORMAT_*, 0 when the library embeds no tokenizer.
  xfmr_tokenizer_format format = xfmr_tokenizer_format(0);
  /// Load flags (XFMR_TOKENIZER_LOWERCASE / KEEP_CASE): the casing the
  /// model folder's tokenizer_config.json gave a vocab.txt.
  uint32_t flags = 0;
};

struct Manifest {
  int64_t abiVersion = 0;
  /// "cpu", or "cuda": the entry points launch kernels on an NVIDIA GPU
  /// (Cuda.h) built for `cudaArch` ("sm_90"; "" for cpu).
  std::string target, kind, name;
  std::string cudaArch;
  /// The weights file the library looks for by default, relative to the
  /// library's folder; "" for none.
  std::string weightsFile;
  /// The library embeds its weights (xfmrc --embed-weights).
  bool embeddedWeights = false;
  EmbeddedTokenizer tokenizer;
  int64_t vocabSize = 0, dModel = 0, numLayers = 0, numHeads = 0,
          maxPositions = 0, typeVocabSize = 0;
  /// The length texts are truncated to by default (`max_length`, from 1 to
  /// maxPositions; maxPositions in manifests that predate it).
  int64_t maxLength = 0;
  /// The token that ends a generated sequence (`eos_token_id`); -1 none.
  int64_t eosTokenId = -1;
  /// In the order of xfmr_entry_table; one per role at most.
  std::vector<EntrySpec> entries;
  /// The cache of prefill and decode_step (both or neither); layers 0 when
  /// the library has none.
  KvCacheShape kvCache;
  /// In the order of every entry point's weight arguments.
  std::vector<WeightSpec> weights;
  /// Work memory the compiler sized; a context reserves it up front.
  int64_t staticWorkBytes = 0;

  /// The index of the entry with `role` in `entries`, or -1.
  int findEntry(Role role) const;
  bool isCuda() const { return target == "cuda"; }
};

/// Parses and validates `text`. Returns XFMR_OK, or XFMR_ERROR_UNSUPPORTED for
/// an ABI version, target, kind, role, input or output this runtime does not
/// know, or XFMR_ERROR_INTERNAL for a malformed manifest; `error` then holds a
/// one-line message.
xfmr_status parseManifest(const char *text, Manifest &out, std::string &error);

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_MANIFEST_H
