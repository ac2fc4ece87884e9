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

#include "runtime/lib/ContextHandle.h"
#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Status.h"

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

/// What a call passes, checked by checkCall().
struct CallArgs {
  int64_t batch, seq;
  const int64_t *inputIds, *attentionMask, *tokenTypeIds;
  float *output;
};

} // namespace

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
  case Role::Prefill:
    return "prefill";
  case Role::DecodeStep:
    return "decode_step";
  }
  return "?";
}

xfmr_status createContext(const xfmr_model &model,
                          std::unique_ptr<xfmr_context> &out) {
  auto context = std::make_unique<xfmr_context>(model);
  const Manifest &m = model.manifest;
  if (m.isCuda()) {
    context->device = std::make_unique<cuda::CallState>();
    context->work.setSource(&cuda::kManagedBlocks);
  }
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
    for (Input input : call.spec->inputs)
      call.descriptors.emplace_back(input == Input::KvCache ? 6 : 2);
    for (Descriptor &d : call.descriptors)
      call.args.push_back(d.get());
    // The callee reads weights only; the ABI just has no const.
    for (const Descriptor &w : model.weights)
      call.args.push_back(const_cast<Descriptor &>(w).get());
  }
  out = std::move(context);
  return XFMR_OK;
}

} // namespace

/// The index of `role`'s entry, or a failure saying the library lacks it.
xfmr_status xfmr::runtime::findEntry(const xfmr_model &model, Role role,
                                     int &index) {
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
  if (role == Role::Prefill || role == Role::DecodeStep)
    return fail(XFMR_ERROR_UNSUPPORTED,
                "this library has no prefill and decode_step entry points "
                "(it is not a decoder, or was compiled before sessions)");
  return fail(XFMR_ERROR_UNSUPPORTED,
              model.manifest.findEntry(Role::Logits) >= 0
                  ? "this library is a decoder: it has no encode entry point "
                    "(call xfmr_context_logits)"
                  : "this library has no encode entry point");
}

