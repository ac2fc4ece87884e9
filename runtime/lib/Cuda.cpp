//===- Cuda.cpp - the CUDA driver, kernels and managed memory -------------===//
//
// The driver API is reached through function pointers taken with dlsym from
// libcuda.so.1, declared here with types of our own, so building and linking
// the runtime needs nothing of the CUDA toolkit. The names are those cuda.h
// maps its macros to (the _v2 entry points where there are some, the default
// stream's rather than the per-thread one's).
//
// The driver is loaded and initialized once per process and never unloaded:
// a failed attempt leaves nothing behind and the next xfmr_model_open tries
// again. Device 0's primary context is retained for the process and made
// current on each thread that opens a model or makes a call.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Cuda.h"

#include "runtime/lib/ModelHandle.h"
#include "runtime/lib/Status.h"

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

using namespace xfmr::runtime;
using namespace xfmr::runtime::cuda;

namespace {

//===----------------------------------------------------------------------===//
// The driver API (cuda.h)
//===----------------------------------------------------------------------===//

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2,
                   kNotInitialized = 3, kStubLibrary = 34, kNoDevice = 100,
                   kNoBinaryForGpu = 209, kInvalidPtx = 218,
                   kUnsupportedPtxVersion = 222, kInvalidHandle = 400;
constexpr unsigned kStreamNonBlocking = 0x1, kEventDisableTiming = 0x2,
                   kMemAttachGlobal = 0x1, kMemoryTypeDevice = 2;
constexpr int kComputeCapabilityMajor = 75, kComputeCapabilityMinor = 76,
              kManagedMemory = 83;
constexpr int kPointerMemoryType = 2, kPointerIsManaged = 8;
constexpr int kJitErrorLogBuffer = 5, kJitErrorLogBufferSize = 6,
              kJitOptimizationLevel = 7;
/// What cuMemAllocManaged aligns to at least (cudaMalloc's promise).
constexpr size_t kManagedAlignment = 256;

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*getErrorName)(CUresult, const char **);
  CUresult (*deviceGetCount)(int *);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*deviceGetAttribute)(int *, int, CUdevice);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*moduleLoadData)(CUmodule *, const void *);
  CUresult (*moduleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                               void **);
  CUresult (*moduleUnload)(CUmodule);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*streamCreate)(CUstream *, unsigned);
  CUresult (*streamDestroy)(CUstream);
  CUresult (*streamSynchronize)(CUstream);
  CUresult (*streamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventDestroy)(CUevent);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*memAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*memcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*memsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*memsetD16Async)(CUdeviceptr, unsigned short, size_t, CUstream);
  CUresult (*memsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*pointerGetAttribute)(void *, int, CUdeviceptr);
};

// Process-wide, written once under driverMutex before `ready` is set; all
// trivially destructible, so the global destructors of a model library
// (mgpuModuleUnload) still find them at exit.
Driver driver;
CUcontext primaryContext = nullptr;
int computeCapability = 0; // major * 10 + minor: 90 for sm_90
std::atomic<bool> ready{false};
std::mutex driverMutex;

CUdeviceptr address(const void *ptr) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
}

/// The driver's name of `result` ("CUDA_ERROR_NO_DEVICE"), or ours for the
/// few a driver that cannot be initialized reports.
std::string errorName(const Driver &d, CUresult result) {
  const char *name = nullptr;
  if (d.getErrorName && d.getErrorName(result, &name) == kSuccess && name)
    return name;
  switch (result) {
  case kOutOfMemory:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case kNotInitialized:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case kStubLibrary:
    return "CUDA_ERROR_STUB_LIBRARY";
  case kNoDevice:
    return "CUDA_ERROR_NO_DEVICE";
  case kNoBinaryForGpu:
    return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case kInvalidValue:
    return "CUDA_ERROR_INVALID_VALUE";
  case kInvalidHandle:
    return "CUDA_ERROR_INVALID_HANDLE";
  default:
    return "CUresult " + std::to_string(result);
  }
}

