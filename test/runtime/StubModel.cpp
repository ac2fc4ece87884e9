//===- StubModel.cpp - a fake compiled model for runtime tests ------------===//
//
// Stands in for the code xfmrc generates (docs/abi.md, version 2): the
// manifest, the entry table, and entry points that take memref descriptors
// (outputs first, in the caller's buffer) and get their temporaries from the
// runtime's _mlir_memref_to_llvm_* functions. Linked into the unit tests
// (with the runtime archive) and into shared libraries like a real model:
// xfmr-stub-model (encode), xfmr-stub-embed-model (built with
// XFMR_STUB_EMBED: embed listed before encode and with its inputs in another
// order, so the runtime must follow the manifest), and xfmr-stub-cuda-model
// (XFMR_STUB_CUDA: target cuda, with a kernel registered by a global
// constructor as MLIR's gpu.binary does, which its encode launches to finish
// the output, so the host code and the kernel share managed memory). It
// computes
//   out[b][s][d] = emb[ids[b][s]][d] + bias + 10 * mask[b][s] + 100 *
//   type[b][s]
// and, for embed, the mean of those over the tokens of the mask (zeros for a
// row without any), so tests can check that every argument arrived where it
// should.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/StubModel.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>

using namespace xfmr::test;

extern "C" {

void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);

// The manifest's entries. Plain literals, not raw ones: a raw string may not
// span lines in a macro.
// clang-format off
#define STUB_TENSOR(NAME, DTYPE, SHAPE)                                        \
  "{\"name\": \"" NAME "\", \"dtype\": \"" DTYPE "\", \"shape\": [" SHAPE "]}"
#define STUB_INPUTS(A, B, C)                                                   \
  "[" STUB_TENSOR(A, "I64", "-1, -1") ", " STUB_TENSOR(B, "I64", "-1, -1")     \
  ", " STUB_TENSOR(C, "I64", "-1, -1") "]"
#define STUB_ENTRY(ROLE, EXTRA, INPUTS, OUTPUT)                                \
  "{\"role\": \"" ROLE "\", " EXTRA "\"inputs\": " INPUTS                      \
  ",\n     \"outputs\": [" OUTPUT "]}"

#define STUB_ENCODE_ENTRY                                                      \
  STUB_ENTRY("encode", "",                                                     \
             STUB_INPUTS("input_ids", "attention_mask", "token_type_ids"),     \
             STUB_TENSOR("last_hidden_state", "F32", "-1, -1, 4"))
#define STUB_EMBED_ENTRY                                                       \
  STUB_ENTRY("embed", "\"pooling\": \"mean\", \"normalize\": false, ",         \
             STUB_INPUTS("token_type_ids", "input_ids", "attention_mask"),     \
             STUB_TENSOR("sentence_embedding", "F32", "-1, 4"))

#ifdef XFMR_STUB_EMBED
#define STUB_NAME "stub-embed"
#define STUB_ENTRIES STUB_EMBED_ENTRY ",\n    " STUB_ENCODE_ENTRY
#else
#define STUB_NAME "stub"
#define STUB_ENTRIES STUB_ENCODE_ENTRY
#endif
#ifdef XFMR_STUB_CUDA
#define STUB_TARGET "\"target\": \"cuda\", \"cuda_arch\": \"sm_80\""
#else
#define STUB_TARGET "\"target\": \"cpu\""
#endif
// clang-format on

// `extern`: a const object at namespace scope is otherwise internal in C++.
extern const char xfmr_manifest[];
const char xfmr_manifest[] = R"({
  "abi_version": 2, )" STUB_TARGET R"(, "kind": "encoder", "name": ")" STUB_NAME
                             R"(",
  "weights_file": "",
  "config": {"vocab_size": 10, "d_model": 4, "num_layers": 0, "num_heads": 2,
             "max_positions": 8, "type_vocab_size": 2},
  "weights": [{"key": "emb", "dtype": "F32", "shape": [10, 4]},
              {"key": "bias", "dtype": "F32", "shape": []}],
  "entries": [
    )" STUB_ENTRIES R"(
  ],
  "work_memory": {"static_bytes": 0}
})";

/// What the entry points do besides computing (StubMode); set by a test
/// before it calls, never during a call.
int xfmr_stub_mode = xfmr::test::kStubNormal;

// What the last call on this thread saw, for the tests to check; thread-local
// so that threads calling at once leave each other's alone. `__thread`, not
// `thread_local`: C-style TLS needs no wrapper functions, which UBSan's null
// check sees through wrongly for these extern "C" variables.
/// Cleared when a weight pointer reaches the entry point misaligned.
__thread int xfmr_stub_weights_aligned = 1;
/// Counts descriptors that were not contiguous row-major views of the shape
/// the inputs imply (the call then writes nothing).
__thread int xfmr_stub_bad_descriptors = 0;
/// The output descriptor of the last call: its buffer, and offset, sizes and
/// strides (rank 3 for encode, 2 for embed).
__thread void *xfmr_stub_last_output = nullptr;
__thread int64_t xfmr_stub_last_output_layout[7] = {};
__thread int xfmr_stub_null_results = 0;
std::atomic<int> xfmr_stub_waiting{0}, xfmr_stub_release{0};

