//===- Normalizer.cpp - text normalizers ----------------------------------===//
//
// All four BERT steps map one character to zero or more characters with no
// context, so they run in a single pass; the order of the steps inside the
// pass is that of tokenizers (strip accents before lowercasing).
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/tokenizers/Normalizer.h"

#include "runtime/lib/tokenizers/Unicode.h"

using namespace xfmr::tokenizers;

void BertNormalizer::normalize(std::string_view text, std::string &out) const {
  out.clear();
  out.reserve(text.size() + text.size() / 8);
  const char *p = text.data();
  const char *end = p + text.size();
  auto emitLowered = [&](uint32_t cp) {
    if (lowercase)
      appendLower(out, cp);
    else
      appendUtf8(out, cp);
  };
  while (p < end) {
    // ASCII fast path: no stripping, no CJK, a table-free lowercase.
    uint8_t b = static_cast<uint8_t>(*p);
    if (b < 0x80) {
      ++p;
      char c = static_cast<char>(b);
      if (cleanText) {
        uint8_t cls = charClass(b);
        if (cls & kBertControl)
          continue;
        if (cls & kBertWhitespace)
          c = ' ';
      }
      if (lowercase && c >= 'A' && c <= 'Z')
        c = static_cast<char>(c + 32);
      out += c;
      continue;
    }
    uint32_t cp = decodeValid(p);
    uint8_t cls = charClass(cp);
    if (cleanText) {
      if (cls & kBertControl)
        continue;
      if (cls & kBertWhitespace) {
        out += ' ';
        continue;
      }
    }
    bool spaced = handleChineseChars && isChineseChar(cp);
    if (spaced)
      out += ' ';
    if (stripAccents && (cls & kHasStrip))
      forEachStripped(cp, emitLowered);
    else
      emitLowered(cp);
    if (spaced)
      out += ' ';
  }
}

void Normalizer::normalize(std::string_view text, std::string &out) const {
  thread_local std::string scratch;
  out.assign(text.data(), text.size());
  for (const NormalizerStep &step : steps) {
    switch (step.kind) {
    case NormalizerStep::Kind::Bert:
      step.bert.normalize(out, scratch);
      out.swap(scratch);
      break;
    case NormalizerStep::Kind::Prepend:
      if (!out.empty())
        out.insert(0, step.text);
      break;
    case NormalizerStep::Kind::Replace:
      replaceAll(out, step.text, step.content);
      break;
    }
  }
}

void xfmr::tokenizers::replaceAll(std::string &s, std::string_view from,
                                  std::string_view to) {
  if (from.empty())
    return;
  size_t at = 0;
  std::string out;
  bool any = false;
  while (true) {
    size_t hit = s.find(from.data(), at, from.size());
    if (hit == std::string::npos)
      break;
    any = true;
    out.append(s, at, hit - at);
    out.append(to.data(), to.size());
    at = hit + from.size();
  }
  if (!any)
    return;
  out.append(s, at, std::string::npos);
  s = std::move(out);
}
