//===- Normalizer.h - text normalizers --------------------------*- C++ -*-===//
//
// The normalizers of Hugging Face tokenizers that xfmr supports, run as a
// chain (tokenizers' Sequence): BertNormalizer, applied in its order (clean
// control characters and whitespace, space out CJK ideographs, strip accents
// (NFD, drop nonspacing marks), lowercase), and the two SentencePiece steps
// of Llama 2 style files, Prepend and Replace of a literal string.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H
#define XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H

#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

struct BertNormalizer {
  bool cleanText = true;
  bool handleChineseChars = true;
  bool stripAccents = true;
  bool lowercase = true;

  /// Normalizes well-formed UTF-8 `text` into `out` (replacing its contents).
  void normalize(std::string_view text, std::string &out) const;
};

/// One normalizer of a chain.
struct NormalizerStep {
  enum class Kind { Bert, Prepend, Replace };
  Kind kind = Kind::Bert;
  BertNormalizer bert;
  /// Prepend: the prefix (added to non-empty text); Replace: the literal
  /// pattern, every non-overlapping occurrence of which, left to right,
  /// becomes `content`.
  std::string text;
  std::string content;
};

/// Replaces every non-overlapping occurrence of `from` (non-empty) in `s`,
/// left to right, with `to`.
void replaceAll(std::string &s, std::string_view from, std::string_view to);

struct Normalizer {
  std::vector<NormalizerStep> steps;

  /// Runs the steps in order on well-formed UTF-8 `text` into `out`.
  void normalize(std::string_view text, std::string &out) const;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H
