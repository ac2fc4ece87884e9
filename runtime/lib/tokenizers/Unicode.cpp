//===- Unicode.cpp - UTF-8 and character classes for tokenizers -----------===//

#include "runtime/lib/tokenizers/Unicode.h"

#include <algorithm>

using namespace xfmr::tokenizers;

namespace {
#include "runtime/lib/tokenizers/UnicodeTables.inc"

const CaseMapEntry *findEntry(const CaseMapEntry *begin,
                              const CaseMapEntry *end, uint32_t cp) {
  const CaseMapEntry *it = std::lower_bound(
      begin, end, cp,
      [](const CaseMapEntry &e, uint32_t value) { return e.cp < value; });
  return it != end && it->cp == cp ? it : nullptr;
}
} // namespace

uint8_t xfmr::tokenizers::charClass(uint32_t cp) {
  if (cp >= 0x110000)
    return 0;
  return kBlocks[kBlockIndex[cp >> kBlockShift]]
                [cp & ((1u << kBlockShift) - 1)];
}

bool xfmr::tokenizers::isChineseChar(uint32_t cp) {
  // The ranges of tokenizers' BertNormalizer, including its gap at
  // U+2B820..U+2B91F.
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void xfmr::tokenizers::appendLower(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    return;
  }
  if (charClass(cp) & kHasLower) {
    const CaseMapEntry *e =
        findEntry(kLowerMap, kLowerMap + std::size(kLowerMap), cp);
    if (e) {
      for (uint32_t i = 0; i < e->length; ++i)
        appendUtf8(out, kLowerData[e->offset + i]);
      return;
    }
  }
  appendUtf8(out, cp);
}

const CaseMapEntry *xfmr::tokenizers::findStrip(uint32_t cp,
                                                const uint32_t *&data) {
  data = kStripData;
  return findEntry(kStripMap, kStripMap + std::size(kStripMap), cp);
}

namespace {

/// Length of the well-formed sequence at `p` (1-4), or 0 if ill-formed;
/// `prefix` then receives the length of its maximal well-formed prefix (at
/// least 1), which is replaced by one U+FFFD.
size_t sequenceLength(const uint8_t *p, const uint8_t *end, size_t &prefix) {
  uint8_t c = p[0];
  prefix = 1;
  if (c < 0x80)
    return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F; // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F; // nothing past U+10FFFF
  } else {
    return 0; // a continuation byte, C0, C1 or F5..FF
  }
  for (size_t i = 1; i < n; ++i) {
    if (p + i >= end)
      return 0;
    uint8_t b = p[i];
    if (b < lo || b > hi)
      return 0;
    lo = 0x80;
    hi = 0xBF;
    prefix = i + 1;
  }
  return n;
}

} // namespace

bool xfmr::tokenizers::isValidUtf8(std::string_view text) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(text.data());
  const uint8_t *end = p + text.size();
  while (p < end) {
    // Eight ASCII bytes at a time: the common case.
    while (end - p >= 8) {
      uint64_t word;
      __builtin_memcpy(&word, p, 8);
      if (word & 0x8080808080808080ull)
        break;
      p += 8;
    }
    if (p == end)
      break;
    size_t prefix;
    size_t n = sequenceLength(p, end, prefix);
    if (n == 0)
      return false;
    p += n;
  }
  return true;
}

void xfmr::tokenizers::toValidUtf8(std::string_view text, std::string &out) {
  out.clear();
  if (isValidUtf8(text)) {
    out.assign(text.data(), text.size());
    return;
  }
  out.reserve(text.size() + text.size() / 2);
  const uint8_t *p = reinterpret_cast<const uint8_t *>(text.data());
  const uint8_t *end = p + text.size();
  while (p < end) {
    size_t prefix;
    size_t n = sequenceLength(p, end, prefix);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      p += prefix;
    } else {
      out.append(reinterpret_cast<const char *>(p), n);
      p += n;
    }
  }
}