std::string errorName(CUresult result) { return errorName(driver, result); }

/// "this library runs on an NVIDIA GPU (target cuda, sm_90)", the start of
/// every message saying why there is none it can run on.
std::string needsGpu(const Manifest &manifest) {
  return "this library runs on an NVIDIA GPU (target cuda, " +
         manifest.cudaArch + ")";
}

std::string smName(int capability) {
  return "sm_" + std::to_string(capability);
}

/// Loads and initializes the driver; under driverMutex, before `ready`.
xfmr_status loadDriver(const Manifest &manifest) {
  // The override is for tests: a missing file, or the toolkit's stub.
  const char *name = std::getenv("XFMR_CUDA_DRIVER");
  if (!name || !*name)
    name = "libcuda.so.1";
  dlerror();
  void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    std::string reason = !why || std::strstr(why, "No such file")
                             ? std::string(name) + " not found"
                             : std::string(why);
    return fail(XFMR_ERROR_NO_DEVICE,
                needsGpu(manifest) + ": no CUDA driver (" + reason + ")");
  }
  Driver d{};
  const char *missing = nullptr;
  auto resolve = [&](auto &fn, const char *symbol) {
    if (missing)
      return;
    void *address = dlsym(handle, symbol);
    if (!address)
      missing = symbol;
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(address);
  };
  resolve(d.init, "cuInit");
  resolve(d.getErrorName, "cuGetErrorName");
  resolve(d.deviceGetCount, "cuDeviceGetCount");
  resolve(d.deviceGet, "cuDeviceGet");
  resolve(d.deviceGetAttribute, "cuDeviceGetAttribute");
  resolve(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  resolve(d.ctxSetCurrent, "cuCtxSetCurrent");
  resolve(d.moduleLoadData, "cuModuleLoadData");
  resolve(d.moduleLoadDataEx, "cuModuleLoadDataEx");
  resolve(d.moduleUnload, "cuModuleUnload");
  resolve(d.moduleGetFunction, "cuModuleGetFunction");
  resolve(d.launchKernel, "cuLaunchKernel");
  resolve(d.streamCreate, "cuStreamCreate");
  resolve(d.streamDestroy, "cuStreamDestroy_v2");
  resolve(d.streamSynchronize, "cuStreamSynchronize");
  resolve(d.streamWaitEvent, "cuStreamWaitEvent");
  resolve(d.eventCreate, "cuEventCreate");
  resolve(d.eventDestroy, "cuEventDestroy_v2");
  resolve(d.eventRecord, "cuEventRecord");
  resolve(d.eventSynchronize, "cuEventSynchronize");
  resolve(d.memAllocManaged, "cuMemAllocManaged");
  resolve(d.memFree, "cuMemFree_v2");
  resolve(d.memcpy, "cuMemcpy");
  resolve(d.memcpyAsync, "cuMemcpyAsync");
  resolve(d.memsetD8, "cuMemsetD8_v2");
  resolve(d.memsetD16Async, "cuMemsetD16Async");
  resolve(d.memsetD32Async, "cuMemsetD32Async");
  resolve(d.pointerGetAttribute, "cuPointerGetAttribute");
  if (missing) {
    dlclose(handle);
    return fail(XFMR_ERROR_NO_DEVICE,
                needsGpu(manifest) + ": the CUDA driver " + name + " has no " +
                    missing + " (it is too old)");
  }
  // From here on the library stays loaded: a driver that was initialized,
  // even unsuccessfully, may have started threads of its own.
  auto noDevice = [&](const char *call, CUresult result) {
    std::string text = needsGpu(manifest) + ": no CUDA device (" + call + ": " +
                       errorName(d, result) + ")";
    if (result == kStubLibrary)
      text += "; " + std::string(name) +
              " is the CUDA toolkit's stub, not a driver";
    return fail(XFMR_ERROR_NO_DEVICE, text);
  };
  if (CUresult r = d.init(0))
    return noDevice("cuInit", r);
  int count = 0;
  if (CUresult r = d.deviceGetCount(&count))
    return noDevice("cuDeviceGetCount", r);
  if (count == 0)
    return noDevice("cuDeviceGetCount", kNoDevice);
  CUdevice device = 0;
  int major = 0, minor = 0, managed = 0;
  if (CUresult r = d.deviceGet(&device, 0))
    return noDevice("cuDeviceGet", r);
  if (CUresult r =
          d.deviceGetAttribute(&major, kComputeCapabilityMajor, device))
    return noDevice("cuDeviceGetAttribute", r);
  if (CUresult r =
          d.deviceGetAttribute(&minor, kComputeCapabilityMinor, device))
    return noDevice("cuDeviceGetAttribute", r);
  if (CUresult r = d.deviceGetAttribute(&managed, kManagedMemory, device))
    return noDevice("cuDeviceGetAttribute", r);
  int capability = major * 10 + minor;
  if (!managed)
    return fail(XFMR_ERROR_NO_DEVICE,
                needsGpu(manifest) + ": GPU 0 (" + smName(capability) +
                    ") cannot allocate managed memory on this system");
  CUcontext context = nullptr;
  if (CUresult r = d.primaryCtxRetain(&context, device))
    return noDevice("cuDevicePrimaryCtxRetain", r);
  driver = d;
  primaryContext = context;
  computeCapability = capability;
  ready.store(true, std::memory_order_release);
  return XFMR_OK;
}

