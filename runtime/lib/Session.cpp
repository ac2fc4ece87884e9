//===- Session.cpp - decoder sessions: the K/V cache, prefill, decode -----===//
//
// Implements the session part of runtime/include/xfmr/runtime.h. A session
// owns the K/V cache of its sequences and which of the cache's slots hold
// real tokens; the compiled `prefill` and `decode_step` entry points read and
// write the cache in place (docs/abi.md) and keep no state of their own.
//
// The slots are shared by the batch: slot t of every sequence is written by
// the same call. A batch of prompts of different lengths is left-aligned
// first (each row's real tokens moved to its end), so the last column of
// the prefill holds every row's last prompt token, and each decode step
// writes one new slot; the key mask says which slots are real and the
// positions count a row's real tokens, so a row reads exactly what its
// unpadded sequence would.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "runtime/lib/ContextHandle.h"
#include "runtime/lib/Cuda.h"
#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Sampling.h"
#include "runtime/lib/Status.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace xfmr::runtime;

/// A decoder session (runtime.h).
struct xfmr_session {
  xfmr_session(xfmr_context &context, int64_t batch, int64_t capacity,
               KvCacheShape shape)
      : context(context), batch(batch), capacity(capacity), shape(shape),
        keyMask(static_cast<size_t>(batch * capacity), 0), count(batch, 0) {}
  ~xfmr_session() {
    if (onDevice)
      cuda::freeManaged(cache);
    else
      std::free(cache);
  }
  xfmr_session(const xfmr_session &) = delete;
  xfmr_session &operator=(const xfmr_session &) = delete;

  xfmr_context &context;
  const int64_t batch, capacity;
  const KvCacheShape shape;
  /// [layers, 2, batch, kv_heads, capacity, head_dim], zeroed at creation.
  float *cache = nullptr;
  size_t cacheFloats = 0;
  /// The cache is managed memory, for a model on the GPU (Cuda.h).
  bool onDevice = false;
  /// [batch, capacity]: 1 where a slot holds a real token.
  std::vector<int64_t> keyMask;
  /// Real tokens each sequence holds: the position of its next one.
  std::vector<int64_t> count;
  /// Slots used (the same for every sequence); 0 before a prefill.
  int64_t length = 0;
  /// The arrays of a call, reused.
  std::vector<int64_t> ids, positions, mask;

  /// The sizes of the cache argument.
  void cacheSizes(int64_t (&sizes)[6]) const {
    int64_t s[6] = {shape.layers,  2,        batch,
                    shape.kvHeads, capacity, shape.headDim};
    std::copy(std::begin(s), std::end(s), sizes);
  }
  /// Copies slots [0, slots) of every row's key mask into `mask`.
  void copyKeyMask(int64_t slots) {
    mask.resize(static_cast<size_t>(batch * slots));
    for (int64_t b = 0; b < batch; ++b)
      std::copy_n(&keyMask[b * capacity], slots, &mask[b * slots]);
  }
};

namespace {

xfmr_status createSession(xfmr_context *context, int64_t batch,
                          int64_t capacity,
                          std::unique_ptr<xfmr_session> &out) {
  if (!context)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
  const Manifest &m = context->model.manifest;
  int index;
  xfmr_status status = findEntry(context->model, Role::Prefill, index);
  if (status != XFMR_OK)
    return status;
  if (batch <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "batch must be positive, got " + std::to_string(batch));
  if (capacity == 0)
    capacity = m.maxPositions;
  if (capacity < 0 || capacity > m.maxPositions)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "capacity must be in [1, " + std::to_string(m.maxPositions) +
                    "] (the model's positions; 0 for all), got " +
                    std::to_string(capacity));
  KvCacheShape shape = m.kvCache;
  int64_t floats = 1;
  for (int64_t dim : {shape.layers, int64_t(2), batch, shape.kvHeads, capacity,
                      shape.headDim})
    if (__builtin_mul_overflow(floats, dim, &floats))
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "a cache of batch " + std::to_string(batch) + " x " +
                      std::to_string(capacity) + " tokens is too large");
  if (static_cast<uint64_t>(floats) > SIZE_MAX / sizeof(float))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "a cache of batch " + std::to_string(batch) + " x " +
                    std::to_string(capacity) + " tokens is too large");
  auto session =
      std::make_unique<xfmr_session>(*context, batch, capacity, shape);
  // A call's arrays never outgrow [batch, capacity]: no step reallocates.
  size_t cells = static_cast<size_t>(batch * capacity);
  session->ids.reserve(cells);
  session->positions.reserve(cells);
  session->mask.reserve(cells);
  session->cacheFloats = static_cast<size_t>(floats);
  // Zeros: a slot no call has written is masked, but the unfused kernels
  // still multiply its values by a zero probability.
  session->onDevice = m.isCuda();
  session->cache = static_cast<float *>(
      session->onDevice
          ? cuda::allocateManaged(session->cacheFloats * sizeof(float),
                                  /*zeroed=*/true)
          : std::calloc(session->cacheFloats, sizeof(float)));
  if (!session->cache)
    return fail(XFMR_ERROR_OUT_OF_MEMORY,
                "cannot allocate the K/V cache of " +
                    std::to_string(session->cacheFloats * sizeof(float)) +
                    " bytes");
  out = std::move(session);
  return XFMR_OK;
}

