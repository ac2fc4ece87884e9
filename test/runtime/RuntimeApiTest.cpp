//===- RuntimeApiTest.cpp - the C API against a stub model ----------------===//
//
// Drives runtime.h as a user would, with StubModel.cpp standing in for
// generated code: opening weights (and every way that fails), argument
// checking in xfmr_encode, and the memref plumbing to the entry point. The
// context API has ContextTest.cpp, the manifest ManifestTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <thread>
#include <unistd.h>

using namespace xfmr::test;

namespace {

constexpr int64_t kVocab = kStubVocab, kDim = kStubDim,
                  kMaxPositions = kStubMaxPositions;
constexpr float kBias = kStubBias;
using WeightsOptions = StubWeightsOptions;

class RuntimeApi : public ::testing::Test {
protected:
  void SetUp() override {
    xfmr_stub_mode = 0;
    xfmr_stub_weights_aligned = 1;
    weights = dir.write("model.safetensors", stubWeights());
  }
  void TearDown() override {
    xfmr_model_close(model);
    xfmr_stub_mode = 0;
  }

  /// Opens `path`, expects `status`, and returns the error message.
  std::string openExpect(const char *path, xfmr_status status) {
    xfmr_model *m = nullptr;
    xfmr_status got = xfmr_model_open(path, &m);
    EXPECT_EQ(got, status) << xfmr_last_error();
    if (got == XFMR_OK)
      xfmr_model_close(m);
    else
      EXPECT_EQ(m, nullptr);
    std::string error = xfmr_last_error();
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    return error;
  }

  void open() {
    ASSERT_EQ(xfmr_model_open(weights.c_str(), &model), XFMR_OK)
        << xfmr_last_error();
  }

  TempDir dir;
  std::string weights;
  xfmr_model *model = nullptr;
};

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "message: " << (haystack)

TEST(RuntimeStatus, Strings) {
  EXPECT_STREQ(xfmr_status_string(XFMR_OK), "ok");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_INVALID_ARGUMENT),
               "invalid argument");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_IO), "I/O error");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_FORMAT), "format error");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_MISMATCH), "weights mismatch");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_OUT_OF_MEMORY), "out of memory");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_UNSUPPORTED), "unsupported");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_INTERNAL), "internal error");
  EXPECT_STREQ(xfmr_status_string(XFMR_ERROR_NO_DEVICE), "no device");
  EXPECT_STREQ(xfmr_status_string(static_cast<xfmr_status>(42)),
               "unknown status");
}

TEST(RuntimeStatus, LastErrorIsPerThread) {
  EXPECT_EQ(xfmr_model_open(nullptr, nullptr), XFMR_ERROR_INVALID_ARGUMENT);
  std::string mine = xfmr_last_error();
  EXPECT_EQ(mine, "out_model is NULL");
  std::string theirs = "unset";
  std::thread other([&] {
    theirs = xfmr_last_error();
    xfmr_model_close(nullptr);
    EXPECT_EQ(xfmr_model_get_info(nullptr, nullptr),
              XFMR_ERROR_INVALID_ARGUMENT);
  });
  other.join();
  EXPECT_EQ(theirs, "");
  EXPECT_EQ(std::string(xfmr_last_error()), mine);
}

TEST_F(RuntimeApi, OpenAndInfo) {
  open();
  xfmr_model_info info;
  ASSERT_EQ(xfmr_model_get_info(model, &info), XFMR_OK);
  EXPECT_EQ(info.abi_version, XFMR_ABI_VERSION);
  EXPECT_STREQ(info.name, "stub");
  EXPECT_STREQ(info.target, "cpu");
  EXPECT_STREQ(info.kind, "encoder");
  EXPECT_EQ(info.vocab_size, kVocab);
  EXPECT_EQ(info.d_model, kDim);
  EXPECT_EQ(info.num_layers, 0);
  EXPECT_EQ(info.max_positions, kMaxPositions);
  EXPECT_EQ(info.type_vocab_size, 2);
  // The stub's manifest names no max_length: texts are cut at its positions.
  EXPECT_EQ(info.max_length, kMaxPositions);
  EXPECT_EQ(xfmr_model_manifest(model), xfmr_manifest);
}