bool driverLoaded() { return ready.load(std::memory_order_acquire); }

/// The primary context current on this thread (cheap: a thread-local set).
CUresult makeCurrent() { return driver.ctxSetCurrent(primaryContext); }

//===----------------------------------------------------------------------===//
// The call in progress on this thread
//===----------------------------------------------------------------------===//

thread_local CallState *currentCall = nullptr;

/// A driver call's result: kept by the call in progress, which fails as a
/// whole; outside one (the generated code never does that) reported on
/// stderr, as MLIR's own wrappers do. True on success.
bool check(CUresult result, const char *what) {
  if (result == kSuccess)
    return true;
  if (CallState *call = currentCall)
    call->record(result, what);
  else
    std::fprintf(stderr, "xfmr: %s failed: %s\n", what,
                 errorName(result).c_str());
  return false;
}

/// Whether the call in progress has failed, so its work is skipped.
bool skipped() {
  CallState *call = currentCall;
  return call && call->failed();
}

void markPending() {
  if (CallState *call = currentCall)
    call->markPending();
}

/// Enqueues work on a stream of the call (`amount`: its bytes or elements;
/// none is no work), unless the call has failed.
template <typename Enqueue>
void enqueue(size_t amount, const char *what, Enqueue &&work) {
  if (skipped() || !driverLoaded() || !amount)
    return;
  markPending();
  check(work(), what);
}

//===----------------------------------------------------------------------===//
// Kernel modules
//===----------------------------------------------------------------------===//

/// What mgpuModuleLoad* hands the generated code: the binary, loaded into
/// the driver at model open (or first use), not when the library is loaded.
struct ModuleRecord {
  const void *data;
  size_t size;
  /// PTX compiled by the driver (mgpuModuleLoadJIT) at this level; a cubin
  /// or fatbin otherwise.
  bool jit;
  int optLevel;
  std::atomic<CUmodule> module{nullptr};
  /// The first kernel looked up, for the launches that follow (the
  /// compiler puts one kernel in each module): its name, published after
  /// the function by whoever claimed the slot.
  std::atomic<bool> kernelClaimed{false};
  std::atomic<CUfunction> kernel{nullptr};
  std::atomic<const char *> kernelName{nullptr};
  ModuleRecord *next = nullptr;
};

