//===- ConfigReader.cpp - Checked reads of a config.json ------------------===//

#include "compiler/import/hf/ConfigReader.h"
#include "compiler/import/ImportUtils.h"

#include <cmath>

using namespace llvm;

namespace xfmr::hf {

Error ConfigReader::fieldError(StringRef key, const Twine &what) const {
  return detail::makeError(file + ": field '" + prefix + key + "': " + what);
}

bool ConfigReader::has(StringRef key) const {
  const json::Value *value = config.get(key);
  return value && value->kind() != json::Value::Null;
}

Expected<std::optional<ConfigReader>>
ConfigReader::readObject(StringRef key) const {
  const json::Value *value = config.get(key);
  if (!value || value->kind() == json::Value::Null)
    return std::nullopt;
  const json::Object *object = value->getAsObject();
  if (!object)
    return fieldError(key,
                      "expected an object, got " + detail::describe(*value));
  return ConfigReader(file, *object, prefix + key.str() + ".");
}

Error ConfigReader::readInt(StringRef key, int64_t fallback, int64_t min,
                            int64_t max, int64_t &out) const {
  out = fallback;
  const json::Value *value = config.get(key);
  if (!value)
    return Error::success();
  std::optional<int64_t> n = value->getAsInteger();
  if (!n)
    return fieldError(key,
                      "expected an integer, got " + detail::describe(*value));
  out = *n;
  if (out < min)
    return fieldError(key, "expected an integer >= " + Twine(min) + ", got " +
                               Twine(out));
  if (out > max)
    return fieldError(key,
                      "expected at most " + Twine(max) + ", got " + Twine(out));
  return Error::success();
}

Error ConfigReader::readNumber(StringRef key, double fallback,
                               double &out) const {
  out = fallback;
  const json::Value *value = config.get(key);
  if (!value)
    return Error::success();
  std::optional<double> x = value->getAsNumber();
  if (!x)
    return fieldError(key,
                      "expected a number, got " + detail::describe(*value));
  out = *x;
  return Error::success();
}

Error ConfigReader::readRate(StringRef key, double fallback,
                             double &out) const {
  if (Error e = readNumber(key, fallback, out))
    return e;
  if (out >= 0.0 && out < 1.0)
    return Error::success();
  return fieldError(key, "expected a number in [0, 1), got " +
                             detail::formatNumber(out));
}

Error ConfigReader::readPositive(StringRef key, double fallback,
                                 double &out) const {
  if (Error e = readNumber(key, fallback, out))
    return e;
  if (out > 0.0 && std::isfinite(out))
    return Error::success();
  return fieldError(key, "expected a finite number > 0, got " +
                             detail::formatNumber(out));
}

Error ConfigReader::readBool(StringRef key, bool fallback, bool &out) const {
  out = fallback;
  const json::Value *value = config.get(key);
  if (!value)
    return Error::success();
  std::optional<bool> b = value->getAsBoolean();
  if (!b)
    return fieldError(key, "expected true or false, got " +
                               detail::describe(*value));
  out = *b;
  return Error::success();
}

Error ConfigReader::readString(StringRef key, StringRef fallback,
                               std::string &out) const {
  out = fallback.str();
  const json::Value *value = config.get(key);
  if (!value)
    return Error::success();
  std::optional<StringRef> s = value->getAsString();
  if (!s)
    return fieldError(key,
                      "expected a string, got " + detail::describe(*value));
  out = s->str();
  return Error::success();
}

Error ConfigReader::readTokenId(StringRef key, int64_t fallback,
                                int64_t vocabSize, int64_t &out) const {
  const json::Value *value = config.get(key);
  if (!value || value->kind() == json::Value::Null) {
    out = value ? -1 : fallback;
    return Error::success();
  }
  if (Error e = readInt(key, fallback, INT64_MIN, INT64_MAX, out))
    return e;
  if (out >= 0 && out < vocabSize)
    return Error::success();
  return fieldError(key, "expected an integer in [0, vocab_size) = [0, " +
                             Twine(vocabSize) + "), got " + Twine(out));
}

} // namespace xfmr::hf
