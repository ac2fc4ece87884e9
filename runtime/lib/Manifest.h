//===- Manifest.h - the model library manifest ------------------*- C++ -*-===//
//
// The JSON manifest a compiled model library embeds (docs/abi.md), parsed and
// validated once when a model is opened. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_MANIFEST_H
#define XFMR_RUNTIME_MANIFEST_H

#include "xfmr/runtime.h"

#include <cstdint>
#include "runtime/lib/FormatShape.h"

#include <string>
#include <vector>

namespace xfmr::runtime {

using xfmr::formatShape;

struct WeightSpec {
  std::string key;
  std::vector<int64_t> shape;
};

struct Manifest {
  int64_t abiVersion = 0;
  std::string target, kind, name, weightsFile;
  int64_t vocabSize = 0, dModel = 0, numLayers = 0, maxPositions = 0,
          typeVocabSize = 0;
  /// The entry point takes a token_type_ids descriptor.
  bool hasTokenTypes = false;
  std::string outputName;
  /// The pooled output of a library compiled with --pooling.
  bool hasEmbedding = false;
  std::string pooling; // "cls" or "mean"
  bool normalizeEmbedding = false;
  /// In the order of the entry point's weight arguments.
  std::vector<WeightSpec> weights;
};

/// Parses and validates `text`. Returns XFMR_OK, or XFMR_ERROR_UNSUPPORTED for
/// an ABI version, target, kind or input this runtime does not know, or
/// XFMR_ERROR_INTERNAL for a malformed manifest; `error` then holds a one-line
/// message.
xfmr_status parseManifest(const char *text, Manifest &out, std::string &error);


} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_MANIFEST_H
