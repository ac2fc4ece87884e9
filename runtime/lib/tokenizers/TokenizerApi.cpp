//===- TokenizerApi.cpp - the tokenizer C API -----------------------------===//
//
// Implements the tokenizer part of runtime/include/xfmr/runtime.h: argument
// checks, ownership of the returned buffers, and the mapping of the C++
// tokenizer's results to status codes and xfmr_last_error().
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Status.h"
#include "runtime/lib/tokenizers/Loaders.h"
#include "runtime/lib/tokenizers/TokenizerHandle.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

using namespace xfmr::tokenizers;
using xfmr::runtime::fail;
using xfmr::runtime::guard;

namespace {

Casing casingOf(uint32_t flags) {
  if (flags & XFMR_TOKENIZER_LOWERCASE)
    return Casing::Lowercase;
  if (flags & XFMR_TOKENIZER_KEEP_CASE)
    return Casing::Keep;
  return Casing::Detect;
}

xfmr_status checkLoadFlags(uint32_t flags) {
  if (flags & ~(XFMR_TOKENIZER_LOWERCASE | XFMR_TOKENIZER_KEEP_CASE))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "unknown tokenizer load flags " + std::to_string(flags));
  if ((flags & XFMR_TOKENIZER_LOWERCASE) && (flags & XFMR_TOKENIZER_KEEP_CASE))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "XFMR_TOKENIZER_LOWERCASE and XFMR_TOKENIZER_KEEP_CASE "
                "exclude each other");
  return XFMR_OK;
}

} // namespace

xfmr_status xfmr_tokenizer_load(const char *path, uint32_t flags,
                                xfmr_tokenizer **out_tokenizer) {
  return guard("loading the tokenizer", [&]() -> xfmr_status {
    if (!out_tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_tokenizer is NULL");
    *out_tokenizer = nullptr;
    if (!path || !*path)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "the tokenizer path is empty");
    if (xfmr_status s = checkLoadFlags(flags))
      return s;
    std::unique_ptr<xfmr_tokenizer> t(new (std::nothrow) xfmr_tokenizer);
    if (!t)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate a tokenizer");
    std::string error;
    xfmr_status status =
        loadTokenizerPath(path, casingOf(flags), t->impl, error);
    if (status != XFMR_OK)
      return fail(status, error);
    *out_tokenizer = t.release();
    return XFMR_OK;
  });
}

xfmr_status xfmr_tokenizer_load_from_memory(xfmr_tokenizer_format format,
                                            const void *data, size_t size,
                                            const void *merges,
                                            size_t merges_size, uint32_t flags,
                                            xfmr_tokenizer **out_tokenizer) {
  return guard("loading the tokenizer", [&]() -> xfmr_status {
    if (!out_tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_tokenizer is NULL");
    *out_tokenizer = nullptr;
    if (!data && size)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "data is NULL");
    if (xfmr_status s = checkLoadFlags(flags))
      return s;
    bool wantsMerges = format == XFMR_TOKENIZER_FORMAT_VOCAB_JSON;
    if (wantsMerges && !merges && merges_size)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "merges is NULL");
    if (!wantsMerges && (merges || merges_size))
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "merges are only for XFMR_TOKENIZER_FORMAT_VOCAB_JSON");
    std::unique_ptr<xfmr_tokenizer> t(new (std::nothrow) xfmr_tokenizer);
    if (!t)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate a tokenizer");
    std::string_view text(static_cast<const char *>(data), data ? size : 0);
    std::string error;
    xfmr_status status;
    switch (format) {
    case XFMR_TOKENIZER_FORMAT_JSON:
      status = loadTokenizerJson(text, t->impl, error);
      if (status != XFMR_OK)
        error = "tokenizer.json: " + error;
      break;
    case XFMR_TOKENIZER_FORMAT_VOCAB_TXT:
      status = loadVocabTxt(text, casingOf(flags), t->impl, error);
      break;
    case XFMR_TOKENIZER_FORMAT_VOCAB_JSON:
      status = loadVocabJsonMerges(
          text,
          std::string_view(static_cast<const char *>(merges),
                           merges ? merges_size : 0),
          t->impl, error);
      break;
    default:
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "unknown tokenizer format " + std::to_string(format));
    }
    if (status != XFMR_OK)
      return fail(status, error);
    *out_tokenizer = t.release();
    return XFMR_OK;
  });
}

void xfmr_tokenizer_free(xfmr_tokenizer *tokenizer) { delete tokenizer; }

