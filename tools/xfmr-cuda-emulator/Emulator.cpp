//===- Emulator.cpp - a CUDA driver that runs emulated kernels on the CPU -===//
//
// libxfmr-cuda-emulator.so defines the part of the CUDA driver API the
// runtime uses (runtime/lib/Cuda.cpp), so that a library built with
// `xfmrc --target=cuda --cuda-binary=emulated` runs on a machine without a
// GPU: `XFMR_CUDA_DRIVER=libxfmr-cuda-emulator.so xfmr-run ...`. It is a
// test of the CUDA target, not a way to run models: slow, one block at a
// time.
//
// One device (sm_90 unless XFMR_CUDA_EMULATOR_ARCH says another, e.g.
// "80"). Memory is host memory, every allocation "managed". Streams and
// events exist only as handles: work runs when it is enqueued. A kernel
// launch runs its blocks one after another, each block's threads as fibers
// of the calling thread (on x86-64 a stack switch of the callee-saved
// registers, no system call; elsewhere ucontext), switched at the
// collectives: a shuffle waits for
// every lane of its warp that has not exited, a barrier for every thread of
// the block. A block whose threads cannot all go on (a barrier some warp
// never reaches, lanes of one warp at different collectives, a shuffle of
// an exited lane) fails the launch with CUDA_ERROR_LAUNCH_FAILED and a line
// on stderr saying which kernel and why: on a GPU that is a hang or
// undefined behaviour. Shared memory is the kernels' own globals: blocks do
// not run at once, so one copy serves them all.
//
// XFMR_CUDA_EMULATOR_STATS=1 prints at exit how many launches, blocks,
// threads and collectives ran.
//
// Images are those of compiler/codegen/cuda/EmulatedDevice.h; a real cubin
// is CUDA_ERROR_NO_BINARY_FOR_GPU, PTX CUDA_ERROR_INVALID_PTX, as a GPU of
// another kind would say.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/EmulatedDevice.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>
#include <sys/mman.h>
#include <vector>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace emulated = xfmr::cuda::emulated;

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2,
                   kNotInitialized = 3, kNoDevice = 100, kInvalidDevice = 101,
                   kNoBinaryForGpu = 209, kInvalidPtx = 218,
                   kInvalidHandle = 400, kNotFound = 500,
                   kLaunchOutOfResources = 701, kLaunchFailed = 719,
                   kNotSupported = 801;

const char *errorName(CUresult r) {
  switch (r) {
  case kSuccess:
    return "CUDA_SUCCESS";
  case kInvalidValue:
    return "CUDA_ERROR_INVALID_VALUE";
  case kOutOfMemory:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case kNotInitialized:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case kNoDevice:
    return "CUDA_ERROR_NO_DEVICE";
  case kInvalidDevice:
    return "CUDA_ERROR_INVALID_DEVICE";
  case kNoBinaryForGpu:
    return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case kInvalidPtx:
    return "CUDA_ERROR_INVALID_PTX";
  case kInvalidHandle:
    return "CUDA_ERROR_INVALID_HANDLE";
  case kNotFound:
    return "CUDA_ERROR_NOT_FOUND";
  case kLaunchOutOfResources:
    return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
  case kLaunchFailed:
    return "CUDA_ERROR_LAUNCH_FAILED";
  case kNotSupported:
    return "CUDA_ERROR_NOT_SUPPORTED";
  default:
    return nullptr;
  }
}

bool initialized = false;

/// What ran, for XFMR_CUDA_EMULATOR_STATS (tests check that kernels did).
struct Stats {
  unsigned long long launches = 0, blocks = 0, threads = 0, shuffles = 0,
                     barriers = 0, mmas = 0;
  ~Stats() {
    const char *wanted = std::getenv("XFMR_CUDA_EMULATOR_STATS");
    if (wanted && *wanted && std::strcmp(wanted, "0") != 0)
      std::fprintf(stderr,
                   "xfmr-cuda-emulator: %llu launches, %llu blocks, %llu "
                   "threads, %llu warp shuffles, %llu block barriers, %llu "
                   "warp mma.sync\n",
                   launches, blocks, threads, shuffles, barriers, mmas);
  }
};
Stats stats;

