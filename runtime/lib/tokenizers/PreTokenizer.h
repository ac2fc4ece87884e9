//===- PreTokenizer.h - splitting text into words ---------------*- C++ -*-===//
//
// The pre-tokenizers of Hugging Face tokenizers we support, alone or as a
// Sequence: BERT's (split on whitespace, isolate punctuation), ByteLevel,
// Metaspace (SentencePiece's U+2581 for spaces), and Split with one of two
// regular expressions, the GPT-2 pattern of the ByteLevel pre-tokenizer
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// and the GPT-4 (cl100k) pattern Llama 3 uses
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// Both are matched by hand: one left-to-right pass, each step linear in the
// bytes it consumes, so no input can make them backtrack. Internal to the
// runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H
#define XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H

#include <cstdint>
#include <string>
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

/// Appends the pieces of well-formed UTF-8 `text` under the GPT-4 pattern
/// (Llama 3). The pieces cover the text exactly, in order.
void gpt4Split(std::string_view text, std::vector<Span> &pieces);

/// The regular expression of tokenizers' Split `pattern`, if it is one of
/// the two we match (nullptr otherwise).
using SplitFn = void (*)(std::string_view, std::vector<Span> &);
SplitFn splitForPattern(std::string_view regex);

/// One pre-tokenizer of a chain.
struct PreTokenizerStep {
  enum class Kind { Bert, ByteLevel, Metaspace, Split };
  /// Metaspace: where U+2581 is put in front of a piece that lacks one.
  enum class Prepend { Always, First, Never };
  Kind kind = Kind::Bert;
  // ByteLevel.
  bool addPrefixSpace = false;
  bool useRegex = true;
  // Metaspace.
  std::string replacement = "\xE2\x96\x81";
  Prepend prepend = Prepend::Always;
  bool split = true;
  // Split (behavior Isolated).
  SplitFn splitFn = nullptr;
};

/// Runs `steps` on well-formed UTF-8 `text` and sets `words` to spans of
/// `out`, which is `text` or a thread-local buffer valid until the next
/// call. `atOrigin`: `text` starts the input sequence (offset 0), where
/// Metaspace's "first" scheme prepends. Empty words are dropped.
void preTokenize(const std::vector<PreTokenizerStep> &steps,
                 std::string_view text, bool atOrigin, std::string_view &out,
                 std::vector<Span> &words);

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_PRETOKENIZER_H
