//===- ContextTest.cpp - call contexts against the stub model -------------===//
//
// The context API of runtime.h with StubModel.cpp as the model: misuse,
// settings, results equal to the model-level calls, and the work memory the
// stub takes through the runtime's allocation functions (reused from the
// second call of a shape on, released with the context).
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

using namespace xfmr::test;

namespace {

class Context : public ::testing::Test {
protected:
  void SetUp() override {
    xfmr_stub_mode = kStubNormal;
    std::string weights = dir.write("model.safetensors", stubWeights());
    ASSERT_EQ(xfmr_model_open(weights.c_str(), &model), XFMR_OK)
        << xfmr_last_error();
    ASSERT_EQ(xfmr_context_create(model, &context), XFMR_OK)
        << xfmr_last_error();
  }
  void TearDown() override {
    xfmr_stub_mode = kStubNormal;
    xfmr_context_free(context);
    xfmr_model_close(model);
  }

  xfmr_context_stats stats() {
    xfmr_context_stats s;
    std::memset(&s, 0xff, sizeof(s));
    EXPECT_EQ(xfmr_context_get_stats(context, &s), XFMR_OK);
    return s;
  }

  /// Runs the stub on a [batch, seq] batch of ids 0, 1, 2, ... and checks
  /// what it wrote.
  void encode(int64_t batch, int64_t seq) {
    std::vector<int64_t> ids(batch * seq);
    for (size_t i = 0; i < ids.size(); ++i)
      ids[i] = static_cast<int64_t>(i % kStubVocab);
    std::vector<float> out(ids.size() * kStubDim, -1.0f);
    ASSERT_EQ(xfmr_context_encode(context, batch, seq, ids.data(), nullptr,
                                  nullptr, out.data()),
              XFMR_OK)
        << xfmr_last_error();
    for (size_t t = 0; t < ids.size(); ++t)
      ASSERT_EQ(out[t * kStubDim + 3], stubValue(ids[t], 3, 1, 0));
  }

