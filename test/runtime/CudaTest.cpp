//===- CudaTest.cpp - the runtime of the cuda target ----------------------===//
//
// What runs on any machine: the module records that a library's global
// constructors make (mgpuModuleLoad must not touch the driver, so a cuda
// library loads where there is none), the mgpu* functions without a driver,
// and the one-line error xfmr_model_open gives on a machine without one
// (XFMR_CUDA_DRIVER naming a missing file; the CUDA toolkit's stub, whose
// cuInit fails, is tried in xfmr-run by XfmrRunTest.cpp, so that it never
// enters this process as libcuda.so.1). Where a GPU is present, the stub
// cuda library (StubModel.cpp) runs its kernel on it.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Cuda.h"
#include "runtime/lib/Manifest.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

using namespace xfmr::test;
namespace cuda = xfmr::runtime::cuda;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "message: " << (haystack)

/// Sets an environment variable for the scope's life.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const std::string &value) : name(name) {
    if (const char *old = std::getenv(name))
      previous = old, hadValue = true;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (hadValue)
      setenv(name, previous.c_str(), 1);
    else
      unsetenv(name);
  }

private:
  const char *name;
  std::string previous;
  bool hadValue = false;
};

char kNotABinary[] = "not a cubin";
char kPtx[] = ".version 7.0\n.target sm_80\n.address_size 64\n";

TEST(CudaModules, LoadingTouchesNoDriver) {
  bool ready = cuda::driverReady();
  size_t modules = cuda::moduleCount(), loaded = cuda::loadedModuleCount();
  void *binary = mgpuModuleLoad(kNotABinary, sizeof(kNotABinary));
  void *ptx = mgpuModuleLoadJIT(kPtx, 3);
  ASSERT_NE(binary, nullptr);
  ASSERT_NE(ptx, nullptr);
  EXPECT_EQ(cuda::moduleCount(), modules + 2);
  EXPECT_EQ(cuda::loadedModuleCount(), loaded);
  EXPECT_EQ(cuda::driverReady(), ready);
  mgpuModuleUnload(binary);
  EXPECT_EQ(cuda::moduleCount(), modules + 1);
  mgpuModuleUnload(ptx);
  EXPECT_EQ(cuda::moduleCount(), modules);
  EXPECT_EQ(mgpuModuleLoad(nullptr, 0), nullptr);
  mgpuModuleUnload(nullptr);
}

TEST(CudaModules, WithoutADriverNothingCrashes) {
  if (cuda::driverReady())
    GTEST_SKIP() << "this process has loaded a CUDA driver";
  void *module = mgpuModuleLoad(kNotABinary, sizeof(kNotABinary));
  // Outside a call each failure is reported on stderr and the result is
  // NULL; nothing is dereferenced.
  EXPECT_EQ(mgpuModuleGetFunction(module, "kernel"), nullptr);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  mgpuStreamSynchronize(nullptr);
  mgpuStreamDestroy(nullptr);
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  mgpuMemFree(nullptr, nullptr);
  int value = 0;
  mgpuMemset32(&value, 7, 1, nullptr);
  EXPECT_EQ(value, 0);
  EXPECT_FALSE(cuda::isDeviceAccessible(&value));
  EXPECT_EQ(cuda::allocateManaged(64), nullptr);
  mgpuModuleUnload(module);
  EXPECT_FALSE(cuda::driverReady());
}

/// The stub's manifest as a cuda library's.
xfmr::runtime::Manifest cudaManifest() {
  std::string text = xfmr_manifest;
  std::string from = R"("target": "cpu")";
  text.replace(text.find(from), from.size(),
               R"("target": "cuda", "cuda_arch": "sm_90")");
  xfmr::runtime::Manifest manifest;
  std::string error;
  EXPECT_EQ(xfmr::runtime::parseManifest(text.c_str(), manifest, error),
            XFMR_OK)
      << error;
  return manifest;
}

TEST(CudaDevice, NoDriverIsAClearError) {
  if (cuda::driverReady())
    GTEST_SKIP() << "this process has loaded a CUDA driver";
  TempDir dir;
  std::string missing = dir.path() + "/libcuda.so.1";
  ScopedEnv env("XFMR_CUDA_DRIVER", missing);
  xfmr::runtime::Manifest manifest = cudaManifest();
  EXPECT_EQ(cuda::openDevice(manifest), XFMR_ERROR_NO_DEVICE);
  EXPECT_EQ(std::string(xfmr_last_error()),
            "this library runs on an NVIDIA GPU (target cuda, sm_90): no "
            "CUDA driver (" +
                missing + " not found)");
  EXPECT_FALSE(cuda::driverReady());
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_NO_DEVICE), "no device");
}