xfmr_status xfmr_tokenizer_get_info(const xfmr_tokenizer *tokenizer,
                                    xfmr_tokenizer_info *out_info) {
  return guard("reading the tokenizer info", [&]() -> xfmr_status {
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (!out_info)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    const Tokenizer &t = tokenizer->impl;
    bool wordPiece = t.modelKind == Tokenizer::ModelKind::WordPiece;
    out_info->model = wordPiece ? "wordpiece" : "bpe";
    out_info->vocab_size = static_cast<int64_t>(t.vocab.size());
    out_info->pad_id = t.padId;
    out_info->unk_id = wordPiece ? t.wordPiece.unkId : t.bpe.unkId;
    out_info->max_length = t.maxLength;
    return XFMR_OK;
  });
}

xfmr_status xfmr_tokenizer_encode(const xfmr_tokenizer *tokenizer,
                                  const char *text, size_t size, uint32_t flags,
                                  int64_t *ids, int64_t capacity,
                                  int64_t *out_count) {
  return guard("tokenizing", [&]() -> xfmr_status {
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (!text && size)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "text is NULL");
    if (!out_count)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_count is NULL");
    if (capacity < 0 || (!ids && capacity > 0))
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "ids must hold capacity >= 0 entries");
    if (flags & ~XFMR_ENCODE_NO_SPECIAL_TOKENS)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "unknown encode flags " + std::to_string(flags));
    *out_count = 0;
    Encoding encoding;
    std::string error;
    if (!tokenizer->impl.encode(
            std::string_view(text ? text : "", size), nullptr, 0,
            !(flags & XFMR_ENCODE_NO_SPECIAL_TOKENS), encoding, error))
      return fail(XFMR_ERROR_INVALID_ARGUMENT, error);
    int64_t n = static_cast<int64_t>(encoding.ids.size());
    *out_count = n;
    if (n > capacity)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "the text has " + std::to_string(n) +
                      " tokens but ids holds " + std::to_string(capacity));
    for (int64_t i = 0; i < n; ++i)
      ids[i] = encoding.ids[i];
    return XFMR_OK;
  });
}

void xfmr_encoding_free(xfmr_encoding *encoding) {
  if (!encoding)
    return;
  std::free(encoding->input_ids);
  std::free(encoding->attention_mask);
  std::free(encoding->token_type_ids);
  std::free(encoding->lengths);
  std::free(encoding);
}

