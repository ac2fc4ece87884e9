//===- SafetensorsFuzzer.cpp - libFuzzer target for the safetensors reader ===//
//
// Feeds arbitrary bytes to xfmr::safetensors::parse. Beyond "no crash", it
// checks the invariants an accepted header promises its users.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Safetensors.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  xfmr::safetensors::Header header;
  std::string error;
  if (!xfmr::safetensors::parse(data, size, header, error)) {
    if (error.empty() || error.find('\n') != std::string::npos)
      std::abort();
    return 0;
  }
  uint64_t expected = header.dataOffset;
  for (const xfmr::safetensors::TensorInfo &t : header.tensors) {
    // Contiguous, in order, inside the buffer, and sized by the shape.
    if (header.dataOffset + t.begin != expected || t.end < t.begin)
      std::abort();
    uint64_t bytes = xfmr::safetensors::dtypeSize(t.dtype);
    for (int64_t dim : t.shape)
      bytes *= static_cast<uint64_t>(dim);
    if (bytes != t.end - t.begin)
      std::abort();
    expected = header.dataOffset + t.end;
  }
  if (expected != size)
    std::abort();
  return 0;
}