//===----------------------------------------------------------------------===//
// Memory: host memory, tracked so that cuPointerGetAttribute knows it
//===----------------------------------------------------------------------===//

std::mutex memoryMutex;
std::map<uintptr_t, size_t> allocations; // base -> bytes

bool isAllocated(uintptr_t address) {
  std::lock_guard<std::mutex> lock(memoryMutex);
  auto it = allocations.upper_bound(address);
  if (it == allocations.begin())
    return false;
  --it;
  return address < it->first + std::max<size_t>(it->second, 1);
}

void *pointer(CUdeviceptr address) {
  return reinterpret_cast<void *>(static_cast<uintptr_t>(address));
}

//===----------------------------------------------------------------------===//
// Modules and kernels
//===----------------------------------------------------------------------===//

struct Module {
  void *library;      // the model library holding the image (dlopen'd)
  std::string prefix; // kKernelPrefix + module name + "__"
};

using KernelEntry = void (*)(void **);

struct Function {
  KernelEntry entry;
  std::string name;
};

//===----------------------------------------------------------------------===//
// Blocks: threads as fibers
//===----------------------------------------------------------------------===//

enum class FiberState { Ready, AtShuffle, AtBarrier, AtMma, Done };

void fiberEntry();

#if defined(__x86_64__)
} // namespace

// Saves the callee-saved registers (and the SSE and x87 control words) on
// the current stack, stores its pointer in *from, and resumes the stack
// `to` was saved as, or a new one that `startContext` laid out.
extern "C" void xfmrEmulatorSwitch(void **from, void *to);
asm(R"(
  .text
  .p2align 4
  .globl xfmrEmulatorSwitch
  .hidden xfmrEmulatorSwitch
  .type xfmrEmulatorSwitch, @function
xfmrEmulatorSwitch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size xfmrEmulatorSwitch, .-xfmrEmulatorSwitch
)");

namespace {
/// Where a thread of execution stopped: its stack pointer.
struct Context {
  void *sp = nullptr;
};

/// `context` made to start fiberEntry on `stack`: the frame
/// xfmrEmulatorSwitch pops, under a return address of 0 (where a call would
/// have left one, keeping the ABI's alignment).
void startContext(Context &context, void *stack, size_t bytes) {
  auto *top = reinterpret_cast<uint64_t *>(
      (reinterpret_cast<uintptr_t>(stack) + bytes) & ~uintptr_t(15));
  *--top = 0;
  *--top = reinterpret_cast<uint64_t>(&fiberEntry);
  for (int r = 0; r < 6; ++r) // rbp, rbx, r12 to r15
    *--top = 0;
  uint32_t mxcsr;
  uint16_t x87;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(x87));
  *--top = uint64_t(mxcsr) | uint64_t(x87) << 32;
  context.sp = top;
}

void switchContext(Context &from, Context &to) {
  xfmrEmulatorSwitch(&from.sp, to.sp);
}
#else
struct Context {
  ucontext_t uc;
};

void startContext(Context &context, void *stack, size_t bytes) {
  // getcontext is a system call: once per host thread, copied for each
  // fiber.
  static thread_local const ucontext_t blank = [] {
    ucontext_t uc;
    getcontext(&uc);
    return uc;
  }();
  context.uc = blank;
  context.uc.uc_stack.ss_sp = stack;
  context.uc.uc_stack.ss_size = bytes;
  context.uc.uc_link = nullptr;
  makecontext(&context.uc, fiberEntry, 0);
}

void switchContext(Context &from, Context &to) {
  swapcontext(&from.uc, &to.uc);
}
#endif