xfmr_status xfmr_tokenizer_encode_batch(const xfmr_tokenizer *tokenizer,
                                        int64_t batch, const char *const *texts,
                                        const size_t *text_sizes,
                                        const char *const *pairs,
                                        const size_t *pair_sizes,
                                        int64_t max_length, uint32_t flags,
                                        xfmr_encoding **out_encoding) {
  return guard("tokenizing", [&]() -> xfmr_status {
    if (!out_encoding)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_encoding is NULL");
    *out_encoding = nullptr;
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (batch <= 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "batch must be positive, got " + std::to_string(batch));
    if (!texts)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "texts is NULL");
    if (max_length < 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "max_length must not be negative, got " +
                      std::to_string(max_length));
    if (flags &
        ~(XFMR_ENCODE_NO_SPECIAL_TOKENS | XFMR_ENCODE_PAD_TO_MAX_LENGTH))
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "unknown encode flags " + std::to_string(flags));
    bool padToMax = flags & XFMR_ENCODE_PAD_TO_MAX_LENGTH;
    if (padToMax && max_length == 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "XFMR_ENCODE_PAD_TO_MAX_LENGTH needs max_length > 0");
    const Tokenizer &t = tokenizer->impl;

    std::vector<Encoding> rows;
    if (batch > (int64_t(1) << 24))
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "batch is too large");
    rows.resize(static_cast<size_t>(batch));
    size_t longest = 0;
    std::string error;
    for (int64_t b = 0; b < batch; ++b) {
      auto view = [&](const char *const *list, const size_t *sizes,
                      std::string_view &out) {
        const char *s = list[b];
        if (!s && (!sizes || sizes[b]))
          return false;
        out = std::string_view(s ? s : "", sizes ? sizes[b] : std::strlen(s));
        return true;
      };
      std::string_view text, pair;
      if (!view(texts, text_sizes, text))
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "texts[" + std::to_string(b) + "] is NULL");
      if (pairs && !view(pairs, pair_sizes, pair))
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "pairs[" + std::to_string(b) + "] is NULL");
      if (!t.encode(text, pairs ? &pair : nullptr,
                    static_cast<size_t>(max_length),
                    !(flags & XFMR_ENCODE_NO_SPECIAL_TOKENS), rows[b], error))
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "texts[" + std::to_string(b) + "]: " + error);
      longest = std::max(longest, rows[b].ids.size());
    }
    size_t seq = padToMax ? static_cast<size_t>(max_length) : longest;
    if (seq == 0)
      seq = 1; // an all-empty batch still has a shape; the row is padding
    size_t cells = static_cast<size_t>(batch) * seq;
    if (cells / seq != static_cast<size_t>(batch) || cells > (size_t(1) << 32))
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "the batch is too large");

    auto *e =
        static_cast<xfmr_encoding *>(std::calloc(1, sizeof(xfmr_encoding)));
    if (!e)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate the encoding");
    e->batch = batch;
    e->seq = static_cast<int64_t>(seq);
    e->input_ids = static_cast<int64_t *>(std::malloc(cells * sizeof(int64_t)));
    e->attention_mask =
        static_cast<int64_t *>(std::malloc(cells * sizeof(int64_t)));
    e->token_type_ids =
        static_cast<int64_t *>(std::malloc(cells * sizeof(int64_t)));
    e->lengths = static_cast<int64_t *>(std::malloc(batch * sizeof(int64_t)));
    if (!e->input_ids || !e->attention_mask || !e->token_type_ids ||
        !e->lengths) {
      xfmr_encoding_free(e);
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate the encoding");
    }
    int64_t pad = t.padId >= 0 ? t.padId : 0;
    for (int64_t b = 0; b < batch; ++b) {
      const Encoding &row = rows[b];
      int64_t *ids = e->input_ids + b * seq;
      int64_t *mask = e->attention_mask + b * seq;
      int64_t *types = e->token_type_ids + b * seq;
      for (size_t i = 0; i < seq; ++i) {
        bool token = i < row.ids.size();
        ids[i] = token ? row.ids[i] : pad;
        mask[i] = token ? 1 : 0;
        types[i] = token ? row.typeIds[i] : 0;
      }
      e->lengths[b] = static_cast<int64_t>(row.ids.size());
    }
    *out_encoding = e;
    return XFMR_OK;
  });
}

xfmr_status xfmr_tokenizer_decode(const xfmr_tokenizer *tokenizer,
                                  const int64_t *ids, int64_t count,
                                  uint32_t flags, char **out_text,
                                  size_t *out_size) {
  return guard("decoding", [&]() -> xfmr_status {
    if (out_text)
      *out_text = nullptr;
    if (out_size)
      *out_size = 0;
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (!out_text || !out_size)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_text or out_size is NULL");
    if (count < 0 || (!ids && count > 0))
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "ids must hold count >= 0 entries");
    if (flags & ~XFMR_DECODE_SKIP_SPECIAL_TOKENS)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "unknown decode flags " + std::to_string(flags));
    std::string text, error;
    if (!tokenizer->impl.decode(ids, static_cast<size_t>(count),
                                flags & XFMR_DECODE_SKIP_SPECIAL_TOKENS, text,
                                error))
      return fail(XFMR_ERROR_INVALID_ARGUMENT, error);
    char *copy = static_cast<char *>(std::malloc(text.size() + 1));
    if (!copy)
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate the text");
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    *out_text = copy;
    *out_size = text.size();
    return XFMR_OK;
  });
}

void xfmr_text_free(char *text) { std::free(text); }

xfmr_status xfmr_tokenizer_token_to_id(const xfmr_tokenizer *tokenizer,
                                       const char *token, int64_t *out_id) {
  return guard("looking up a token", [&]() -> xfmr_status {
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (!token || !out_id)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "token or out_id is NULL");
    *out_id = tokenizer->impl.vocab.find(token);
    return XFMR_OK;
  });
}

xfmr_status xfmr_tokenizer_id_to_token(const xfmr_tokenizer *tokenizer,
                                       int64_t id, const char **out_token) {
  return guard("looking up a token", [&]() -> xfmr_status {
    if (!tokenizer)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "tokenizer is NULL");
    if (!out_token)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_token is NULL");
    *out_token = nullptr;
    const std::string *t = tokenizer->impl.vocab.token(id);
    if (!t)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "id " + std::to_string(id) +
                      " is outside the vocabulary [0, " +
                      std::to_string(tokenizer->impl.vocab.size()) + ")");
    *out_token = t->c_str();
    return XFMR_OK;
  });
}
