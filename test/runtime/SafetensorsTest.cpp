//===- SafetensorsTest.cpp - strict safetensors parsing -------------------===//
//
// One test per rejection docs/reliability.md lists, on hand-built byte
// buffers, plus the regression cases it names.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Safetensors.h"
#include "test/runtime/TestUtil.h"

#include <gtest/gtest.h>

using namespace xfmr::safetensors;
using xfmr::test::makeSafetensors;
using xfmr::test::TempDir;

namespace {

struct Result {
  bool ok;
  std::string error;
  Header header;
};

Result parseBytes(const std::vector<uint8_t> &bytes) {
  Result r;
  r.ok = parse(bytes.data(), bytes.size(), r.header, r.error);
  if (!r.ok) {
    EXPECT_EQ(r.error.find('\n'), std::string::npos) << r.error;
    EXPECT_EQ(r.error.rfind("safetensors: ", 0), 0u) << r.error;
  }
  return r;
}

Result parseFile(const std::string &header, size_t dataBytes) {
  return parseBytes(makeSafetensors(header, dataBytes));
}

/// Expects a rejection whose message contains `needle`.
void expectReject(const std::string &header, size_t dataBytes,
                  const std::string &needle) {
  Result r = parseFile(header, dataBytes);
  EXPECT_FALSE(r.ok) << "accepted: " << header;
  EXPECT_NE(r.error.find(needle), std::string::npos)
      << "message: " << r.error << "\nexpected to contain: " << needle;
}

TEST(Safetensors, AcceptsValidFile) {
  std::string header =
      R"({"b":{"dtype":"I64","shape":[1],"data_offsets":[24,32]},)"
      R"("a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  Result r = parseFile(header, 32);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.header.tensors.size(), 2u);
  // Sorted by offset, not by header order.
  EXPECT_EQ(r.header.tensors[0].name, "a");
  EXPECT_EQ(r.header.tensors[0].dtype, DType::F32);
  EXPECT_EQ(r.header.tensors[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.header.tensors[0].begin, 0u);
  EXPECT_EQ(r.header.tensors[0].end, 24u);
  EXPECT_EQ(r.header.tensors[1].name, "b");
  EXPECT_EQ(r.header.tensors[1].dtype, DType::I64);
  ASSERT_NE(r.header.find("b"), nullptr);
  EXPECT_EQ(r.header.find("b")->begin, 24u);
  EXPECT_EQ(r.header.find("c"), nullptr);
  EXPECT_EQ(r.header.dataOffset, 8 + header.size());
}

TEST(Safetensors, AcceptsEveryKnownDType) {
  const DType dtypes[] = {DType::F64, DType::F32, DType::F16, DType::BF16,
                          DType::I64, DType::I32, DType::I16, DType::I8,
                          DType::U8,  DType::Bool};
  for (DType dtype : dtypes) {
    size_t bytes = 2 * dtypeSize(dtype);
    Result r = parseFile(std::string(R"({"t":{"dtype":")") + dtypeName(dtype) +
                             R"(","shape":[2],"data_offsets":[0,)" +
                             std::to_string(bytes) + "]}}",
                         bytes);
    ASSERT_TRUE(r.ok) << dtypeName(dtype) << ": " << r.error;
    EXPECT_EQ(r.header.tensors[0].dtype, dtype);
  }
}

TEST(Safetensors, DTypeNamesAndSizes) {
  EXPECT_STREQ(dtypeName(DType::BF16), "BF16");
  EXPECT_STREQ(dtypeName(DType::Bool), "BOOL");
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::Bool), 1u);
}

TEST(Safetensors, RejectsFileUnder8Bytes) {
  for (size_t n : {0, 1, 7}) {
    std::vector<uint8_t> bytes(n, 0);
    Result r = parseBytes(bytes);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("too small"), std::string::npos) << r.error;
  }
  Header h;
  std::string error;
  EXPECT_FALSE(parse(nullptr, 0, h, error));
}

TEST(Safetensors, RejectsHugeHeaderLength) {
  std::vector<uint8_t> bytes = makeSafetensors("{}", 0);
  uint64_t n = 100000001;
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  Result r = parseBytes(bytes);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("exceeds the limit"), std::string::npos) << r.error;
}

TEST(Safetensors, RejectsHeaderPastEndOfFile) {
  std::vector<uint8_t> bytes = makeSafetensors("{}", 0);
  bytes[0] = 3; // claims 3 bytes, 2 present
  Result r = parseBytes(bytes);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("past the end of the file"), std::string::npos)
      << r.error;
  // 8 + N overflows 64 bits: still rejected (by the size limit first).
  for (int i = 0; i < 8; ++i)
    bytes[i] = 0xff;
  EXPECT_FALSE(parseBytes(bytes).ok);
  // N just below the limit, file far smaller.
  uint64_t n = 100000000;
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  EXPECT_FALSE(parseBytes(bytes).ok);
}

