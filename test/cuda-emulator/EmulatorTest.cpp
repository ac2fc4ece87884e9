//===- EmulatorTest.cpp - the CUDA emulator against the PTX ISA -----------===//
//
// libxfmr-cuda-emulator.so driven as the runtime drives a driver, on the
// kernels of TestKernels.cpp: the special registers of a 3-d grid, every
// shfl.sync mode with CUDA's widths (the clamp's segment mask), barriers
// through shared memory, threads that exit early, the launches a GPU would
// hang on, the TF32 mma.sync's fragment layout and rounding, and the driver
// calls around them.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/EmulatedDevice.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <string>
#include <vector>

namespace emulated = xfmr::cuda::emulated;

namespace {

using CUresult = int;
constexpr CUresult kSuccess = 0, kInvalidValue = 1, kNoBinaryForGpu = 209,
                   kNotFound = 500, kLaunchFailed = 719;

class Emulator : public ::testing::Test {
protected:
  void SetUp() override {
    driver = dlopen(XFMR_CUDA_EMULATOR_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(driver, nullptr) << dlerror();
    kernels =
        dlopen(XFMR_CUDA_EMULATOR_TEST_KERNELS_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(kernels, nullptr) << dlerror();
    resolve(init, "cuInit");
    resolve(loadData, "cuModuleLoadData");
    resolve(getFunction, "cuModuleGetFunction");
    resolve(launchKernel, "cuLaunchKernel");
    resolve(memAllocManaged, "cuMemAllocManaged");
    resolve(memFree, "cuMemFree_v2");
    resolve(pointerGetAttribute, "cuPointerGetAttribute");
    ASSERT_EQ(init(0), kSuccess);
    image = dlsym(kernels, "xfmr_test_image");
    ASSERT_NE(image, nullptr);
    ASSERT_EQ(loadData(&module, image), kSuccess);
  }

  template <typename Fn> void resolve(Fn &fn, const char *name) {
    fn = reinterpret_cast<Fn>(dlsym(driver, name));
    ASSERT_NE(fn, nullptr) << name;
  }

  void *function(const char *name) {
    void *f = nullptr;
    EXPECT_EQ(getFunction(&f, module, name), kSuccess) << name;
    return f;
  }

  /// Launches `name` on a grid of `grid` blocks of `block` threads with
  /// the arguments pointed to by `args`.
  CUresult launch(const char *name, const unsigned (&grid)[3],
                  const unsigned (&block)[3], std::vector<void *> args) {
    return launchKernel(function(name), grid[0], grid[1], grid[2], block[0],
                        block[1], block[2], 0, nullptr, args.data(), nullptr);
  }

  void *driver = nullptr, *kernels = nullptr, *module = nullptr;
  const void *image = nullptr;
  CUresult (*init)(unsigned) = nullptr;
  CUresult (*loadData)(void **, const void *) = nullptr;
  CUresult (*getFunction)(void **, void *, const char *) = nullptr;
  CUresult (*launchKernel)(void *, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, void *, void **,
                           void **) = nullptr;
  CUresult (*memAllocManaged)(unsigned long long *, size_t, unsigned) = nullptr;
  CUresult (*memFree)(unsigned long long) = nullptr;
  CUresult (*pointerGetAttribute)(void *, int, unsigned long long) = nullptr;
};

TEST_F(Emulator, SpecialRegisters) {
  const unsigned grid[3] = {3, 2, 2}, block[3] = {8, 5, 2};
  const int blocks = 12, threads = 80;
  std::vector<int32_t> out(14 * blocks * threads, -1);
  int32_t *ptr = out.data();
  ASSERT_EQ(launch("registers", grid, block, {&ptr}), kSuccess);
  for (int b = 0; b < blocks; ++b)
    for (int t = 0; t < threads; ++t) {
      const int32_t *r = &out[14 * (b * threads + t)];
      int32_t expected[14] = {t % 8,     t / 8 % 5, t / 40, 8, 5, 2,      b % 3,
                              b / 3 % 2, b / 6,     3,      2, 2, t % 32, 32};
      for (int i = 0; i < 14; ++i)
        ASSERT_EQ(r[i], expected[i])
            << "block " << b << ", thread " << t << ", register " << i;
    }
}

/// What __shfl_*_sync(mask, 100 + lane, offset, width) returns in CUDA,
/// and whether the source lane was in range.
std::pair<int32_t, bool> cudaShuffle(int mode, int lane, int offset,
                                     int width) {
  int segment = lane / width * width, source = lane;
  bool inRange = false;
  switch (mode) {
  case emulated::kUp:
    source = lane - offset;
    inRange = source >= segment;
    break;
  case emulated::kDown:
    source = lane + offset;
    inRange = source < segment + width;
    break;
  case emulated::kButterfly:
    source = lane ^ offset;
    // CUDA's __shfl_xor_sync: a source past the segment reads the lane
    // itself.
    inRange = source < segment + width;
    break;
  default:
    source = segment + offset % width;
    inRange = true;
    break;
  }
  return {100 + (inRange ? source : lane), inRange};
}

TEST_F(Emulator, ShuffleModesAndWidths) {
  const int threads = 64; // two warps
  for (int mode :
       {emulated::kUp, emulated::kDown, emulated::kButterfly, emulated::kIndex})
    for (int width : {32, 16, 8, 4, 2})
      for (int offset : {1, 2, 3, 5, 16}) {
        // CUDA's clamp operand for the width: the segment mask in bits
        // 8-12, the clamp (31, or 0 for up) in bits 0-4.
        int32_t clamp = ((32 - width) << 8) | (mode == emulated::kUp ? 0 : 31);
        std::vector<int32_t> out(threads, -1), valid(threads, -1);
        int32_t *o = out.data(), *v = valid.data();
        int32_t m = mode, off = offset;
        ASSERT_EQ(launch("shuffle", {1, 1, 1}, {threads, 1, 1},
                         {&o, &v, &m, &off, &clamp}),
                  kSuccess);
        for (int t = 0; t < threads; ++t) {
          auto [value, inRange] = cudaShuffle(mode, t % 32, offset, width);
          ASSERT_EQ(out[t] - 100, value - 100)
              << "mode " << mode << ", width " << width << ", offset " << offset
              << ", thread " << t;
          ASSERT_EQ(valid[t], inRange ? 1 : 0)
              << "mode " << mode << ", width " << width << ", offset " << offset
              << ", thread " << t;
        }
      }
}

TEST_F(Emulator, BarriersOrderSharedMemory) {
  const int n = 256, blocks = 3;
  std::vector<float> data(n * blocks);
  for (int i = 0; i < n * blocks; ++i)
    data[i] = static_cast<float>(i);
  float *ptr = data.data();
  ASSERT_EQ(launch("reverse", {blocks, 1, 1}, {n, 1, 1}, {&ptr}), kSuccess);
  // Reversed twice, plus one each time: where it started, plus two.
  for (int i = 0; i < n * blocks; ++i)
    ASSERT_EQ(data[i], static_cast<float>(i) + 2.0f) << i;
}

TEST_F(Emulator, ExitedThreadsDoNotHoldUpABarrier) {
  std::vector<int32_t> out(64, -1);
  int32_t *ptr = out.data();
  int32_t live = 32;
  ASSERT_EQ(launch("exitEarly", {1, 1, 1}, {64, 1, 1}, {&ptr, &live}),
            kSuccess);
  for (int t = 0; t < 32; ++t)
    EXPECT_EQ(out[t], t ^ 1) << t;
  for (int t = 32; t < 64; ++t)
    EXPECT_EQ(out[t], -1) << t;
}

TEST_F(Emulator, AShuffleOfAnExitedLaneFails) {
  std::vector<int32_t> out(32, -1);
  int32_t *ptr = out.data();
  int32_t live = 31; // lane 30 reads lane 31, which has exited
  testing::internal::CaptureStderr();
  EXPECT_EQ(launch("exitEarly", {1, 1, 1}, {32, 1, 1}, {&ptr, &live}),
            kLaunchFailed);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("kernel 'exitEarly', block (0, 0, 0): warp 0: lane 30 "
                     "reads lane 31, which has exited"),
            std::string::npos)
      << err;
}

TEST_F(Emulator, DivergentCollectivesFailTheLaunch) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(launch("divergent", {2, 1, 1}, {64, 1, 1}, {}), kLaunchFailed);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("xfmr-cuda-emulator: kernel 'divergent', block (0, 0, "
                     "0): the threads of a block wait for each other at "
                     "different collectives (thread 0 at a barrier"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("thread 16 at a shuffle"), std::string::npos) << err;
  // The emulator goes on: the next launch runs.
  std::vector<int32_t> out(64);
  int32_t *ptr = out.data();
  int32_t live = 64;
  EXPECT_EQ(launch("exitEarly", {1, 1, 1}, {64, 1, 1}, {&ptr, &live}),
            kSuccess);
}

TEST_F(Emulator, AFullMaskShuffleWithoutALaneFails) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(launch("partialWarp", {1, 1, 1}, {32, 1, 1}, {}), kLaunchFailed);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("lane 1 reads lane 0, which has exited"),
            std::string::npos)
      << err;
}