/// The stub cuda library, loaded as a program loads a model library.
class CudaLibrary : public ::testing::Test {
protected:
  void SetUp() override {
    // Loading runs the library's global constructors, which register its
    // kernels: they must not need a driver.
    handle = dlopen(XFMR_STUB_CUDA_MODEL_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    resolve(open, "xfmr_model_open");
    resolve(openFromMemory, "xfmr_model_open_from_memory");
    resolve(close, "xfmr_model_close");
    resolve(lastError, "xfmr_last_error");
    resolve(getInfo, "xfmr_model_get_info");
    resolve(encode, "xfmr_encode");
    resolve(contextCreate, "xfmr_context_create");
    resolve(contextFree, "xfmr_context_free");
    resolve(contextEncode, "xfmr_context_encode");
    resolve(contextStats, "xfmr_context_get_stats");
    weights = dir.write("model.safetensors", stubWeights());
  }

  template <typename Fn> void resolve(Fn &fn, const char *name) {
    fn = reinterpret_cast<Fn>(dlsym(handle, name));
    ASSERT_NE(fn, nullptr) << name;
  }

  void *handle = nullptr;
  decltype(&xfmr_model_open) open = nullptr;
  decltype(&xfmr_model_open_from_memory) openFromMemory = nullptr;
  decltype(&xfmr_model_close) close = nullptr;
  decltype(&xfmr_last_error) lastError = nullptr;
  decltype(&xfmr_model_get_info) getInfo = nullptr;
  decltype(&xfmr_encode) encode = nullptr;
  decltype(&xfmr_context_create) contextCreate = nullptr;
  decltype(&xfmr_context_free) contextFree = nullptr;
  decltype(&xfmr_context_encode) contextEncode = nullptr;
  decltype(&xfmr_context_get_stats) contextStats = nullptr;
  TempDir dir;
  std::string weights;
};

TEST_F(CudaLibrary, OpenWithoutADriverFails) {
  std::string missing = dir.path() + "/no-such-libcuda.so";
  ScopedEnv env("XFMR_CUDA_DRIVER", missing);
  std::string expected = "this library runs on an NVIDIA GPU (target cuda, "
                         "sm_80): no CUDA driver (" +
                         missing + " not found)";
  xfmr_model *model = reinterpret_cast<xfmr_model *>(&model);
  EXPECT_EQ(open(weights.c_str(), &model), XFMR_ERROR_NO_DEVICE);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(std::string(lastError()), expected);
  // Before the weights are read: a path that does not exist changes nothing.
  EXPECT_EQ(open("/nonexistent/model.safetensors", &model),
            XFMR_ERROR_NO_DEVICE);
  EXPECT_EQ(std::string(lastError()), expected);
  std::vector<uint8_t> bytes = stubWeights();
  EXPECT_EQ(openFromMemory(bytes.data(), bytes.size(), &model),
            XFMR_ERROR_NO_DEVICE);
  EXPECT_EQ(std::string(lastError()), expected);
}

/// The stub's output for ids [b][s] = 1 + b * seq + s (all real tokens).
std::vector<float> expectedOutput(int64_t batch, int64_t seq) {
  std::vector<float> out;
  for (int64_t i = 0; i < batch * seq; ++i)
    for (int64_t d = 0; d < kStubDim; ++d)
      out.push_back(stubValue(1 + i % (kStubVocab - 1), d, 1, 0));
  return out;
}

TEST_F(CudaLibrary, RunsOnTheGpu) {
  xfmr_model *model = nullptr;
  xfmr_status status = open(weights.c_str(), &model);
  if (status == XFMR_ERROR_NO_DEVICE)
    GTEST_SKIP() << lastError();
  ASSERT_EQ(status, XFMR_OK) << lastError();
  xfmr_model_info info{};
  ASSERT_EQ(getInfo(model, &info), XFMR_OK);
  EXPECT_STREQ(info.target, "cuda");

  // Plain host buffers: staged into managed memory and back.
  const int64_t batch = 2, seq = 3;
  std::vector<int64_t> ids, mask(batch * seq, 1);
  for (int64_t i = 0; i < batch * seq; ++i)
    ids.push_back(1 + i % (kStubVocab - 1));
  std::vector<float> expected = expectedOutput(batch, seq);
  std::vector<float> out(expected.size(), -1.0f);
  ASSERT_EQ(
      encode(model, batch, seq, ids.data(), mask.data(), nullptr, out.data()),
      XFMR_OK)
      << lastError();
  EXPECT_EQ(out, expected);

  xfmr_context *context = nullptr;
  ASSERT_EQ(contextCreate(model, &context), XFMR_OK) << lastError();
  for (int call = 0; call < 3; ++call) {
    std::fill(out.begin(), out.end(), -1.0f);
    ASSERT_EQ(contextEncode(context, batch, seq, ids.data(), mask.data(),
                            nullptr, out.data()),
              XFMR_OK)
        << lastError();
    EXPECT_EQ(out, expected) << "call " << call;
  }
  xfmr_context_stats stats{};
  ASSERT_EQ(contextStats(context, &stats), XFMR_OK);
  EXPECT_EQ(stats.calls, 3);
  // Managed work memory is pooled as host memory is.
  EXPECT_EQ(stats.last_call_system_allocations, 0);
  contextFree(context);
  close(model);
}

} // namespace