xfmr_status xfmr::runtime::checkRange(const char *name, const int64_t *values,
                                      int64_t batch, int64_t seq, int64_t limit,
                                      const char *what) {
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

namespace {

/// Whether argument `i` of `call` is written: the output and in/out inputs.
bool isWritten(const EntryCall &call, size_t i) {
  return i == 0 || call.spec->inputs[i - 1] == Input::KvCache;
}

/// The bytes of argument `i` of `call` with sizes `shape`: the written ones
/// (the output, the cache) are F32, the others (ids, positions, masks) I64.
size_t argumentBytes(const EntryCall &call, size_t i, const int64_t *shape) {
  size_t bytes = isWritten(call, i) ? sizeof(float) : sizeof(int64_t);
  for (size_t d = 0; d < call.descriptors[i].rank(); ++d)
    bytes *= static_cast<size_t>(shape[d]);
  return bytes;
}

/// runEntry for a model on the GPU. The kernels reach only device memory:
/// each argument in plain host memory is copied into the context's staging
/// buffer before the call (inputs) and back after it (the output and
/// in/out inputs), on the context's stream, which is synchronized before
/// the call returns.
xfmr_status runOnDevice(xfmr_context &context, int index,
                        const void *const *data, const int64_t *const *shapes,
                        size_t &failedRequest) {
  EntryCall &call = context.calls[index];
  cuda::CallState &device = *context.device;
  if (xfmr_status status = device.begin())
    return status;
  // The manifest allows an output and at most four inputs.
  constexpr size_t kMaxArguments = 8, kAlign = 256;
  size_t count = call.descriptors.size();
  if (count > kMaxArguments)
    return fail(XFMR_ERROR_INTERNAL, "too many arguments");
  size_t offsets[kMaxArguments], bytes[kMaxArguments];
  bool staged[kMaxArguments];
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    bytes[i] = argumentBytes(call, i, shapes[i]);
    staged[i] = !cuda::isDeviceAccessible(data[i]);
    offsets[i] = total;
    if (staged[i] &&
        __builtin_add_overflow(total, (bytes[i] + kAlign - 1) & ~(kAlign - 1),
                               &total))
      return fail(XFMR_ERROR_OUT_OF_MEMORY, "the call's arguments are too "
                                            "large to stage for the GPU");
  }
  char *stage = total ? device.staging(total) : nullptr;
  if (total && !stage)
    return fail(XFMR_ERROR_OUT_OF_MEMORY,
                "out of memory: cannot allocate " + std::to_string(total) +
                    " bytes of GPU memory to stage the call's inputs and "
                    "outputs");
  bool copied = false;
  for (size_t i = 0; i < count; ++i) {
    const void *where = staged[i] ? stage + offsets[i] : data[i];
    call.descriptors[i].set(where, shapes[i]);
    // The output is written whole by the callee: nothing to copy in.
    if (staged[i] && i > 0 && bytes[i]) {
      device.copy(stage + offsets[i], data[i], bytes[i]);
      copied = true;
    }
  }
  // The library's host code may read its inputs before any kernel runs.
  const char *role = roleName(call.spec->role);
  if (copied)
    device.synchronize();
  if (device.failed())
    return device.report(role);
  {
    CurrentWorkMemory scope(context.work);
    cuda::CurrentCall current(device);
    if (omp_set_num_threads)
      omp_set_num_threads(context.numThreads);
    if (!scope.run(call.entry, call.args.data()))
      failedRequest = scope.failedRequest();
    // Before the call's work memory can be reused or returned.
    device.synchronize();
  }
  if (failedRequest)
    return XFMR_ERROR_OUT_OF_MEMORY;
  if (device.failed())
    return device.report(role);
  for (size_t i = 0; i < count; ++i)
    if (staged[i] && isWritten(call, i))
      device.copy(const_cast<void *>(data[i]), stage + offsets[i], bytes[i]);
  device.synchronize();
  if (device.failed())
    return device.report(role);
  ++context.callCount;
  return XFMR_OK;
}

} // namespace

xfmr_status xfmr::runtime::runEntry(xfmr_context &context, int index,
                                    const void *const *data,
                                    const int64_t *const *shapes,
                                    size_t &failedRequest) {
  failedRequest = 0;
  if (context.device)
    return runOnDevice(context, index, data, shapes, failedRequest);
  EntryCall &call = context.calls[index];
  for (size_t i = 0; i < call.descriptors.size(); ++i)
    call.descriptors[i].set(data[i], shapes[i]);
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
    return XFMR_ERROR_OUT_OF_MEMORY;
  ++context.callCount;
  return XFMR_OK;
}

xfmr_status xfmr::runtime::failOutOfMemory(const xfmr_context &context,
                                           int index, const std::string &what,
                                           size_t bytes) {
  return fail(XFMR_ERROR_OUT_OF_MEMORY,
              std::string("out of memory: the ") +
                  roleName(context.calls[index].spec->role) + " call of " +
                  what + " could not allocate " + std::to_string(bytes) +
                  " bytes of work memory; the context stays usable for "
                  "smaller calls");
}

namespace {

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
  int64_t inputShape[2] = {a.batch, a.seq};
  // The output and at most the three inputs the manifest allows here.
  const void *data[4] = {a.output};
  const int64_t *shapes[4] = {shape};
  size_t n = 1;
  for (Input input : call.spec->inputs) {
    data[n] = input == Input::InputIds        ? a.inputIds
              : input == Input::AttentionMask ? mask
                                              : types;
    shapes[n++] = inputShape;
  }
  return callEntry(context, index, data, shapes, [&] {
    return "batch " + std::to_string(a.batch) + " x sequence " +
           std::to_string(a.seq);
  });
}

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
    size_t staging = context->device ? context->device->stagingBytes() : 0;
    out_stats->bytes_held =
        static_cast<int64_t>(work.bytesHeld() + context->ones.bytes() +
                             context->zeros.bytes() + staging);
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