// This library's records, loaded under moduleMutex.
ModuleRecord *modules = nullptr;
std::mutex moduleMutex;

ModuleRecord *registerModule(const void *data, size_t size, bool jit,
                             int optLevel) {
  if (!data)
    return nullptr;
  // Runs in a global constructor: no exception may leave it.
  auto *record = new (std::nothrow) ModuleRecord;
  if (!record)
    return nullptr;
  record->data = data;
  record->size = size;
  record->jit = jit;
  record->optLevel = optLevel;
  std::lock_guard<std::mutex> lock(moduleMutex);
  record->next = modules;
  modules = record;
  return record;
}

/// Loads `record` into the primary context (current on this thread), under
/// moduleMutex. `log`: the JIT compiler's first message, if it failed.
CUresult loadLocked(ModuleRecord &record, std::string *log) {
  if (record.module.load(std::memory_order_acquire))
    return kSuccess;
  CUmodule module = nullptr;
  CUresult result;
  if (record.jit) {
    char errors[4096] = {};
    // MLIR passes 0 when the object states no level ("O"): take the
    // driver's default, its highest, rather than no optimization at all.
    int options[3] = {kJitErrorLogBuffer, kJitErrorLogBufferSize,
                      kJitOptimizationLevel};
    void *values[3] = {
        errors, reinterpret_cast<void *>(sizeof(errors) - 1),
        reinterpret_cast<void *>(static_cast<intptr_t>(record.optLevel))};
    unsigned count = record.optLevel > 0 && record.optLevel <= 4 ? 3 : 2;
    result =
        driver.moduleLoadDataEx(&module, record.data, count, options, values);
    if (result && log) {
      *log = errors;
      size_t newline = log->find('\n');
      if (newline != std::string::npos)
        log->resize(newline);
    }
  } else {
    result = driver.moduleLoadData(&module, record.data);
  }
  if (result == kSuccess)
    record.module.store(module, std::memory_order_release);
  return result;
}

/// The loaded module of `record`, loading it on first use.
CUmodule moduleOf(ModuleRecord &record) {
  if (CUmodule module = record.module.load(std::memory_order_acquire))
    return module;
  if (!driverLoaded()) {
    check(kNotInitialized, "cuModuleLoadData");
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(moduleMutex);
  if (!check(loadLocked(record, nullptr),
             record.jit ? "cuModuleLoadDataEx" : "cuModuleLoadData"))
    return nullptr;
  return record.module.load(std::memory_order_relaxed);
}

/// `sm_90` as 90; 0 if it is not one (the manifest checked it is).
int archNumber(const std::string &arch) {
  int value = 0;
  for (size_t i = 3; i < arch.size() && value < 100000; ++i)
    value = value * 10 + (arch[i] - '0');
  return value;
}

//===----------------------------------------------------------------------===//
// Managed memory
//===----------------------------------------------------------------------===//

void *managedBlock(size_t size, size_t alignment) {
  if (alignment <= kManagedAlignment)
    return allocateManaged(size);
  // Wider than the driver's: the base is kept in the word before the block.
  if (size > SIZE_MAX - alignment)
    return nullptr;
  char *base = static_cast<char *>(allocateManaged(size + alignment));
  if (!base)
    return nullptr;
  uintptr_t start =
      (reinterpret_cast<uintptr_t>(base) + sizeof(void *) + alignment - 1) &
      ~static_cast<uintptr_t>(alignment - 1);
  char *block = reinterpret_cast<char *>(start);
  std::memcpy(block - sizeof(void *), &base, sizeof(void *));
  return block;
}

void releaseManagedBlock(void *ptr, size_t alignment) {
  // The call's kernels may still use it.
  if (CallState *call = currentCall)
    call->drain();
  if (alignment > kManagedAlignment && ptr)
    std::memcpy(&ptr, static_cast<char *>(ptr) - sizeof(void *),
                sizeof(void *));
  freeManaged(ptr);
}

} // namespace

