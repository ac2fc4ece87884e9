//===- Bpe.h - the BPE model ------------------------------------*- C++ -*-===//
//
// Byte-pair encoding as Hugging Face tokenizers runs it: a word starts as its
// characters (or, byte-level, its bytes), then the adjacent pair with the
// lowest merge rank is merged, leftmost first, until no pair has a merge. A
// min-heap of candidate pairs makes a word of n symbols O(n log n), so a
// megabyte without spaces stays cheap. Results for short words are cached.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_BPE_H
#define XFMR_RUNTIME_TOKENIZERS_BPE_H

#include "runtime/lib/tokenizers/HashMaps.h"
#include "runtime/lib/tokenizers/Vocab.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

class BpeModel {
public:
  /// Words are bytes, each written in the vocabulary as GPT-2's
  /// byte-to-unicode map has it (set when the pre-tokenizer is ByteLevel).
  bool byteLevel = false;
  int32_t unkId = -1;
  bool fuseUnk = false;
  /// An unknown character becomes its UTF-8 bytes as <0xNN> tokens.
  bool byteFallback = false;
  /// A word that is itself in the vocabulary is not split.
  bool ignoreMerges = false;

  /// Adds merge `rank`: `left` + `right`; fails with a message if either
  /// half or their concatenation is not in `vocab`, or the pair repeats.
  bool addMerge(const Vocab &vocab, std::string_view left,
                std::string_view right, int32_t rank, std::string &error);

  /// Resolves per-byte ids; call once the vocabulary is complete. `vocab`
  /// must outlive the model.
  void init(const Vocab *vocab);

  /// Appends the ids of `word` (well-formed UTF-8 unless byte-level, where
  /// any bytes are accepted). Fails only when a character or byte has no
  /// token and there is no unknown token: BPE never drops input silently.
  bool tokenize(std::string_view word, std::vector<int32_t> &ids,
                std::string &error) const;

  size_t mergeCount() const { return merges.size(); }

private:
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool removed;
  };

  bool initialSymbols(std::string_view word, std::vector<Symbol> &symbols,
                      std::string &error) const;
  void mergeAll(std::vector<Symbol> &symbols) const;
  bool lookupCache(std::string_view word, std::vector<int32_t> &ids) const;
  void storeCache(std::string_view word, const int32_t *ids, size_t n) const;

  const Vocab *vocab = nullptr;
  PairMap merges;
  int32_t byteIds[256];
  int32_t fallbackIds[256];
  std::string byteChars[256];

  // The cache: words of up to kMaxCachedWord bytes, at most kCacheEntries of
  // them; once full it stops growing (tokenizers does the same). Guarded by
  // a mutex taken with try_lock, so concurrent callers skip it rather than
  // wait.
  static constexpr size_t kMaxCachedWord = 256;
  static constexpr size_t kCacheEntries = 10000;
  mutable std::mutex cacheMutex;
  mutable StringMap cacheIndex;
  mutable std::vector<uint32_t> cacheSpans; // offset, length per entry
  mutable std::vector<int32_t> cacheIds;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_BPE_H
