//===- TokenizerFuzzUtil.h - checks of the tokenizer fuzzers ---*- C++ -*-===//
//
// Exercises a loaded tokenizer through the C API and checks what the API
// promises: ids inside the vocabulary, consistent padded batches, decode of
// every id, token_to_id(id_to_token(id)) naming a token spelled the same.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_TEST_FUZZ_TOKENIZERFUZZUTIL_H
#define XFMR_TEST_FUZZ_TOKENIZERFUZZUTIL_H

#include "xfmr/runtime.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace xfmr::fuzz {

[[noreturn]] inline void fail(const char *what) {
  fprintf(stderr, "fuzz invariant violated: %s (last error: %s)\n", what,
          xfmr_last_error());
  std::abort();
}

/// A failed call must leave a message.
inline void checkFailure(xfmr_status status) {
  if (status == XFMR_OK)
    return;
  const char *message = xfmr_last_error();
  if (!message || !*message)
    fail("a failing call left no message");
}

inline int64_t vocabSize(const xfmr_tokenizer *t) {
  xfmr_tokenizer_info info;
  if (xfmr_tokenizer_get_info(t, &info) != XFMR_OK)
    fail("get_info failed");
  if (info.vocab_size <= 0 || info.pad_id < -1 ||
      info.pad_id >= info.vocab_size || info.unk_id < -1 ||
      info.unk_id >= info.vocab_size || info.max_length < 0)
    fail("get_info out of range");
  return info.vocab_size;
}

/// Encodes `text` (one text, with and without special tokens) and decodes
/// the ids back; returns the ids without special tokens. With `mayFail`,
/// encoding may fail with a message (a hostile vocabulary may lack a byte
/// and have no unknown token: byte-level BPE then refuses rather than drop
/// the character); otherwise it must succeed.
inline std::vector<int64_t> encodeDecode(const xfmr_tokenizer *t,
                                         const char *text, size_t size,
                                         bool skipSpecial,
                                         bool mayFail = false) {
  int64_t vocab = vocabSize(t);
  std::vector<int64_t> plain;
  for (uint32_t flags : {0u, unsigned(XFMR_ENCODE_NO_SPECIAL_TOKENS)}) {
    int64_t count = -1;
    xfmr_status s =
        xfmr_tokenizer_encode(t, text, size, flags, nullptr, 0, &count);
    if (s == XFMR_OK && count != 0)
      fail("encode into an empty array succeeded with tokens");
    if (count < 0)
      fail("encode gave a negative count");
    if (s != XFMR_OK && count == 0) {
      // Not a capacity problem: the text cannot be encoded.
      checkFailure(s);
      if (!mayFail)
        fail("encode failed");
      return {};
    }
    std::vector<int64_t> ids(static_cast<size_t>(count));
    int64_t again = -1;
    s = xfmr_tokenizer_encode(t, text, size, flags, ids.data(), count, &again);
    checkFailure(s);
    if (s != XFMR_OK)
      fail("encode failed with enough room");
    if (again != count)
      fail("encode counts differ between calls");
    for (int64_t id : ids)
      if (id < 0 || id >= vocab)
        fail("encode gave an id outside the vocabulary");
    char *decoded = nullptr;
    size_t decodedSize = 0;
    s = xfmr_tokenizer_decode(t, ids.data(), count,
                              skipSpecial ? XFMR_DECODE_SKIP_SPECIAL_TOKENS : 0,
                              &decoded, &decodedSize);
    checkFailure(s);
    if (s != XFMR_OK || !decoded || decoded[decodedSize] != '\0')
      fail("decode of encoded ids failed");
    xfmr_text_free(decoded);
    if (flags == XFMR_ENCODE_NO_SPECIAL_TOKENS)
      plain = std::move(ids);
  }
  return plain;
}

/// Decodes `ids` (any values); an id outside the vocabulary must fail.
inline void decodeAny(const xfmr_tokenizer *t, const int64_t *ids,
                      int64_t count, uint32_t flags) {
  int64_t vocab = vocabSize(t);
  bool valid = true;
  for (int64_t i = 0; i < count; ++i)
    valid = valid && ids[i] >= 0 && ids[i] < vocab;
  char *text = nullptr;
  size_t size = 0;
  xfmr_status s = xfmr_tokenizer_decode(t, ids, count, flags, &text, &size);
  checkFailure(s);
  if (valid != (s == XFMR_OK))
    fail(valid ? "decode of valid ids failed"
               : "decode of an id outside the vocabulary succeeded");
  if (s == XFMR_OK && (!text || text[size] != '\0'))
    fail("decoded text is not NUL-terminated");
  xfmr_text_free(text);
}

/// id_to_token and token_to_id agree for the first `limit` ids.
inline void checkVocab(const xfmr_tokenizer *t, int64_t limit) {
  int64_t vocab = vocabSize(t);
  for (int64_t id = 0; id < std::min(vocab, limit); ++id) {
    const char *token = nullptr;
    if (xfmr_tokenizer_id_to_token(t, id, &token) != XFMR_OK || !token)
      fail("id_to_token failed inside the vocabulary");
    int64_t back = -2;
    if (xfmr_tokenizer_token_to_id(t, token, &back) != XFMR_OK || back < -1 ||
        back >= vocab)
      fail("token_to_id gave an id outside [-1, vocab_size)");
    // A token holding a NUL byte is seen through the C API as its prefix,
    // which need not be a token (-1) or may be another one: compare
    // spellings, not ids.
    const char *spelled = nullptr;
    if (back >= 0 &&
        (xfmr_tokenizer_id_to_token(t, back, &spelled) != XFMR_OK ||
         std::strcmp(spelled, token) != 0))
      fail("token_to_id(id_to_token(id)) is spelled differently");
  }
  const char *token = nullptr;
  if (xfmr_tokenizer_id_to_token(t, vocab, &token) == XFMR_OK ||
      xfmr_tokenizer_id_to_token(t, -1, &token) == XFMR_OK)
    fail("id_to_token accepted an id outside the vocabulary");
}

} // namespace xfmr::fuzz

#endif // XFMR_TEST_FUZZ_TOKENIZERFUZZUTIL_H