const BlockSource xfmr::runtime::cuda::kManagedBlocks = {managedBlock,
                                                         releaseManagedBlock};

//===----------------------------------------------------------------------===//
// The runtime's side
//===----------------------------------------------------------------------===//

xfmr_status xfmr::runtime::cuda::openDevice(const Manifest &manifest) {
  if (!driverLoaded()) {
    std::lock_guard<std::mutex> lock(driverMutex);
    if (!driverLoaded())
      if (xfmr_status status = loadDriver(manifest))
        return status;
  }
  if (CUresult r = makeCurrent())
    return fail(XFMR_ERROR_INTERNAL,
                "cannot use the GPU (cuCtxSetCurrent: " + errorName(r) + ")");
  int arch = archNumber(manifest.cudaArch);
  std::string ours = "the library's kernels are for " + manifest.cudaArch +
                     "; this GPU is " + smName(computeCapability);
  if (computeCapability < arch)
    return fail(XFMR_ERROR_NO_DEVICE, "cannot run on this GPU: " + ours);
  std::lock_guard<std::mutex> lock(moduleMutex);
  for (ModuleRecord *record = modules; record; record = record->next) {
    std::string log;
    CUresult r = loadLocked(*record, &log);
    if (r == kSuccess)
      continue;
    std::string call =
        std::string(record->jit ? "cuModuleLoadDataEx" : "cuModuleLoadData") +
        ": " + errorName(r);
    if (r == kNoBinaryForGpu)
      return fail(XFMR_ERROR_NO_DEVICE,
                  "cannot run on this GPU: " + ours + " (" + call + ")");
    if (r == kInvalidPtx || r == kUnsupportedPtxVersion)
      return fail(XFMR_ERROR_NO_DEVICE,
                  "cannot run on this GPU: the CUDA driver cannot compile the "
                  "library's kernels (PTX for " +
                      manifest.cudaArch + ") (" + call + ")" +
                      (log.empty() ? "" : ": " + log));
    return fail(r == kOutOfMemory ? XFMR_ERROR_OUT_OF_MEMORY
                                  : XFMR_ERROR_INTERNAL,
                "cannot load the library's kernels onto the GPU (" + call +
                    ")" + (log.empty() ? "" : ": " + log));
  }
  return XFMR_OK;
}

bool xfmr::runtime::cuda::driverReady() { return driverLoaded(); }

size_t xfmr::runtime::cuda::moduleCount() {
  std::lock_guard<std::mutex> lock(moduleMutex);
  size_t n = 0;
  for (ModuleRecord *record = modules; record; record = record->next)
    ++n;
  return n;
}

size_t xfmr::runtime::cuda::loadedModuleCount() {
  std::lock_guard<std::mutex> lock(moduleMutex);
  size_t n = 0;
  for (ModuleRecord *record = modules; record; record = record->next)
    n += record->module.load(std::memory_order_relaxed) != nullptr;
  return n;
}

void *xfmr::runtime::cuda::allocateManaged(size_t bytes, bool zeroed) {
  if (!driverLoaded() || makeCurrent() != kSuccess)
    return nullptr;
  CUdeviceptr ptr = 0;
  if (driver.memAllocManaged(&ptr, bytes ? bytes : 1, kMemAttachGlobal))
    return nullptr;
  // On the device, on the default stream, which the contexts' streams do
  // not wait for: done before anything else can touch the memory.
  if (zeroed &&
      (driver.memsetD8(ptr, 0, bytes) || driver.streamSynchronize(nullptr))) {
    driver.memFree(ptr);
    return nullptr;
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr));
}

void xfmr::runtime::cuda::freeManaged(void *ptr) {
  if (!ptr || !driverLoaded())
    return;
  makeCurrent();
  driver.memFree(address(ptr));
}

