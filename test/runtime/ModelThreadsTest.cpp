//===- ModelThreadsTest.cpp - threads sharing a model library -------------===//
//
// Model libraries loaded as a user program loads them (dlopen, the C API by
// dlsym): the stub libraries and, where this tree builds xfmrc, the tiny
// encoder compiled by it (plain and with mean pooling). One model is shared
// by 8 threads, each with its own context and 200 calls on inputs with
// varying shapes and padding; every result must be bit-identical to a
// single-threaded run, and a repeated shape must allocate nothing.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <dlfcn.h>
#include <random>
#include <thread>

using namespace xfmr::test;

namespace {

/// The C API of one model library, resolved with dlsym.
struct Library {
  void *handle = nullptr;
#define XFMR_FUNCTIONS(X)                                                      \
  X(xfmr_last_error)                                                           \
  X(xfmr_model_open)                                                           \
  X(xfmr_model_close)                                                          \
  X(xfmr_model_get_info)                                                       \
  X(xfmr_model_manifest)                                                       \
  X(xfmr_encode)                                                               \
  X(xfmr_embed)                                                                \
  X(xfmr_context_create)                                                       \
  X(xfmr_context_free)                                                         \
  X(xfmr_context_set_num_threads)                                              \
  X(xfmr_context_encode)                                                       \
  X(xfmr_context_embed)                                                        \
  X(xfmr_context_get_stats)
#define XFMR_MEMBER(name) decltype(&::name) name = nullptr;
  XFMR_FUNCTIONS(XFMR_MEMBER)
#undef XFMR_MEMBER

  /// Loads `path`; returns what went wrong, or "".
  std::string load(const std::string &path) {
    // The handle stays open for the life of the process, as xfmr-run's.
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      return "cannot load " + path + ": " + (why ? why : "?");
    }
#define XFMR_RESOLVE(name)                                                     \
  name = reinterpret_cast<decltype(name)>(dlsym(handle, #name));               \
  if (!name)                                                                   \
    return path + " has no " #name;
    XFMR_FUNCTIONS(XFMR_RESOLVE)
#undef XFMR_RESOLVE
    return "";
  }
};
#undef XFMR_FUNCTIONS

/// A library to test and how to open its model.
struct LibraryCase {
  const char *name;
  const char *path;
  /// The stub needs its weights written; a compiled model has its own.
  bool stub;
};

// For gtest's messages (it would print the bytes otherwise, padding too).
[[maybe_unused]] void PrintTo(const LibraryCase &lib, std::ostream *os) {
  *os << lib.name;
}

std::vector<LibraryCase> libraryCases() {
  std::vector<LibraryCase> cases = {
      {"Stub", XFMR_STUB_MODEL_PATH, true},
      {"StubEmbed", XFMR_STUB_EMBED_MODEL_PATH, true},
  };
#ifdef XFMR_TINY_MODEL_PATH
  cases.push_back({"TinyEncoder", XFMR_TINY_MODEL_PATH, false});
  cases.push_back({"TinyEncoderMean", XFMR_TINY_EMBED_MODEL_PATH, false});
#endif
  return cases;
}

enum class Role { Encode, Embed };

/// One call's inputs, and its outputs from the single-threaded run.
struct Case {
  int64_t batch, seq;
  std::vector<int64_t> ids, mask, types;
  std::vector<float> expected[2]; // by Role
};

class ModelThreads : public ::testing::TestWithParam<LibraryCase> {
protected:
  void SetUp() override {
    const LibraryCase &lib = GetParam();
    std::string error = api.load(lib.path);
    ASSERT_EQ(error, "");
    std::string weights;
    if (lib.stub)
      weights = dir.write("model.safetensors", stubWeights());
    ASSERT_EQ(api.xfmr_model_open(lib.stub ? weights.c_str() : nullptr, &model),
              XFMR_OK)
        << api.xfmr_last_error();
    ASSERT_EQ(api.xfmr_model_get_info(model, &info), XFMR_OK);
  }
  void TearDown() override {
    if (model)
      api.xfmr_model_close(model);
  }

  xfmr_status call(xfmr_context *context, Role role, const Case &c,
                   float *out) {
    const int64_t *types = c.types.empty() ? nullptr : c.types.data();
    if (!context) {
      auto fn = role == Role::Encode ? api.xfmr_encode : api.xfmr_embed;
      return fn(model, c.batch, c.seq, c.ids.data(), c.mask.data(), types, out);
    }
    auto fn =
        role == Role::Encode ? api.xfmr_context_encode : api.xfmr_context_embed;
    return fn(context, c.batch, c.seq, c.ids.data(), c.mask.data(), types, out);
  }

