//===- TokenizerBench.cpp - tokens per second of the runtime tokenizers ---===//
//
//   xfmr-tokenizer-bench TOKENIZER TEXT_FILE [REPEAT]
//
// Encodes every line of TEXT_FILE (special tokens included, one call per
// line, one thread) REPEAT times after one warm-up pass, and prints one line:
//   tokens T lines L seconds S tokens/s R
// Lines are split on "\n" only and may hold any bytes. bench.py runs this
// and Hugging Face tokenizers on the same file.
//
//===----------------------------------------------------------------------===//

#include "xfmr/runtime.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr,
                 "usage: xfmr-tokenizer-bench TOKENIZER TEXT_FILE [REPEAT]\n");
    return 1;
  }
  int repeat = argc == 4 ? std::atoi(argv[3]) : 20;
  if (repeat <= 0) {
    std::fprintf(stderr, "REPEAT must be positive\n");
    return 1;
  }
  xfmr_tokenizer *tok = nullptr;
  if (xfmr_tokenizer_load(argv[1], 0, &tok) != XFMR_OK) {
    std::fprintf(stderr, "error: %s\n", xfmr_last_error());
    return 1;
  }
  FILE *f = std::fopen(argv[2], "rb");
  if (!f) {
    std::fprintf(stderr, "error: cannot open %s\n", argv[2]);
    return 1;
  }
  std::string data;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    data.append(buffer, n);
  std::fclose(f);
  std::vector<std::string> lines;
  for (size_t at = 0; at < data.size();) {
    size_t nl = data.find('\n', at);
    if (nl == std::string::npos)
      nl = data.size();
    lines.push_back(data.substr(at, nl - at));
    at = nl + 1;
  }

  std::vector<int64_t> ids(1 << 16);
  auto pass = [&]() -> int64_t {
    int64_t tokens = 0;
    for (const std::string &line : lines) {
      int64_t count = 0;
      xfmr_status s =
          xfmr_tokenizer_encode(tok, line.data(), line.size(), 0, ids.data(),
                                static_cast<int64_t>(ids.size()), &count);
      if (s != XFMR_OK && count > static_cast<int64_t>(ids.size())) {
        ids.resize(static_cast<size_t>(count));
        s = xfmr_tokenizer_encode(tok, line.data(), line.size(), 0, ids.data(),
                                  count, &count);
      }
      if (s != XFMR_OK) {
        std::fprintf(stderr, "error: %s\n", xfmr_last_error());
        std::exit(1);
      }
      tokens += count;
    }
    return tokens;
  };
  pass(); // warm-up: caches, page faults
  int64_t tokens = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repeat; ++i)
    tokens += pass();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("tokens %lld lines %zu seconds %.6f tokens/s %.0f\n",
              static_cast<long long>(tokens), lines.size() * repeat, seconds,
              tokens / seconds);
  xfmr_tokenizer_free(tok);
  return 0;
}