bool xfmr::runtime::cuda::isDeviceAccessible(const void *ptr) {
  if (!ptr || !driverLoaded())
    return false;
  // Either answer may be a byte or a word: start from zeros.
  unsigned managed = 0, type = 0;
  if (driver.pointerGetAttribute(&managed, kPointerIsManaged, address(ptr)) ==
          kSuccess &&
      managed)
    return true;
  return driver.pointerGetAttribute(&type, kPointerMemoryType, address(ptr)) ==
             kSuccess &&
         type == kMemoryTypeDevice;
}

xfmr_status xfmr::runtime::cuda::moveWeights(xfmr_model &model) {
  constexpr size_t kAlign = kManagedAlignment;
  std::vector<size_t> offsets, bytes;
  size_t total = 0;
  for (const Descriptor &w : model.weights) {
    size_t n = sizeof(float);
    for (size_t d = 0; d < w.rank(); ++d)
      n *= static_cast<size_t>(w.sizes()[d]);
    offsets.push_back(total);
    bytes.push_back(n);
    total += (n + kAlign - 1) & ~(kAlign - 1);
  }
  if (!model.deviceWeights.allocate(total))
    return fail(XFMR_ERROR_OUT_OF_MEMORY,
                "out of memory: cannot allocate " + std::to_string(total) +
                    " bytes of GPU memory for the weights");
  char *base = model.deviceWeights.data();
  for (size_t i = 0; i < model.weights.size(); ++i) {
    Descriptor &w = model.weights[i];
    if (bytes[i])
      if (CUresult r = driver.memcpy(address(base + offsets[i]),
                                     address(w.data()), bytes[i]))
        return fail(
            r == kOutOfMemory ? XFMR_ERROR_OUT_OF_MEMORY : XFMR_ERROR_INTERNAL,
            "cannot copy the weights to the GPU (cuMemcpy: " + errorName(r) +
                ")");
    std::vector<int64_t> sizes(w.sizes(), w.sizes() + w.rank());
    w.set(base + offsets[i], sizes.data());
  }
  // cuMemcpy from pageable memory may return before its transfer ends; the
  // contexts' streams do not wait for the default stream.
  if (CUresult r = driver.streamSynchronize(nullptr))
    return fail(XFMR_ERROR_INTERNAL,
                "cannot copy the weights to the GPU (cuStreamSynchronize: " +
                    errorName(r) + ")");
  // The host layout is no longer read.
  model.copies.clear();
  model.copies.shrink_to_fit();
  model.file = xfmr::safetensors::LoadedFile();
  return XFMR_OK;
}

//===----------------------------------------------------------------------===//
// CallState
//===----------------------------------------------------------------------===//

CallState::~CallState() {
  if (stream_ && driverLoaded()) {
    makeCurrent();
    driver.streamDestroy(static_cast<CUstream>(stream_));
  }
  freeManaged(stage);
}

xfmr_status CallState::begin() {
  error = 0;
  failedCall = failedKernel = kernel = nullptr;
  pending = false;
  if (!driverLoaded())
    return fail(XFMR_ERROR_NO_DEVICE, "the CUDA driver is not loaded");
  if (CUresult r = makeCurrent())
    return fail(XFMR_ERROR_INTERNAL,
                "cannot use the GPU (cuCtxSetCurrent: " + errorName(r) + ")");
  if (!stream_) {
    CUstream stream = nullptr;
    if (CUresult r = driver.streamCreate(&stream, kStreamNonBlocking))
      return fail(
          r == kOutOfMemory ? XFMR_ERROR_OUT_OF_MEMORY : XFMR_ERROR_INTERNAL,
          "cannot create a GPU stream (cuStreamCreate: " + errorName(r) + ")");
    stream_ = stream;
  }
  return XFMR_OK;
}