  size_t outputSize(Role role, const Case &c) const {
    return static_cast<size_t>(c.batch) * (role == Role::Encode ? c.seq : 1) *
           info.d_model;
  }

  /// Keeps `c` with its results from one thread.
  void addCase(Case c) {
    for (Role role : roles) {
      std::vector<float> &out = c.expected[static_cast<int>(role)];
      out.assign(outputSize(role, c), -1.0f);
      ASSERT_EQ(call(nullptr, role, c, out.data()), XFMR_OK)
          << api.xfmr_last_error();
    }
    cases.push_back(std::move(c));
  }

  /// Inputs of several shapes with varying padding (trailing, none, and a
  /// row with none at all), and their results from one thread.
  void makeCases() {
    roles = {Role::Encode};
    if (info.pooling)
      roles.push_back(Role::Embed);
    std::mt19937_64 rng(42);
    int64_t maxSeq = std::min<int64_t>(info.max_positions, 16);
    for (int v = 0; v < 12; ++v) {
      Case c;
      c.batch = 1 + v % 3;
      c.seq = 1 + (v * 5) % maxSeq;
      for (int64_t b = 0; b < c.batch; ++b) {
        int64_t length = v % 4 == 0 ? c.seq : 1 + (v + b) % c.seq;
        if (v == 7 && b == 0)
          length = 0; // a fully padded row
        for (int64_t s = 0; s < c.seq; ++s) {
          c.ids.push_back(static_cast<int64_t>(rng() % info.vocab_size));
          c.mask.push_back(s < length);
          if (info.type_vocab_size > 1)
            c.types.push_back(s >= c.seq / 2);
        }
      }
      addCase(std::move(c));
    }
  }

