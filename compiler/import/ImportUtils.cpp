//===- ImportUtils.cpp - Helpers shared by the model front ends -----------===//
//
// Reading JSON files that come from strangers: bounded size and nesting, and
// syntax errors turned into one-line `FILE:LINE:COL: invalid JSON: ...`.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/ImportUtils.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

using namespace llvm;

namespace xfmr::detail {

Error makeError(const Twine &message) {
  // Messages quote names from hostile files (JSON keys and strings may hold
  // any character): escape control characters so that a message stays one
  // line and cannot drive the terminal.
  std::string text = message.str();
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      escaped += c;
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\t') {
      escaped += "\\t";
    } else {
      static const char kHex[] = "0123456789abcdef";
      escaped += "\\x";
      escaped += kHex[byte >> 4];
      escaped += kHex[byte & 15];
    }
  }
  return createStringError(inconvertibleErrorCode(), escaped);
}

/// Whether `text` nests arrays and objects at most `maxDepth` deep. The JSON
/// parser recurses once per level, so an unbounded depth could overflow the
/// stack before any syntax error is found.
static bool nestingWithin(StringRef text, unsigned maxDepth) {
  unsigned depth = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth)
        return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

Expected<std::unique_ptr<MemoryBuffer>> readJSONFileBuffer(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return makeError(path + ": cannot read: " + ec.message());
  if (!sys::fs::is_regular_file(status))
    return makeError(path + ": cannot read: not a regular file");
  if (status.getSize() > kMaxJSONFileBytes)
    return makeError(path + ": file of " + Twine(status.getSize()) +
                     " bytes is too large for a JSON file (limit " +
                     Twine(kMaxJSONFileBytes) + ")");
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  return std::move(*buffer);
}

Expected<json::Value> parseJSONText(StringRef text, StringRef origin) {
  // The file may have grown since readJSONFileBuffer looked at its size.
  if (text.size() > kMaxJSONFileBytes)
    return makeError(origin + ": file of " + Twine(text.size()) +
                     " bytes is too large for a JSON file (limit " +
                     Twine(kMaxJSONFileBytes) + ")");
  if (!nestingWithin(text, kMaxJSONNesting))
    return makeError(origin + ": invalid JSON: nested deeper than " +
                     Twine(kMaxJSONNesting) + " levels");

  Expected<json::Value> value = json::parse(text);
  if (value)
    return value;
  // ParseError logs "[LINE:COL, byte=N]: message"; reshape it into the usual
  // compiler form "FILE:LINE:COL: invalid JSON: message".
  std::string raw = toString(value.takeError());
  StringRef rest = raw;
  StringRef position;
  if (rest.consume_front("[")) {
    std::tie(position, rest) = rest.split("]: ");
    position = position.split(", byte=").first;
  }
  std::string message = origin.str();
  if (!position.empty())
    message += ":" + position.str();
  message += ": invalid JSON: " + rest.str();
  return makeError(message);
}

Expected<json::Value> parseJSONObject(StringRef text, StringRef origin) {
  Expected<json::Value> root = parseJSONText(text, origin);
  if (root && !root->getAsObject())
    return makeError(origin + ": expected a JSON object, got " +
                     describe(*root));
  return root;
}

Expected<json::Value> readJSONObjectFile(StringRef path) {
  Expected<std::unique_ptr<MemoryBuffer>> buffer = readJSONFileBuffer(path);
  if (!buffer)
    return buffer.takeError();
  return parseJSONObject((*buffer)->getBuffer(), path);
}

std::string formatNumber(double x) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    snprintf(buffer, sizeof(buffer), "%.*g", precision, x);
    if (strtod(buffer, nullptr) == x)
      break;
  }
  return buffer;
}

std::string describe(const json::Value &value) {
  switch (value.kind()) {
  case json::Value::Object:
    return "an object";
  case json::Value::Array:
    return "an array";
  case json::Value::String: {
    constexpr size_t kMaxShown = 40;
    StringRef s = *value.getAsString();
    if (s.size() <= kMaxShown)
      return formatv("{0}", value).str();
    // Cut at a UTF-8 boundary so the message stays valid text.
    size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
      --cut;
    std::string shown = formatv("{0}", json::Value(s.take_front(cut))).str();
    shown.insert(shown.size() - 1, "...");
    return shown;
  }
  case json::Value::Number:
    if (value.getAsInteger() || value.getAsUINT64())
      return formatv("{0}", value).str();
    return formatNumber(*value.getAsNumber());
  default:
    return formatv("{0}", value).str();
  }
}

} // namespace xfmr::detail
