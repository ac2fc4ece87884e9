//===- HuggingFaceConfigFuzzer.cpp - libFuzzer target for config.json -----===//
//
// Feeds arbitrary bytes to xfmr::parseHuggingFaceConfig (the config.json
// part of importHuggingFaceFolder). A rejected input must give a one-line
// message; an accepted one must satisfy what validateSpec promises and read
// back equal from toJSON as an xfmr spec.
//
//===----------------------------------------------------------------------===//

#include "test/fuzz/ImportFuzzUtil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  xfmr::fuzz::checkResult(
      xfmr::parseHuggingFaceConfig(text, "fuzz/config.json", "fuzz-model"));
  return 0;
}