struct Memref0F {
  float *allocated, *aligned;
  int64_t offset;
};
struct Memref2F {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct Memref2I {
  int64_t *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
struct Memref3F {
  float *allocated, *aligned;
  int64_t offset, sizes[3], strides[3];
};

} // extern "C"

#ifdef XFMR_STUB_CUDA
// The runtime's, as MLIR's CudaRuntimeWrappers.cpp declares them.
extern "C" {
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate();
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
}
#endif

namespace {

/// True for a contiguous row-major view (offset 0) of `sizes`.
template <typename Memref>
bool isRowMajor(const Memref *m, const int64_t *sizes, int rank) {
  if (m->allocated != m->aligned || m->offset != 0)
    return false;
  int64_t stride = 1;
  for (int i = rank; i-- > 0;) {
    if (m->sizes[i] != sizes[i] || m->strides[i] != stride)
      return false;
    stride *= sizes[i];
  }
  return true;
}

#ifdef XFMR_STUB_CUDA
// What MLIR's gpu.binary and gpu-to-llvm emit: the kernels registered by a
// global constructor (which must not touch the driver: the library loads
// on machines without one) and a synchronous launch on the call's stream.
/// xfmr_stub_add(data, count, value): data[i] += value for i < count.
const char kStubKernels[] = R"(.version 7.0
.target sm_80
.address_size 64
.visible .entry xfmr_stub_add(.param .u64 data, .param .u64 count,
                              .param .f32 value)
{
  .reg .pred %p;
  .reg .b32 %r<4>;
  .reg .b64 %rd<6>;
  .reg .f32 %f<3>;
  ld.param.u64 %rd1, [data];
  ld.param.u64 %rd2, [count];
  ld.param.f32 %f1, [value];
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mul.wide.u32 %rd3, %r1, %r2;
  cvt.u64.u32 %rd4, %r3;
  add.u64 %rd3, %rd3, %rd4;
  setp.ge.u64 %p, %rd3, %rd2;
  @%p bra DONE;
  cvta.to.global.u64 %rd5, %rd1;
  shl.b64 %rd4, %rd3, 2;
  add.u64 %rd5, %rd5, %rd4;
  ld.global.f32 %f2, [%rd5];
  add.f32 %f2, %f2, %f1;
  st.global.f32 [%rd5], %f2;
DONE:
  ret;
}
)";
void *stubKernels = nullptr;

__attribute__((constructor)) void loadStubKernels() {
  stubKernels = mgpuModuleLoadJIT(const_cast<char *>(kStubKernels), 0);
}
__attribute__((destructor)) void unloadStubKernels() {
  mgpuModuleUnload(stubKernels);
}

/// The host wrote `values` less kStubGpuOffset; the kernel adds it back, so
/// a result is right only if the launch ran on the buffer the host wrote.
void finishOnGpu(float *values, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    values[i] -= kStubGpuOffset;
  void *function = mgpuModuleGetFunction(stubKernels, "xfmr_stub_add");
  void *stream = mgpuStreamCreate();
  uint64_t n = static_cast<uint64_t>(count);
  float value = kStubGpuOffset;
  void *params[] = {&values, &n, &value};
  mgpuLaunchKernel(function, (count + 255) / 256, 1, 1, 256, 1, 1, 0, stream,
                   params, nullptr, 3);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}
#endif

struct Args {
  const Memref2I *ids, *mask, *types;
  const Memref2F *emb;
  const Memref0F *bias;
};

/// Checks the inputs and weights; the output is checked by the caller.
bool checkArgs(const Args &a) {
  const int64_t *inputSizes = a.ids->sizes;
  int64_t embSizes[2] = {10, 4};
  bool good =
      isRowMajor(a.ids, inputSizes, 2) && isRowMajor(a.mask, inputSizes, 2) &&
      isRowMajor(a.types, inputSizes, 2) && isRowMajor(a.emb, embSizes, 2) &&
      a.bias->allocated == a.bias->aligned && a.bias->offset == 0;
  if (!good)
    ++xfmr_stub_bad_descriptors;
  if (reinterpret_cast<uintptr_t>(a.emb->aligned) % 4 ||
      reinterpret_cast<uintptr_t>(a.bias->aligned) % 4)
    xfmr_stub_weights_aligned = 0;
  return good;
}

void record(const void *output, const int64_t *layout, int rank) {
  xfmr_stub_last_output = const_cast<void *>(output);
  std::memset(xfmr_stub_last_output_layout, 0,
              sizeof(xfmr_stub_last_output_layout));
  std::memcpy(xfmr_stub_last_output_layout, layout,
              sizeof(int64_t) * (1 + 2 * rank));
}

void extraRequests() {
  if (xfmr_stub_mode == kStubForeignFree) {
    _mlir_memref_to_llvm_free(std::malloc(32));
  } else if (xfmr_stub_mode == kStubBadRequests) {
    xfmr_stub_null_results += !_mlir_memref_to_llvm_alloc(SIZE_MAX - 8);
    xfmr_stub_null_results += !_mlir_memref_to_llvm_aligned_alloc(3, 16);
    _mlir_memref_to_llvm_free(nullptr);
  } else if (xfmr_stub_mode == kStubKeep) {
    _mlir_memref_to_llvm_alloc(100);
  } else if (xfmr_stub_mode == kStubWait) {
    xfmr_stub_waiting = 1;
    while (!xfmr_stub_release)
      std::this_thread::yield();
  }
}

/// The per-token values, [batch * seq, dim] row-major, into `hidden` taken
/// from the work memory (the caller frees it); nullptr if that failed.
float *hiddenStates(const Args &a) {
  int64_t batch = a.ids->sizes[0], seq = a.ids->sizes[1], dim = 4;
  auto *hidden = static_cast<float *>(_mlir_memref_to_llvm_aligned_alloc(
      64, sizeof(float) * batch * seq * dim));
  // A second temporary: the per-token offsets.
  auto *extra =
      static_cast<float *>(_mlir_memref_to_llvm_alloc(sizeof(float) * seq));
  extraRequests();
  if (!hidden || !extra) {
    ++xfmr_stub_null_results;
    _mlir_memref_to_llvm_free(hidden);
    _mlir_memref_to_llvm_free(extra);
    return nullptr;
  }
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t s = 0; s < seq; ++s) {
      int64_t i = b * seq + s;
      extra[s] = 10.0f * a.mask->aligned[i] + 100.0f * a.types->aligned[i] +
                 a.bias->aligned[0];
    }
    for (int64_t s = 0; s < seq; ++s)
      for (int64_t d = 0; d < dim; ++d)
        hidden[(b * seq + s) * dim + d] =
            a.emb->aligned[a.ids->aligned[b * seq + s] * dim + d] + extra[s];
  }
  _mlir_memref_to_llvm_free(extra);
  return hidden;
}

