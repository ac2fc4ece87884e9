//===- TokenizerEncodeFuzzer.cpp - libFuzzer target for encode/decode -----===//
//
// Loads the committed test tokenizers (test/tokenizers/) once, then uses the
// fuzz input as text or ids. The first byte picks the tokenizer and what to
// do with the rest:
//   bits 0-1: 0 wordpiece-uncased/tokenizer.json, 1 wordpiece-cased/vocab.txt,
//             2 bpe/vocab.json + merges.txt, 3 bpe-prefix/tokenizer.json
//   bits 2-3: 0 encode the rest as one text and decode its ids;
//             1 encode a padded batch of pairs (the rest split at its first
//               tab; the second byte gives max_length and the flags);
//             2 decode the rest as ids (16-bit little-endian values mapped
//               onto [-1, vocab_size], the ends included);
//             3 decode the rest as raw 64-bit ids
//   bit 4:    skip special tokens when decoding
// Byte-level BPE without a prefix space must decode valid UTF-8 exactly.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/TokenizerFuzzUtil.h"

#include <cstring>
#include <string>

#ifndef XFMR_FUZZ_TOKENIZER_DIR
#error "XFMR_FUZZ_TOKENIZER_DIR names test/tokenizers"
#endif

namespace {

xfmr_tokenizer *load(const char *relative) {
  std::string path = std::string(XFMR_FUZZ_TOKENIZER_DIR) + "/" + relative;
  xfmr_tokenizer *t = nullptr;
  if (xfmr_tokenizer_load(path.c_str(), 0, &t) != XFMR_OK) {
    fprintf(stderr, "cannot load %s: %s\n", path.c_str(), xfmr_last_error());
    std::abort();
  }
  return t;
}

xfmr_tokenizer *const *tokenizers() {
  static xfmr_tokenizer *const all[4] = {
      load("wordpiece-uncased/tokenizer.json"),
      load("wordpiece-cased/vocab.txt"), load("bpe/vocab.json"),
      load("bpe-prefix/tokenizer.json")};
  return all;
}

bool isValidUtf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

void encodeBatch(const xfmr_tokenizer *t, const char *rest, size_t size,
                 uint8_t control) {
  const char *tab = static_cast<const char *>(std::memchr(rest, '\t', size));
  const char *texts[2] = {rest, ""};
  size_t textSizes[2] = {tab ? size_t(tab - rest) : size, 0};
  const char *pairs[2] = {tab ? tab + 1 : "", rest};
  size_t pairSizes[2] = {tab ? size - (tab - rest) - 1 : 0, size};
  int64_t maxLength = control & 63;
  uint32_t flags = 0;
  if (control & 64)
    flags |= XFMR_ENCODE_NO_SPECIAL_TOKENS;
  if ((control & 128) && maxLength > 0)
    flags |= XFMR_ENCODE_PAD_TO_MAX_LENGTH;
  bool withPairs = control & 32;
  xfmr_encoding *e = nullptr;
  xfmr_status s = xfmr_tokenizer_encode_batch(
      t, 2, texts, textSizes, withPairs ? pairs : nullptr,
      withPairs ? pairSizes : nullptr, maxLength, flags, &e);
  xfmr::fuzz::checkFailure(s);
  if (s != XFMR_OK) {
    // A row too short for its special tokens is the only legal failure.
    if (e)
      xfmr::fuzz::fail("a failed encode_batch returned an encoding");
    return;
  }
  int64_t vocab = xfmr::fuzz::vocabSize(t);
  if (e->batch != 2 || e->seq < 1)
    xfmr::fuzz::fail("encode_batch shape");
  if (maxLength > 0 && e->seq > maxLength)
    xfmr::fuzz::fail("encode_batch ignored max_length");
  if ((flags & XFMR_ENCODE_PAD_TO_MAX_LENGTH) && e->seq != maxLength)
    xfmr::fuzz::fail("encode_batch did not pad to max_length");
  int64_t longest = 0;
  for (int64_t b = 0; b < 2; ++b) {
    int64_t length = e->lengths[b];
    if (length < 0 || length > e->seq)
      xfmr::fuzz::fail("encode_batch length");
    longest = std::max(longest, length);
    for (int64_t i = 0; i < e->seq; ++i) {
      int64_t id = e->input_ids[b * e->seq + i];
      int64_t mask = e->attention_mask[b * e->seq + i];
      int64_t type = e->token_type_ids[b * e->seq + i];
      if (id < 0 || id >= vocab || mask != (i < length ? 1 : 0) || type < 0 ||
          type > 1 || (!withPairs && type != 0 && i < length))
        xfmr::fuzz::fail("encode_batch cell");
    }
    xfmr::fuzz::decodeAny(t, e->input_ids + b * e->seq, length, 0);
  }
  if (!(flags & XFMR_ENCODE_PAD_TO_MAX_LENGTH) &&
      e->seq != std::max<int64_t>(longest, 1))
    xfmr::fuzz::fail("encode_batch padded past the longest row");
  xfmr_encoding_free(e);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const uint8_t selector = data[0];
  const char *rest = reinterpret_cast<const char *>(data + 1);
  size_t restSize = size - 1;
  unsigned which = selector & 3u;
  const xfmr_tokenizer *t = tokenizers()[which];
  bool skipSpecial = selector & 16u;
  uint32_t decodeFlags = skipSpecial ? XFMR_DECODE_SKIP_SPECIAL_TOKENS : 0;
  int64_t vocab = xfmr::fuzz::vocabSize(t);

  switch ((selector >> 2) & 3u) {
  case 0: {
    std::vector<int64_t> ids =
        xfmr::fuzz::encodeDecode(t, rest, restSize, skipSpecial);
    if (which == 2 &&
        isValidUtf8(reinterpret_cast<const unsigned char *>(rest), restSize)) {
      char *text = nullptr;
      size_t textSize = 0;
      if (xfmr_tokenizer_decode(t, ids.data(), int64_t(ids.size()), 0, &text,
                                &textSize) != XFMR_OK)
        xfmr::fuzz::fail("decode failed");
      if (textSize != restSize || std::memcmp(text, rest, restSize) != 0)
        xfmr::fuzz::fail("byte-level BPE does not decode its encoding exactly");
      xfmr_text_free(text);
    }
    break;
  }
  case 1:
    if (restSize == 0)
      return 0;
    encodeBatch(t, rest + 1, restSize - 1, static_cast<uint8_t>(rest[0]));
    break;
  case 2: {
    std::vector<int64_t> ids;
    for (size_t i = 0; i + 1 < restSize; i += 2) {
      uint16_t v =
          static_cast<uint8_t>(rest[i]) |
          static_cast<uint16_t>(static_cast<uint8_t>(rest[i + 1]) << 8);
      ids.push_back(int64_t(v % (vocab + 2)) - 1);
    }
    xfmr::fuzz::decodeAny(t, ids.data(), int64_t(ids.size()), decodeFlags);
    break;
  }
  default: {
    std::vector<int64_t> ids(restSize / 8);
    if (!ids.empty())
      std::memcpy(ids.data(), rest, ids.size() * 8);
    xfmr::fuzz::decodeAny(t, ids.data(), int64_t(ids.size()), decodeFlags);
    break;
  }
  }
  return 0;
}