float tf32(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits &= 0xffffe000u;
  std::memcpy(&x, &bits, 4);
  return x;
}

TEST_F(Emulator, MmaTf32) {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> a(16 * 8), b(8 * 8), c(16 * 8), d(16 * 8, NAN);
  for (float &x : a)
    x = uniform(random);
  for (float &x : b)
    x = uniform(random);
  for (float &x : c)
    x = uniform(random);
  const float *pa = a.data(), *pb = b.data(), *pc = c.data();
  float *pd = d.data();
  ASSERT_EQ(launch("mma", {1, 1, 1}, {32, 1, 1}, {&pa, &pb, &pc, &pd}),
            kSuccess);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 8; ++j) {
      double exact = c[i * 8 + j], rounded = c[i * 8 + j];
      for (int k = 0; k < 8; ++k) {
        exact += double(a[i * 8 + k]) * b[k * 8 + j];
        rounded += double(tf32(a[i * 8 + k])) * tf32(b[k * 8 + j]);
      }
      // The product of TF32 operands, to f32 rounding; not the exact one.
      EXPECT_NEAR(d[i * 8 + j], rounded, 1e-5) << i << ", " << j;
      EXPECT_GT(std::abs(d[i * 8 + j] - exact), 0.0) << i << ", " << j;
    }
}

