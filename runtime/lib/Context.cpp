//===- Context.cpp - call contexts and entry calls
//-------------------------===//
//
// Implements the context part of runtime/include/xfmr/runtime.h: checking a
// call's arguments, binding them to the entry point's memref descriptors
// (output first, in the caller's buffer; then inputs and weights) and running
// the entry of xfmr_entry_table with the context's work memory current.
// Everything a call needs is made when the context is, so a call allocates
// nothing the second time it sees a shape.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Sampling.h"
#include "runtime/lib/Status.h"
#include "runtime/lib/WorkMemory.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

// The packed entry points of the compiled model, in manifest order
// (docs/abi.md); hidden for the same reason as xfmr_manifest.
extern "C" __attribute__((
    visibility("hidden"))) void (*const xfmr_entry_table[])(void **);

using namespace xfmr::runtime;

namespace {

/// A run of one value standing in for an omitted input, grown only when a
/// call has more tokens than any before it.
class FilledBuffer {
public:
  explicit FilledBuffer(int64_t value) : value(value) {}
  FilledBuffer(const FilledBuffer &) = delete;
  FilledBuffer &operator=(const FilledBuffer &) = delete;
  ~FilledBuffer() { std::free(data); }

  /// At least `count` values, or nullptr if out of memory.
  const int64_t *get(size_t count) {
    if (count <= size)
      return data;
    if (count > SIZE_MAX / sizeof(int64_t))
      return nullptr;
    std::free(data);
    size = 0;
    data = static_cast<int64_t *>(std::malloc(count * sizeof(int64_t)));
    if (!data)
      return nullptr;
    for (size_t i = 0; i < count; ++i)
      data[i] = value;
    size = count;
    return data;
  }
  size_t bytes() const { return size * sizeof(int64_t); }

private:
  int64_t value;
  int64_t *data = nullptr;
  size_t size = 0;
};

/// One entry point's argument array, bound to its descriptors once.
struct EntryCall {
  const EntrySpec *spec;
  void (*entry)(void **);
  /// The output, then the inputs in manifest order.
  std::vector<Descriptor> descriptors;
  /// The descriptors above, then the model's weights.
  std::vector<void *> args;
};

/// What a call passes, checked by checkCall().
struct CallArgs {
  int64_t batch, seq;
  const int64_t *inputIds, *attentionMask, *tokenTypeIds;
  float *output;
};

} // namespace

/// A call context (runtime.h). Later a decoder session adds its KV cache
/// here, sized from the manifest; the model stays immutable.
struct xfmr_context {
  explicit xfmr_context(const xfmr_model &model) : model(model) {}

  const xfmr_model &model;
  int32_t numThreads = 1;
  /// Set for the length of a call, to refuse a second one at the same time.
  std::atomic<bool> busy{false};
  WorkMemory work;
  FilledBuffer ones{1}, zeros{0};
  /// One per manifest entry.
  std::vector<EntryCall> calls;
  int64_t callCount = 0;
};

/// libomp's, linked into every model library (the generated code's
/// threads); weak so that the runtime links without it (its unit tests).
extern "C" __attribute__((weak)) void omp_set_num_threads(int);

