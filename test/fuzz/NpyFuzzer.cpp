//===- NpyFuzzer.cpp - libFuzzer target for the .npy reader of xfmr-run ---===//

#include "tools/xfmr-run/Npy.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  xfmr::npy::Int64Array array;
  std::string error;
  if (!xfmr::npy::parseInt64(data, size, /*rank=*/-1, array, error)) {
    if (error.empty() || error.find('\n') != std::string::npos)
      std::abort();
    return 0;
  }
  uint64_t count = 1;
  for (int64_t dim : array.shape)
    count *= static_cast<uint64_t>(dim);
  if (count != array.data.size())
    std::abort();
  return 0;
}
