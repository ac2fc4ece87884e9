//===- Bpe.cpp - the BPE model --------------------------------------------===//
//
// The merge loop follows tokenizers' Word::merge_all exactly, including how
// it recognises stale heap entries (by the merged id), so ties and odd merge
// tables give the same tokens.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/tokenizers/Bpe.h"

#include "runtime/lib/tokenizers/ByteLevel.h"
#include "runtime/lib/tokenizers/Unicode.h"

#include <algorithm>

using namespace xfmr::tokenizers;

bool BpeModel::addMerge(const Vocab &v, std::string_view left,
                        std::string_view right, int32_t rank,
                        std::string &error) {
  int32_t a = v.find(left), b = v.find(right);
  std::string merged;
  merged.reserve(left.size() + right.size());
  merged.append(left.data(), left.size());
  merged.append(right.data(), right.size());
  int32_t id = v.find(merged);
  auto name = [&] {
    return "merge " + std::to_string(rank + 1) + " ('" +
           Vocab::printable(left) + "' '" + Vocab::printable(right) + "')";
  };
  if (a < 0 || b < 0) {
    error = name() + " names '" + Vocab::printable(a < 0 ? left : right) +
            "', which is not in the vocabulary";
    return false;
  }
  if (id < 0) {
    error = name() + " makes '" + Vocab::printable(merged) +
            "', which is not in the vocabulary";
    return false;
  }
  if (!merges.insert(a, b, {rank, id})) {
    error = name() + " repeats an earlier merge";
    return false;
  }
  return true;
}

void BpeModel::init(const Vocab *v) {
  vocab = v;
  char hex[8];
  for (unsigned b = 0; b < 256; ++b) {
    byteChars[b].clear();
    appendUtf8(byteChars[b], byteToChar(static_cast<uint8_t>(b)));
    byteIds[b] = v->find(byteChars[b]);
    static const char *digits = "0123456789ABCDEF";
    hex[0] = '<';
    hex[1] = '0';
    hex[2] = 'x';
    hex[3] = digits[b >> 4];
    hex[4] = digits[b & 15];
    hex[5] = '>';
    fallbackIds[b] = v->find(std::string_view(hex, 6));
  }
}

bool BpeModel::initialSymbols(std::string_view word,
                              std::vector<Symbol> &symbols,
                              std::string &error) const {
  symbols.clear();
  auto push = [&](int32_t id) {
    int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1, false});
  };
  // As tokenizers' BPE::merge_word: an unknown character is held back, so
  // that with fuse_unk a run of them is one unknown token, and is emitted
  // before the next known character (byte-fallback tokens do not flush it).
  bool pendingUnk = false;
  // One character (byte-level: one byte's character) with its id, or -1.
  auto character = [&](std::string_view c, int32_t id) {
    if (id >= 0) {
      if (pendingUnk)
        push(unkId);
      pendingUnk = false;
      push(id);
      return true;
    }
    if (byteFallback) {
      bool all = true;
      for (char b : c)
        all = all && fallbackIds[static_cast<uint8_t>(b)] >= 0;
      if (all) {
        for (char b : c)
          push(fallbackIds[static_cast<uint8_t>(b)]);
        return true;
      }
    }
    if (unkId < 0) {
      // tokenizers drops the character; BPE here never loses input.
      error = "character '" + Vocab::printable(c) +
              "' has no token in the vocabulary and there is no unknown "
              "token";
      return false;
    }
    if (pendingUnk && !fuseUnk)
      push(unkId);
    pendingUnk = true;
    return true;
  };
  if (byteLevel) {
    for (char c : word) {
      uint8_t b = static_cast<uint8_t>(c);
      if (!character(byteChars[b], byteIds[b]))
        return false;
    }
  } else {
    const char *p = word.data();
    const char *end = p + word.size();
    while (p < end) {
      size_t n = std::min<size_t>(utf8Length(static_cast<uint8_t>(*p)),
                                  static_cast<size_t>(end - p));
      std::string_view c(p, n);
      if (!character(c, vocab->find(c)))
        return false;
      p += n;
    }
  }
  if (pendingUnk)
    push(unkId);
  if (!symbols.empty())
    symbols.back().next = -1;
  return true;
}

