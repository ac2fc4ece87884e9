//===- ContextHandle.h - what an xfmr_context holds -------------*- C++ -*-===//
//
// Shared by the calls of a context (Context.cpp) and the decoder sessions
// that run on one (Session.cpp). Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_CONTEXTHANDLE_H
#define XFMR_RUNTIME_CONTEXTHANDLE_H

#include "xfmr/runtime.h"

#include "runtime/lib/Cuda.h"
#include "runtime/lib/Descriptor.h"
#include "runtime/lib/Manifest.h"
#include "runtime/lib/WorkMemory.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

struct xfmr_model;

namespace xfmr::runtime {

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
  /// The output, then the inputs in manifest order, each of its rank.
  std::vector<Descriptor> descriptors;
  /// The descriptors above, then the model's weights.
  std::vector<void *> args;
};

} // namespace xfmr::runtime

/// A call context (runtime.h). A decoder session (Session.cpp) runs on one
/// and owns its K/V cache; the model stays immutable.
struct xfmr_context {
  explicit xfmr_context(const xfmr_model &model) : model(model) {}

  const xfmr_model &model;
  int32_t numThreads = 1;
  /// Set for the length of a call, to refuse a second one at the same time.
  std::atomic<bool> busy{false};
  xfmr::runtime::WorkMemory work;
  /// Target cuda: the stream, staging buffer and failures of the calls;
  /// null for a CPU model.
  std::unique_ptr<xfmr::runtime::cuda::CallState> device;
  xfmr::runtime::FilledBuffer ones{1}, zeros{0};
  /// One per manifest entry.
  std::vector<xfmr::runtime::EntryCall> calls;
  int64_t callCount = 0;
};

namespace xfmr::runtime {

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

/// The index of `role`'s entry, or a failure saying the library lacks it.
xfmr_status findEntry(const xfmr_model &model, Role role, int &index);

/// Checks that every value of a [batch, seq] array lies in [0, limit).
xfmr_status checkRange(const char *name, const int64_t *values, int64_t batch,
                       int64_t seq, int64_t limit, const char *what);

/// Runs entry `index` of `context` on checked arguments: `data[0]` is the
/// output, `data[1 + k]` input k (manifest order), each contiguous
/// row-major with the sizes in `shapes` (as many as its rank). Returns
/// XFMR_OK; or XFMR_ERROR_OUT_OF_MEMORY with `failedRequest` the size of a
/// work-memory request that could not be served (the message is the
/// caller's to make); or the failure of the GPU, its message recorded.
xfmr_status runEntry(xfmr_context &context, int index, const void *const *data,
                     const int64_t *const *shapes, size_t &failedRequest);

/// The failure of entry `index`'s call of `what` ("batch 2 x sequence 8")
/// whose request of `bytes` could not be served.
xfmr_status failOutOfMemory(const xfmr_context &context, int index,
                            const std::string &what, size_t bytes);

/// runEntry, failing with failOutOfMemory when a request could not be
/// served; `describe()` names the call then, and only then, so that a call
/// that succeeds builds no message.
template <typename Describe>
xfmr_status callEntry(xfmr_context &context, int index, const void *const *data,
                      const int64_t *const *shapes, Describe &&describe) {
  size_t bytes = 0;
  xfmr_status status = runEntry(context, index, data, shapes, bytes);
  if (bytes)
    return failOutOfMemory(context, index, describe(), bytes);
  return status;
}

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_CONTEXTHANDLE_H
