//===- Tokenizer.cpp - a complete tokenizer -------------------------------===//
//
// The order of the steps and the corner cases (added tokens before the
// normalizer, a prefix space per piece, longest-first truncation, per-token
// WordPiece cleanup) follow Hugging Face tokenizers, whose ids are the
// reference the conformance tests hold us to.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/tokenizers/Tokenizer.h"

#include "runtime/lib/tokenizers/ByteLevel.h"
#include "runtime/lib/tokenizers/PreTokenizer.h"
#include "runtime/lib/tokenizers/Unicode.h"

#include <algorithm>
#include <cstring>

using namespace xfmr::tokenizers;

//===----------------------------------------------------------------------===//
// Added tokens
//===----------------------------------------------------------------------===//

void Tokenizer::Matcher::build(const std::vector<AddedToken> &tokens,
                               const std::vector<std::string> &contents,
                               bool normalizedSet) {
  byFirstByte.assign(256, {});
  empty = true;
  for (size_t i = 0; i < tokens.size(); ++i) {
    // With no normalizer, tokenizers matches every added token in the raw
    // text; otherwise each in the text its `normalized` flag names.
    if (tokens[i].normalized != normalizedSet || contents[i].empty())
      continue;
    byFirstByte[static_cast<uint8_t>(contents[i][0])].push_back(
        static_cast<int32_t>(i));
    empty = false;
  }
  for (std::vector<int32_t> &list : byFirstByte)
    std::stable_sort(list.begin(), list.end(), [&](int32_t a, int32_t b) {
      return contents[a].size() > contents[b].size();
    });
}

namespace {

bool isWordChar(uint32_t cp) {
  return cp == '_' || (charClass(cp) & (kLetter | kNumber));
}

uint32_t lastChar(std::string_view text) {
  size_t i = text.size();
  while (i > 0 && (static_cast<uint8_t>(text[i - 1]) & 0xC0) == 0x80)
    --i;
  if (i == 0)
    return 0;
  const char *p = text.data() + i - 1;
  return decodeValid(p);
}

bool isWhitespace(uint32_t cp) { return charClass(cp) & kBertWhitespace; }

} // namespace

template <typename Fn>
bool Tokenizer::splitAdded(std::string_view text, const Matcher &matcher,
                           const std::vector<std::string> &contents,
                           Fn &&piece) const {
  if (matcher.empty)
    return text.empty() || piece(text, -1);
  const char *base = text.data();
  size_t n = text.size();
  size_t emitted = 0; // end of what has been passed on
  size_t i = 0;
  while (i < n) {
    const std::vector<int32_t> &candidates =
        matcher.byFirstByte[static_cast<uint8_t>(base[i])];
    int32_t hit = -1;
    for (int32_t c : candidates) {
      const std::string &s = contents[c];
      if (s.size() <= n - i && std::memcmp(base + i, s.data(), s.size()) == 0) {
        hit = c;
        break;
      }
    }
    if (hit < 0) {
      ++i;
      continue;
    }
    const AddedToken &token = addedTokens[hit];
    size_t start = i, stop = i + contents[hit].size();
    if (token.singleWord) {
      bool before = start > 0 && isWordChar(lastChar(text.substr(0, start)));
      const char *q = base + stop;
      bool after = stop < n && isWordChar(decodeValid(q));
      if (before || after) {
        ++i;
        continue;
      }
    }
    if (token.lstrip) {
      size_t s = start;
      while (s > emitted) {
        std::string_view head = text.substr(0, s);
        uint32_t cp = lastChar(head);
        if (!isWhitespace(cp))
          break;
        size_t k = s - 1;
        while (k > 0 && (static_cast<uint8_t>(base[k]) & 0xC0) == 0x80)
          --k;
        s = k;
      }
      start = std::max(s, emitted);
    }
    if (token.rstrip) {
      while (stop < n) {
        const char *q = base + stop;
        uint32_t cp = decodeValid(q);
        if (!isWhitespace(cp))
          break;
        stop = static_cast<size_t>(q - base);
      }
    }
    if (start > emitted && !piece(text.substr(emitted, start - emitted), -1))
      return false;
    if (!piece(text.substr(start, stop - start), token.id))
      return false;
    emitted = stop;
    i = stop;
  }
  if (emitted < n)
    return piece(text.substr(emitted), -1);
  return true;
}

