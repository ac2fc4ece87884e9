//===- ModelTypes.cpp - What the Hugging Face front ends share -----------===//

#include "compiler/import/hf/ModelTypes.h"
#include "compiler/import/ImportUtils.h"

#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace xfmr::hf {

Error readActivation(const ConfigReader &r, StringRef key, StringRef fallback,
                     ArrayRef<StringRef> accepted, Activation &out) {
  static constexpr std::pair<StringLiteral, Activation> kNames[] = {
      {"gelu", Activation::Gelu},
      {"gelu_new", Activation::GeluTanh},
      {"gelu_pytorch_tanh", Activation::GeluTanh},
      {"relu", Activation::Relu},
      {"silu", Activation::Silu}};
  std::string name;
  if (Error e = r.readString(key, fallback, name))
    return e;
  if (is_contained(accepted, name))
    for (const auto &[known, activation] : kNames)
      if (known == name) {
        out = activation;
        return Error::success();
      }
  std::string expected;
  for (StringRef a : accepted)
    expected += (expected.empty() ? "\"" : ", \"") + a.str() + "\"";
  return r.fieldError(key, "expected one of " + expected + ", got " +
                               detail::describe(json::Value(name)));
}

} // namespace xfmr::hf
