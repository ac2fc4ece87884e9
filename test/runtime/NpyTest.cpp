//===- NpyTest.cpp - the .npy reader and writer of xfmr-run ---------------===//

#include "tools/xfmr-run/Npy.h"
#include "test/runtime/TestUtil.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace xfmr::npy;
using xfmr::test::bytesOf;
using xfmr::test::makeNpy;
using xfmr::test::TempDir;

namespace {

std::string dictFor(const std::string &descr, const std::string &shape,
                    const char *fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran +
         ", 'shape': " + shape + ", }";
}

struct Parsed {
  bool ok;
  std::string error;
  Int64Array array;
};

Parsed parseNpy(const std::vector<uint8_t> &bytes, int rank = 2) {
  Parsed p;
  p.ok = parseInt64(bytes.data(), bytes.size(), rank, p.array, p.error);
  return p;
}

void expectReject(const std::vector<uint8_t> &bytes, const std::string &needle,
                  int rank = 2) {
  Parsed p = parseNpy(bytes, rank);
  EXPECT_FALSE(p.ok);
  EXPECT_NE(p.error.find(needle), std::string::npos)
      << "message: " << p.error << "\nexpected: " << needle;
  EXPECT_EQ(p.error.find('\n'), std::string::npos) << p.error;
}

TEST(Npy, ReadsInt64) {
  std::vector<int64_t> values = {1, 2, 3, -4, 5, 1ll << 40};
  Parsed p = parseNpy(makeNpy(dictFor("<i8", "(2, 3)"), bytesOf(values)));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.array.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(p.array.data, values);
}

TEST(Npy, WidensInt32) {
  std::vector<int32_t> values = {7, -1, 2147483647, 0};
  Parsed p = parseNpy(makeNpy(dictFor("<i4", "(1, 4)"), bytesOf(values)));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.array.data, (std::vector<int64_t>{7, -1, 2147483647, 0}));
}

TEST(Npy, AcceptsVersions2And3AndKeyOrder) {
  std::vector<int64_t> values = {1, 2};
  for (int major : {2, 3}) {
    Parsed p =
        parseNpy(makeNpy(dictFor("<i8", "(1, 2)"), bytesOf(values), major));
    EXPECT_TRUE(p.ok) << major << ": " << p.error;
  }
  Parsed p = parseNpy(makeNpy(
      "{\"shape\": (2,1), \"fortran_order\": False, \"descr\": \"<i8\"}",
      bytesOf(values)));
  EXPECT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.array.shape, (std::vector<int64_t>{2, 1}));
}

TEST(Npy, RejectsBadMagicAndVersion) {
  std::vector<uint8_t> bytes =
      makeNpy(dictFor("<i8", "(1, 1)"), bytesOf(std::vector<int64_t>{1}));
  std::vector<uint8_t> bad = bytes;
  bad[1] = 'X';
  expectReject(bad, "bad magic");
  expectReject({}, "bad magic");
  bad = bytes;
  bad[6] = 4;
  expectReject(bad, "unsupported .npy version 4.0");
  bad = bytes;
  bad[7] = 1;
  expectReject(bad, "unsupported .npy version 1.1");
}

TEST(Npy, RejectsWrongDType) {
  std::vector<uint8_t> data(8, 0);
  expectReject(makeNpy(dictFor("<f4", "(1, 2)"), data),
               "expected int64 or int32, got '<f4'");
  expectReject(makeNpy(dictFor(">i8", "(1, 1)"), data),
               "expected int64 or int32, got '>i8'");
  expectReject(makeNpy(dictFor("<u8", "(1, 1)"), data),
               "expected int64 or int32, got '<u8'");
}

TEST(Npy, RejectsFortranOrder) {
  expectReject(makeNpy(dictFor("<i8", "(1, 1)", "True"),
                       bytesOf(std::vector<int64_t>{1})),
               "Fortran-order");
}

TEST(Npy, RejectsWrongRank) {
  std::vector<int64_t> values = {1, 2, 3};
  expectReject(makeNpy(dictFor("<i8", "(3,)"), bytesOf(values)),
               "expected a rank-2 array, got shape [3]");
  expectReject(makeNpy(dictFor("<i8", "(1, 1, 3)"), bytesOf(values)),
               "got shape [1, 1, 3]");
  expectReject(makeNpy(dictFor("<i8", "()"), bytesOf(std::vector<int64_t>{1})),
               "got shape []");
  // Any rank when asked for none in particular.
  EXPECT_TRUE(
      parseNpy(makeNpy(dictFor("<i8", "(3,)"), bytesOf(values)), -1).ok);
}