struct Fiber {
  Context context;
  void *stack = nullptr;
  FiberState state = FiberState::Ready;
  int32_t tid[3] = {0, 0, 0};
  int32_t linear = 0;
  // The collective this thread waits at.
  int32_t mode = 0, mask = 0, value = 0, offset = 0, clamp = 0;
  int32_t result = 0, valid = 0;
  const float *mmaA = nullptr, *mmaB = nullptr, *mmaC = nullptr;
  float *mmaD = nullptr;
};

constexpr size_t kStackBytes = 512 * 1024;
constexpr int kWarp = 32;

/// The launch in progress (on the thread that called cuLaunchKernel).
struct Launch {
  const Function *function = nullptr;
  void **params = nullptr;
  int32_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1}, blockId[3] = {0, 0, 0};
  std::vector<Fiber> fibers;
  Fiber *current = nullptr;
  Context scheduler;
  std::string failure;
};

thread_local Launch *launch = nullptr;

/// Back to the scheduler, waiting in `state`.
void wait(FiberState state) {
  Fiber *self = launch->current;
  self->state = state;
  switchContext(self->context, launch->scheduler);
}

/// A thread: the kernel, then back to the scheduler for good.
void fiberEntry() {
  launch->function->entry(launch->params);
  wait(FiberState::Done);
  __builtin_unreachable();
}

int32_t specialRegister(int32_t which) {
  const Launch &l = *launch;
  const Fiber &f = *l.current;
  switch (which) {
  case emulated::kTidX:
  case emulated::kTidY:
  case emulated::kTidZ:
    return f.tid[which - emulated::kTidX];
  case emulated::kNtidX:
  case emulated::kNtidY:
  case emulated::kNtidZ:
    return l.block[which - emulated::kNtidX];
  case emulated::kCtaidX:
  case emulated::kCtaidY:
  case emulated::kCtaidZ:
    return l.blockId[which - emulated::kCtaidX];
  case emulated::kNctaidX:
  case emulated::kNctaidY:
  case emulated::kNctaidZ:
    return l.grid[which - emulated::kNctaidX];
  case emulated::kLaneId:
    return f.linear % kWarp;
  case emulated::kWarpSize:
    return kWarp;
  default:
    return 0;
  }
}

int32_t shuffle(int32_t mode, int32_t mask, int32_t value, int32_t offset,
                int32_t clamp) {
  Fiber &f = *launch->current;
  f.mode = mode;
  f.mask = mask;
  f.value = value;
  f.offset = offset;
  f.clamp = clamp;
  wait(FiberState::AtShuffle);
  return f.result;
}

int32_t shuffleValid() { return launch->current->valid; }

void barrier() { wait(FiberState::AtBarrier); }

void mmaTf32(const float *a, const float *b, const float *c, float *d) {
  Fiber &f = *launch->current;
  f.mmaA = a;
  f.mmaB = b;
  f.mmaC = c;
  f.mmaD = d;
  wait(FiberState::AtMma);
}

/// The lane a shuffle of `lane` reads (PTX ISA, shfl.sync), and whether it
/// is in range.
int sourceLane(const Fiber &f, int lane, bool &inRange) {
  int c = f.clamp & 0x1f, segmentMask = (f.clamp >> 8) & 0x1f;
  int minLane = lane & segmentMask;
  int maxLane = minLane | (c & ~segmentMask);
  int b = f.offset, j = lane;
  switch (f.mode) {
  case emulated::kUp:
    j = lane - b;
    inRange = j >= maxLane;
    break;
  case emulated::kDown:
    j = lane + b;
    inRange = j <= maxLane;
    break;
  case emulated::kButterfly:
    j = lane ^ b;
    inRange = j <= maxLane;
    break;
  default:
    j = minLane | (b & ~segmentMask);
    inRange = j <= maxLane;
    break;
  }
  return inRange ? j : lane;
}