xfmr_status checkMask(const int64_t *mask, int64_t batch, int64_t seq) {
  for (int64_t i = 0; i < batch * seq; ++i)
    if (mask[i] != 0 && mask[i] != 1)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "attention_mask[" + std::to_string(i / seq) + "][" +
                      std::to_string(i % seq) +
                      "] = " + std::to_string(mask[i]) + " is not 0 or 1");
  return XFMR_OK;
}

/// Runs the prefill of checked prompts on a busy context.
xfmr_status prefill(xfmr_session &s, int64_t seq, const int64_t *inputIds,
                    const int64_t *attentionMask, float *logits) {
  const Manifest &m = s.context.model.manifest;
  // Empty first: a prefill that fails leaves no half-written sequence.
  s.length = 0;
  std::fill(s.keyMask.begin(), s.keyMask.end(), int64_t(0));
  std::fill(s.count.begin(), s.count.end(), int64_t(0));
  size_t cells = static_cast<size_t>(s.batch * seq);
  s.ids.assign(cells, 0);
  s.positions.assign(cells, 0);
  std::vector<int64_t> real(s.batch, 0);
  // Each row's real tokens, in order, at the end of the row.
  for (int64_t b = 0; b < s.batch; ++b) {
    const int64_t *row = &inputIds[b * seq];
    const int64_t *rowMask = attentionMask ? &attentionMask[b * seq] : nullptr;
    int64_t n = 0;
    for (int64_t t = 0; t < seq; ++t)
      n += rowMask ? rowMask[t] : 1;
    int64_t next = seq - n;
    for (int64_t t = 0; t < seq; ++t) {
      if (rowMask && !rowMask[t])
        continue;
      s.ids[b * seq + next] = row[t];
      s.positions[b * seq + next] = next - (seq - n);
      s.keyMask[b * s.capacity + next] = 1;
      ++next;
    }
    real[b] = n;
  }
  s.copyKeyMask(seq);
  int index = m.findEntry(Role::Prefill);
  int64_t logitsShape[2] = {s.batch, m.vocabSize};
  int64_t tokensShape[2] = {s.batch, seq};
  int64_t cacheShape[6];
  s.cacheSizes(cacheShape);
  const void *data[] = {logits, s.ids.data(), s.positions.data(), s.mask.data(),
                        s.cache};
  const int64_t *shapes[] = {logitsShape, tokensShape, tokensShape, tokensShape,
                             cacheShape};
  xfmr_status status = callEntry(s.context, index, data, shapes, [&] {
    return "batch " + std::to_string(s.batch) + " x prompt " +
           std::to_string(seq);
  });
  if (status != XFMR_OK) {
    std::fill(s.keyMask.begin(), s.keyMask.end(), int64_t(0));
    return status;
  }
  s.length = seq;
  s.count = std::move(real);
  return XFMR_OK;
}

/// Runs one decode step of checked ids (-1: none) on a busy context.
xfmr_status decode(xfmr_session &s, const int64_t *inputIds, float *logits) {
  const Manifest &m = s.context.model.manifest;
  int64_t slot = s.length;
  s.ids.resize(static_cast<size_t>(s.batch));
  s.positions.resize(static_cast<size_t>(s.batch));
  for (int64_t b = 0; b < s.batch; ++b) {
    bool real = inputIds[b] >= 0;
    s.ids[b] = real ? inputIds[b] : 0;
    s.positions[b] = s.count[b];
    s.keyMask[b * s.capacity + slot] = real ? 1 : 0;
  }
  s.copyKeyMask(slot + 1);
  int index = m.findEntry(Role::DecodeStep);
  int64_t logitsShape[2] = {s.batch, m.vocabSize};
  int64_t tokenShape[2] = {s.batch, 1};
  int64_t maskShape[2] = {s.batch, slot + 1};
  int64_t cacheShape[6];
  s.cacheSizes(cacheShape);
  const void *data[] = {logits, s.ids.data(), s.positions.data(), s.mask.data(),
                        s.cache};
  const int64_t *shapes[] = {logitsShape, tokenShape, tokenShape, maskShape,
                             cacheShape};
  xfmr_status status = callEntry(s.context, index, data, shapes, [&] {
    return "batch " + std::to_string(s.batch) + " with " +
           std::to_string(slot) + " cached tokens";
  });
  if (status != XFMR_OK) {
    // The slot is written again by the next step; nothing reads it.
    for (int64_t b = 0; b < s.batch; ++b)
      s.keyMask[b * s.capacity + slot] = 0;
    return status;
  }
  for (int64_t b = 0; b < s.batch; ++b)
    s.count[b] += inputIds[b] >= 0;
  s.length = slot + 1;
  return XFMR_OK;
}

