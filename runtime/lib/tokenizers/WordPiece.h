//===- WordPiece.h - the WordPiece model ------------------------*- C++ -*-===//
//
// Greedy longest-match-first WordPiece (BERT): a word becomes its longest
// vocabulary prefix, then the longest "##"-prefixed continuation, and so on;
// a word with a part that matches nothing, or longer than
// maxInputCharsPerWord characters, becomes the unknown token.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_WORDPIECE_H
#define XFMR_RUNTIME_TOKENIZERS_WORDPIECE_H

#include "runtime/lib/tokenizers/Vocab.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

class WordPieceModel {
public:
  std::string continuingPrefix = "##";
  size_t maxInputCharsPerWord = 100;
  int32_t unkId = -1;

  /// Computes the longest token lengths from `vocab`, which must outlive the
  /// model; call once the vocabulary is complete.
  void init(const Vocab *vocab);

  /// Appends the ids of `word` (well-formed UTF-8, non-empty).
  void tokenize(std::string_view word, std::vector<int32_t> &ids) const;

private:
  const Vocab *vocab = nullptr;
  /// The longest vocabulary entry in bytes, without and with the prefix
  /// removed: longer candidates cannot match, so they are never built.
  size_t maxTokenBytes = 0;
  size_t maxContinuationBytes = 0;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_WORDPIECE_H