/// The warp's shuffle, when every lane that has not exited is at one:
/// false (and `why`) if they cannot meet.
bool resolveShuffle(Fiber *lanes, int count, std::string &why) {
  for (int i = 0; i < count; ++i) {
    Fiber &f = lanes[i];
    if (f.state != FiberState::AtShuffle)
      continue;
    if (!(static_cast<uint32_t>(f.mask) >> i & 1)) {
      why = "lane " + std::to_string(i) + " shuffles with a mask (" +
            std::to_string(static_cast<uint32_t>(f.mask)) +
            ") that leaves it out";
      return false;
    }
    bool inRange = false;
    int j = sourceLane(f, i, inRange);
    if (inRange) {
      if (j < 0 || j >= count || lanes[j].state != FiberState::AtShuffle) {
        why = "lane " + std::to_string(i) + " reads lane " + std::to_string(j) +
              ", which has exited or does not exist";
        return false;
      }
      if (!(static_cast<uint32_t>(f.mask) >> j & 1)) {
        why = "lane " + std::to_string(i) + " reads lane " + std::to_string(j) +
              ", outside its mask";
        return false;
      }
    }
    f.result = lanes[j].value;
    f.valid = inRange;
  }
  for (int i = 0; i < count; ++i)
    if (lanes[i].state == FiberState::AtShuffle)
      lanes[i].state = FiberState::Ready;
  return true;
}

/// TF32 as the tensor cores read it: the low 13 bits of the mantissa
/// dropped.
float tf32(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits &= 0xffffe000u;
  std::memcpy(&x, &bits, 4);
  return x;
}

/// mma.sync m16n8k8 (row, col) for the whole warp, in PTX's fragment
/// layout: lane = 4 * group + t; a: (g, t), (g + 8, t), (g, t + 4),
/// (g + 8, t + 4); b: (t, g), (t + 4, g); c, d: (g, 2t), (g, 2t + 1),
/// (g + 8, 2t), (g + 8, 2t + 1).
bool resolveMma(Fiber *lanes, int count, std::string &why) {
  if (count != kWarp) {
    why = "mma.sync by a warp of " + std::to_string(count) + " lanes";
    return false;
  }
  float a[16][8], b[8][8], c[16][8];
  for (int lane = 0; lane < kWarp; ++lane) {
    const Fiber &f = lanes[lane];
    int g = lane / 4, t = lane % 4;
    a[g][t] = tf32(f.mmaA[0]);
    a[g + 8][t] = tf32(f.mmaA[1]);
    a[g][t + 4] = tf32(f.mmaA[2]);
    a[g + 8][t + 4] = tf32(f.mmaA[3]);
    b[t][g] = tf32(f.mmaB[0]);
    b[t + 4][g] = tf32(f.mmaB[1]);
    c[g][2 * t] = f.mmaC[0];
    c[g][2 * t + 1] = f.mmaC[1];
    c[g + 8][2 * t] = f.mmaC[2];
    c[g + 8][2 * t + 1] = f.mmaC[3];
  }
  float d[16][8];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) {
      float sum = c[i][j];
      for (int k = 0; k < 8; ++k)
        sum = std::fma(a[i][k], b[k][j], sum);
      d[i][j] = sum;
    }
  for (int lane = 0; lane < kWarp; ++lane) {
    Fiber &f = lanes[lane];
    int g = lane / 4, t = lane % 4;
    f.mmaD[0] = d[g][2 * t];
    f.mmaD[1] = d[g][2 * t + 1];
    f.mmaD[2] = d[g + 8][2 * t];
    f.mmaD[3] = d[g + 8][2 * t + 1];
    f.state = FiberState::Ready;
  }
  return true;
}

const char *stateName(FiberState s) {
  switch (s) {
  case FiberState::Ready:
    return "running";
  case FiberState::AtShuffle:
    return "at a shuffle";
  case FiberState::AtBarrier:
    return "at a barrier";
  case FiberState::AtMma:
    return "at an mma.sync";
  case FiberState::Done:
    return "exited";
  }
  return "?";
}

