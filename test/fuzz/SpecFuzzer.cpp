//===- SpecFuzzer.cpp - libFuzzer target for the xfmr JSON spec parser ----===//
//
// Feeds arbitrary bytes to xfmr::parseSpecText as if they were
// examples/tiny-encoder/spec.json, so that a relative "weights" field can
// name the real tiny-encoder.safetensors beside it and the weight checks run
// too. A rejected input must give a one-line message; an accepted one must
// satisfy what validateSpec promises and read back equal from toJSON.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/ImportFuzzUtil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  xfmr::fuzz::checkResult(xfmr::parseSpecText(text, XFMR_FUZZ_SPEC_ORIGIN));
  return 0;
}