xfmr_status checkPrompts(const xfmr_session &s, int64_t seq,
                         const int64_t *inputIds,
                         const int64_t *attentionMask) {
  if (!inputIds)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "input_ids is NULL");
  if (seq <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "sequence length must be positive, got " + std::to_string(seq));
  if (seq > s.capacity)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "a prompt of " + std::to_string(seq) +
                    " tokens exceeds the session's capacity of " +
                    std::to_string(s.capacity));
  const Manifest &m = s.context.model.manifest;
  xfmr_status status = checkRange("input_ids", inputIds, s.batch, seq,
                                  m.vocabSize, "the vocabulary");
  if (status != XFMR_OK || !attentionMask)
    return status;
  return checkMask(attentionMask, s.batch, seq);
}

/// Runs `body` with the session's context marked busy.
template <typename Body>
xfmr_status onSession(xfmr_session *session, const char *what, Body &&body) {
  return guard(what, [&]() -> xfmr_status {
    if (!session)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "session is NULL");
    BusyScope busy(session->context);
    if (!busy.ok())
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "the session's context is running another call; use one "
                  "context per thread");
    return body(*session);
  });
}

/// Checks generation options against the manifest.
xfmr_status checkOptions(const Manifest &m,
                         const xfmr_generate_options *options,
                         const int64_t *outputIds,
                         const int64_t *outputLengths) {
  if (!options)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "options is NULL");
  if (!outputIds || !outputLengths)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "output_ids and output_lengths must not be NULL");
  if (options->max_new_tokens <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "max_new_tokens must be positive, got " +
                    std::to_string(options->max_new_tokens));
  if (!(options->temperature >= 0.0f) || !std::isfinite(options->temperature))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "temperature must be a finite number >= 0");
  if (options->top_k < 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "top_k must be >= 0");
  if (!(options->top_p > 0.0f && options->top_p <= 1.0f))
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "top_p must be in (0, 1]");
  int64_t eos = options->eos_token_id;
  if (eos != XFMR_EOS_MODEL && eos != -1 && (eos < 0 || eos >= m.vocabSize))
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "eos_token_id " +
                                                 std::to_string(eos) +
                                                 " is outside the vocabulary");
  return XFMR_OK;
}

/// Generation on a busy session with checked arguments.
xfmr_status generate(xfmr_session &s, int64_t seq, const int64_t *inputIds,
                     const int64_t *attentionMask,
                     const xfmr_generate_options &options, int64_t *outputIds,
                     int64_t *outputLengths) {
  const Manifest &m = s.context.model.manifest;
  int64_t steps = options.max_new_tokens, vocab = m.vocabSize;
  int64_t eos = options.eos_token_id == XFMR_EOS_MODEL ? m.eosTokenId
                                                       : options.eos_token_id;
  SamplingOptions sampling{options.temperature, options.top_k, options.top_p};
  RandomStream random(options.seed);
  std::vector<int64_t> scratch;
  std::vector<float> logits(static_cast<size_t>(s.batch * vocab));
  std::fill(outputIds, outputIds + s.batch * steps, int64_t(-1));
  std::fill(outputLengths, outputLengths + s.batch, int64_t(0));

  xfmr_status status = prefill(s, seq, inputIds, attentionMask, logits.data());
  if (status != XFMR_OK)
    return status;
  // A row without a real token has nothing to continue.
  std::vector<bool> done(s.batch);
  for (int64_t b = 0; b < s.batch; ++b)
    done[b] = s.count[b] == 0;
  std::vector<int64_t> next(s.batch);
  for (int64_t t = 0; t < steps; ++t) {
    bool anyLeft = false;
    for (int64_t b = 0; b < s.batch; ++b) {
      next[b] = -1;
      if (done[b])
        continue;
      int64_t token =
          chooseToken(&logits[b * vocab], vocab, sampling, random, scratch);
      outputIds[b * steps + t] = token;
      outputLengths[b] = t + 1;
      done[b] = token == eos;
      if (!done[b])
        next[b] = token;
      anyLeft |= !done[b];
    }
    if (!anyLeft || t + 1 == steps)
      break;
    if ((status = decode(s, next.data(), logits.data())) != XFMR_OK)
      return status;
  }
  return XFMR_OK;
}

} // namespace