namespace {

struct Candidate {
  int32_t rank;
  int32_t pos;
  int32_t id;
};

/// Heap order: the top is the lowest rank, then the leftmost position.
struct Later {
  bool operator()(const Candidate &a, const Candidate &b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  }
};

} // namespace

void BpeModel::mergeAll(std::vector<Symbol> &symbols) const {
  thread_local std::vector<Candidate> heap;
  heap.clear();
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (const PairMap::Value *m = merges.find(symbols[i].id, symbols[i + 1].id))
      heap.push_back({m->rank, static_cast<int32_t>(i), m->id});
  std::make_heap(heap.begin(), heap.end(), Later());

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), Later());
    Candidate top = heap.back();
    heap.pop_back();
    Symbol &left = symbols[top.pos];
    if (left.removed || left.next < 0)
      continue;
    int32_t rightPos = left.next;
    Symbol &right = symbols[rightPos];
    // Stale entry: the pair at this position has changed since.
    const PairMap::Value *now = merges.find(left.id, right.id);
    if (!now || now->id != top.id)
      continue;
    left.id = top.id;
    right.removed = true;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = top.pos;
    if (left.prev >= 0) {
      if (const PairMap::Value *m =
              merges.find(symbols[left.prev].id, left.id)) {
        heap.push_back({m->rank, left.prev, m->id});
        std::push_heap(heap.begin(), heap.end(), Later());
      }
    }
    if (left.next >= 0) {
      if (const PairMap::Value *m =
              merges.find(left.id, symbols[left.next].id)) {
        heap.push_back({m->rank, top.pos, m->id});
        std::push_heap(heap.begin(), heap.end(), Later());
      }
    }
  }
}

bool BpeModel::lookupCache(std::string_view word,
                           std::vector<int32_t> &ids) const {
  std::unique_lock<std::mutex> lock(cacheMutex, std::try_to_lock);
  if (!lock.owns_lock())
    return false;
  int32_t entry = cacheIndex.find(word);
  if (entry < 0)
    return false;
  uint32_t offset = cacheSpans[2 * entry], length = cacheSpans[2 * entry + 1];
  ids.insert(ids.end(), cacheIds.begin() + offset,
             cacheIds.begin() + offset + length);
  return true;
}

void BpeModel::storeCache(std::string_view word, const int32_t *ids,
                          size_t n) const {
  std::unique_lock<std::mutex> lock(cacheMutex, std::try_to_lock);
  if (!lock.owns_lock() || cacheIndex.size() >= kCacheEntries)
    return;
  // Room first, so that an out-of-memory throw leaves no index entry
  // without its span (the caller's guard() catches it; the cache stays
  // consistent for later calls).
  cacheSpans.reserve(cacheSpans.size() + 2);
  cacheIds.reserve(cacheIds.size() + n);
  int32_t entry = static_cast<int32_t>(cacheIndex.size());
  if (!cacheIndex.insert(word, entry))
    return;
  cacheSpans.push_back(static_cast<uint32_t>(cacheIds.size()));
  cacheSpans.push_back(static_cast<uint32_t>(n));
  cacheIds.insert(cacheIds.end(), ids, ids + n);
}

bool BpeModel::tokenize(std::string_view word, std::vector<int32_t> &ids,
                        std::string &error) const {
  if (word.empty())
    return true;
  bool cacheable = word.size() <= kMaxCachedWord;
  if (cacheable && lookupCache(word, ids))
    return true;
  size_t mark = ids.size();

  if (ignoreMerges) {
    int32_t whole = -1;
    if (byteLevel) {
      thread_local std::string mapped;
      mapped.clear();
      for (char c : word)
        mapped += byteChars[static_cast<uint8_t>(c)];
      whole = vocab->find(mapped);
    } else {
      whole = vocab->find(word);
    }
    if (whole >= 0) {
      ids.push_back(whole);
      if (cacheable)
        storeCache(word, ids.data() + mark, 1);
      return true;
    }
  }

  thread_local std::vector<Symbol> symbols;
  if (!initialSymbols(word, symbols, error))
    return false;
  mergeAll(symbols);
  for (const Symbol &s : symbols)
    if (!s.removed)
      ids.push_back(s.id);
  if (cacheable)
    storeCache(word, ids.data() + mark, ids.size() - mark);
  return true;
}