TEST(Safetensors, RejectsHeaderNotStartingWithBrace) {
  expectReject(" {}", 0, "does not start with '{'");
  expectReject("\xEF\xBB\xBF{}", 0, "does not start with '{'");
  expectReject("[]", 0, "does not start with '{'");
  expectReject("", 0, "does not start with '{'");
}

TEST(Safetensors, RejectsNonUtf8OrInvalidJson) {
  expectReject("{\"\xff\":{}}", 0, "not valid UTF-8 JSON");
  expectReject("{\"a\xc0\xaf\":{}}", 0, "not valid UTF-8 JSON"); // overlong
  expectReject("{\"\\ud800\":{}}", 0, "not valid UTF-8 JSON"); // lone surrogate
  expectReject("{", 0, "not valid UTF-8 JSON");
  expectReject("{} x", 0, "not valid UTF-8 JSON");
  // nlohmann's lexer stops at a NUL byte as at the end of its input.
  expectReject(std::string("{}\0", 3), 0, "NUL byte at offset 2");
  expectReject(std::string("{}\0 garbage", 11), 0, "NUL byte");
  expectReject("{'a': 1}", 0, "not valid UTF-8 JSON");
}

TEST(Safetensors, RejectsDeepNestingQuickly) {
  std::string deep = "{\"a\":" + std::string(100000, '[');
  expectReject(deep, 0, "tensor 'a': expected an object");
  expectReject("{\"__metadata__\":{\"k\":{\"x\":1}}}", 0,
               "__metadata__ value must be a string");
}

TEST(Safetensors, RejectsDuplicateKeys) {
  expectReject(R"({"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
               R"("a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})",
               8, "duplicate key 'a'");
  expectReject(
      R"({"a":{"dtype":"F32","dtype":"F32","shape":[],"data_offsets":[0,4]}})",
      4, "duplicate field 'dtype'");
  expectReject(R"({"__metadata__":{"k":"1","k":"2"}})", 0,
               "duplicate key 'k' in __metadata__");
  expectReject(R"({"__metadata__":{},"__metadata__":{}})", 0,
               "duplicate key '__metadata__'");
}

TEST(Safetensors, RejectsUnknownDType) {
  expectReject(R"({"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})",
               4, "unknown dtype 'F8_E4M3'");
  expectReject(R"({"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", 4,
               "unknown dtype 'f32'");
  expectReject(R"({"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})", 4,
               "unexpected a number in field 'dtype'");
}

TEST(Safetensors, RejectsOverlap) {
  expectReject(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
               12, "(an overlap)");
  // The same range twice.
  expectReject(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
               4, "(an overlap)");
}

TEST(Safetensors, RejectsHoles) {
  expectReject(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
               12, "(a hole)");
  expectReject(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8,
               "the data section starts at byte 0 (a hole)");
}

TEST(Safetensors, RejectsDataNotEndingAtEndOfFile) {
  expectReject(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 5,
               "trailing bytes");
  expectReject("{}", 1, "trailing bytes");
}

TEST(Safetensors, RejectsShapeByteRangeMismatch) {
  Result r = parseFile(
      R"({"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "safetensors: tensor 'x': shape [2, 3] needs 24 bytes but "
                     "its data range holds 20");
  // A shape larger than its byte range.
  expectReject(R"({"x":{"dtype":"F32","shape":[1000],"data_offsets":[0,4]}})",
               4, "needs 4000 bytes but its data range holds 4");
  // A shape smaller than its byte range.
  expectReject(R"({"x":{"dtype":"F16","shape":[1],"data_offsets":[0,4]}})", 4,
               "needs 2 bytes");
}

TEST(Safetensors, RejectsShapeWhoseProductOverflows) {
  // Regression: 4194305 * 4194305 * 211106198978564 wraps to 1 (mod 2^64),
  // times 4 bytes is 4, which would match the byte range.
  expectReject(
      R"({"x":{"dtype":"F32","shape":[4194305,4194305,211106198978564],)"
      R"("data_offsets":[0,4]}})",
      4, "too large");
  expectReject(R"({"x":{"dtype":"U8","shape":[18446744073709551615],)"
               R"("data_offsets":[0,4]}})",
               4, "too large");
  expectReject(R"({"x":{"dtype":"U8","shape":[1e3],"data_offsets":[0,4]}})", 4,
               "not an integer");
}

TEST(Safetensors, RejectsNegativeOrHugeOffsets) {
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4,
               "negative data_offsets value -4");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":)"
               R"([18446744073709551612,18446744073709551616]}})",
               4, "not an integer in range");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":)"
               R"([18446744073709551611,18446744073709551615]}})",
               4, "past the end of the data");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8,
               "end before they begin");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", 4,
               "not an integer");
  expectReject(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
               "negative shape value -1");
}