char *CallState::staging(size_t bytes) {
  if (bytes <= stageSize)
    return stage;
  // Nothing is in flight between calls: the old buffer can go at once.
  freeManaged(stage);
  stageSize = 0;
  stage = static_cast<char *>(allocateManaged(bytes));
  if (stage)
    stageSize = bytes;
  return stage;
}

void CallState::copy(void *dst, const void *src, size_t bytes) {
  if (failed() || !bytes)
    return;
  CUresult r = driver.memcpyAsync(address(dst), address(src), bytes,
                                  static_cast<CUstream>(stream_));
  if (r)
    record(r, "cuMemcpyAsync");
  pending = true;
}

void CallState::synchronize() {
  CUresult r = driver.streamSynchronize(static_cast<CUstream>(stream_));
  pending = false;
  if (r)
    record(r, "cuStreamSynchronize");
}

void CallState::drain() {
  if (pending)
    synchronize();
}

void CallState::record(int result, const char *what) {
  if (error)
    return;
  error = result;
  failedCall = what;
  failedKernel = kernel;
}

xfmr_status CallState::report(const char *call) const {
  std::string text = std::string("the GPU failed the ") + call + " call";
  if (failedKernel)
    text += std::string(" (at kernel '") + failedKernel + "')";
  text += std::string(": ") + (failedCall ? failedCall : "?") + ": " +
          errorName(error);
  return fail(error == kOutOfMemory ? XFMR_ERROR_OUT_OF_MEMORY
                                    : XFMR_ERROR_INTERNAL,
              text);
}

CurrentCall::CurrentCall(CallState &state) : previous(currentCall) {
  currentCall = &state;
}

CurrentCall::~CurrentCall() { currentCall = previous; }

//===----------------------------------------------------------------------===//
// The mgpu* functions of generated code
//===----------------------------------------------------------------------===//

void *mgpuModuleLoad(void *data, size_t size) {
  return registerModule(data, size, /*jit=*/false, 0);
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return registerModule(data, data ? std::strlen(static_cast<char *>(data)) : 0,
                        /*jit=*/true, optLevel);
}

void mgpuModuleUnload(void *module) {
  auto *record = static_cast<ModuleRecord *>(module);
  if (!record)
    return;
  {
    std::lock_guard<std::mutex> lock(moduleMutex);
    for (ModuleRecord **at = &modules; *at; at = &(*at)->next)
      if (*at == record) {
        *at = record->next;
        break;
      }
  }
  // At exit the driver may already be shutting down: its answer is moot.
  if (CUmodule loaded = record->module.load(std::memory_order_acquire))
    if (driverLoaded() && makeCurrent() == kSuccess)
      driver.moduleUnload(loaded);
  delete record;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  if (CallState *call = currentCall)
    call->setKernel(name);
  if (skipped())
    return nullptr;
  auto *record = static_cast<ModuleRecord *>(module);
  if (!record) {
    check(kInvalidHandle, "cuModuleGetFunction");
    return nullptr;
  }
  // Every launch asks again, with the same name: answered without the
  // driver after the first.
  if (record->kernelName.load(std::memory_order_acquire) == name)
    return record->kernel.load(std::memory_order_relaxed);
  CUmodule loaded = moduleOf(*record);
  if (!loaded)
    return nullptr;
  CUfunction function = nullptr;
  if (!check(driver.moduleGetFunction(&function, loaded, name),
             "cuModuleGetFunction"))
    return nullptr;
  if (!record->kernelClaimed.exchange(true, std::memory_order_acq_rel)) {
    record->kernel.store(function, std::memory_order_relaxed);
    record->kernelName.store(name, std::memory_order_release);
  }
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  if (skipped())
    return;
  if (!function || !driverLoaded()) {
    check(function ? kNotInitialized : kInvalidHandle, "cuLaunchKernel");
    return;
  }
  // A parallel loop of no iterations (a batch whose rows are all padding,
  // compacted away) is a grid of no blocks: nothing to run.
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  for (intptr_t dim : {gridX, gridY, gridZ, blockX, blockY, blockZ})
    if (dim <= 0 || static_cast<uintptr_t>(dim) > UINT_MAX) {
      check(kInvalidValue, "cuLaunchKernel");
      return;
    }
  if (smem < 0) {
    check(kInvalidValue, "cuLaunchKernel");
    return;
  }
  markPending();
  check(driver.launchKernel(static_cast<CUfunction>(function), gridX, gridY,
                            gridZ, blockX, blockY, blockZ,
                            static_cast<unsigned>(smem),
                            static_cast<CUstream>(stream), params, extra),
        "cuLaunchKernel");
}

