//===- Cuda.h - running a model library on an NVIDIA GPU --------*- C++ -*-===//
//
// A library compiled for target cuda (docs/abi.md) has the host entry points
// of a CPU library; its host code launches the kernels through the `mgpu*`
// functions MLIR's gpu-to-llvm lowering calls, which the runtime defines here
// over the CUDA driver API. The driver (libcuda.so.1) is loaded with dlopen
// the first time a cuda model is opened, never at link time, so a library
// loads on any machine and a machine without a GPU learns why at
// xfmr_model_open. Every buffer the kernels touch is managed memory (the
// host code of the library reads it too, after a stream synchronize): work
// memory, weights, the K/V cache, and the inputs and outputs of a call
// staged into a per-context buffer when the caller's are plain host memory.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_CUDA_H
#define XFMR_RUNTIME_CUDA_H

#include "xfmr/runtime.h"

#include "runtime/lib/Manifest.h"
#include "runtime/lib/WorkMemory.h"

#include <cstddef>
#include <cstdint>

struct xfmr_model;

// Called by the generated host code (the names and signatures of MLIR's
// CudaRuntimeWrappers.cpp, as gpu-to-llvm and gpu.binary's global
// constructors call them). Handles are opaque pointers: CUstream, CUevent
// and CUfunction are the driver's; a module is the runtime's record.
// Hidden, as the allocation functions of WorkMemory.h are.
extern "C" {
XFMR_HIDDEN void *mgpuModuleLoad(void *data, size_t size);
XFMR_HIDDEN void *mgpuModuleLoadJIT(void *data, int optLevel);
XFMR_HIDDEN void mgpuModuleUnload(void *module);
XFMR_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name);
XFMR_HIDDEN void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t smem, void *stream,
                                  void **params, void **extra,
                                  size_t paramsCount);
XFMR_HIDDEN void *mgpuStreamCreate();
XFMR_HIDDEN void mgpuStreamDestroy(void *stream);
XFMR_HIDDEN void mgpuStreamSynchronize(void *stream);
XFMR_HIDDEN void mgpuStreamWaitEvent(void *stream, void *event);
XFMR_HIDDEN void *mgpuEventCreate();
XFMR_HIDDEN void mgpuEventDestroy(void *event);
XFMR_HIDDEN void mgpuEventSynchronize(void *event);
XFMR_HIDDEN void mgpuEventRecord(void *event, void *stream);
XFMR_HIDDEN void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                               bool isHostShared);
XFMR_HIDDEN void mgpuMemFree(void *ptr, void *stream);
XFMR_HIDDEN void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                            void *stream);
XFMR_HIDDEN void mgpuMemset32(void *dst, unsigned int value, size_t count,
                              void *stream);
XFMR_HIDDEN void mgpuMemset16(void *dst, unsigned short value, size_t count,
                              void *stream);
}

namespace xfmr::runtime::cuda {

/// Readies the GPU for a library built for `manifest` (target cuda): loads
/// and initializes the driver the first time (device 0, its primary
/// context), makes the primary context current on this thread and loads
/// the library's kernels. On failure records a one-line message and
/// returns XFMR_ERROR_NO_DEVICE (no driver, no device, kernels for another
/// GPU) or the failure's own status; a later call tries again.
xfmr_status openDevice(const Manifest &manifest);

/// Whether the driver is loaded and initialized in this process.
bool driverReady();

/// The kernel binaries this library registered (mgpuModuleLoad*), and how
/// many of them are loaded into the driver.
size_t moduleCount();
size_t loadedModuleCount();

/// `bytes` (at least 1) of managed memory attached globally, aligned to
/// 256 bytes, or nullptr (no driver, or out of memory). `zeroed`: cleared
/// on the device before it returns.
void *allocateManaged(size_t bytes, bool zeroed = false);
void freeManaged(void *ptr);

/// Moves the weights of `model` (laid out by the runtime on the host) into
/// one managed buffer, points its descriptors there and drops the host
/// copies. Fails with a message.
xfmr_status moveWeights(xfmr_model &model);

/// Whether kernels can read `ptr` where it is (managed or device memory);
/// false for plain host memory and whatever the driver does not know.
bool isDeviceAccessible(const void *ptr);

/// Work memory's system blocks for a model on the GPU.
extern const BlockSource kManagedBlocks;

/// Managed memory owned by one object (a model's weights).
class ManagedBuffer {
public:
  ManagedBuffer() = default;
  ManagedBuffer(const ManagedBuffer &) = delete;
  ManagedBuffer &operator=(const ManagedBuffer &) = delete;
  ~ManagedBuffer() { freeManaged(ptr); }
  /// False if out of memory.
  bool allocate(size_t bytes) {
    freeManaged(ptr);
    ptr = allocateManaged(bytes);
    size = ptr ? bytes : 0;
    return ptr != nullptr;
  }
  char *data() const { return static_cast<char *>(ptr); }
  size_t bytes() const { return size; }

private:
  void *ptr = nullptr;
  size_t size = 0;
};

/// What a call context keeps for its calls on the GPU: its stream, the
/// buffer that stages host inputs and outputs, and the first driver
/// failure of the call in progress (the generated code cannot be told of
/// one: the call skips what follows it and fails as a whole).
class CallState {
public:
  CallState() = default;
  CallState(const CallState &) = delete;
  CallState &operator=(const CallState &) = delete;
  ~CallState();

  /// Starts a call on this thread: the primary context current, the stream
  /// made (the first time) and the failure cleared. Fails with a message.
  xfmr_status begin();

  /// At least `bytes` of staging memory (kept between calls), or nullptr.
  char *staging(size_t bytes);
  size_t stagingBytes() const { return stageSize; }

  /// Enqueues a copy on the stream (host or managed memory on either side).
  void copy(void *dst, const void *src, size_t bytes);
  /// Waits for the stream; a failure is recorded.
  void synchronize();
  /// Waits for the stream if work may be outstanding, so memory the call
  /// used can be returned (work memory released during a call).
  void drain();

  /// Records a failing driver call `what` (the kernel, if known, is the
  /// last one the call looked up); only the first of a call is kept.
  void record(int result, const char *what);
  bool failed() const { return error != 0; }
  /// The call's failure as a status and message: "the GPU failed the
  /// <call> call (kernel 'k'): cuLaunchKernel: CUDA_ERROR_...".
  xfmr_status report(const char *call) const;

  void *stream() const { return stream_; }
  /// The kernel the call looked up last (mgpuModuleGetFunction).
  void setKernel(const char *name) { kernel = name; }
  void markPending() { pending = true; }

private:
  void *stream_ = nullptr;
  char *stage = nullptr;
  size_t stageSize = 0;
  int error = 0;
  const char *failedCall = nullptr;
  const char *failedKernel = nullptr;
  const char *kernel = nullptr;
  bool pending = false;
};

/// Makes `state` the call of this thread's mgpu* functions for the scope's
/// life (one entry call).
class CurrentCall {
public:
  explicit CurrentCall(CallState &state);
  ~CurrentCall();
  CurrentCall(const CurrentCall &) = delete;
  CurrentCall &operator=(const CurrentCall &) = delete;

private:
  CallState *previous;
};

} // namespace xfmr::runtime::cuda

#endif // XFMR_RUNTIME_CUDA_H
