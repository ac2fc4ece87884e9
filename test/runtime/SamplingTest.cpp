//===- SamplingTest.cpp - choosing the next token
//---------------------------===//
#include "runtime/lib/Sampling.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using xfmr::runtime::chooseToken;
using xfmr::runtime::RandomStream;
using xfmr::runtime::SamplingOptions;

namespace {

const std::vector<float> kLogits = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};

TEST(Sampling, GreedyIsTheFirstMaximum) {
  RandomStream random(1);
  std::vector<int64_t> scratch;
  EXPECT_EQ(chooseToken(kLogits.data(), 5, {}, random, scratch), 1);
}

TEST(Sampling, TopOneAndTinyTopPAreGreedy) {
  RandomStream random(7);
  std::vector<int64_t> scratch;
  SamplingOptions topK{1.0, 1, 1.0}, topP{1.0, 0, 1e-6};
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(chooseToken(kLogits.data(), 5, topK, random, scratch), 1);
    EXPECT_EQ(chooseToken(kLogits.data(), 5, topP, random, scratch), 1);
  }
}

TEST(Sampling, SeedGivesTheSameDraws) {
  SamplingOptions options{0.8, 0, 1.0};
  std::vector<int64_t> scratch, first, second;
  RandomStream a(42), b(42), c(43);
  for (int i = 0; i < 50; ++i) {
    first.push_back(chooseToken(kLogits.data(), 5, options, a, scratch));
    second.push_back(chooseToken(kLogits.data(), 5, options, b, scratch));
  }
  EXPECT_EQ(first, second);
  std::vector<int64_t> other;
  for (int i = 0; i < 50; ++i)
    other.push_back(chooseToken(kLogits.data(), 5, options, c, scratch));
  EXPECT_NE(first, other);
}

TEST(Sampling, FrequenciesFollowTheSoftmax) {
  // Temperature 1, top-k 2: tokens 1 and 3 (equal logits) only, half each.
  SamplingOptions options{1.0, 2, 1.0};
  RandomStream random(3);
  std::vector<int64_t> scratch;
  std::map<int64_t, int> counts;
  for (int i = 0; i < 4000; ++i)
    ++counts[chooseToken(kLogits.data(), 5, options, random, scratch)];
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_NEAR(counts[1] / 4000.0, 0.5, 0.03);
  EXPECT_NEAR(counts[3] / 4000.0, 0.5, 0.03);
  // Top-p 0.9 of the whole softmax: 1, 3 and 4 hold 0.38 + 0.38 + 0.14 =
  // 0.897 < 0.9, and token 0's 0.08 reaches it: four tokens, never 2.
  SamplingOptions nucleus{1.0, 0, 0.9};
  counts.clear();
  for (int i = 0; i < 4000; ++i)
    ++counts[chooseToken(kLogits.data(), 5, nucleus, random, scratch)];
  EXPECT_EQ(counts.count(2), 0u);
  EXPECT_GT(counts[0], 0);
}

TEST(Sampling, UniformIsInTheUnitInterval) {
  RandomStream random(0);
  for (int i = 0; i < 1000; ++i) {
    double u = random.uniform();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

} // namespace