xfmr_status xfmr_session_create(xfmr_context *context, int64_t batch,
                                int64_t capacity, xfmr_session **out_session) {
  return guard("creating a session", [&]() -> xfmr_status {
    if (!out_session)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_session is NULL");
    *out_session = nullptr;
    std::unique_ptr<xfmr_session> session;
    xfmr_status status = createSession(context, batch, capacity, session);
    if (status == XFMR_OK)
      *out_session = session.release();
    return status;
  });
}

void xfmr_session_free(xfmr_session *session) { delete session; }

xfmr_status xfmr_session_get_info(const xfmr_session *session,
                                  xfmr_session_info *out_info) {
  return guard("reading the session", [&]() -> xfmr_status {
    if (!session)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "session is NULL");
    if (!out_info)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_info is NULL");
    out_info->batch = session->batch;
    out_info->capacity = session->capacity;
    out_info->length = session->length;
    out_info->cache_bytes =
        static_cast<int64_t>(session->cacheFloats * sizeof(float));
    return XFMR_OK;
  });
}

xfmr_status xfmr_session_prefill(xfmr_session *session, int64_t seq,
                                 const int64_t *input_ids,
                                 const int64_t *attention_mask, float *logits) {
  return onSession(session, "prefilling", [&](xfmr_session &s) {
    if (!logits)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "logits is NULL");
    xfmr_status status = checkPrompts(s, seq, input_ids, attention_mask);
    if (status != XFMR_OK)
      return status;
    return prefill(s, seq, input_ids, attention_mask, logits);
  });
}

xfmr_status xfmr_session_decode(xfmr_session *session, const int64_t *input_ids,
                                float *logits) {
  return onSession(session, "decoding", [&](xfmr_session &s) {
    if (!input_ids || !logits)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "input_ids and logits must not be NULL");
    if (s.length == 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "the session has no prompt yet: call xfmr_session_prefill "
                  "first");
    if (s.length == s.capacity)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "the session's cache is full: it holds " +
                      std::to_string(s.capacity) + " tokens per sequence");
    int64_t vocab = s.context.model.manifest.vocabSize;
    for (int64_t b = 0; b < s.batch; ++b)
      if (input_ids[b] < -1 || input_ids[b] >= vocab)
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "input_ids[" + std::to_string(b) +
                        "] = " + std::to_string(input_ids[b]) +
                        " is outside the vocabulary [0, " +
                        std::to_string(vocab) + ") (or -1 for no token)");
    return decode(s, input_ids, logits);
  });
}

xfmr_status xfmr_session_generate(xfmr_session *session, int64_t seq,
                                  const int64_t *input_ids,
                                  const int64_t *attention_mask,
                                  const xfmr_generate_options *options,
                                  int64_t *output_ids,
                                  int64_t *output_lengths) {
  return onSession(session, "generating", [&](xfmr_session &s) {
    xfmr_status status = checkOptions(s.context.model.manifest, options,
                                      output_ids, output_lengths);
    if (status != XFMR_OK)
      return status;
    if ((status = checkPrompts(s, seq, input_ids, attention_mask)) != XFMR_OK)
      return status;
    if (options->max_new_tokens > s.capacity - seq)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "a prompt of " + std::to_string(seq) + " tokens and " +
                      std::to_string(options->max_new_tokens) +
                      " new ones exceed the session's capacity of " +
                      std::to_string(s.capacity));
    return generate(s, seq, input_ids, attention_mask, *options, output_ids,
                    output_lengths);
  });
}

xfmr_status xfmr_context_generate(xfmr_context *context, int64_t batch,
                                  int64_t seq, const int64_t *input_ids,
                                  const int64_t *attention_mask,
                                  const xfmr_generate_options *options,
                                  int64_t *output_ids,
                                  int64_t *output_lengths) {
  return guard("generating", [&]() -> xfmr_status {
    if (!context)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
    const Manifest &m = context->model.manifest;
    xfmr_status status = checkOptions(m, options, output_ids, output_lengths);
    if (status != XFMR_OK)
      return status;
    if (batch <= 0 || seq <= 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "batch and sequence length must be positive, got " +
                      std::to_string(batch) + " x " + std::to_string(seq));
    if (seq > m.maxPositions || options->max_new_tokens > m.maxPositions - seq)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "a prompt of " + std::to_string(seq) + " tokens and " +
                      std::to_string(options->max_new_tokens) +
                      " new ones exceed the model's " +
                      std::to_string(m.maxPositions) + " positions");
    std::unique_ptr<xfmr_session> session;
    status =
        createSession(context, batch, seq + options->max_new_tokens, session);
    if (status != XFMR_OK)
      return status;
    return onSession(session.get(), "generating", [&](xfmr_session &s) {
      xfmr_status checked = checkPrompts(s, seq, input_ids, attention_mask);
      if (checked != XFMR_OK)
        return checked;
      return generate(s, seq, input_ids, attention_mask, *options, output_ids,
                      output_lengths);
    });
  });
}