TEST(Safetensors, RejectsMalformedTensorEntries) {
  expectReject(R"({"x":{"dtype":"F32","shape":[1]}})", 0,
               "missing field 'data_offsets'");
  expectReject(R"({"x":{"shape":[1],"data_offsets":[0,4]}})", 4,
               "missing field 'dtype'");
  expectReject(R"({"x":{"dtype":"F32","data_offsets":[0,4]}})", 4,
               "missing field 'shape'");
  expectReject(
      R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"y":1}})", 4,
      "unknown field 'y'");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4,
               "exactly two values");
  expectReject(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 4,
               "exactly two values");
  expectReject(R"({"x":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}})", 4,
               "unexpected an array");
  expectReject(R"({"x":{"dtype":"F32","shape":1,"data_offsets":[0,4]}})", 4,
               "unexpected a number");
  expectReject(R"({"x":[]})", 0, "tensor 'x': expected an object");
  expectReject(R"({"x":null})", 0, "tensor 'x': expected an object");
  expectReject(R"({"__metadata__":{"k":1}})", 0,
               "__metadata__ value must be a string");
  expectReject(R"({"__metadata__":"x"})", 0, "__metadata__ must be an object");
}

TEST(Safetensors, MessagesStayOnOneLine) {
  Result r = parseFile(
      "{\"a\\nb'\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
      4);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("tensor 'a\\x0ab\\x27'"), std::string::npos)
      << r.error;
}

TEST(Safetensors, AcceptsTrailingSpacePadding) {
  std::string header =
      R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  header.append(8 - header.size() % 8, ' ');
  Result r = parseFile(header, 4);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.header.dataOffset % 8, 0u);
  EXPECT_EQ(r.header.dataOffset, 8 + header.size());
}

TEST(Safetensors, AcceptsMetadata) {
  Result r =
      parseFile(R"({"__metadata__":{"format":"pt","a":""},)"
                R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                4);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.header.tensors.size(), 1u);
  EXPECT_EQ(r.header.find("__metadata__"), nullptr);
}

TEST(Safetensors, AcceptsZeroDimensionalTensor) {
  Result r =
      parseFile(R"({"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}})", 8);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.header.tensors[0].shape.empty());
}

TEST(Safetensors, AcceptsZeroSizeTensors) {
  Result r =
      parseFile(R"({"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},)"
                R"("f":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("z":{"dtype":"F32","shape":[3,0],"data_offsets":[4,4]}})",
                4);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.header.tensors.size(), 4u);
  // A file of nothing but zero-size tensors, or of no tensor at all.
  EXPECT_TRUE(
      parseFile(R"({"e":{"dtype":"I8","shape":[0],"data_offsets":[0,0]}})", 0)
          .ok);
  EXPECT_TRUE(parseFile("{}", 0).ok);
}

TEST(Safetensors, AcceptsMisalignedData) {
  // N = 57 puts the data at file offset 65: an F32 tensor the parser must
  // accept (it reads no typed value); the runtime copies it before use.
  std::string header =
      R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.append(57 - header.size(), ' ');
  Result r = parseFile(header, 8);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.header.dataOffset, 65u);
}

TEST(Safetensors, ReadHeaderFromFile) {
  TempDir dir;
  std::string good = dir.write(
      "good.safetensors",
      makeSafetensors(
          R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8));
  Header h;
  std::string error;
  ASSERT_TRUE(readHeader(good, h, error)) << error;
  ASSERT_EQ(h.tensors.size(), 1u);
  EXPECT_EQ(h.tensors[0].shape, std::vector<int64_t>{2});

  std::string bad = dir.write(
      "bad.safetensors",
      makeSafetensors(
          R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8));
  EXPECT_FALSE(readHeader(bad, h, error));
  EXPECT_EQ(error.rfind(bad + ": safetensors: tensor 'x'", 0), 0u) << error;

  std::string empty = dir.write("empty.safetensors", {});
  EXPECT_FALSE(readHeader(empty, h, error));
  EXPECT_NE(error.find("too small"), std::string::npos) << error;

  EXPECT_FALSE(readHeader(dir.path() + "/missing", h, error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_FALSE(readHeader(dir.path(), h, error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

TEST(Safetensors, LoadedFile) {
  TempDir dir;
  std::vector<uint8_t> bytes = makeSafetensors("{}", 0);
  std::string path = dir.write("m.safetensors", bytes);
  LoadedFile file;
  std::string error;
  ASSERT_TRUE(file.open(path, error)) << error;
  ASSERT_EQ(file.size(), bytes.size());
  EXPECT_EQ(std::vector<uint8_t>(file.data(), file.data() + file.size()),
            bytes);
  // Reopening replaces the buffer.
  ASSERT_TRUE(file.open(path, error)) << error;

  // A 0-byte file reads as nothing, and parsing that fails cleanly.
  LoadedFile empty;
  ASSERT_TRUE(empty.open(dir.write("empty", {}), error)) << error;
  EXPECT_EQ(empty.size(), 0u);
  Header h;
  EXPECT_FALSE(parse(empty.data(), empty.size(), h, error));

  LoadedFile missing;
  EXPECT_FALSE(missing.open(dir.path() + "/nope", error));
  EXPECT_EQ(missing.data(), nullptr);
  EXPECT_FALSE(missing.open(dir.path(), error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

} // namespace
