//===- Sampling.h - choosing the next token from logits --------*- C++ -*-===//
//
// Greedy and temperature / top-k / top-p sampling of one row of logits, with
// a random stream of our own (splitmix64), so that a seed gives the same
// tokens on every machine, standard library and thread count. Internal to
// the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_SAMPLING_H
#define XFMR_RUNTIME_SAMPLING_H

#include <cstdint>
#include <vector>

namespace xfmr::runtime {

/// splitmix64 (Steele, Lea and Flood): 64 random bits a step.
class RandomStream {
public:
  explicit RandomStream(uint64_t seed) : state(seed) {}
  uint64_t next();
  /// Uniform in [0, 1), 53 random bits.
  double uniform();

private:
  uint64_t state;
};

struct SamplingOptions {
  /// 0: greedy. Otherwise the logits are divided by it before the softmax.
  double temperature = 0.0;
  /// Keep the k most likely tokens (0: all).
  int64_t topK = 0;
  /// Keep the fewest most likely tokens whose probabilities reach p (1: all).
  double topP = 1.0;
};

/// The token chosen from `logits` (`vocab` values): the first maximum when
/// greedy, else a draw from `random` over the kept tokens (the most likely
/// first, ties by id), their probabilities renormalised. `scratch` is reused
/// between calls.
int64_t chooseToken(const float *logits, int64_t vocab,
                    const SamplingOptions &options, RandomStream &random,
                    std::vector<int64_t> &scratch);

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_SAMPLING_H