  TempDir dir;
  xfmr_model *model = nullptr;
  xfmr_context *context = nullptr;
};

/// Expects a call to fail with `status` and `message` (xfmr_last_error).
#define EXPECT_FAILS(call, status, message)                                    \
  do {                                                                         \
    EXPECT_EQ((call), (status));                                               \
    EXPECT_STREQ(xfmr_last_error(), (message));                                \
  } while (false)

constexpr xfmr_status kInvalid = XFMR_ERROR_INVALID_ARGUMENT;

TEST_F(Context, NullArguments) {
  xfmr_context *c = reinterpret_cast<xfmr_context *>(1);
  EXPECT_FAILS(xfmr_context_create(nullptr, &c), kInvalid, "model is NULL");
  EXPECT_EQ(c, nullptr);
  EXPECT_FAILS(xfmr_context_create(model, nullptr), kInvalid,
               "out_context is NULL");
  xfmr_context_free(nullptr);

  EXPECT_FAILS(xfmr_context_set_num_threads(nullptr, 1), kInvalid,
               "context is NULL");
  xfmr_context_stats s;
  EXPECT_FAILS(xfmr_context_get_stats(nullptr, &s), kInvalid,
               "context is NULL");
  EXPECT_FAILS(xfmr_context_get_stats(context, nullptr), kInvalid,
               "out_stats is NULL");

  int64_t ids[2] = {1, 2};
  float out[8];
  EXPECT_FAILS(xfmr_context_encode(nullptr, 1, 2, ids, nullptr, nullptr, out),
               kInvalid, "context is NULL");
  EXPECT_FAILS(xfmr_context_embed(nullptr, 1, 2, ids, nullptr, nullptr, out),
               kInvalid, "context is NULL");
  EXPECT_FAILS(
      xfmr_context_encode(context, 1, 2, nullptr, nullptr, nullptr, out),
      kInvalid, "input_ids is NULL");
  EXPECT_FAILS(
      xfmr_context_encode(context, 1, 2, ids, nullptr, nullptr, nullptr),
      kInvalid, "output is NULL");
  // The same checks as the model-level calls, with the same messages.
  EXPECT_FAILS(xfmr_context_encode(context, 1, 9, ids, nullptr, nullptr, out),
               kInvalid,
               "sequence length 9 exceeds the model's maximum of 8 positions");
  ids[1] = 10;
  EXPECT_FAILS(xfmr_context_encode(context, 1, 2, ids, nullptr, nullptr, out),
               kInvalid,
               "input_ids[0][1] = 10 is outside the vocabulary [0, 10)");
  // Refused calls never reach the model.
  EXPECT_EQ(stats().calls, 0);
}

TEST_F(Context, NumThreads) {
  EXPECT_EQ(stats().num_threads, 1);
  EXPECT_EQ(xfmr_context_set_num_threads(context, 1), XFMR_OK);
  EXPECT_EQ(xfmr_context_set_num_threads(context, 3), XFMR_OK);
  EXPECT_EQ(stats().num_threads, 3);
  EXPECT_EQ(xfmr_context_set_num_threads(context, 1), XFMR_OK);
  EXPECT_FAILS(xfmr_context_set_num_threads(context, 0), kInvalid,
               "num_threads must be positive, got 0");
  EXPECT_FAILS(xfmr_context_set_num_threads(context, -3), kInvalid,
               "num_threads must be positive, got -3");
  EXPECT_EQ(stats().num_threads, 1);
}

TEST_F(Context, EmbedNeedsAnEmbedEntry) {
  const int64_t ids[3] = {0, 1, 2};
  std::vector<float> out(kStubDim, -1.0f);
  EXPECT_EQ(
      xfmr_context_embed(context, 1, 3, ids, nullptr, nullptr, out.data()),
      XFMR_ERROR_UNSUPPORTED);
  EXPECT_STREQ(xfmr_last_error(),
               "this library has no sentence embedding; compile the model "
               "with xfmrc --pooling=cls|mean");
  EXPECT_EQ(out[0], -1.0f);
}

TEST_F(Context, SessionsNeedADecoder) {
  xfmr_session *session = reinterpret_cast<xfmr_session *>(1);
  EXPECT_FAILS(xfmr_session_create(context, 1, 0, &session),
               XFMR_ERROR_UNSUPPORTED,
               "this library has no prefill and decode_step entry points (it "
               "is not a decoder, or was compiled before sessions)");
  EXPECT_EQ(session, nullptr);
  EXPECT_FAILS(xfmr_session_create(nullptr, 1, 0, &session), kInvalid,
               "context is NULL");
  EXPECT_FAILS(xfmr_session_create(context, 1, 0, nullptr), kInvalid,
               "out_session is NULL");
  int64_t ids[1] = {0};
  float logits[kStubDim];
  EXPECT_FAILS(xfmr_session_prefill(nullptr, 1, ids, nullptr, logits), kInvalid,
               "session is NULL");
  EXPECT_FAILS(xfmr_session_decode(nullptr, ids, logits), kInvalid,
               "session is NULL");
  xfmr_session_info info;
  EXPECT_FAILS(xfmr_session_get_info(nullptr, &info), kInvalid,
               "session is NULL");
  xfmr_session_free(nullptr);
}

TEST_F(Context, SameResultsAsModelCalls) {
  const int64_t ids[6] = {3, 4, 5, 6, 7, 8};
  const int64_t mask[6] = {1, 1, 0, 1, 0, 0};
  const int64_t types[6] = {0, 1, 1, 0, 0, 1};
  std::vector<float> viaModel(6 * kStubDim), viaContext(6 * kStubDim);
  ASSERT_EQ(xfmr_encode(model, 2, 3, ids, mask, types, viaModel.data()),
            XFMR_OK);
  for (int repeat = 0; repeat < 3; ++repeat) {
    std::fill(viaContext.begin(), viaContext.end(), -1.0f);
    ASSERT_EQ(
        xfmr_context_encode(context, 2, 3, ids, mask, types, viaContext.data()),
        XFMR_OK)
        << xfmr_last_error();
    EXPECT_EQ(viaContext, viaModel);
  }
  for (int t = 0; t < 6; ++t)
    EXPECT_EQ(viaContext[t * kStubDim],
              stubValue(ids[t], 0, mask[t], types[t]));
  // The output descriptor is the caller's buffer, row-major.
  EXPECT_EQ(xfmr_stub_last_output, viaContext.data());
  std::vector<int64_t> layout(xfmr_stub_last_output_layout,
                              xfmr_stub_last_output_layout + 7);
  EXPECT_EQ(layout, (std::vector<int64_t>{0, 2, 3, 4, 12, 4, 1}));
  EXPECT_EQ(stats().calls, 3);
}

TEST_F(Context, SecondCallOfAShapeAllocatesNothing) {
  // The stub takes two temporaries a call: [batch * seq, 4] floats, aligned
  // to 64, and [seq] floats.
  encode(2, 3);
  xfmr_context_stats first = stats();
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(first.last_call_requests, 2);
  EXPECT_EQ(first.last_call_system_allocations, 2);
  // 96 and 12 bytes in blocks of 128 and 64, and the mask and types
  // standing in for the omitted inputs.
  EXPECT_EQ(first.bytes_held, 128 + 64 + 2 * 6 * 8);

  encode(2, 3);
  xfmr_context_stats second = stats();
  EXPECT_EQ(second.calls, 2);
  EXPECT_EQ(second.last_call_requests, 2);
  EXPECT_EQ(second.last_call_system_allocations, 0);
  EXPECT_EQ(second.bytes_held, first.bytes_held);

  // A larger shape needs a larger block for the first temporary only...
  encode(3, 8);
  EXPECT_EQ(stats().last_call_system_allocations, 1);
  // ...and the smaller one finds its blocks again.
  encode(2, 3);
  EXPECT_EQ(stats().last_call_system_allocations, 0);
  encode(3, 8);
  EXPECT_EQ(stats().last_call_system_allocations, 0);
  EXPECT_EQ(stats().calls, 5);
}

TEST_F(Context, ForeignMemoryGoesBackToFree) {
  // The stub frees a block of its own malloc through the runtime: not the
  // context's, so it reaches free() (ASan and valgrind would see otherwise).
  xfmr_stub_mode = kStubForeignFree;
  encode(1, 4);
  encode(1, 4);
  EXPECT_EQ(stats().last_call_requests, 2);
  EXPECT_EQ(stats().last_call_system_allocations, 0);
}

TEST_F(Context, ImpossibleRequestsEndTheCallWithOutOfMemory) {
  encode(2, 2);
  int64_t held = stats().bytes_held;
  xfmr_stub_mode = kStubBadRequests;
  xfmr_stub_null_results = 0;
  const int64_t ids[4] = {1, 2, 3, 4};
  std::vector<float> out(4 * kStubDim);
  // The model never sees NULL: the call is abandoned at the first request
  // the work memory cannot serve (its blocks taken back, the system's
  // returned), and the failure is the call's status.
  EXPECT_FAILS(
      xfmr_context_encode(context, 2, 2, ids, nullptr, nullptr, out.data()),
      XFMR_ERROR_OUT_OF_MEMORY,
      "out of memory: the encode call of batch 2 x sequence 2 could not "
      "allocate 18446744073709551607 bytes of work memory; the context stays "
      "usable for smaller calls");
  EXPECT_EQ(xfmr_stub_null_results, 0);
  EXPECT_LE(stats().bytes_held, held);
  // The context stays usable, and a failed call is not counted.
  int64_t calls = stats().calls;
  xfmr_stub_mode = kStubNormal;
  encode(2, 2);
  EXPECT_EQ(stats().calls, calls + 1);
}

TEST_F(Context, ReleasesBlocksTheModelKept) {
  // The stub keeps a 100-byte block each call: the context holds it (a new
  // one each call, since the last is still in use) and frees it with itself,
  // which the leak checkers of the sanitizer build verify.
  xfmr_stub_mode = kStubKeep;
  encode(1, 2);
  int64_t held = stats().bytes_held;
  encode(1, 2);
  EXPECT_EQ(stats().last_call_system_allocations, 1);
  EXPECT_EQ(stats().bytes_held, held + 128);
}

TEST_F(Context, RefusesOverlappingCalls) {
  xfmr_stub_mode = kStubWait;
  xfmr_stub_waiting = 0;
  xfmr_stub_release = 0;
  const int64_t ids[2] = {1, 2};
  std::vector<float> out(2 * kStubDim), other(2 * kStubDim);
  xfmr_status first = XFMR_ERROR_INTERNAL;
  std::thread caller([&] {
    first =
        xfmr_context_encode(context, 1, 2, ids, nullptr, nullptr, out.data());
  });
  while (!xfmr_stub_waiting)
    std::this_thread::yield();
  EXPECT_EQ(
      xfmr_context_encode(context, 1, 2, ids, nullptr, nullptr, other.data()),
      XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "the context is running another call; use "
                                  "one context per thread");
  // Another context of the same model runs meanwhile.
  xfmr_context *mine = nullptr;
  ASSERT_EQ(xfmr_context_create(model, &mine), XFMR_OK);
  xfmr_stub_release = 1;
  caller.join();
  EXPECT_EQ(first, XFMR_OK);
  EXPECT_EQ(out[0], stubValue(1, 0, 1, 0));
  xfmr_stub_mode = kStubNormal;
  EXPECT_EQ(
      xfmr_context_encode(mine, 1, 2, ids, nullptr, nullptr, other.data()),
      XFMR_OK);
  EXPECT_EQ(other, out);
  xfmr_context_free(mine);
  // Once the call is over the context takes calls again.
  EXPECT_EQ(
      xfmr_context_encode(context, 1, 2, ids, nullptr, nullptr, other.data()),
      XFMR_OK);
}

} // namespace