TEST(Npy, RejectsTruncatedOrTrailingData) {
  std::vector<int64_t> values = {1, 2, 3};
  expectReject(makeNpy(dictFor("<i8", "(2, 2)"), bytesOf(values)),
               "truncated data: shape [2, 2] of <i8 needs 32 bytes, the file "
               "holds 24");
  expectReject(makeNpy(dictFor("<i8", "(1, 2)"), bytesOf(values)),
               "trailing data");
  expectReject(
      makeNpy(dictFor("<i8", "(4611686018427387904, 4)"), bytesOf(values)),
      "too large");
  expectReject(
      makeNpy(dictFor("<i8", "(99999999999999999999, 1)"), bytesOf(values)),
      "too large");
  std::vector<uint8_t> bytes =
      makeNpy(dictFor("<i8", "(1, 3)"), bytesOf(values));
  bytes.resize(20);
  expectReject(bytes, "truncated .npy header");
}

TEST(Npy, RejectsMalformedHeader) {
  std::vector<uint8_t> data = bytesOf(std::vector<int64_t>{1});
  expectReject(makeNpy("{'descr': '<i8', 'shape': (1, 1)}", data),
               "header lacks 'fortran_order'");
  expectReject(makeNpy("{'descr': '<i8', 'descr': '<i8', 'fortran_order': "
                       "False, 'shape': (1, 1)}",
                       data),
               "duplicate key 'descr'");
  expectReject(makeNpy(dictFor("<i8", "(1, 1)") + "x", data),
               "unexpected data after the header");
  expectReject(
      makeNpy("{'descr': '<i8', 'fortran_order': 0, 'shape': (1, 1)}", data),
      "must be True or False");
  expectReject(makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': "
                       "(1, -1)}",
                       data),
               "non-negative integers");
  expectReject(makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': "
                       "[1, 1]}",
                       data),
               "'shape' must be a tuple");
  expectReject(makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': "
                       "(1, 1), 'extra': 1}",
                       data),
               "unknown key 'extra'");
  expectReject(makeNpy("['descr']", data), "header is not a dict");
}

TEST(Npy, WriteFloat32RoundTrip) {
  std::vector<float> values = {1.5f, -2.0f, 0.0f, 3.25f, 4.0f, 5.0f};
  std::vector<uint8_t> bytes = encodeFloat32({1, 2, 3}, values.data());
  // Data starts on a 64-byte boundary, header as numpy writes it.
  size_t headerLength = bytes[8] | (bytes[9] << 8);
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  std::string header(bytes.begin() + 10, bytes.begin() + 10 + headerLength);
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(1, 2, 3), }",
                         0),
            0u)
      << header;
  EXPECT_EQ(header.back(), '\n');
  ASSERT_EQ(bytes.size(), 10 + headerLength + values.size() * 4);
  EXPECT_EQ(std::memcmp(bytes.data() + 10 + headerLength, values.data(),
                        values.size() * 4),
            0);
  std::vector<uint8_t> one = encodeFloat32({3}, values.data());
  EXPECT_NE(std::string(one.begin(), one.end()).find("'shape': (3,), }"),
            std::string::npos);

  TempDir dir;
  std::string error;
  std::string path = dir.path() + "/out.npy";
  ASSERT_TRUE(writeFloat32(path, {2, 3}, values.data(), error)) << error;
  EXPECT_FALSE(writeFloat32(dir.path() + "/no/such/dir/out.npy", {2, 3},
                            values.data(), error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(Npy, ReadFile) {
  TempDir dir;
  std::string path =
      dir.write("ids.npy", makeNpy(dictFor("<i8", "(1, 2)"),
                                   bytesOf(std::vector<int64_t>{4, 5})));
  Int64Array array;
  std::string error;
  ASSERT_TRUE(readInt64(path, 2, array, error)) << error;
  EXPECT_EQ(array.data, (std::vector<int64_t>{4, 5}));
  EXPECT_FALSE(readInt64(dir.path() + "/missing.npy", 2, array, error));
  EXPECT_EQ(error, dir.path() + "/missing.npy: No such file or directory");
  std::string bad = dir.write("bad.npy", {'x'});
  EXPECT_FALSE(readInt64(bad, 2, array, error));
  EXPECT_EQ(error, bad + ": not a .npy file (bad magic)");
  EXPECT_FALSE(readInt64(dir.path(), 2, array, error));
}

} // namespace