/// Runs the current block to its end; false (and l.failure) if its threads
/// cannot go on.
bool runBlock(Launch &l) {
  int threads = static_cast<int>(l.fibers.size());
  for (int i = 0; i < threads; ++i) {
    Fiber &f = l.fibers[i];
    f.state = FiberState::Ready;
    startContext(f.context, f.stack, kStackBytes);
  }
  for (;;) {
    for (Fiber &f : l.fibers)
      if (f.state == FiberState::Ready) {
        l.current = &f;
        switchContext(l.scheduler, f.context);
      }
    bool released = false, live = false;
    for (int w = 0; w < threads; w += kWarp) {
      Fiber *lanes = &l.fibers[w];
      int count = std::min(kWarp, threads - w);
      bool shuffle = false, mma = false, other = false;
      for (int i = 0; i < count; ++i) {
        FiberState s = lanes[i].state;
        shuffle |= s == FiberState::AtShuffle;
        mma |= s == FiberState::AtMma;
        other |= s == FiberState::AtBarrier;
        live |= s != FiberState::Done;
      }
      std::string why;
      if (shuffle && !mma && !other) {
        ++stats.shuffles;
        if (!resolveShuffle(lanes, count, why)) {
          l.failure = "warp " + std::to_string(w / kWarp) + ": " + why;
          return false;
        }
        released = true;
      } else if (mma && !shuffle && !other) {
        for (int i = 0; i < count; ++i)
          if (lanes[i].state == FiberState::Done) {
            l.failure = "warp " + std::to_string(w / kWarp) +
                        ": mma.sync with exited lanes";
            return false;
          }
        ++stats.mmas;
        if (!resolveMma(lanes, count, why)) {
          l.failure = "warp " + std::to_string(w / kWarp) + ": " + why;
          return false;
        }
        released = true;
      }
    }
    if (!live)
      return true;
    if (released)
      continue;
    bool allAtBarrier = true;
    for (const Fiber &f : l.fibers)
      allAtBarrier &=
          f.state == FiberState::Done || f.state == FiberState::AtBarrier;
    if (allAtBarrier) {
      ++stats.barriers;
      for (Fiber &f : l.fibers)
        if (f.state == FiberState::AtBarrier)
          f.state = FiberState::Ready;
      continue;
    }
    // Stuck: say where the first threads of the block are.
    std::string where;
    for (int i = 0; i < threads; i += std::max(1, threads / 8))
      where += (where.empty() ? "" : ", ") + std::string("thread ") +
               std::to_string(i) + " " + stateName(l.fibers[i].state);
    l.failure = "the threads of a block wait for each other at different "
                "collectives (" +
                where + ")";
    return false;
  }
}

/// Stacks kept between launches (the largest block so far).
thread_local std::vector<void *> stacks;

bool ensureStacks(size_t count) {
  while (stacks.size() < count) {
    void *stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stack == MAP_FAILED)
      return false;
    stacks.push_back(stack);
  }
  return true;
}

emulated::DeviceTable deviceTable = {specialRegister, shuffle, shuffleValid,
                                     barrier, mmaTf32};

int archFromEnvironment() {
  const char *arch = std::getenv("XFMR_CUDA_EMULATOR_ARCH");
  if (!arch || !*arch)
    return 90;
  return std::atoi(arch);
}

} // namespace

//===----------------------------------------------------------------------===//
// The driver API
//===----------------------------------------------------------------------===//

