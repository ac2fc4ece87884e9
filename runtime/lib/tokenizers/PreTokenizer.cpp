//===- PreTokenizer.cpp - splitting text into words -----------------------===//

#include "runtime/lib/tokenizers/PreTokenizer.h"

#include "runtime/lib/tokenizers/Unicode.h"

using namespace xfmr::tokenizers;

void xfmr::tokenizers::bertPreTokenize(std::string_view text,
                                       std::vector<Span> &words) {
  const char *base = text.data();
  const char *p = base;
  const char *end = base + text.size();
  const char *wordBegin = nullptr;
  auto close = [&](const char *at) {
    if (wordBegin && wordBegin < at)
      words.push_back({static_cast<uint32_t>(wordBegin - base),
                       static_cast<uint32_t>(at - base)});
    wordBegin = nullptr;
  };
  while (p < end) {
    const char *start = p;
    uint8_t b = static_cast<uint8_t>(*p);
    uint32_t cp = b < 0x80 ? (++p, b) : decodeValid(p);
    uint8_t cls = charClass(cp);
    if (cls & kBertWhitespace) {
      close(start);
    } else if (cls & kBertPunct) {
      close(start);
      words.push_back({static_cast<uint32_t>(start - base),
                       static_cast<uint32_t>(p - base)});
    } else if (!wordBegin) {
      wordBegin = start;
    }
  }
  close(end);
}

namespace {

enum RegexClass { kL, kN, kS, kO };

inline RegexClass regexClass(uint32_t cp) {
  uint8_t cls = charClass(cp);
  if (cls & kLetter)
    return kL;
  if (cls & kNumber)
    return kN;
  if (cls & kSpace)
    return kS;
  return kO;
}

/// A cursor over well-formed UTF-8 that knows the class of the character
/// under it.
struct Cursor {
  const char *p;
  const char *end;

  bool atEnd() const { return p >= end; }
  /// The code point at `p` and the position after it.
  uint32_t peek(const char *&next) const {
    next = p;
    uint8_t b = static_cast<uint8_t>(*next);
    if (b < 0x80) {
      ++next;
      return b;
    }
    return decodeValid(next);
  }
};

/// Advances `p` over characters of class `want`; returns the new position.
const char *skipClass(const char *p, const char *end, RegexClass want) {
  while (p < end) {
    const char *next = p;
    uint8_t b = static_cast<uint8_t>(*next);
    uint32_t cp = b < 0x80 ? (++next, b) : decodeValid(next);
    if (regexClass(cp) != want)
      break;
    p = next;
  }
  return p;
}

/// The length of a contraction ('s 't 're 've 'm 'll 'd) at `p`, or 0.
size_t contraction(const char *p, const char *end) {
  if (*p != '\'' || end - p < 2)
    return 0;
  char a = p[1];
  if (a == 's' || a == 't' || a == 'm' || a == 'd')
    return 2;
  if (end - p >= 3) {
    char b = p[2];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
        (a == 'l' && b == 'l'))
      return 3;
  }
  return 0;
}

} // namespace

void xfmr::tokenizers::gpt2Split(std::string_view text,
                                 std::vector<Span> &pieces) {
  const char *base = text.data();
  const char *p = base;
  const char *end = base + text.size();
  auto emit = [&](const char *from, const char *to) {
    pieces.push_back(
        {static_cast<uint32_t>(from - base), static_cast<uint32_t>(to - base)});
  };
  while (p < end) {
    if (size_t n = contraction(p, end)) {
      emit(p, p + n);
      p += n;
      continue;
    }
    Cursor c{p, end};
    const char *next;
    uint32_t cp = c.peek(next);
    RegexClass cls = regexClass(cp);
    // ` ?X+` for X in L, N, other: an optional ASCII space, then a run.
    const char *runStart = p;
    RegexClass runClass = cls;
    if (cp == ' ' && next < end) {
      Cursor after{next, end};
      const char *afterNext;
      RegexClass nextClass = regexClass(after.peek(afterNext));
      if (nextClass != kS) {
        runStart = next;
        runClass = nextClass;
      }
    }
    if (runClass != kS) {
      const char *stop = skipClass(runStart, end, runClass);
      emit(p, stop);
      p = stop;
      continue;
    }
    // Whitespace: `\s+(?!\S)` keeps the last space of a run that is followed
    // by a non-space for the next piece (" word"); a lone space before a
    // non-space falls to `\s+`.
    const char *stop = p;
    const char *last = p;
    while (stop < end) {
      const char *n2 = stop;
      uint8_t b = static_cast<uint8_t>(*n2);
      uint32_t cp2 = b < 0x80 ? (++n2, b) : decodeValid(n2);
      if (regexClass(cp2) != kS)
        break;
      last = stop;
      stop = n2;
    }
    if (stop < end && last > p)
      stop = last;
    emit(p, stop);
    p = stop;
  }
}