TEST_F(RuntimeApi, NullArguments) {
  EXPECT_EQ(xfmr_model_open(weights.c_str(), nullptr),
            XFMR_ERROR_INVALID_ARGUMENT);
  xfmr_model_info info;
  EXPECT_EQ(xfmr_model_get_info(nullptr, &info), XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "model is NULL");
  EXPECT_EQ(xfmr_model_manifest(nullptr), nullptr);
  xfmr_model_close(nullptr);
  open();
  EXPECT_EQ(xfmr_model_get_info(model, nullptr), XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "out_info is NULL");

  int64_t ids[2] = {1, 2};
  float out[8];
  EXPECT_EQ(xfmr_encode(nullptr, 1, 2, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "model is NULL");
  EXPECT_EQ(xfmr_encode(model, 1, 2, nullptr, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "input_ids is NULL");
  EXPECT_EQ(xfmr_encode(model, 1, 2, ids, nullptr, nullptr, nullptr),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "output is NULL");
}

TEST_F(RuntimeApi, NoWeights) {
  // The stub was "compiled without weights": weights_file is empty.
  EXPECT_CONTAINS(openExpect(nullptr, XFMR_ERROR_INVALID_ARGUMENT),
                  "no weights");
  EXPECT_CONTAINS(openExpect(nullptr, XFMR_ERROR_INVALID_ARGUMENT),
                  "--weights");
  EXPECT_CONTAINS(openExpect("", XFMR_ERROR_INVALID_ARGUMENT), "no weights");
}

TEST_F(RuntimeApi, WeightsPaths) {
  std::string missing = dir.path() + "/missing.safetensors";
  EXPECT_EQ(openExpect(missing.c_str(), XFMR_ERROR_IO),
            missing + ": No such file or directory");
  // A folder holding model.safetensors.
  openExpect(dir.path().c_str(), XFMR_OK);

  TempDir empty;
  EXPECT_CONTAINS(openExpect(empty.path().c_str(), XFMR_ERROR_IO),
                  "no model.safetensors");
  empty.write("model.safetensors.index.json", {'{', '}'});
  EXPECT_CONTAINS(openExpect(empty.path().c_str(), XFMR_ERROR_UNSUPPORTED),
                  "sharded");
  TempDir pickled;
  pickled.write("pytorch_model.bin", {0x80, 0x02});
  EXPECT_CONTAINS(openExpect(pickled.path().c_str(), XFMR_ERROR_UNSUPPORTED),
                  "arbitrary code");
}

TEST_F(RuntimeApi, RefusesPickle) {
  for (const char *name : {"pytorch_model.bin", "model.pt", "model.pth"}) {
    std::string path = dir.write(name, {0x80, 0x02, '.'});
    std::string error = openExpect(path.c_str(), XFMR_ERROR_UNSUPPORTED);
    EXPECT_CONTAINS(error, path + ": pickle checkpoints");
    EXPECT_CONTAINS(error, "unpickling runs arbitrary code");
  }
}

TEST_F(RuntimeApi, MalformedWeights) {
  std::string path = dir.write(
      "bad.safetensors",
      makeSafetensors(
          R"({"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20));
  EXPECT_EQ(openExpect(path.c_str(), XFMR_ERROR_FORMAT),
            path + ": safetensors: tensor 'x': shape [2, 3] needs 24 bytes "
                   "but its data range holds 20");
  std::string empty = dir.write("empty.safetensors", {});
  EXPECT_CONTAINS(openExpect(empty.c_str(), XFMR_ERROR_FORMAT), "too small");
  std::string garbage =
      dir.write("garbage.safetensors", std::vector<uint8_t>(100, 0xff));
  EXPECT_CONTAINS(openExpect(garbage.c_str(), XFMR_ERROR_FORMAT),
                  "exceeds the limit");
}

TEST_F(RuntimeApi, MissingTensor) {
  WeightsOptions opts;
  opts.withEmb = false;
  std::string path = dir.write("noemb.safetensors", stubWeights(opts));
  EXPECT_EQ(openExpect(path.c_str(), XFMR_ERROR_MISMATCH),
            path + ": tensor 'emb' is missing (the model needs F32 [10, 4])");
}

TEST_F(RuntimeApi, WrongShape) {
  WeightsOptions opts;
  opts.embShape = "[10,3]";
  std::string path = dir.write("shape.safetensors", stubWeights(opts));
  EXPECT_EQ(openExpect(path.c_str(), XFMR_ERROR_MISMATCH),
            path + ": tensor 'emb' has shape [10, 3], expected [10, 4]");
}

TEST_F(RuntimeApi, WrongDType) {
  WeightsOptions opts;
  opts.embDType = "F16";
  std::string path = dir.write("f16.safetensors", stubWeights(opts));
  EXPECT_EQ(openExpect(path.c_str(), XFMR_ERROR_MISMATCH),
            path + ": tensor 'emb' has dtype F16, expected F32");
}

/// Encodes `ids` as `batch` rows with no mask (all ones: +10) and no types
/// (zeros) and checks the stub's answer.
void expectEncodeDefaults(xfmr_model *model, const std::vector<int64_t> &ids,
                          int64_t batch) {
  int64_t seq = static_cast<int64_t>(ids.size()) / batch;
  std::vector<float> out(ids.size() * kDim, -1.0f);
  ASSERT_EQ(
      xfmr_encode(model, batch, seq, ids.data(), nullptr, nullptr, out.data()),
      XFMR_OK)
      << xfmr_last_error();
  for (size_t t = 0; t < ids.size(); ++t)
    for (int64_t d = 0; d < kDim; ++d)
      EXPECT_EQ(out[t * kDim + d], embValue(ids[t], d) + kBias + 10.0f);
}

TEST_F(RuntimeApi, EncodeDefaults) {
  open();
  expectEncodeDefaults(model, {0, 1, 2, 9, 8, 7}, 2);
  EXPECT_EQ(xfmr_stub_weights_aligned, 1);
}

// An open model owns its weights: the file may change or shrink afterwards
// (a mapping would fault with SIGBUS, or read the new bytes).
TEST_F(RuntimeApi, WeightsFileTruncatedAfterOpen) {
  open();
  ASSERT_EQ(::truncate(weights.c_str(), 0), 0);
  expectEncodeDefaults(model, {0, 1, 2}, 1);
}

TEST_F(RuntimeApi, WeightsFileRewrittenAfterOpen) {
  open();
  std::vector<uint8_t> bytes = stubWeights();
  FILE *f = std::fopen(weights.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  // Same header, every data byte 0xff (NaN as F32), written in place.
  std::vector<uint8_t> nan(bytes.size(), 0xff);
  size_t headerEnd = bytes.size() - (kVocab * kDim + 1) * sizeof(float);
  ASSERT_EQ(std::fseek(f, static_cast<long>(headerEnd), SEEK_SET), 0);
  ASSERT_EQ(std::fwrite(nan.data(), 1, bytes.size() - headerEnd, f),
            bytes.size() - headerEnd);
  ASSERT_EQ(std::fclose(f), 0);
  expectEncodeDefaults(model, {0, 1, 2}, 1);
}

TEST_F(RuntimeApi, EmbedNeedsPooling) {
  open();
  xfmr_model_info info;
  ASSERT_EQ(xfmr_model_get_info(model, &info), XFMR_OK);
  EXPECT_EQ(info.pooling, nullptr);
  const int64_t ids[3] = {0, 1, 2};
  std::vector<float> out(kDim);
  EXPECT_EQ(xfmr_embed(model, 1, 3, ids, nullptr, nullptr, out.data()),
            XFMR_ERROR_UNSUPPORTED);
  EXPECT_STREQ(xfmr_last_error(),
               "this library has no sentence embedding; compile the model "
               "with xfmrc --pooling=cls|mean");
  EXPECT_EQ(xfmr_embed(nullptr, 1, 3, ids, nullptr, nullptr, out.data()),
            XFMR_ERROR_INVALID_ARGUMENT);
}

TEST_F(RuntimeApi, EncodeWithMaskAndTypes) {
  open();
  const int64_t ids[4] = {3, 4, 5, 6};
  const int64_t mask[4] = {1, 1, 1, 0};
  const int64_t types[4] = {0, 1, 1, 0};
  std::vector<float> out(4 * kDim);
  ASSERT_EQ(xfmr_encode(model, 1, 4, ids, mask, types, out.data()), XFMR_OK)
      << xfmr_last_error();
  for (int64_t t = 0; t < 4; ++t)
    for (int64_t d = 0; d < kDim; ++d)
      EXPECT_EQ(out[t * kDim + d], embValue(ids[t], d) + kBias +
                                       10.0f * mask[t] + 100.0f * types[t]);
}

TEST_F(RuntimeApi, MisalignedWeightsAreCopied) {
  // Four paddings put the data section at every offset mod 4; the entry
  // point must see 4-byte-aligned weights each time.
  for (size_t padding = 0; padding < 4; ++padding) {
    WeightsOptions opts;
    opts.padding = padding;
    std::string path = dir.write(
        "pad" + std::to_string(padding) + ".safetensors", stubWeights(opts));
    xfmr_model *m = nullptr;
    ASSERT_EQ(xfmr_model_open(path.c_str(), &m), XFMR_OK) << xfmr_last_error();
    const int64_t ids[2] = {7, 2};
    std::vector<float> out(2 * kDim);
    xfmr_stub_weights_aligned = 1;
    ASSERT_EQ(xfmr_encode(m, 1, 2, ids, nullptr, nullptr, out.data()), XFMR_OK);
    EXPECT_EQ(xfmr_stub_weights_aligned, 1) << "padding " << padding;
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t d = 0; d < kDim; ++d)
        EXPECT_EQ(out[t * kDim + d], embValue(ids[t], d) + kBias + 10.0f);
    xfmr_model_close(m);
  }
}

TEST_F(RuntimeApi, RejectsBadSizes) {
  open();
  int64_t ids[16] = {};
  float out[16 * kDim];
  EXPECT_EQ(xfmr_encode(model, 0, 1, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "batch must be positive, got 0");
  EXPECT_EQ(xfmr_encode(model, 1, -3, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "sequence length must be positive, got -3");
  EXPECT_EQ(xfmr_encode(model, 1, 9, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(),
               "sequence length 9 exceeds the model's maximum of 8 positions");
  EXPECT_EQ(xfmr_encode(model, INT64_MAX, 8, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_CONTAINS(xfmr_last_error(), "too large");
}

TEST_F(RuntimeApi, RejectsIdsOutOfVocabulary) {
  open();
  float out[6 * kDim];
  int64_t ids[6] = {0, 1, 2, 3, 4, 5};
  ids[4] = 10;
  EXPECT_EQ(xfmr_encode(model, 2, 3, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(),
               "input_ids[1][1] = 10 is outside the vocabulary [0, 10)");
  ids[4] = -1;
  EXPECT_EQ(xfmr_encode(model, 2, 3, ids, nullptr, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(),
               "input_ids[1][1] = -1 is outside the vocabulary [0, 10)");
}

TEST_F(RuntimeApi, RejectsBadMask) {
  open();
  float out[4 * kDim];
  int64_t ids[4] = {1, 1, 1, 1};
  int64_t mask[4] = {1, 1, 0, 2};
  EXPECT_EQ(xfmr_encode(model, 2, 2, ids, mask, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "attention_mask[1][1] = 2 is not 0 or 1");
  mask[3] = -1;
  EXPECT_EQ(xfmr_encode(model, 2, 2, ids, mask, nullptr, out),
            XFMR_ERROR_INVALID_ARGUMENT);
}

TEST_F(RuntimeApi, RejectsBadTokenTypes) {
  open();
  float out[4 * kDim];
  int64_t ids[4] = {1, 1, 1, 1};
  int64_t types[4] = {0, 2, 0, 0};
  EXPECT_EQ(xfmr_encode(model, 1, 4, ids, nullptr, types, out),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(),
               "token_type_ids[0][1] = 2 is outside the token types [0, 2)");
}

TEST_F(RuntimeApi, PassesDestinationDescriptors) {
  // The output descriptor is the caller's buffer, contiguous row-major with
  // every size filled in: [batch, seq, d_model], strides [seq * d, d, 1].
  open();
  const int64_t ids[6] = {0, 1, 2, 9, 8, 7};
  std::vector<float> out(6 * kDim + 4, -1.0f);
  xfmr_stub_bad_descriptors = 0;
  ASSERT_EQ(xfmr_encode(model, 2, 3, ids, nullptr, nullptr, out.data()),
            XFMR_OK)
      << xfmr_last_error();
  EXPECT_EQ(xfmr_stub_bad_descriptors, 0);
  EXPECT_EQ(xfmr_stub_last_output, out.data());
  std::vector<int64_t> layout(xfmr_stub_last_output_layout,
                              xfmr_stub_last_output_layout + 7);
  EXPECT_EQ(layout, (std::vector<int64_t>{0, 2, 3, 4, 12, 4, 1}));
  for (int64_t t = 0; t < 6; ++t)
    for (int64_t d = 0; d < kDim; ++d)
      EXPECT_EQ(out[t * kDim + d], embValue(ids[t], d) + kBias + 10.0f);
  // Nothing past the output is touched.
  for (size_t i = 6 * kDim; i < out.size(); ++i)
    EXPECT_EQ(out[i], -1.0f);
}

TEST_F(RuntimeApi, ConcurrentEncodes) {
  open();
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      int64_t ids[8];
      for (int t = 0; t < 8; ++t)
        ids[t] = (t + i) % kVocab;
      std::vector<float> out(8 * kDim);
      bool good = true;
      for (int iter = 0; iter < 200 && good; ++iter) {
        good = xfmr_encode(model, 1, 8, ids, nullptr, nullptr, out.data()) ==
               XFMR_OK;
        for (int t = 0; t < 8 && good; ++t)
          good = out[t * kDim + 1] == embValue(ids[t], 1) + kBias + 10.0f;
      }
      ok[i] = good;
    });
  }
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

} // namespace