extern "C" {

__attribute__((visibility("default"))) CUresult cuInit(unsigned) {
  initialized = true;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuGetErrorName(CUresult result, const char **name) {
  const char *text = errorName(result);
  if (!text || !name)
    return kInvalidValue;
  *name = text;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuDeviceGetCount(int *count) {
  if (!initialized)
    return kNotInitialized;
  *count = 1;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuDeviceGet(int *device,
                                                            int ordinal) {
  if (!initialized)
    return kNotInitialized;
  if (ordinal != 0)
    return kInvalidDevice;
  *device = 0;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuDeviceGetAttribute(int *value, int attribute, int device) {
  if (device != 0)
    return kInvalidDevice;
  int arch = archFromEnvironment();
  switch (attribute) {
  case 75: // compute capability major
    *value = arch / 10;
    return kSuccess;
  case 76: // compute capability minor
    *value = arch % 10;
    return kSuccess;
  case 83: // managed memory
    *value = 1;
    return kSuccess;
  default:
    return kInvalidValue;
  }
}

__attribute__((visibility("default"))) CUresult
cuDevicePrimaryCtxRetain(void **context, int device) {
  static int primary;
  if (device != 0)
    return kInvalidDevice;
  *context = &primary;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuCtxSetCurrent(void *) {
  return initialized ? kSuccess : kNotInitialized;
}

__attribute__((visibility("default"))) CUresult
cuModuleLoadData(void **module, const void *image) {
  if (!image)
    return kInvalidValue;
  const char *text = static_cast<const char *>(image);
  size_t magic = sizeof(emulated::kImageMagic);
  if (std::memcmp(text, emulated::kImageMagic, magic) != 0) {
    std::fprintf(stderr, "xfmr-cuda-emulator: the image is not one of emulated "
                         "kernels (compile with --cuda-binary=emulated)\n");
    return kNoBinaryForGpu;
  }
  // The image lives in the model library: find it, and its kernels.
  Dl_info info;
  if (!dladdr(image, &info) || !info.dli_fname)
    return kInvalidValue;
  void *library = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  if (!library)
    return kInvalidValue;
  auto *table = static_cast<emulated::DeviceTable *>(
      dlsym(library, emulated::kDeviceTable));
  if (!table) {
    dlclose(library);
    return kInvalidValue;
  }
  *table = deviceTable;
  *module = new Module{library, std::string(emulated::kKernelPrefix) +
                                    (text + magic) + "__"};
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuModuleLoadDataEx(void **, const void *, unsigned count, int *options,
                   void **values) {
  // PTX: what this driver cannot compile; say so in the JIT log.
  for (unsigned i = 0; i + 1 < count; ++i)
    if (options[i] == 5 && options[i + 1] == 6) { // error log, its size
      size_t size = reinterpret_cast<size_t>(values[i + 1]);
      std::snprintf(static_cast<char *>(values[i]), size,
                    "the CUDA emulator runs emulated kernels, not PTX "
                    "(compile with --cuda-binary=emulated)");
    }
  return kInvalidPtx;
}

__attribute__((visibility("default"))) CUresult cuModuleUnload(void *module) {
  auto *m = static_cast<Module *>(module);
  if (!m)
    return kInvalidHandle;
  dlclose(m->library);
  delete m;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuModuleGetFunction(void **function, void *module, const char *name) {
  auto *m = static_cast<Module *>(module);
  if (!m || !name)
    return kInvalidHandle;
  auto entry = reinterpret_cast<KernelEntry>(
      dlsym(m->library, (m->prefix + name).c_str()));
  if (!entry)
    return kNotFound;
  // Kept for the module's life; a few per model.
  *function = new Function{entry, name};
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuLaunchKernel(void *function, unsigned gridX, unsigned gridY, unsigned gridZ,
               unsigned blockX, unsigned blockY, unsigned blockZ,
               unsigned sharedBytes, void * /*stream*/, void **params,
               void **extra) {
  auto *f = static_cast<Function *>(function);
  if (!f)
    return kInvalidHandle;
  if (extra || sharedBytes)
    return kNotSupported;
  uint64_t threads = uint64_t(blockX) * blockY * blockZ;
  if (!gridX || !gridY || !gridZ || !threads || gridX > 0x7fffffffu ||
      gridY > 65535 || gridZ > 65535 || blockX > 1024 || blockY > 1024 ||
      blockZ > 64)
    return kInvalidValue;
  if (threads > 1024)
    return kLaunchOutOfResources;
  if (!ensureStacks(threads))
    return kOutOfMemory;
  Launch l;
  l.function = f;
  l.params = params;
  l.grid[0] = gridX, l.grid[1] = gridY, l.grid[2] = gridZ;
  l.block[0] = blockX, l.block[1] = blockY, l.block[2] = blockZ;
  l.fibers.resize(threads);
  for (uint64_t i = 0; i < threads; ++i) {
    Fiber &fiber = l.fibers[i];
    fiber.stack = stacks[i];
    fiber.linear = static_cast<int32_t>(i);
    fiber.tid[0] = static_cast<int32_t>(i % blockX);
    fiber.tid[1] = static_cast<int32_t>(i / blockX % blockY);
    fiber.tid[2] = static_cast<int32_t>(i / (uint64_t(blockX) * blockY));
  }
  Launch *outer = launch;
  launch = &l;
  bool ok = true;
  for (unsigned z = 0; ok && z < gridZ; ++z)
    for (unsigned y = 0; ok && y < gridY; ++y)
      for (unsigned x = 0; ok && x < gridX; ++x) {
        l.blockId[0] = x, l.blockId[1] = y, l.blockId[2] = z;
        ok = runBlock(l);
        ++stats.blocks;
        stats.threads += threads;
      }
  launch = outer;
  ++stats.launches;
  if (!ok) {
    std::fprintf(stderr,
                 "xfmr-cuda-emulator: kernel '%s', block (%d, %d, %d): %s\n",
                 f->name.c_str(), l.blockId[0], l.blockId[1], l.blockId[2],
                 l.failure.c_str());
    return kLaunchFailed;
  }
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuStreamCreate(void **stream,
                                                               unsigned) {
  *stream = new char;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuStreamDestroy_v2(void *stream) {
  delete static_cast<char *>(stream);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuStreamSynchronize(void *) {
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuStreamWaitEvent(void *, void *, unsigned) {
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuEventCreate(void **event,
                                                              unsigned) {
  *event = new char;
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuEventDestroy_v2(void *event) {
  delete static_cast<char *>(event);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuEventRecord(void *, void *) {
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuEventSynchronize(void *) {
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuMemAllocManaged(CUdeviceptr *ptr, size_t bytes, unsigned) {
  if (!bytes)
    return kInvalidValue;
  void *memory = std::aligned_alloc(256, (bytes + 255) & ~size_t(255));
  if (!memory)
    return kOutOfMemory;
  std::lock_guard<std::mutex> lock(memoryMutex);
  allocations[reinterpret_cast<uintptr_t>(memory)] = bytes;
  *ptr = reinterpret_cast<uintptr_t>(memory);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult cuMemFree_v2(CUdeviceptr ptr) {
  std::lock_guard<std::mutex> lock(memoryMutex);
  auto it = allocations.find(static_cast<uintptr_t>(ptr));
  if (it == allocations.end())
    return kInvalidValue;
  allocations.erase(it);
  std::free(pointer(ptr));
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  std::memmove(pointer(dst), pointer(src), bytes);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void *) {
  return cuMemcpy(dst, src, bytes);
}

__attribute__((visibility("default"))) CUresult
cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t count) {
  if (!isAllocated(static_cast<uintptr_t>(dst)))
    return kInvalidValue;
  std::memset(pointer(dst), value, count);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count, void *) {
  if (!isAllocated(static_cast<uintptr_t>(dst)))
    return kInvalidValue;
  auto *p = static_cast<unsigned short *>(pointer(dst));
  std::fill(p, p + count, value);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count, void *) {
  if (!isAllocated(static_cast<uintptr_t>(dst)))
    return kInvalidValue;
  auto *p = static_cast<unsigned *>(pointer(dst));
  std::fill(p, p + count, value);
  return kSuccess;
}

__attribute__((visibility("default"))) CUresult
cuPointerGetAttribute(void *data, int attribute, CUdeviceptr ptr) {
  if (!isAllocated(static_cast<uintptr_t>(ptr)))
    return kInvalidValue; // host memory the driver does not know
  switch (attribute) {
  case 8: // is managed
    *static_cast<unsigned *>(data) = 1;
    return kSuccess;
  case 2: // memory type: CU_MEMORYTYPE_UNIFIED
    *static_cast<unsigned *>(data) = 4;
    return kSuccess;
  default:
    return kInvalidValue;
  }
}

} // extern "C"