void encode(Memref3F *out, const Args &a) {
  record(out->aligned, &out->offset, 3);
  int64_t sizes[3] = {a.ids->sizes[0], a.ids->sizes[1], 4};
  if (!checkArgs(a) || !isRowMajor(out, sizes, 3)) {
    ++xfmr_stub_bad_descriptors;
    return;
  }
  float *hidden = hiddenStates(a);
  if (!hidden)
    return;
  std::memcpy(out->aligned, hidden, sizeof(float) * sizes[0] * sizes[1] * 4);
  _mlir_memref_to_llvm_free(hidden);
#ifdef XFMR_STUB_CUDA
  finishOnGpu(out->aligned, sizes[0] * sizes[1] * 4);
#endif
}

[[maybe_unused]] void embed(Memref2F *out, const Args &a) {
  record(out->aligned, &out->offset, 2);
  int64_t batch = a.ids->sizes[0], seq = a.ids->sizes[1];
  int64_t sizes[2] = {batch, 4};
  if (!checkArgs(a) || !isRowMajor(out, sizes, 2)) {
    ++xfmr_stub_bad_descriptors;
    return;
  }
  float *hidden = hiddenStates(a);
  if (!hidden)
    return;
  for (int64_t b = 0; b < batch; ++b) {
    float count = 0;
    float sum[4] = {0, 0, 0, 0};
    for (int64_t s = 0; s < seq; ++s) {
      if (!a.mask->aligned[b * seq + s])
        continue;
      count += 1;
      for (int d = 0; d < 4; ++d)
        sum[d] += hidden[(b * seq + s) * 4 + d];
    }
    for (int d = 0; d < 4; ++d)
      out->aligned[b * 4 + d] = count ? sum[d] / count : 0.0f;
  }
  _mlir_memref_to_llvm_free(hidden);
}

// The packed entry points: outputs, inputs (manifest order), weights.
void encodeEntry(void **args) {
  encode(static_cast<Memref3F *>(args[0]),
         {static_cast<Memref2I *>(args[1]), static_cast<Memref2I *>(args[2]),
          static_cast<Memref2I *>(args[3]), static_cast<Memref2F *>(args[4]),
          static_cast<Memref0F *>(args[5])});
}

[[maybe_unused]] void embedEntry(void **args) {
  // Inputs in the manifest's order: token_type_ids, input_ids, mask.
  embed(static_cast<Memref2F *>(args[0]),
        {static_cast<Memref2I *>(args[2]), static_cast<Memref2I *>(args[3]),
         static_cast<Memref2I *>(args[1]), static_cast<Memref2F *>(args[4]),
         static_cast<Memref0F *>(args[5])});
}

} // namespace

extern "C" {
extern void (*const xfmr_entry_table[])(void **);
#ifdef XFMR_STUB_EMBED
void (*const xfmr_entry_table[])(void **) = {embedEntry, encodeEntry};
#else
void (*const xfmr_entry_table[])(void **) = {encodeEntry};
#endif
} // extern "C"
