//===- TestKernels.cpp - kernels for the CUDA emulator's unit tests -------===//
//
// A library laid out as --cuda-binary=emulated lays out a model library
// (compiler/codegen/cuda/EmulatedDevice.h): an image naming module "test",
// the device table and exported kernels that reach the special registers
// and collectives only through it, as generated kernels do. Each kernel's
// parameters are cuLaunchKernel's: one pointer per argument.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/EmulatedDevice.h"

#include <cstdint>
#include <cstring>

namespace emulated = xfmr::cuda::emulated;

#define EXPORT __attribute__((visibility("default")))
#define KERNEL(name)                                                           \
  extern "C" EXPORT void xfmr_emulated_kernel__test__##name(void **params)

extern "C" {
EXPORT emulated::DeviceTable xfmr_emulated_device = {};
EXPORT extern const char xfmr_test_image[];
const char xfmr_test_image[] = "XFMR-EMULATED-KERNELS\0test";
}

namespace {
int32_t sreg(emulated::SpecialRegister which) {
  return xfmr_emulated_device.specialRegister(which);
}
template <typename T> T &arg(void **params, int i) {
  return **reinterpret_cast<T **>(&params[i]);
}
/// The thread's index in the whole grid, x fastest.
int32_t globalThread() {
  int32_t block = sreg(emulated::kCtaidX) +
                  sreg(emulated::kNctaidX) *
                      (sreg(emulated::kCtaidY) +
                       sreg(emulated::kNctaidY) * sreg(emulated::kCtaidZ));
  int32_t thread =
      sreg(emulated::kTidX) +
      sreg(emulated::kNtidX) * (sreg(emulated::kTidY) +
                                sreg(emulated::kNtidY) * sreg(emulated::kTidZ));
  return block * sreg(emulated::kNtidX) * sreg(emulated::kNtidY) *
             sreg(emulated::kNtidZ) +
         thread;
}
} // namespace

/// out[thread][0..13]: every special register, in SpecialRegister order.
KERNEL(registers) {
  int32_t *out = arg<int32_t *>(params, 0);
  int32_t *row = out + 14 * globalThread();
  for (int32_t r = 0; r <= emulated::kWarpSize; ++r)
    row[r] = sreg(static_cast<emulated::SpecialRegister>(r));
}

/// out[thread] = shfl.sync(mode, 0xffffffff, value = 100 + lane, offset,
/// clamp); valid[thread] its predicate.
KERNEL(shuffle) {
  int32_t *out = arg<int32_t *>(params, 0);
  int32_t *valid = arg<int32_t *>(params, 1);
  int32_t mode = arg<int32_t>(params, 2), offset = arg<int32_t>(params, 3),
          clamp = arg<int32_t>(params, 4);
  int32_t t = globalThread();
  out[t] = xfmr_emulated_device.shuffle(mode, -1, 100 + sreg(emulated::kLaneId),
                                        offset, clamp);
  valid[t] = xfmr_emulated_device.shuffleValid();
}

/// A block reverses `data` through shared memory: write, barrier, read the
/// mirror thread's, barrier, and again (two rounds must not mix).
KERNEL(reverse) {
  static float shared[1024];
  float *data = arg<float *>(params, 0);
  int32_t n = sreg(emulated::kNtidX), t = sreg(emulated::kTidX);
  float *block = data + n * sreg(emulated::kCtaidX);
  for (int round = 0; round < 2; ++round) {
    shared[t] = block[t];
    xfmr_emulated_device.barrier();
    block[t] = shared[n - 1 - t] + 1.0f;
    xfmr_emulated_device.barrier();
  }
}

/// Threads past `live` exit at once; the others meet at a barrier and a
/// full-warp shuffle: exited threads do not hold a barrier up.
KERNEL(exitEarly) {
  int32_t *out = arg<int32_t *>(params, 0);
  int32_t live = arg<int32_t>(params, 1);
  int32_t t = sreg(emulated::kTidX);
  if (t >= live)
    return;
  xfmr_emulated_device.barrier();
  out[t] = xfmr_emulated_device.shuffle(emulated::kButterfly, -1, t, 1, 31);
}

/// Half of each warp waits at a barrier, the other half at a full-warp
/// shuffle: neither can complete (on a GPU, a hang).
KERNEL(divergent) {
  if (sreg(emulated::kLaneId) < 16)
    xfmr_emulated_device.barrier();
  else
    xfmr_emulated_device.shuffle(emulated::kButterfly, -1, 0, 1, 31);
}

/// Lane 0 skips a shuffle the rest of its warp makes with a full mask.
KERNEL(partialWarp) {
  if (sreg(emulated::kLaneId) != 0)
    xfmr_emulated_device.shuffle(emulated::kButterfly, -1, 0, 1, 31);
}

/// One warp's mma.sync m16n8k8 on a (16 x 8, row-major), b (8 x 8,
/// row-major: k by n) and c (16 x 8), each lane passing its fragments in
/// PTX's layout; d (16 x 8) gathered back from them.
KERNEL(mma) {
  const float *a = arg<const float *>(params, 0);
  const float *b = arg<const float *>(params, 1);
  const float *c = arg<const float *>(params, 2);
  float *d = arg<float *>(params, 3);
  int32_t lane = sreg(emulated::kLaneId), g = lane / 4, t = lane % 4;
  float fa[4] = {a[g * 8 + t], a[(g + 8) * 8 + t], a[g * 8 + t + 4],
                 a[(g + 8) * 8 + t + 4]};
  float fb[2] = {b[t * 8 + g], b[(t + 4) * 8 + g]};
  float fc[4] = {c[g * 8 + 2 * t], c[g * 8 + 2 * t + 1], c[(g + 8) * 8 + 2 * t],
                 c[(g + 8) * 8 + 2 * t + 1]};
  float fd[4];
  xfmr_emulated_device.mmaTf32(fa, fb, fc, fd);
  d[g * 8 + 2 * t] = fd[0];
  d[g * 8 + 2 * t + 1] = fd[1];
  d[(g + 8) * 8 + 2 * t] = fd[2];
  d[(g + 8) * 8 + 2 * t + 1] = fd[3];
}
