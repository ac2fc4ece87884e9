//===- EmbeddedWeightsTest.cpp - weights from memory, the API table -------===//
//
// The weights a library embeds (xfmrc --embed-weights) are checked by the
// code that checks a weights file; xfmr_model_open_from_memory runs that
// code on a caller's buffer, so every way a file fails is tried here on the
// same bytes in memory: the same status, the same message but for what it
// names. And xfmr_get_api's table holds this library's own functions.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace xfmr::test;

namespace {

struct Opened {
  xfmr_status status;
  std::string error;
};

Opened openFile(const std::string &path) {
  xfmr_model *model = nullptr;
  xfmr_status status = xfmr_model_open(path.c_str(), &model);
  Opened result{status, status == XFMR_OK ? "" : xfmr_last_error()};
  xfmr_model_close(model);
  return result;
}

Opened openMemory(const std::vector<uint8_t> &bytes) {
  xfmr_model *model = nullptr;
  xfmr_status status =
      xfmr_model_open_from_memory(bytes.data(), bytes.size(), &model);
  Opened result{status, status == XFMR_OK ? "" : xfmr_last_error()};
  if (status != XFMR_OK)
    EXPECT_EQ(model, nullptr);
  xfmr_model_close(model);
  return result;
}

std::vector<uint8_t> withDataBytes(const std::string &header, size_t bytes) {
  return makeSafetensors(header, bytes);
}

TEST(EmbeddedWeights, SameChecksAsAFile) {
  StubWeightsOptions noEmb, badShape, f16, padded;
  noEmb.withEmb = false;
  badShape.embShape = "[10,3]";
  f16.embDType = "F16";
  padded.padding = 3;
  std::vector<uint8_t> trailing = stubWeights();
  trailing.push_back(0);
  const struct {
    const char *name;
    std::vector<uint8_t> bytes;
    xfmr_status status;
  } cases[] = {
      {"valid", stubWeights(), XFMR_OK},
      {"misaligned", stubWeights(padded), XFMR_OK},
      {"empty", {}, XFMR_ERROR_FORMAT},
      {"short", {1, 2, 3}, XFMR_ERROR_FORMAT},
      {"huge header", std::vector<uint8_t>(100, 0xff), XFMR_ERROR_FORMAT},
      {"header past the end",
       std::vector<uint8_t>{200, 0, 0, 0, 0, 0, 0, 0, '{', '}'},
       XFMR_ERROR_FORMAT},
      {"not json", makeSafetensors("{nope", 0), XFMR_ERROR_FORMAT},
      {"size mismatch",
       withDataBytes(
           R"({"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20),
       XFMR_ERROR_FORMAT},
      {"unknown dtype",
       withDataBytes(
           R"({"x":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}})", 4),
       XFMR_ERROR_FORMAT},
      {"hole",
       withDataBytes(
           R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
       XFMR_ERROR_FORMAT},
      {"trailing bytes", trailing, XFMR_ERROR_FORMAT},
      {"missing tensor", stubWeights(noEmb), XFMR_ERROR_MISMATCH},
      {"wrong shape", stubWeights(badShape), XFMR_ERROR_MISMATCH},
      {"wrong dtype", stubWeights(f16), XFMR_ERROR_MISMATCH},
  };
  TempDir dir;
  for (const auto &c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir.write("w.safetensors", c.bytes);
    Opened file = openFile(path), memory = openMemory(c.bytes);
    EXPECT_EQ(file.status, c.status) << file.error;
    EXPECT_EQ(memory.status, file.status) << memory.error;
    if (c.status == XFMR_OK)
      continue;
    // The file's message names the path; the buffer's says where it is.
    ASSERT_EQ(file.error.rfind(path + ": ", 0), 0u) << file.error;
    EXPECT_EQ(memory.error,
              "weights in memory: " + file.error.substr(path.size() + 2));
  }
}

TEST(EmbeddedWeights, BufferIsCopied) {
  std::vector<uint8_t> bytes = stubWeights();
  xfmr_model *model = nullptr;
  ASSERT_EQ(xfmr_model_open_from_memory(bytes.data(), bytes.size(), &model),
            XFMR_OK)
      << xfmr_last_error();
  // The caller's buffer is gone once the call returns.
  std::fill(bytes.begin(), bytes.end(), 0xff);
  bytes.clear();
  bytes.shrink_to_fit();
  const int64_t ids[3] = {9, 0, 4};
  std::vector<float> out(3 * kStubDim);
  ASSERT_EQ(xfmr_encode(model, 1, 3, ids, nullptr, nullptr, out.data()),
            XFMR_OK)
      << xfmr_last_error();
  for (int t = 0; t < 3; ++t)
    for (int64_t d = 0; d < kStubDim; ++d)
      EXPECT_EQ(out[t * kStubDim + d], stubValue(ids[t], d, 1, 0));
  xfmr_model_close(model);
}

TEST(EmbeddedWeights, NullArguments) {
  xfmr_model *model = nullptr;
  EXPECT_EQ(xfmr_model_open_from_memory(nullptr, 8, &model),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "data is NULL");
  uint8_t byte = 0;
  EXPECT_EQ(xfmr_model_open_from_memory(&byte, 1, nullptr),
            XFMR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(xfmr_last_error(), "out_model is NULL");
}

// The table is this runtime's functions, member by member.
TEST(ApiTable, HoldsThisLibrarysFunctions) {
  const xfmr_api *api = xfmr_get_api();
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->struct_size, sizeof(xfmr_api));
  EXPECT_EQ(api->abi_version, XFMR_ABI_VERSION);
  EXPECT_EQ(api->status_string, &xfmr_status_string);
  EXPECT_EQ(api->last_error, &xfmr_last_error);
  EXPECT_EQ(api->model_open, &xfmr_model_open);
  EXPECT_EQ(api->model_open_from_memory, &xfmr_model_open_from_memory);
  EXPECT_EQ(api->model_close, &xfmr_model_close);
  EXPECT_EQ(api->model_get_info, &xfmr_model_get_info);
  EXPECT_EQ(api->model_manifest, &xfmr_model_manifest);
  EXPECT_EQ(api->context_create, &xfmr_context_create);
  EXPECT_EQ(api->context_free, &xfmr_context_free);
  EXPECT_EQ(api->context_set_num_threads, &xfmr_context_set_num_threads);
  EXPECT_EQ(api->context_get_stats, &xfmr_context_get_stats);
  EXPECT_EQ(api->context_encode, &xfmr_context_encode);
  EXPECT_EQ(api->context_embed, &xfmr_context_embed);
  EXPECT_EQ(api->encode, &xfmr_encode);
  EXPECT_EQ(api->embed, &xfmr_embed);
  EXPECT_EQ(api->tokenizer_load, &xfmr_tokenizer_load);
  EXPECT_EQ(api->tokenizer_load_from_memory, &xfmr_tokenizer_load_from_memory);
  EXPECT_EQ(api->model_load_tokenizer, &xfmr_model_load_tokenizer);
  EXPECT_EQ(api->tokenizer_free, &xfmr_tokenizer_free);
  EXPECT_EQ(api->tokenizer_get_info, &xfmr_tokenizer_get_info);
  EXPECT_EQ(api->tokenizer_encode, &xfmr_tokenizer_encode);
  EXPECT_EQ(api->tokenizer_encode_batch, &xfmr_tokenizer_encode_batch);
  EXPECT_EQ(api->encoding_free, &xfmr_encoding_free);
  EXPECT_EQ(api->tokenizer_decode, &xfmr_tokenizer_decode);
  EXPECT_EQ(api->text_free, &xfmr_text_free);
  EXPECT_EQ(api->tokenizer_token_to_id, &xfmr_tokenizer_token_to_id);
  EXPECT_EQ(api->tokenizer_id_to_token, &xfmr_tokenizer_id_to_token);
}

} // namespace