namespace {

const char *roleName(Role role) {
  switch (role) {
  case Role::Encode:
    return "encode";
  case Role::Embed:
    return "embed";
  case Role::Logits:
    return "logits";
  }
  return "?";
}

xfmr_status createContext(const xfmr_model &model,
                          std::unique_ptr<xfmr_context> &out) {
  auto context = std::make_unique<xfmr_context>(model);
  const Manifest &m = model.manifest;
  if (!context->work.reserve(static_cast<size_t>(m.staticWorkBytes)))
    return fail(XFMR_ERROR_OUT_OF_MEMORY,
                "cannot reserve " + std::to_string(m.staticWorkBytes) +
                    " bytes of work memory");
  context->calls.resize(m.entries.size());
  for (size_t i = 0; i < m.entries.size(); ++i) {
    EntryCall &call = context->calls[i];
    call.spec = &m.entries[i];
    call.entry = xfmr_entry_table[i];
    call.descriptors.emplace_back(call.spec->outputShape.size());
    for (size_t k = 0; k < call.spec->inputs.size(); ++k)
      call.descriptors.emplace_back(2);
    for (Descriptor &d : call.descriptors)
      call.args.push_back(d.get());
    // The callee reads weights only; the ABI just has no const.
    for (const Descriptor &w : model.weights)
      call.args.push_back(const_cast<Descriptor &>(w).get());
  }
  out = std::move(context);
  return XFMR_OK;
}

/// The index of `role`'s entry, or a failure saying the library lacks it.
xfmr_status findEntry(const xfmr_model &model, Role role, int &index) {
  index = model.manifest.findEntry(role);
  if (index >= 0)
    return XFMR_OK;
  if (role == Role::Embed)
    return fail(XFMR_ERROR_UNSUPPORTED,
                "this library has no sentence embedding; compile the model "
                "with xfmrc --pooling=cls|mean");
  if (role == Role::Logits)
    return fail(XFMR_ERROR_UNSUPPORTED,
                "this library has no logits entry point (it is not a "
                "decoder with an LM head)");
  return fail(XFMR_ERROR_UNSUPPORTED,
              model.manifest.findEntry(Role::Logits) >= 0
                  ? "this library is a decoder: it has no encode entry point "
                    "(call xfmr_context_logits)"
                  : "this library has no encode entry point");
}

/// Checks that every value of a [batch, seq] array lies in [0, limit).
xfmr_status checkRange(const char *name, const int64_t *values, int64_t batch,
                       int64_t seq, int64_t limit, const char *what) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t s = 0; s < seq; ++s) {
      int64_t v = values[b * seq + s];
      if (v < 0 || v >= limit)
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    std::string(name) + "[" + std::to_string(b) + "][" +
                        std::to_string(s) + "] = " + std::to_string(v) +
                        " is outside " + what + " [0, " +
                        std::to_string(limit) + ")");
    }
  }
  return XFMR_OK;
}

/// Validates the arguments of a call of `entry` before anything runs.
xfmr_status checkCall(const Manifest &m, const EntrySpec &entry,
                      const CallArgs &a) {
  if (!a.inputIds)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "input_ids is NULL");
  if (!a.output)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "output is NULL");
  if (a.batch <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "batch must be positive, got " + std::to_string(a.batch));
  if (a.seq <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "sequence length must be positive, got " +
                    std::to_string(a.seq));
  if (a.seq > m.maxPositions)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "sequence length " + std::to_string(a.seq) +
                    " exceeds the model's maximum of " +
                    std::to_string(m.maxPositions) + " positions");
  int64_t tokens = 0, outputSize = 0;
  if (__builtin_mul_overflow(a.batch, a.seq, &tokens) ||
      __builtin_mul_overflow(tokens, entry.outputShape.back(), &outputSize) ||
      outputSize > static_cast<int64_t>(SIZE_MAX / sizeof(float)))
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "batch " + std::to_string(a.batch) + " x sequence length " +
                    std::to_string(a.seq) + " is too large");

  xfmr_status status = checkRange("input_ids", a.inputIds, a.batch, a.seq,
                                  m.vocabSize, "the vocabulary");
  if (status != XFMR_OK)
    return status;
  if (a.attentionMask) {
    for (int64_t i = 0; i < tokens; ++i) {
      int64_t v = a.attentionMask[i];
      if (v != 0 && v != 1)
        return fail(XFMR_ERROR_INVALID_ARGUMENT,
                    "attention_mask[" + std::to_string(i / a.seq) + "][" +
                        std::to_string(i % a.seq) + "] = " + std::to_string(v) +
                        " is not 0 or 1");
    }
  }
  if (!a.tokenTypeIds)
    return XFMR_OK;
  if (entry.takes(Input::TokenTypeIds))
    return checkRange("token_type_ids", a.tokenTypeIds, a.batch, a.seq,
                      m.typeVocabSize, "the token types");
  for (int64_t i = 0; i < tokens; ++i)
    if (a.tokenTypeIds[i] != 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "token_type_ids[" + std::to_string(i / a.seq) + "][" +
                      std::to_string(i % a.seq) +
                      "] = " + std::to_string(a.tokenTypeIds[i]) +
                      " but this model has no token types");
  return XFMR_OK;
}

