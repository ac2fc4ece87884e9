//===- StatusTest.cpp - error messages and the out-of-memory guard --------===//
//
// xfmr_last_error() after fail() and failOutOfMemory(), and guard(), which
// turns the standard library's out-of-memory exceptions into
// XFMR_ERROR_OUT_OF_MEMORY at the C API boundary.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Status.h"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <vector>

using namespace xfmr::runtime;

namespace {

TEST(Status, FailKeepsTheLastMessage) {
  EXPECT_EQ(fail(XFMR_ERROR_IO, "a C string"), XFMR_ERROR_IO);
  EXPECT_STREQ(xfmr_last_error(), "a C string");
  EXPECT_EQ(fail(XFMR_ERROR_FORMAT, std::string("a std::string")),
            XFMR_ERROR_FORMAT);
  EXPECT_STREQ(xfmr_last_error(), "a std::string");
}

TEST(Status, GuardTurnsBadAllocIntoOutOfMemory) {
  // What was made before the throw is destroyed on the way out.
  int destroyed = 0;
  struct Counted {
    int &count;
    ~Counted() { ++count; }
  };
  EXPECT_EQ(guard("testing",
                  [&]() -> xfmr_status {
                    Counted made{destroyed};
                    throw std::bad_alloc();
                  }),
            XFMR_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(destroyed, 1);
  EXPECT_STREQ(xfmr_last_error(), "out of memory while testing");

  // A container asked to outgrow its maximum size is the same failure.
  EXPECT_EQ(guard("growing",
                  []() -> xfmr_status {
                    std::vector<double> v;
                    v.reserve(v.max_size() + 1);
                    return XFMR_OK;
                  }),
            XFMR_ERROR_OUT_OF_MEMORY);
  EXPECT_STREQ(xfmr_last_error(), "out of memory while growing");

  // A later failure replaces the message; success leaves it alone.
  fail(XFMR_ERROR_IO, "next");
  EXPECT_STREQ(xfmr_last_error(), "next");
  EXPECT_EQ(guard("nothing", [] { return XFMR_OK; }), XFMR_OK);
  EXPECT_STREQ(xfmr_last_error(), "next");
}

} // namespace
