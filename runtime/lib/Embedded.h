//===- Embedded.h - files xfmrc embeds in a model library -------*- C++ -*-===//
//
// A model library compiled with embedded files (xfmrc --embed-weights, and
// the model folder's tokenizer files) defines xfmr_embedded_files: the byte
// range of each in the library's read-only data (docs/abi.md). The runtime
// holds a weak, empty definition that stands in for a library that embeds
// nothing (and for the unit tests). Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_EMBEDDED_H
#define XFMR_RUNTIME_EMBEDDED_H

#include <cstdint>

namespace xfmr::runtime {

/// The layout xfmrc writes (compiler/codegen/Codegen.cpp): three
/// (pointer, size) pairs; a null pointer and size 0 for a file not embedded.
struct EmbeddedFiles {
  const uint8_t *weights;
  uint64_t weightsSize;
  /// tokenizer.json, vocab.txt or vocab.json (the manifest's `tokenizer`
  /// says which).
  const uint8_t *tokenizer;
  uint64_t tokenizerSize;
  /// merges.txt, with vocab.json.
  const uint8_t *merges;
  uint64_t mergesSize;
};
static_assert(sizeof(EmbeddedFiles) == 48, "the layout xfmrc writes");

/// This library's embedded files.
const EmbeddedFiles &embeddedFiles();

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_EMBEDDED_H
