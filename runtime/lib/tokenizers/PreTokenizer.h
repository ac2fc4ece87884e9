//===- PreTokenizer.h - splitting text into words ---------------*- C++ -*-===//
//
// The two pre-tokenizers of Hugging Face tokenizers we support: BERT's
// (split on whitespace, isolate punctuation) and the GPT-2 pattern of the
// ByteLevel pre-tokenizer,
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// matched by hand: one left-to-right pass, each step linear in the bytes it
// consumes, so no input can make it backtrack. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H
#define XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H

#include <cstdint>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

/// A byte range [begin, end) of a text.
struct Span {
  uint32_t begin;
  uint32_t end;
};

/// Appends the words of well-formed UTF-8 `text` as BertPreTokenizer splits
/// them: whitespace separates words and is dropped; each punctuation
/// character is a word of its own.
void bertPreTokenize(std::string_view text, std::vector<Span> &words);

/// Appends the pieces of well-formed UTF-8 `text` under the GPT-2 pattern.
/// The pieces cover the text exactly, in order.
void gpt2Split(std::string_view text, std::vector<Span> &pieces);

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H