/// Runs entry `index` on checked arguments: fills in omitted inputs, points
/// the descriptors at the caller's arrays and calls the entry point.
xfmr_status execute(xfmr_context &context, int index, const CallArgs &a) {
  EntryCall &call = context.calls[index];
  size_t tokens = static_cast<size_t>(a.batch) * static_cast<size_t>(a.seq);
  // Defaults for omitted inputs: no padding, all type 0.
  const int64_t *mask = a.attentionMask, *types = a.tokenTypeIds;
  if (!mask && call.spec->takes(Input::AttentionMask) &&
      !(mask = context.ones.get(tokens)))
    return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate attention_mask");
  if (!types && call.spec->takes(Input::TokenTypeIds) &&
      !(types = context.zeros.get(tokens)))
    return fail(XFMR_ERROR_OUT_OF_MEMORY, "cannot allocate token_type_ids");

  // The output's -1 dimensions are batch and seq, in that order.
  int64_t shape[3];
  const std::vector<int64_t> &outputShape = call.spec->outputShape;
  int64_t dynamic[2] = {a.batch, a.seq};
  for (size_t i = 0, next = 0; i < outputShape.size(); ++i)
    shape[i] = outputShape[i] < 0 ? dynamic[next++] : outputShape[i];
  call.descriptors[0].set(a.output, shape);
  int64_t inputShape[2] = {a.batch, a.seq};
  for (size_t k = 0; k < call.spec->inputs.size(); ++k) {
    Input input = call.spec->inputs[k];
    const int64_t *data = input == Input::InputIds        ? a.inputIds
                          : input == Input::AttentionMask ? mask
                                                          : types;
    call.descriptors[1 + k].set(data, inputShape);
  }

  size_t failedRequest = 0;
  {
    CurrentWorkMemory scope(context.work);
    // The generated kernels' parallel loops are OpenMP regions; the count
    // is a per-thread setting, so contexts on different threads differ.
    if (omp_set_num_threads)
      omp_set_num_threads(context.numThreads);
    if (!scope.run(call.entry, call.args.data()))
      failedRequest = scope.failedRequest();
  }
  if (failedRequest)
    return fail(XFMR_ERROR_OUT_OF_MEMORY,
                std::string("out of memory: the ") + roleName(call.spec->role) +
                    " call of batch " + std::to_string(a.batch) +
                    " x sequence " + std::to_string(a.seq) +
                    " could not allocate " + std::to_string(failedRequest) +
                    " bytes of work memory; the context stays usable for "
                    "smaller calls");
  ++context.callCount;
  return XFMR_OK;
}

/// Marks a context busy for one call; refuses a call that overlaps another.
class BusyScope {
public:
  explicit BusyScope(xfmr_context &context)
      : flag(context.busy), acquired(!flag.exchange(true)) {}
  ~BusyScope() {
    if (acquired)
      flag.store(false);
  }
  BusyScope(const BusyScope &) = delete;
  BusyScope &operator=(const BusyScope &) = delete;
  bool ok() const { return acquired; }

private:
  std::atomic<bool> &flag;
  bool acquired;
};

xfmr_status runOnContext(xfmr_context *context, Role role, const CallArgs &a) {
  return guard("running the model", [&]() -> xfmr_status {
    if (!context)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
    int index;
    xfmr_status status = findEntry(context->model, role, index);
    if (status != XFMR_OK)
      return status;
    BusyScope busy(*context);
    if (!busy.ok())
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "the context is running another call; use one context per "
                  "thread");
    const Manifest &m = context->model.manifest;
    status = checkCall(m, m.entries[index], a);
    if (status != XFMR_OK)
      return status;
    return execute(*context, index, a);
  });
}

/// The model-level calls: checked first, so a bad call costs no context.
xfmr_status runOnModel(const xfmr_model *model, Role role, const CallArgs &a) {
  return guard("running the model", [&]() -> xfmr_status {
    if (!model)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
    int index;
    xfmr_status status = findEntry(*model, role, index);
    if (status != XFMR_OK)
      return status;
    status = checkCall(model->manifest, model->manifest.entries[index], a);
    if (status != XFMR_OK)
      return status;
    std::unique_ptr<xfmr_context> context;
    status = createContext(*model, context);
    if (status != XFMR_OK)
      return status;
    return execute(*context, index, a);
  });
}

} // namespace

