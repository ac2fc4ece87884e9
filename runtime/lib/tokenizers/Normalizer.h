//===- Normalizer.h - text normalizers --------------------------*- C++ -*-===//
//
// The BERT normalizer of Hugging Face tokenizers (BertNormalizer), applied in
// its order: clean control characters and whitespace, space out CJK
// ideographs, strip accents (NFD, drop nonspacing marks), lowercase.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H
#define XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H

#include <string>
#include <string_view>

namespace xfmr::tokenizers {

struct BertNormalizer {
  bool cleanText = true;
  bool handleChineseChars = true;
  bool stripAccents = true;
  bool lowercase = true;

  /// Normalizes well-formed UTF-8 `text` into `out` (replacing its contents).
  void normalize(std::string_view text, std::string &out) const;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_NORMALIZER_H
