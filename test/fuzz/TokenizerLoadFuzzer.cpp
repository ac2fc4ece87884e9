//===- TokenizerLoadFuzzer.cpp - libFuzzer target for tokenizer files -----===//
//
// Feeds arbitrary bytes to xfmr_tokenizer_load_from_memory. The first byte
// picks the format and the load flags:
//   bits 0-1: 0 tokenizer.json, 1 vocab.txt, 2 vocab.json + merges.txt,
//             3 an unknown format (must fail cleanly)
//   bits 2-3: load flags (LOWERCASE, KEEP_CASE; both together is an error)
// For vocab.json + merges.txt the rest is split at its first NUL byte:
// vocab.json before it, merges.txt after it (JSON text holds no raw NUL).
// A tokenizer that loads is then used: every id is decoded, the vocabulary
// is looked up both ways, and the input itself is encoded and decoded.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/TokenizerFuzzUtil.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const uint8_t selector = data[0];
  const char *rest = reinterpret_cast<const char *>(data + 1);
  size_t restSize = size - 1;
  uint32_t flags = (selector >> 2) & 3u;

  xfmr_tokenizer_format format;
  const char *file = rest, *merges = nullptr;
  size_t fileSize = restSize, mergesSize = 0;
  switch (selector & 3u) {
  case 0:
    format = XFMR_TOKENIZER_FORMAT_JSON;
    break;
  case 1:
    format = XFMR_TOKENIZER_FORMAT_VOCAB_TXT;
    break;
  case 2: {
    format = XFMR_TOKENIZER_FORMAT_VOCAB_JSON;
    const void *nul = std::memchr(rest, '\0', restSize);
    if (nul) {
      fileSize = static_cast<const char *>(nul) - rest;
      merges = rest + fileSize + 1;
      mergesSize = restSize - fileSize - 1;
    }
    break;
  }
  default:
    // 0 is no format (and, unlike larger values, a valid value of the C++
    // enum type, so passing it is not itself undefined behaviour).
    format = static_cast<xfmr_tokenizer_format>(0);
    break;
  }

  xfmr_tokenizer *t = nullptr;
  xfmr_status s = xfmr_tokenizer_load_from_memory(
      format, file, fileSize, merges, mergesSize, flags, &t);
  xfmr::fuzz::checkFailure(s);
  if ((s == XFMR_OK) != (t != nullptr))
    xfmr::fuzz::fail("status and handle disagree");
  if (s != XFMR_OK)
    return 0;
  if ((selector & 3u) == 3u || flags == 3u)
    xfmr::fuzz::fail("an invalid format or flag combination loaded");

  int64_t vocab = xfmr::fuzz::vocabSize(t);
  xfmr::fuzz::checkVocab(t, 4096);
  // Decode every id (up to a bound), alone and all together.
  std::vector<int64_t> ids;
  for (int64_t id = 0; id < std::min<int64_t>(vocab, 4096); ++id)
    ids.push_back(id);
  for (uint32_t flags : {0u, unsigned(XFMR_DECODE_SKIP_SPECIAL_TOKENS)}) {
    xfmr::fuzz::decodeAny(t, ids.data(), static_cast<int64_t>(ids.size()),
                          flags);
    for (size_t i = 0; i < std::min<size_t>(ids.size(), 512); ++i)
      xfmr::fuzz::decodeAny(t, &ids[i], 1, flags);
  }
  // Encode some text with the loaded tokenizer: a fixed sample and the
  // file's own first bytes (which hold its token spellings).
  static const char kSample[] =
      "Hello, World! Ünïcödé 日本語 🤗 don't  "
      "[CLS] <|endoftext|> ##ing \xff\xfe";
  xfmr::fuzz::encodeDecode(t, kSample, sizeof(kSample) - 1, false,
                           /*mayFail=*/true);
  xfmr::fuzz::encodeDecode(t, rest, std::min<size_t>(restSize, 1024), true,
                           /*mayFail=*/true);
  xfmr_tokenizer_free(t);
  return 0;
}