TEST_F(Emulator, DriverCalls) {
  // Another image than an emulated one: no binary for this "GPU".
  void *other = nullptr;
  static const char cubin[] = "\x7f"
                              "ELF not an emulated image";
  testing::internal::CaptureStderr();
  EXPECT_EQ(loadData(&other, cubin), kNoBinaryForGpu);
  testing::internal::GetCapturedStderr();
  void *f = nullptr;
  EXPECT_EQ(getFunction(&f, module, "noSuchKernel"), kNotFound);
  // Managed memory is known to the driver, host memory is not.
  unsigned long long ptr = 0;
  ASSERT_EQ(memAllocManaged(&ptr, 1000, 1), kSuccess);
  EXPECT_EQ(ptr % 256, 0u);
  unsigned managed = 0;
  EXPECT_EQ(pointerGetAttribute(&managed, 8, ptr + 999), kSuccess);
  EXPECT_EQ(managed, 1u);
  int host = 0;
  EXPECT_EQ(
      pointerGetAttribute(&managed, 8, reinterpret_cast<uintptr_t>(&host)),
      kInvalidValue);
  EXPECT_EQ(memFree(ptr), kSuccess);
  EXPECT_EQ(memFree(ptr), kInvalidValue);
  // Launch limits are a GPU's.
  EXPECT_EQ(launch("partialWarp", {1, 70000, 1}, {32, 1, 1}, {}),
            kInvalidValue);
  EXPECT_EQ(launch("partialWarp", {1, 1, 1}, {2048, 1, 1}, {}), kInvalidValue);
}

} // namespace
