//===- Tokenizer.h - a complete tokenizer -----------------------*- C++ -*-===//
//
// The pipeline of a Hugging Face tokenizer, with the components xfmr
// supports: added tokens (matched before the model), a normalizer, a
// pre-tokenizer, a model (WordPiece or BPE), a post-processor (special
// tokens and token types), and a decoder. Loaders (Loaders.h) fill one in;
// afterwards it is immutable except for the BPE cache, which is thread-safe,
// so any number of threads may encode and decode with it at once.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_TOKENIZER_H
#define XFMR_RUNTIME_TOKENIZERS_TOKENIZER_H

#include "runtime/lib/tokenizers/Bpe.h"
#include "runtime/lib/tokenizers/Normalizer.h"
#include "runtime/lib/tokenizers/PreTokenizer.h"
#include "runtime/lib/tokenizers/Vocab.h"
#include "runtime/lib/tokenizers/WordPiece.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool singleWord = false;
  bool lstrip = false;
  bool rstrip = false;
  /// Matched in normalized text (else in the raw input).
  bool normalized = false;
  bool special = false;
};

/// One element of a post-processing template: a special token or one of the
/// two input sequences, with the token type it gets.
struct TemplatePiece {
  bool isSequence = false;
  int sequence = 0;         // 0: A, 1: B
  std::vector<int32_t> ids; // the special token's ids
  int32_t typeId = 0;
};

/// One decoder of a chain (tokenizers' Sequence): each turns the list of
/// token strings into another; the result is their concatenation.
struct DecoderStep {
  enum class Kind {
    WordPiece,    // drop `prefix` from continuations, else add a space
    ByteLevel,    // GPT-2's byte map back to bytes, as one string
    Replace,      // each `pattern` becomes `content`, in every token
    ByteFallback, // runs of <0xNN> tokens become the text of their bytes
    Fuse,         // all tokens as one
    Strip,        // up to `start` leading and `stop` trailing `content`
    Metaspace,    // `pattern` becomes a space (dropped in the first token)
  };
  Kind kind = Kind::ByteLevel;
  std::string pattern = "##"; // WordPiece prefix, Replace/Metaspace pattern
  std::string content;        // Replace: the replacement; Strip: one char
  bool cleanup = true;        // WordPiece
  size_t start = 0, stop = 0; // Strip
  /// Metaspace: replacements in the first token are dropped (the
  /// pre-tokenizer's prepend_scheme is not "never").
  bool dropFirst = true;
};

/// The ids of one encoded text (or pair), before padding.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> typeIds;
};

class Tokenizer {
public:
  enum class ModelKind { WordPiece, Bpe };

  // Configuration, filled in by a loader; then call finish().
  Vocab vocab;
  ModelKind modelKind = ModelKind::WordPiece;
  WordPieceModel wordPiece;
  BpeModel bpe;
  bool hasNormalizer = false;
  Normalizer normalizer;
  /// Applied in order; none: the text is one word.
  std::vector<PreTokenizerStep> preTokenizers;
  bool hasTemplate = false;
  /// TemplateProcessing types the sequences by its template even when no
  /// special tokens are added; BertProcessing then leaves the default types
  /// (0 for the first sequence, 1 for the second).
  bool templateTypesWithoutSpecial = true;
  std::vector<TemplatePiece> singleTemplate, pairTemplate;
  /// Without a decoder tokens are joined with spaces; with one, the
  /// chain's output is concatenated.
  bool hasDecoder = false;
  std::vector<DecoderStep> decoders;
  std::vector<AddedToken> addedTokens;
  int32_t padId = -1;
  /// The truncation length tokenizer.json asks for (0: none); advisory.
  int64_t maxLength = 0;

  /// BERT's post-processing: [CLS] A [SEP] (types 0), then B [SEP] (type 1).
  void setBertTemplate(int32_t cls, int32_t sep);

  /// Checks added tokens against the vocabulary and builds the matchers.
  bool finish(std::string &error);

  /// Appends the ids of `text` (any bytes; ill-formed UTF-8 becomes U+FFFD)
  /// without special tokens.
  bool encodeText(std::string_view text, std::vector<int32_t> &ids,
                  std::string &error) const;

  /// Encodes `text` and, if `pair` is non-null, the second text; adds
  /// special tokens by the template when `addSpecial`. With `maxTokens` (0:
  /// no limit) the sequences are cut, as tokenizers' longest-first strategy
  /// does, so that the output, template applied (specials and repeated
  /// sequences included), holds at most `maxTokens` ids.
  bool encode(std::string_view text, const std::string_view *pair,
              size_t maxTokens, bool addSpecial, Encoding &out,
              std::string &error) const;

  /// Turns ids back into text; with `skipSpecial`, special tokens are left
  /// out. Fails on an id outside the vocabulary.
  bool decode(const int64_t *ids, size_t count, bool skipSpecial,
              std::string &out, std::string &error) const;

  /// The number of special tokens the template adds.
  size_t specialTokenCount(bool pair) const;

  bool isSpecial(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < specialIds.size() &&
           specialIds[id];
  }

private:
  /// Added tokens that can start with each byte, longest first.
  struct Matcher {
    std::vector<std::vector<int32_t>> byFirstByte; // indices into addedTokens
    bool empty = true;
    void build(const std::vector<AddedToken> &tokens,
               const std::vector<std::string> &contents, bool normalizedSet);
  };

  /// Splits `text` around added tokens of `matcher`, calling `piece(text,
  /// id)` in order: id is the added token's, or -1 for the text between.
  template <typename Fn>
  bool splitAdded(std::string_view text, const Matcher &matcher,
                  const std::vector<std::string> &contents, Fn &&piece) const;

  /// `atOrigin`: `text` starts the input sequence.
  bool encodePiece(std::string_view text, bool atOrigin,
                   std::vector<int32_t> &ids, std::string &error) const;

  Matcher rawMatcher, normalizedMatcher;
  /// What each added token matches: its content, normalized if it is
  /// matched in normalized text.
  std::vector<std::string> matchContents;
  std::vector<bool> specialIds;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_TOKENIZER_H