  Library api;
  TempDir dir;
  xfmr_model *model = nullptr;
  xfmr_model_info info{};
  std::vector<Role> roles;
  std::vector<Case> cases;
};

TEST_P(ModelThreads, WorkMemoryFunctionsStayLocal) {
  // Generated code binds to its own runtime's allocation functions; no
  // library exports them (the version script keeps them local).
  for (const char *name :
       {"_mlir_memref_to_llvm_alloc", "_mlir_memref_to_llvm_aligned_alloc",
        "_mlir_memref_to_llvm_free"})
    EXPECT_EQ(dlsym(api.handle, name), nullptr) << name;
  EXPECT_EQ(info.abi_version, XFMR_ABI_VERSION);
}

TEST_P(ModelThreads, EightThreadsMatchOneThread) {
  makeCases();
  ASSERT_FALSE(HasFailure());
  constexpr int kThreads = 8, kCalls = 200;
  std::atomic<int> failures{0}, mismatches{0};
  std::vector<std::string> firstError(kThreads);
  std::vector<xfmr_context_stats> repeated(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      xfmr_context *context = nullptr;
      if (api.xfmr_context_create(model, &context) != XFMR_OK) {
        firstError[t] = api.xfmr_last_error();
        ++failures;
        return;
      }
      std::vector<float> out;
      auto run = [&](int i) {
        const Case &c = cases[(t * 5 + i) % cases.size()];
        Role role = roles[i % roles.size()];
        const std::vector<float> &expected = c.expected[static_cast<int>(role)];
        out.assign(expected.size(), -2.0f);
        if (call(context, role, c, out.data()) != XFMR_OK) {
          if (firstError[t].empty())
            firstError[t] = api.xfmr_last_error();
          ++failures;
        } else if (std::memcmp(out.data(), expected.data(),
                               out.size() * sizeof(float)) != 0) {
          ++mismatches;
        }
      };
      for (int i = 0; i < kCalls; ++i)
        run(i);
      // The same call twice: the second is served from the context.
      run(0);
      run(0);
      api.xfmr_context_get_stats(context, &repeated[t]);
      api.xfmr_context_free(context);
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  std::string someError;
  for (const std::string &error : firstError)
    if (someError.empty())
      someError = error;
  EXPECT_EQ(failures, 0) << someError;
  EXPECT_EQ(mismatches, 0);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(repeated[t].calls, kCalls + 2) << "thread " << t;
    // Generated code takes its temporaries from the context (docs/abi.md).
    EXPECT_GT(repeated[t].last_call_requests, 0) << "thread " << t;
    EXPECT_EQ(repeated[t].last_call_system_allocations, 0) << "thread " << t;
  }
}

TEST_P(ModelThreads, EveryThreadCountGivesTheSameBits) {
  makeCases();
  // One more case with more rows than a kernel's cache tile (64), so a
  // linear layer has several tiles to share among threads.
  Case big;
  big.batch = 5;
  big.seq = std::min<int64_t>(info.max_positions, 40);
  std::mt19937_64 rng(7);
  for (int64_t b = 0; b < big.batch; ++b)
    for (int64_t s = 0; s < big.seq; ++s) {
      big.ids.push_back(static_cast<int64_t>(rng() % info.vocab_size));
      big.mask.push_back(s < big.seq - 3 * b);
      if (info.type_vocab_size > 1)
        big.types.push_back(s % 2);
    }
  addCase(std::move(big));
  ASSERT_FALSE(HasFailure());
  for (int32_t threads : {2, 3, 4}) {
    xfmr_context *context = nullptr;
    ASSERT_EQ(api.xfmr_context_create(model, &context), XFMR_OK);
    ASSERT_EQ(api.xfmr_context_set_num_threads(context, threads), XFMR_OK);
    std::vector<float> out;
    for (const Case &c : cases)
      for (Role role : roles) {
        const std::vector<float> &expected = c.expected[static_cast<int>(role)];
        out.assign(expected.size(), -2.0f);
        ASSERT_EQ(call(context, role, c, out.data()), XFMR_OK)
            << api.xfmr_last_error();
        EXPECT_EQ(std::memcmp(out.data(), expected.data(),
                              out.size() * sizeof(float)),
                  0)
            << threads << " threads, batch " << c.batch << ", seq " << c.seq;
      }
    api.xfmr_context_free(context);
  }
}

INSTANTIATE_TEST_SUITE_P(Libraries, ModelThreads,
                         ::testing::ValuesIn(libraryCases()),
                         [](const auto &info) { return info.param.name; });

TEST(StubEmbedLibrary, FollowsTheManifest) {
  // Its manifest lists embed first, with the inputs in another order: the
  // runtime must index the entry table and order arguments as it says.
  Library api;
  ASSERT_EQ(api.load(XFMR_STUB_EMBED_MODEL_PATH), "");
  TempDir dir;
  std::string weights = dir.write("model.safetensors", stubWeights());
  xfmr_model *model = nullptr;
  ASSERT_EQ(api.xfmr_model_open(weights.c_str(), &model), XFMR_OK)
      << api.xfmr_last_error();
  xfmr_model_info info;
  ASSERT_EQ(api.xfmr_model_get_info(model, &info), XFMR_OK);
  EXPECT_STREQ(info.name, "stub-embed");
  EXPECT_STREQ(info.pooling, "mean");
  auto *badDescriptors =
      static_cast<int *>(dlsym(api.handle, "xfmr_stub_bad_descriptors"));
  ASSERT_NE(badDescriptors, nullptr);

  const int64_t ids[6] = {1, 2, 3, 4, 5, 6};
  const int64_t mask[6] = {1, 1, 0, 0, 0, 0};
  const int64_t types[6] = {0, 1, 1, 1, 1, 0};
  xfmr_context *context = nullptr;
  ASSERT_EQ(api.xfmr_context_create(model, &context), XFMR_OK);
  std::vector<float> pooled(2 * kStubDim, -1.0f), viaModel(2 * kStubDim);
  ASSERT_EQ(
      api.xfmr_context_embed(context, 2, 3, ids, mask, types, pooled.data()),
      XFMR_OK)
      << api.xfmr_last_error();
  ASSERT_EQ(api.xfmr_embed(model, 2, 3, ids, mask, types, viaModel.data()),
            XFMR_OK);
  EXPECT_EQ(pooled, viaModel);
  for (int d = 0; d < kStubDim; ++d) {
    // Row 0 averages its first two tokens; row 1 is all padding.
    EXPECT_EQ(pooled[d], (stubValue(1, d, 1, 0) + stubValue(2, d, 1, 1)) / 2);
    EXPECT_EQ(pooled[kStubDim + d], 0.0f);
  }
  std::vector<float> hidden(6 * kStubDim);
  ASSERT_EQ(
      api.xfmr_context_encode(context, 2, 3, ids, mask, types, hidden.data()),
      XFMR_OK);
  for (int t = 0; t < 6; ++t)
    EXPECT_EQ(hidden[t * kStubDim + 2],
              stubValue(ids[t], 2, mask[t], types[t]));
  EXPECT_EQ(*badDescriptors, 0);
  api.xfmr_context_free(context);
  api.xfmr_model_close(model);
}

} // namespace