xfmr_status xfmr_context_create(const xfmr_model *model,
                                xfmr_context **out_context) {
  return guard("creating a context", [&]() -> xfmr_status {
    if (!out_context)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_context is NULL");
    *out_context = nullptr;
    if (!model)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "model is NULL");
    std::unique_ptr<xfmr_context> context;
    xfmr_status status = createContext(*model, context);
    if (status == XFMR_OK)
      *out_context = context.release();
    return status;
  });
}

void xfmr_context_free(xfmr_context *context) { delete context; }

xfmr_status xfmr_context_set_num_threads(xfmr_context *context,
                                         int32_t num_threads) {
  return guard("setting the thread count", [&]() -> xfmr_status {
    if (!context)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
    if (num_threads <= 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "num_threads must be positive, got " +
                      std::to_string(num_threads));
    context->numThreads = num_threads;
    return XFMR_OK;
  });
}

xfmr_status xfmr_context_get_stats(const xfmr_context *context,
                                   xfmr_context_stats *out_stats) {
  return guard("reading the context statistics", [&]() -> xfmr_status {
    if (!context)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
    if (!out_stats)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "out_stats is NULL");
    const WorkMemory &work = context->work;
    out_stats->bytes_held = static_cast<int64_t>(
        work.bytesHeld() + context->ones.bytes() + context->zeros.bytes());
    out_stats->calls = context->callCount;
    out_stats->last_call_requests = static_cast<int64_t>(work.requests());
    out_stats->last_call_system_allocations =
        static_cast<int64_t>(work.systemAllocations());
    out_stats->num_threads = context->numThreads;
    return XFMR_OK;
  });
}

xfmr_status xfmr_context_encode(xfmr_context *context, int64_t batch,
                                int64_t seq, const int64_t *input_ids,
                                const int64_t *attention_mask,
                                const int64_t *token_type_ids, float *output) {
  return runOnContext(
      context, Role::Encode,
      {batch, seq, input_ids, attention_mask, token_type_ids, output});
}

xfmr_status xfmr_context_embed(xfmr_context *context, int64_t batch,
                               int64_t seq, const int64_t *input_ids,
                               const int64_t *attention_mask,
                               const int64_t *token_type_ids, float *output) {
  return runOnContext(
      context, Role::Embed,
      {batch, seq, input_ids, attention_mask, token_type_ids, output});
}

xfmr_status xfmr_context_logits(xfmr_context *context, int64_t batch,
                                int64_t seq, const int64_t *input_ids,
                                const int64_t *attention_mask, float *output) {
  return runOnContext(context, Role::Logits,
                      {batch, seq, input_ids, attention_mask, nullptr, output});
}

xfmr_status xfmr_encode(const xfmr_model *model, int64_t batch, int64_t seq,
                        const int64_t *input_ids, const int64_t *attention_mask,
                        const int64_t *token_type_ids, float *output) {
  return runOnModel(
      model, Role::Encode,
      {batch, seq, input_ids, attention_mask, token_type_ids, output});
}

xfmr_status xfmr_embed(const xfmr_model *model, int64_t batch, int64_t seq,
                       const int64_t *input_ids, const int64_t *attention_mask,
                       const int64_t *token_type_ids, float *output) {
  return runOnModel(
      model, Role::Embed,
      {batch, seq, input_ids, attention_mask, token_type_ids, output});
}

xfmr_status xfmr_logits(const xfmr_model *model, int64_t batch, int64_t seq,
                        const int64_t *input_ids, const int64_t *attention_mask,
                        float *output) {
  return runOnModel(model, Role::Logits,
                    {batch, seq, input_ids, attention_mask, nullptr, output});
}