void Tokenizer::setBertTemplate(int32_t cls, int32_t sep) {
  auto special = [](int32_t id, int32_t type) {
    TemplatePiece piece;
    piece.ids = {id};
    piece.typeId = type;
    return piece;
  };
  auto sequence = [](int index, int32_t type) {
    TemplatePiece piece;
    piece.isSequence = true;
    piece.sequence = index;
    piece.typeId = type;
    return piece;
  };
  hasTemplate = true;
  templateTypesWithoutSpecial = false;
  singleTemplate = {special(cls, 0), sequence(0, 0), special(sep, 0)};
  pairTemplate = {special(cls, 0), sequence(0, 0), special(sep, 0),
                  sequence(1, 1), special(sep, 1)};
}

bool Tokenizer::finish(std::string &error) {
  if (modelKind == ModelKind::WordPiece) {
    if (wordPiece.unkId < 0) {
      error = "the WordPiece model has no unknown token";
      return false;
    }
    wordPiece.init(&vocab);
  } else {
    bpe.byteLevel = false;
    for (const PreTokenizerStep &step : preTokenizers)
      bpe.byteLevel =
          bpe.byteLevel || step.kind == PreTokenizerStep::Kind::ByteLevel;
    bpe.init(&vocab);
  }
  matchContents.clear();
  specialIds.assign(vocab.size(), false);
  for (const AddedToken &t : addedTokens) {
    if (t.content.empty()) {
      error = "added token " + std::to_string(t.id) + " is empty";
      return false;
    }
    if (!isValidUtf8(t.content)) {
      error = "added token " + std::to_string(t.id) + " is not valid UTF-8";
      return false;
    }
    std::string content = t.content;
    if (t.normalized && hasNormalizer)
      normalizer.normalize(t.content, content);
    matchContents.push_back(std::move(content));
    if (t.special)
      specialIds[t.id] = true;
  }
  // With no normalizer the two sets are one: match everything in raw text.
  if (!hasNormalizer)
    for (AddedToken &t : addedTokens)
      t.normalized = false;
  rawMatcher.build(addedTokens, matchContents, false);
  normalizedMatcher.build(addedTokens, matchContents, true);
  if (padId < 0) {
    for (const char *name : {"[PAD]", "<pad>", "<|pad|>"}) {
      padId = vocab.find(name);
      if (padId >= 0)
        break;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

bool Tokenizer::encodePiece(std::string_view text, bool atOrigin,
                            std::vector<int32_t> &ids,
                            std::string &error) const {
  thread_local std::vector<Span> words;
  std::string_view input;
  preTokenize(preTokenizers, text, atOrigin, input, words);
  for (const Span &w : words) {
    std::string_view word = input.substr(w.begin, w.end - w.begin);
    if (modelKind == ModelKind::WordPiece)
      wordPiece.tokenize(word, ids);
    else if (!bpe.tokenize(word, ids, error))
      return false;
  }
  return true;
}

bool Tokenizer::encodeText(std::string_view text, std::vector<int32_t> &ids,
                           std::string &error) const {
  // Word offsets are 32-bit and normalization can grow a text a few times
  // over (CJK spacing, decompositions), so cap the input well below 4 GiB.
  if (text.size() > (size_t(1) << 28)) {
    error = "text of " + std::to_string(text.size()) +
            " bytes is too long (the limit is 256 MiB)";
    return false;
  }
  thread_local std::string valid, normalized;
  toValidUtf8(text, valid);
  std::string_view raw = valid;
  // Copies: encodePiece and the normalizer reuse thread-local buffers.
  return splitAdded(
      raw, rawMatcher, matchContents, [&](std::string_view piece, int32_t id) {
        if (id >= 0) {
          ids.push_back(id);
          return true;
        }
        std::string_view text2 = piece;
        std::string local;
        if (hasNormalizer) {
          normalizer.normalize(piece, local);
          text2 = local;
        }
        // Where the input starts (Metaspace's "first" scheme): the first
        // raw piece, and the start of what its normalization made.
        bool rawOrigin = piece.data() == raw.data();
        return splitAdded(
            text2, normalizedMatcher, matchContents,
            [&](std::string_view sub, int32_t subId) {
              if (subId >= 0) {
                ids.push_back(subId);
                return true;
              }
              bool atOrigin = rawOrigin && sub.data() == text2.data();
              return sub.empty() || encodePiece(sub, atOrigin, ids, error);
            });
      });
}

size_t Tokenizer::specialTokenCount(bool pair) const {
  if (!hasTemplate)
    return 0;
  size_t n = 0;
  for (const TemplatePiece &p : pair ? pairTemplate : singleTemplate)
    if (!p.isSequence)
      n += p.ids.size();
  return n;
}

bool Tokenizer::encode(std::string_view text, const std::string_view *pair,
                       size_t maxTokens, bool addSpecial, Encoding &out,
                       std::string &error) const {
  std::vector<int32_t> seq[2];
  if (!encodeText(text, seq[0], error))
    return false;
  if (pair && !encodeText(*pair, seq[1], error))
    return false;

  // How often each sequence appears in the output: a template may repeat
  // one (or leave it out), so the limit is applied to what the template
  // makes of the sequences, not to the sequences themselves.
  bool useTemplate = hasTemplate && (addSpecial || templateTypesWithoutSpecial);
  size_t copies[2] = {1, pair ? size_t(1) : size_t(0)};
  if (useTemplate) {
    copies[0] = copies[1] = 0;
    for (const TemplatePiece &p : pair ? pairTemplate : singleTemplate)
      if (p.isSequence)
        ++copies[p.sequence];
    if (!pair)
      copies[1] = 0;
  }

  if (maxTokens > 0) {
    size_t specials = addSpecial ? specialTokenCount(pair != nullptr) : 0;
    if (maxTokens < specials) {
      error = "max_length " + std::to_string(maxTokens) +
              " leaves no room for the " + std::to_string(specials) +
              " special tokens";
      return false;
    }
    size_t budget = maxTokens - specials;
    size_t n1 = copies[0] ? seq[0].size() : 0;
    size_t n2 = copies[1] ? seq[1].size() : 0;
    if (copies[0] * n1 + copies[1] * n2 <= budget) {
      // Nothing to cut.
    } else if (!copies[0] || !copies[1]) {
      int only = copies[0] ? 0 : 1;
      seq[only].resize(budget / copies[only]);
    } else if (copies[0] == copies[1]) {
      // tokenizers' LongestFirst: keep the shorter whole if the longer can
      // absorb the cut, else split the budget evenly (the odd token to the
      // second sequence).
      budget /= copies[0];
      bool swapped = n1 > n2;
      size_t s = swapped ? n2 : n1, l = swapped ? n1 : n2;
      if (s > budget)
        l = s;
      else
        l = std::max(s, budget - s);
      if (s + l > budget) {
        s = budget / 2;
        l = s + budget % 2;
      }
      size_t keep1 = swapped ? l : s, keep2 = swapped ? s : l;
      if (seq[0].size() > keep1)
        seq[0].resize(keep1);
      if (seq[1].size() > keep2)
        seq[1].resize(keep2);
    } else {
      // Sequences repeated unequally: cut the longer one token at a time
      // (the second on a tie) until the output fits; at most n1 + n2 steps.
      while (copies[0] * n1 + copies[1] * n2 > budget) {
        if (n1 > n2)
          --n1;
        else
          --n2;
      }
      seq[0].resize(n1);
      seq[1].resize(n2);
    }
  }

  out.ids.clear();
  out.typeIds.clear();
  // Without special tokens TemplateProcessing still types the sequences by
  // its template; otherwise the second sequence is type 1 and the first 0.
  if (useTemplate) {
    for (const TemplatePiece &p : pair ? pairTemplate : singleTemplate) {
      if (p.isSequence) {
        const std::vector<int32_t> &s = seq[p.sequence];
        out.ids.insert(out.ids.end(), s.begin(), s.end());
        out.typeIds.insert(out.typeIds.end(), s.size(), p.typeId);
      } else if (addSpecial) {
        out.ids.insert(out.ids.end(), p.ids.begin(), p.ids.end());
        out.typeIds.insert(out.typeIds.end(), p.ids.size(), p.typeId);
      }
    }
    return true;
  }
  for (int i = 0; i < (pair ? 2 : 1); ++i) {
    out.ids.insert(out.ids.end(), seq[i].begin(), seq[i].end());
    out.typeIds.insert(out.typeIds.end(), seq[i].size(), i);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

namespace {

/// tokenizers' WordPiece decoder cleanup, applied to one token at a time.
void cleanup(std::string &token) {
  static const std::pair<const char *, const char *> kRules[] = {
      {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
      {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
      {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto &rule : kRules)
    replaceAll(token, rule.first, rule.second);
}

/// The byte of a byte-fallback token, or -1. tokenizers takes a token of
/// six bytes "<0x??>" and reads ?? with Rust's u8::from_str_radix: two hex
/// digits of either case, or '+' and one digit.
int fallbackByte(const std::string &t) {
  if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>')
    return -1;
  auto digit = [](char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  int hi = t[3] == '+' ? 0 : digit(t[3]), lo = digit(t[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/// tokenizers' ByteFallback decoder: each run of byte tokens becomes its
/// text if the bytes are well-formed UTF-8, else one U+FFFD per byte.
void byteFallback(std::vector<std::string> &tokens) {
  std::vector<std::string> out;
  std::string bytes;
  auto flush = [&] {
    if (isValidUtf8(bytes))
      out.push_back(bytes);
    else
      out.insert(out.end(), bytes.size(), "\xEF\xBF\xBD");
    bytes.clear();
  };
  for (std::string &t : tokens) {
    int b = fallbackByte(t);
    if (b >= 0) {
      bytes += static_cast<char>(b);
      continue;
    }
    if (!bytes.empty())
      flush();
    out.push_back(std::move(t));
  }
  if (!bytes.empty())
    flush();
  tokens.swap(out);
}

/// GPT-2's byte map back to bytes, all tokens as one string; a token with a
/// character outside the map (an added token, say) contributes its own
/// UTF-8 bytes, as tokenizers does.
void byteLevel(std::vector<std::string> &tokens) {
  std::string bytes;
  for (const std::string &t : tokens) {
    size_t mark = bytes.size();
    const char *p = t.data();
    const char *end = p + t.size();
    bool mapped = true;
    while (p < end) {
      int b = charToByte(decodeValid(p));
      if (b < 0) {
        mapped = false;
        break;
      }
      bytes += static_cast<char>(b);
    }
    if (!mapped) {
      bytes.resize(mark);
      bytes += t;
    }
  }
  tokens.assign(1, std::string());
  toValidUtf8(bytes, tokens[0]);
}

/// One decoder of the chain on `tokens`.
void applyDecoder(const DecoderStep &step, std::vector<std::string> &tokens) {
  switch (step.kind) {
  case DecoderStep::Kind::WordPiece:
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string &t = tokens[i];
      if (i > 0 && t.compare(0, step.pattern.size(), step.pattern) == 0)
        t.erase(0, step.pattern.size());
      else if (i > 0)
        t.insert(0, 1, ' ');
      if (step.cleanup)
        cleanup(t);
    }
    return;
  case DecoderStep::Kind::ByteLevel:
    byteLevel(tokens);
    return;
  case DecoderStep::Kind::Replace:
    for (std::string &t : tokens)
      replaceAll(t, step.pattern, step.content);
    return;
  case DecoderStep::Kind::ByteFallback:
    byteFallback(tokens);
    return;
  case DecoderStep::Kind::Fuse: {
    std::string all;
    for (const std::string &t : tokens)
      all += t;
    tokens.assign(1, std::move(all));
    return;
  }
  case DecoderStep::Kind::Strip: {
    // tokenizers panics when the two cuts cross; the token is then empty.
    const std::string &c = step.content;
    for (std::string &t : tokens) {
      size_t begin = 0, end = t.size();
      for (size_t i = 0; i < step.start && t.compare(begin, c.size(), c) == 0;
           ++i)
        begin += c.size();
      for (size_t i = 0; i < step.stop && end >= begin + c.size() &&
                         t.compare(end - c.size(), c.size(), c) == 0;
           ++i)
        end -= c.size();
      t = t.substr(begin, end - begin);
    }
    return;
  }
  case DecoderStep::Kind::Metaspace:
    for (size_t i = 0; i < tokens.size(); ++i)
      replaceAll(tokens[i], step.pattern, i == 0 && step.dropFirst ? "" : " ");
    return;
  }
}

} // namespace

bool Tokenizer::decode(const int64_t *ids, size_t count, bool skipSpecial,
                       std::string &out, std::string &error) const {
  out.clear();
  std::vector<std::string> tokens;
  tokens.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const std::string *t = vocab.token(ids[i]);
    if (!t) {
      error = "id " + std::to_string(ids[i]) + " at position " +
              std::to_string(i) + " is outside the vocabulary [0, " +
              std::to_string(vocab.size()) + ")";
      return false;
    }
    if (skipSpecial && isSpecial(static_cast<int32_t>(ids[i])))
      continue;
    tokens.push_back(*t);
  }
  for (const DecoderStep &step : decoders)
    applyDecoder(step, tokens);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i && !hasDecoder)
      out += ' ';
    out += tokens[i];
  }
  return true;
}
