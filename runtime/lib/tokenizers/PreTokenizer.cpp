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

/// The code point at `p` (not at the end); advances `p` past it.
inline uint32_t take(const char *&p) {
  uint8_t b = static_cast<uint8_t>(*p);
  if (b < 0x80) {
    ++p;
    return b;
  }
  return decodeValid(p);
}

/// The end of the longest run of at most `limit` characters of class
/// `want` from `p`.
const char *skipRun(const char *p, const char *end, RegexClass want,
                    size_t limit = SIZE_MAX) {
  for (size_t n = 0; p < end && n < limit; ++n) {
    const char *next = p;
    if (regexClass(take(next)) != want)
      break;
    p = next;
  }
  return p;
}

/// The length of a contraction ('s 't 're 've 'm 'll 'd) at `p`, or 0.
/// With `ignoreCase`, as (?i:...) matches it: ASCII letters of either case,
/// and U+017F (long s) for 's', which Oniguruma's case folding maps to it.
size_t contraction(const char *p, const char *end, bool ignoreCase = false) {
  if (*p != '\'' || end - p < 2)
    return 0;
  auto fold = [&](char c) {
    return ignoreCase && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  };
  if (ignoreCase && end - p >= 3 && static_cast<uint8_t>(p[1]) == 0xC5 &&
      static_cast<uint8_t>(p[2]) == 0xBF)
    return 3;
  char a = fold(p[1]);
  if (a == 's' || a == 't' || a == 'm' || a == 'd')
    return 2;
  if (end - p >= 3) {
    char b = fold(p[2]);
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
      const char *stop = skipRun(runStart, end, runClass);
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

namespace {

inline bool isNewline(uint32_t cp) { return cp == '\r' || cp == '\n'; }

/// The end of the GPT-4 pattern's match at `p`; its alternatives are tried
/// in order, as Oniguruma does, and one always matches.
const char *gpt4Piece(const char *p, const char *end) {
  if (size_t n = contraction(p, end, /*ignoreCase=*/true))
    return p + n;
  const char *second = p;
  uint32_t first = take(second);
  RegexClass cls = regexClass(first);
  RegexClass nextCls = kS;
  if (second < end) {
    const char *after = second;
    nextCls = regexClass(take(after));
  }
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (cls == kL || (cls != kN && !isNewline(first) && nextCls == kL))
    return skipRun(second, end, kL);
  if (cls == kN)
    return skipRun(p, end, kN, 3); // \p{N}{1,3}
  // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
  if (cls == kO || (first == ' ' && nextCls == kO)) {
    const char *stop = skipRun(cls == kO ? p : second, end, kO);
    while (stop < end && isNewline(static_cast<uint8_t>(*stop)))
      ++stop;
    return stop;
  }
  // Whitespace: `\s*[\r\n]+` ends after the run's last newline; `\s+(?!\S)`
  // leaves the run's last character to a following non-space (`\s+` takes a
  // lone one).
  const char *runEnd = p, *lastNewline = nullptr, *lastChar = p;
  while (runEnd < end) {
    const char *next = runEnd;
    uint32_t cp = take(next);
    if (regexClass(cp) != kS)
      break;
    if (isNewline(cp))
      lastNewline = next;
    lastChar = runEnd;
    runEnd = next;
  }
  if (lastNewline)
    return lastNewline;
  if (runEnd < end && lastChar > p)
    return lastChar;
  return runEnd;
}

} // namespace

void xfmr::tokenizers::gpt4Split(std::string_view text,
                                 std::vector<Span> &pieces) {
  const char *base = text.data();
  for (const char *p = base, *end = p + text.size(); p < end;) {
    const char *stop = gpt4Piece(p, end);
    pieces.push_back(
        {static_cast<uint32_t>(p - base), static_cast<uint32_t>(stop - base)});
    p = stop;
  }
}

SplitFn xfmr::tokenizers::splitForPattern(std::string_view regex) {
  static const char kGpt2[] =
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  static const char kGpt4[] =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  if (regex == kGpt2)
    return gpt2Split;
  if (regex == kGpt4)
    return gpt4Split;
  return nullptr;
}

namespace {

/// Metaspace on one piece: spaces become the replacement, which is put in
/// front if `prepend` and absent; with `split`, each replacement starts a
/// new word (tokenizers' MergedWithNext, every occurrence on its own).
void metaspace(const PreTokenizerStep &step, std::string_view piece,
               bool prepend, std::string &out, std::vector<Span> &words) {
  const std::string &rep = step.replacement;
  size_t begin = out.size();
  bool starts = piece.substr(0, 1) == " " ||
                piece.substr(0, rep.size()) == std::string_view(rep);
  if (prepend && !starts)
    out += rep;
  for (char c : piece) {
    if (c == ' ')
      out += rep;
    else
      out += c;
  }
  if (!step.split) {
    words.push_back(
        {static_cast<uint32_t>(begin), static_cast<uint32_t>(out.size())});
    return;
  }
  size_t wordBegin = begin;
  for (size_t at = out.find(rep, begin); at != std::string::npos;
       at = out.find(rep, at + rep.size())) {
    if (at > wordBegin)
      words.push_back(
          {static_cast<uint32_t>(wordBegin), static_cast<uint32_t>(at)});
    wordBegin = at;
  }
  if (out.size() > wordBegin)
    words.push_back(
        {static_cast<uint32_t>(wordBegin), static_cast<uint32_t>(out.size())});
}

} // namespace

void xfmr::tokenizers::preTokenize(const std::vector<PreTokenizerStep> &steps,
                                   std::string_view text, bool atOrigin,
                                   std::string_view &out,
                                   std::vector<Span> &words) {
  thread_local std::string buffers[2];
  thread_local std::vector<Span> next;
  int flip = 0;
  out = text;
  words.clear();
  if (!text.empty())
    words.push_back({0, static_cast<uint32_t>(text.size())});
  for (const PreTokenizerStep &step : steps) {
    next.clear();
    auto sub = [&](const Span &s) {
      return out.substr(s.begin, s.end - s.begin);
    };
    auto splitEach = [&](auto &&fn) {
      thread_local std::vector<Span> local;
      for (const Span &s : words) {
        local.clear();
        fn(sub(s), local);
        for (const Span &w : local)
          next.push_back({s.begin + w.begin, s.begin + w.end});
      }
    };
    switch (step.kind) {
    case PreTokenizerStep::Kind::Bert:
      splitEach(bertPreTokenize);
      // Leading whitespace dropped: the first word no longer starts the
      // sequence.
      atOrigin = atOrigin && !next.empty() && next[0].begin == words[0].begin;
      break;
    case PreTokenizerStep::Kind::Split:
      splitEach(step.splitFn);
      break;
    case PreTokenizerStep::Kind::ByteLevel:
      if (step.addPrefixSpace) {
        std::string &buffer = buffers[flip];
        flip ^= 1;
        buffer.clear();
        for (Span &s : words) {
          std::string_view piece = sub(s);
          uint32_t begin = static_cast<uint32_t>(buffer.size());
          if (piece[0] != ' ')
            buffer += ' ';
          buffer.append(piece.data(), piece.size());
          s = {begin, static_cast<uint32_t>(buffer.size())};
        }
        out = buffer;
      }
      if (step.useRegex)
        splitEach(gpt2Split);
      else
        next = words;
      break;
    case PreTokenizerStep::Kind::Metaspace: {
      std::string &buffer = buffers[flip];
      flip ^= 1;
      buffer.clear();
      for (size_t i = 0; i < words.size(); ++i) {
        bool prepend = step.prepend == PreTokenizerStep::Prepend::Always ||
                       (step.prepend == PreTokenizerStep::Prepend::First &&
                        i == 0 && atOrigin);
        metaspace(step, sub(words[i]), prepend, buffer, next);
      }
      out = buffer;
      break;
    }
    }
    words.swap(next);
  }
}
