//===- ImportFuzzUtil.h - checks of the import fuzz targets ----*- C++ -*-===//
//
// What every front end promises about its result: a one-line error, or a
// ModelSpec that passes validateSpec and survives toJSON → parseSpecText.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_TEST_FUZZ_IMPORTFUZZUTIL_H
#define XFMR_TEST_FUZZ_IMPORTFUZZUTIL_H

#include "compiler/import/ModelSpec.h"

#include "llvm/Support/FormatVariadic.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace xfmr::fuzz {

[[noreturn]] inline void fail(const char *what, llvm::StringRef detail) {
  fprintf(stderr, "fuzz invariant violated: %s: %.*s\n", what,
          static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void checkMessage(llvm::Error error) {
  std::string message = llvm::toString(std::move(error));
  if (message.empty())
    fail("empty error message", message);
  for (char c : message)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      fail("error message is not one line of text", message);
}

inline void checkResult(llvm::Expected<ModelSpec> spec) {
  if (!spec)
    return checkMessage(spec.takeError());
  if (llvm::Error e = validateSpec(*spec, "accepted"))
    fail("an accepted spec fails validateSpec", llvm::toString(std::move(e)));
  // An accepted model must be compilable: every stack's heads have a
  // positive width that K/V heads share evenly, and every required weight
  // has positive dimensions.
  for (const StackSpec &stack : spec->stacks) {
    if (stack.headDim(spec->dModel) <= 0 ||
        (!stack.explicitHeadDim &&
         stack.headDim(spec->dModel) * stack.numHeads != spec->dModel))
      fail("heads do not divide the width", spec->name);
    if (stack.numKVHeads <= 0 || stack.numHeads % stack.numKVHeads != 0)
      fail("K/V heads do not divide the heads", spec->name);
  }
  for (const WeightRef &ref : requiredWeights(*spec))
    for (int64_t dim : ref.shape)
      if (dim <= 0)
        fail("a required weight has a non-positive dimension", ref.key);

  // toJSON is what xfmrc --emit writes for a Hugging Face folder: it must
  // parse back to the same spec.
  llvm::json::Value json = toJSON(*spec);
  std::string text = llvm::formatv("{0:2}", json).str();
  llvm::Expected<ModelSpec> again = parseSpecText(text, "roundtrip.json");
  if (!again)
    fail("toJSON does not parse back", llvm::toString(again.takeError()));
  if (*again != *spec || toJSON(*again) != json)
    fail("toJSON does not read back equal", text);
}

} // namespace xfmr::fuzz

#endif // XFMR_TEST_FUZZ_IMPORTFUZZUTIL_H
