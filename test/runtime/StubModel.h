//===- StubModel.h - what tests know about StubModel.cpp --------*- C++ -*-===//
#ifndef XFMR_TEST_RUNTIME_STUBMODEL_H
#define XFMR_TEST_RUNTIME_STUBMODEL_H

#include "test/runtime/TestUtil.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

// The stub's knobs and records, for the tests it is linked into.
extern "C" {
extern const char xfmr_manifest[];
extern int xfmr_stub_mode;
extern __thread int xfmr_stub_weights_aligned;
extern __thread int xfmr_stub_bad_descriptors;
extern __thread void *xfmr_stub_last_output;
extern __thread int64_t xfmr_stub_last_output_layout[7];
extern __thread int xfmr_stub_null_results;
extern std::atomic<int> xfmr_stub_waiting, xfmr_stub_release;
}

namespace xfmr::test {

/// What the stub's entry points do besides computing (xfmr_stub_mode).
enum StubMode {
  kStubNormal = 0,
  /// Also frees memory of its own malloc through _mlir_memref_to_llvm_free:
  /// the runtime must hand it to free().
  kStubForeignFree = 1,
  /// Also asks for an impossible size and an alignment that is not a power
  /// of two: during an entry call neither may come back (the runtime
  /// abandons the call); a NULL that does is counted in
  /// xfmr_stub_null_results.
  kStubBadRequests = 2,
  /// Keeps one temporary (never frees it): the context must release it.
  kStubKeep = 3,
  /// Sets xfmr_stub_waiting and waits for xfmr_stub_release: a call that
  /// stays in progress while the test does something else.
  kStubWait = 4,
};

constexpr int64_t kStubVocab = 10, kStubDim = 4, kStubMaxPositions = 8;
constexpr float kStubBias = 0.5f;
/// What xfmr-stub-cuda-model's kernel adds to the host's output.
constexpr float kStubGpuOffset = 1000.0f;

inline float embValue(int64_t id, int64_t d) {
  return static_cast<float>(id * 4 + d);
}

/// What the stub computes for one token.
inline float stubValue(int64_t id, int64_t d, int64_t mask, int64_t type) {
  return embValue(id, d) + kStubBias + 10.0f * mask + 100.0f * type;
}

struct StubWeightsOptions {
  std::string embShape = "[10,4]";
  std::string embDType = "F32";
  bool withEmb = true;
  /// Spaces after the JSON header; picks the alignment of the data.
  size_t padding = 0;
};

/// The stub model's weights: emb [10, 4] then bias [] (F32).
inline std::vector<uint8_t> stubWeights(const StubWeightsOptions &opts = {}) {
  std::vector<uint8_t> data;
  std::string header = "{";
  if (opts.withEmb) {
    size_t count = opts.embShape == "[10,3]" ? 30 : 40;
    size_t elem = opts.embDType == "F16" ? 2 : 4;
    for (size_t i = 0; i < count; ++i) {
      float v = embValue(i / 4, i % 4);
      const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
      data.insert(data.end(), p, p + elem);
    }
    header += R"("emb":{"dtype":")" + opts.embDType + R"(","shape":)" +
              opts.embShape + R"(,"data_offsets":[0,)" +
              std::to_string(data.size()) + "]},";
  }
  size_t begin = data.size();
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&kStubBias);
  data.insert(data.end(), p, p + 4);
  header += R"("bias":{"dtype":"F32","shape":[],"data_offsets":[)" +
            std::to_string(begin) + "," + std::to_string(data.size()) + "]}}";
  header.append(opts.padding, ' ');
  return makeSafetensors(header, data);
}

} // namespace xfmr::test

#endif // XFMR_TEST_RUNTIME_STUBMODEL_H
