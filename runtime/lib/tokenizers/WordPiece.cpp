//===- WordPiece.cpp - the WordPiece model --------------------------------===//
//
// Matches tokenizers' WordPiece::tokenize, which tries every end position
// from the end of the word down; candidates longer than the longest token are
// skipped here, which cannot change the result and keeps a word's cost
// proportional to its length times the longest token.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/tokenizers/WordPiece.h"

#include "runtime/lib/tokenizers/Unicode.h"

using namespace xfmr::tokenizers;

void WordPieceModel::init(const Vocab *v) {
  vocab = v;
  maxTokenBytes = maxContinuationBytes = 0;
  for (size_t id = 0; id < v->size(); ++id) {
    const std::string *t = v->token(static_cast<int64_t>(id));
    if (!t)
      continue;
    if (t->size() > maxTokenBytes)
      maxTokenBytes = t->size();
    if (t->compare(0, continuingPrefix.size(), continuingPrefix) == 0 &&
        t->size() - continuingPrefix.size() > maxContinuationBytes)
      maxContinuationBytes = t->size() - continuingPrefix.size();
  }
}

void WordPieceModel::tokenize(std::string_view word,
                              std::vector<int32_t> &ids) const {
  const char *p = word.data();
  size_t n = word.size();
  // Count characters, stopping early: only "more than the limit" matters.
  size_t chars = 0;
  for (size_t i = 0; i < n && chars <= maxInputCharsPerWord; ++i)
    if ((static_cast<uint8_t>(p[i]) & 0xC0) != 0x80)
      ++chars;
  if (chars > maxInputCharsPerWord) {
    ids.push_back(unkId);
    return;
  }

  size_t mark = ids.size();
  std::string candidate;
  size_t start = 0;
  while (start < n) {
    size_t limit = start == 0 ? maxTokenBytes : maxContinuationBytes;
    size_t end = n - start > limit ? start + limit : n;
    // Back up to a character boundary.
    while (end > start && end < n &&
           (static_cast<uint8_t>(p[end]) & 0xC0) == 0x80)
      --end;
    int32_t found = -1;
    while (end > start) {
      if (start == 0) {
        found = vocab->find(std::string_view(p, end));
      } else {
        candidate.assign(continuingPrefix);
        candidate.append(p + start, end - start);
        found = vocab->find(candidate);
      }
      if (found >= 0)
        break;
      // Drop the last character.
      --end;
      while (end > start && (static_cast<uint8_t>(p[end]) & 0xC0) == 0x80)
        --end;
    }
    if (found < 0) {
      ids.resize(mark);
      ids.push_back(unkId);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}
