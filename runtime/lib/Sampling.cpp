//===- Sampling.cpp - choosing the next token from logits
//------------------===//
#include "runtime/lib/Sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace xfmr::runtime {

uint64_t RandomStream::next() {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double RandomStream::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

int64_t chooseToken(const float *logits, int64_t vocab,
                    const SamplingOptions &options, RandomStream &random,
                    std::vector<int64_t> &scratch) {
  if (options.temperature == 0.0)
    return std::max_element(logits, logits + vocab) - logits;

  // The most likely first; equal logits by id, so the order is total.
  std::vector<int64_t> &order = scratch;
  order.resize(static_cast<size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  int64_t kept = options.topK > 0 ? std::min(options.topK, vocab) : vocab;
  auto moreLikely = [&](int64_t a, int64_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + kept, order.end(),
                    moreLikely);

  // Softmax of logits / temperature over the kept tokens, in double.
  double top = logits[order[0]] / options.temperature, sum = 0.0;
  std::vector<double> weights(static_cast<size_t>(kept));
  for (int64_t i = 0; i < kept; ++i) {
    weights[i] = std::exp(logits[order[i]] / options.temperature - top);
    sum += weights[i];
  }
  // Top-p: the fewest tokens whose probabilities reach p (at least one).
  if (options.topP < 1.0) {
    double reached = 0.0;
    int64_t n = 0;
    while (n < kept && reached < options.topP * sum)
      reached += weights[n++];
    kept = std::max<int64_t>(n, 1);
    sum = reached > 0.0 ? reached : weights[0];
  }
  double target = random.uniform() * sum, acc = 0.0;
  for (int64_t i = 0; i < kept; ++i) {
    acc += weights[i];
    if (target < acc)
      return order[i];
  }
  return order[kept - 1];
}

} // namespace xfmr::runtime