void *mgpuStreamCreate() {
  CallState *call = currentCall;
  if (call && call->stream())
    return call->stream();
  // Outside a call, which the generated code never is: a stream of its own.
  if (!driverLoaded() || !check(makeCurrent(), "cuCtxSetCurrent"))
    return nullptr;
  CUstream stream = nullptr;
  check(driver.streamCreate(&stream, kStreamNonBlocking), "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  CallState *call = currentCall;
  // The context's stream lives as long as the context.
  if (!stream || (call && stream == call->stream()) || !driverLoaded())
    return;
  check(driver.streamDestroy(static_cast<CUstream>(stream)), "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  CallState *call = currentCall;
  if (call && stream == call->stream()) {
    call->synchronize();
    return;
  }
  if (driverLoaded())
    check(driver.streamSynchronize(static_cast<CUstream>(stream)),
          "cuStreamSynchronize");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  enqueue(1, "cuStreamWaitEvent", [&] {
    return driver.streamWaitEvent(static_cast<CUstream>(stream),
                                  static_cast<CUevent>(event), 0);
  });
}

void *mgpuEventCreate() {
  if (!driverLoaded() || !check(makeCurrent(), "cuCtxSetCurrent"))
    return nullptr;
  CUevent event = nullptr;
  check(driver.eventCreate(&event, kEventDisableTiming), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  if (event && driverLoaded())
    check(driver.eventDestroy(static_cast<CUevent>(event)), "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  if (event && driverLoaded())
    check(driver.eventSynchronize(static_cast<CUevent>(event)),
          "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  enqueue(1, "cuEventRecord", [&] {
    return driver.eventRecord(static_cast<CUevent>(event),
                              static_cast<CUstream>(stream));
  });
}

void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                   bool /*isHostShared*/) {
  // During a call from the context's work memory (managed, so host shared
  // or not alike): reused across calls, taken back if the call is
  // abandoned, and never NULL (a request that cannot be served ends the
  // call as out of memory).
  if (currentWorkMemory() && currentCall)
    return _mlir_memref_to_llvm_aligned_alloc(kManagedAlignment,
                                              static_cast<size_t>(sizeBytes));
  void *ptr = allocateManaged(static_cast<size_t>(sizeBytes));
  if (!ptr)
    check(driverLoaded() ? kOutOfMemory : kNotInitialized, "cuMemAllocManaged");
  return ptr;
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (!ptr)
    return;
  if (WorkMemory *memory = currentWorkMemory();
      memory && currentCall && memory->release(ptr))
    return;
  if (CallState *call = currentCall)
    call->drain();
  freeManaged(ptr);
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  enqueue(sizeBytes, "cuMemcpyAsync", [&] {
    return driver.memcpyAsync(address(dst), address(src), sizeBytes,
                              static_cast<CUstream>(stream));
  });
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  enqueue(count, "cuMemsetD32Async", [&] {
    return driver.memsetD32Async(address(dst), value, count,
                                 static_cast<CUstream>(stream));
  });
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  enqueue(count, "cuMemsetD16Async", [&] {
    return driver.memsetD16Async(address(dst), value, count,
                                 static_cast<CUstream>(stream));
  });
}