namespace {

/// Checks what generation needs beyond a logits call's own checks.
xfmr_status checkGenerate(const xfmr_context *context, int64_t seq,
                          const xfmr_generate_options *options,
                          const int64_t *outputIds,
                          const int64_t *outputLengths) {
  if (!context)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "context is NULL");
  if (!options)
    return fail(XFMR_ERROR_INVALID_ARGUMENT, "options is NULL");
  if (!outputIds || !outputLengths)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "output_ids and output_lengths must not be NULL");
  const Manifest &m = context->model.manifest;
  if (options->max_new_tokens <= 0)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "max_new_tokens must be positive, got " +
                    std::to_string(options->max_new_tokens));
  if (seq > 0 && options->max_new_tokens > m.maxPositions - seq)
    return fail(XFMR_ERROR_INVALID_ARGUMENT,
                "a prompt of " + std::to_string(seq) + " tokens and " +
                    std::to_string(options->max_new_tokens) +
                    " new ones exceed the model's " +
                    std::to_string(m.maxPositions) + " positions");
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

} // namespace

xfmr_status xfmr_context_generate(xfmr_context *context, int64_t batch,
                                  int64_t seq, const int64_t *input_ids,
                                  const int64_t *attention_mask,
                                  const xfmr_generate_options *options,
                                  int64_t *output_ids,
                                  int64_t *output_lengths) {
  return guard("generating", [&]() -> xfmr_status {
    xfmr_status status =
        checkGenerate(context, seq, options, output_ids, output_lengths);
    if (status != XFMR_OK)
      return status;
    const Manifest &m = context->model.manifest;
    int index;
    if ((status = findEntry(context->model, Role::Logits, index)) != XFMR_OK)
      return status;
    // The ids and the mask themselves are checked by the first logits call.
    if (!input_ids)
      return fail(XFMR_ERROR_INVALID_ARGUMENT, "input_ids is NULL");
    if (batch <= 0 || seq <= 0)
      return fail(XFMR_ERROR_INVALID_ARGUMENT,
                  "batch and sequence length must be positive, got " +
                      std::to_string(batch) + " x " + std::to_string(seq));
    int64_t steps = options->max_new_tokens, vocab = m.vocabSize;
    int64_t eos = options->eos_token_id == XFMR_EOS_MODEL
                      ? m.eosTokenId
                      : options->eos_token_id;
    SamplingOptions sampling{options->temperature, options->top_k,
                             options->top_p};
    RandomStream random(options->seed);
    std::vector<int64_t> scratch;

    // The sequences so far, [batch, seq + t] each step; a finished row gets
    // padding (mask 0), which no real token reads.
    int64_t width = seq;
    std::vector<int64_t> ids(input_ids, input_ids + batch * seq);
    std::vector<int64_t> mask(batch * seq, 1);
    if (attention_mask)
      mask.assign(attention_mask, attention_mask + batch * seq);
    std::vector<int64_t> last(batch, -1);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t s = 0; s < seq; ++s)
        if (mask[b * seq + s])
          last[b] = s;
    std::vector<bool> done(batch, false);
    std::fill(output_ids, output_ids + batch * steps, int64_t(-1));
    std::fill(output_lengths, output_lengths + batch, int64_t(0));
    std::vector<float> logits;
    for (int64_t t = 0; t < steps; ++t) {
      logits.resize(static_cast<size_t>(batch * width * vocab));
      status = runOnContext(
          context, Role::Logits,
          {batch, width, ids.data(), mask.data(), nullptr, logits.data()});
      if (status != XFMR_OK)
        return status;
      std::vector<int64_t> nextIds(batch * (width + 1)),
          nextMask(batch * (width + 1));
      bool anyLeft = false;
      for (int64_t b = 0; b < batch; ++b) {
        std::copy_n(&ids[b * width], width, &nextIds[b * (width + 1)]);
        std::copy_n(&mask[b * width], width, &nextMask[b * (width + 1)]);
        int64_t token = 0;
        bool real = !done[b] && last[b] >= 0;
        if (real) {
          token = chooseToken(&logits[(b * width + last[b]) * vocab], vocab,
                              sampling, random, scratch);
          output_ids[b * steps + t] = token;
          output_lengths[b] = t + 1;
          done[b] = token == eos;
          anyLeft |= !done[b];
        }
        nextIds[b * (width + 1) + width] = token;
        nextMask[b * (width + 1) + width] = real ? 1 : 0;
        if (real)
          last[b] = width;
      }
      ids.swap(nextIds);
      mask.swap(nextMask);
      ++width;
      if (!anyLeft)
        break;
    }
    return XFMR_OK;
  });
}
