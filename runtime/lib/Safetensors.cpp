//===- Safetensors.cpp - strict safetensors parsing -----------------------===//
//
// Validates a safetensors file (8-byte little-endian header length N, N bytes
// of JSON, raw data) as described in docs/reliability.md. The JSON header is
// read with nlohmann::json's SAX interface rather than its DOM: a SAX handler
// sees every key, so duplicates are caught (the DOM keeps the last one
// silently), it can stop at the first unexpected token of a hostile header,
// and it needs no exceptions.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Safetensors.h"
#include "runtime/lib/FileRead.h"
#include "runtime/lib/FormatShape.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

using namespace xfmr::safetensors;
using xfmr::formatShape;

namespace {

/// The largest header the reference implementation accepts; anything bigger
/// is an attempt to make us allocate.
constexpr uint64_t kMaxHeaderSize = 100000000;

/// Quotes a name taken from the file so that a message stays one printable
/// line whatever bytes the name holds.
std::string quote(const std::string &name) {
  std::string out = "'";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "'";
  return out;
}

bool parseDType(const std::string &name, DType &out) {
  static const struct {
    const char *name;
    DType dtype;
  } kDTypes[] = {{"F64", DType::F64}, {"F32", DType::F32},
                 {"F16", DType::F16}, {"BF16", DType::BF16},
                 {"I64", DType::I64}, {"I32", DType::I32},
                 {"I16", DType::I16}, {"I8", DType::I8},
                 {"U8", DType::U8},   {"BOOL", DType::Bool}};
  for (const auto &entry : kDTypes) {
    if (name == entry.name) {
      out = entry.dtype;
      return true;
    }
  }
  return false;
}

/// Field-level state of the tensor entry being parsed.
struct PendingTensor {
  TensorInfo info;
  bool hasDType = false, hasShape = false, hasOffsets = false;
  std::vector<uint64_t> offsets;
  std::set<std::string> fields;
};

/// A SAX handler that accepts exactly
///   { NAME: {"dtype": STR, "shape": [UINT...], "data_offsets": [UINT, UINT]},
///     "__metadata__": {STR: STR, ...}, ... }
/// and rejects everything else at the first token that does not fit. The
/// nesting is at most three levels deep, so the state is a handful of enums.
class HeaderHandler {
public:
  using json = nlohmann::json;

  explicit HeaderHandler(std::vector<TensorInfo> &tensors) : tensors(tensors) {}

  std::string error;

  bool null() { return unexpected("null"); }
  bool boolean(bool) { return unexpected("a boolean"); }
  bool number_integer(json::number_integer_t value) {
    // The lexer produces a signed integer only for a leading '-'.
    if (value >= 0)
      return number_unsigned(static_cast<json::number_unsigned_t>(value));
    if (state == State::ShapeArray || state == State::OffsetsArray)
      return fail(tensorPrefix() + "negative " + arrayName() + " value " +
                  std::to_string(value));
    return unexpected("a number");
  }
  bool number_unsigned(json::number_unsigned_t value) {
    if (state == State::ShapeArray) {
      if (value > static_cast<uint64_t>(INT64_MAX))
        return fail(tensorPrefix() + "dimension " + std::to_string(value) +
                    " is too large");
      current.info.shape.push_back(static_cast<int64_t>(value));
      return true;
    }
    if (state == State::OffsetsArray) {
      if (current.offsets.size() == 2)
        return fail(tensorPrefix() +
                    "data_offsets must hold exactly two values");
      current.offsets.push_back(value);
      return true;
    }
    return unexpected("a number");
  }
  bool number_float(json::number_float_t, const json::string_t &text) {
    if (state == State::ShapeArray || state == State::OffsetsArray)
      return fail(tensorPrefix() + arrayName() + " value " + text +
                  " is not an integer in range");
    return unexpected("a number");
  }
  bool string(json::string_t &value) {
    switch (state) {
    case State::TensorValue:
      if (currentField != "dtype")
        return unexpected("a string");
      if (!parseDType(value, current.info.dtype))
        return fail(tensorPrefix() + "unknown dtype " + quote(value));
      current.hasDType = true;
      state = State::TensorObject;
      return true;
    case State::MetadataValue:
      state = State::MetadataObject;
      return true;
    default:
      return unexpected("a string");
    }
  }
  bool binary(json::binary_t &) { return unexpected("binary data"); }

  bool start_object(std::size_t) {
    switch (state) {
    case State::Start:
      state = State::TopObject;
      return true;
    case State::TopValue:
      if (inMetadata) {
        state = State::MetadataObject;
        return true;
      }
      current = PendingTensor();
      current.info.name = topKey;
      state = State::TensorObject;
      return true;
    default:
      return unexpected("an object");
    }
  }
  bool key(json::string_t &name) {
    switch (state) {
    case State::TopObject:
      if (!topKeys.insert(name).second)
        return fail("duplicate key " + quote(name) + " in header");
      topKey = name;
      inMetadata = name == "__metadata__";
      state = State::TopValue;
      return true;
    case State::TensorObject:
      if (!current.fields.insert(name).second)
        return fail(tensorPrefix() + "duplicate field " + quote(name));
      if (name != "dtype" && name != "shape" && name != "data_offsets")
        return fail(tensorPrefix() + "unknown field " + quote(name));
      currentField = name;
      state = State::TensorValue;
      return true;
    case State::MetadataObject:
      if (!metadataKeys.insert(name).second)
        return fail("duplicate key " + quote(name) + " in __metadata__");
      state = State::MetadataValue;
      return true;
    default:
      return unexpected("a key");
    }
  }
  bool end_object() {
    switch (state) {
    case State::TopObject:
      state = State::Done;
      return true;
    case State::MetadataObject:
      state = State::TopObject;
      return true;
    case State::TensorObject:
      return finishTensor();
    default:
      return unexpected("'}'");
    }
  }
  bool start_array(std::size_t) {
    if (state != State::TensorValue || currentField == "dtype")
      return unexpected("an array");
    if (currentField == "shape") {
      current.hasShape = true;
      state = State::ShapeArray;
    } else {
      current.hasOffsets = true;
      state = State::OffsetsArray;
    }
    return true;
  }
  bool end_array() {
    if (state != State::ShapeArray && state != State::OffsetsArray)
      return unexpected("']'");
    if (state == State::OffsetsArray && current.offsets.size() != 2)
      return fail(tensorPrefix() + "data_offsets must hold exactly two values");
    state = State::TensorObject;
    return true;
  }
  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &) {
    // Keep the first, more specific message if a callback already failed.
    if (error.empty())
      error = "header is not valid UTF-8 JSON (syntax error at byte " +
              std::to_string(position) + ")";
    return false;
  }

private:
  enum class State {
    Start,
    TopObject,
    TopValue,
    TensorObject,
    TensorValue,
    ShapeArray,
    OffsetsArray,
    MetadataObject,
    MetadataValue,
    Done
  };

  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  bool unexpected(const char *what) {
    switch (state) {
    case State::Start:
      return fail("header is not a JSON object");
    case State::TopValue:
      if (inMetadata)
        return fail("__metadata__ must be an object of strings, got " +
                    std::string(what));
      return fail(tensorPrefix() + "expected an object, got " + what);
    case State::MetadataValue:
      return fail("__metadata__ value must be a string, got " +
                  std::string(what));
    case State::TensorValue:
    case State::ShapeArray:
    case State::OffsetsArray:
      return fail(tensorPrefix() + "unexpected " + what + " in field " +
                  quote(currentField));
    default:
      return fail(std::string("unexpected ") + what + " in header");
    }
  }
  std::string tensorPrefix() const { return "tensor " + quote(topKey) + ": "; }
  const char *arrayName() const {
    return state == State::ShapeArray ? "shape" : "data_offsets";
  }
  bool finishTensor() {
    if (!current.hasDType || !current.hasShape || !current.hasOffsets)
      return fail(tensorPrefix() + "missing field '" +
                  (!current.hasDType   ? "dtype"
                   : !current.hasShape ? "shape"
                                       : "data_offsets") +
                  "'");
    current.info.begin = current.offsets[0];
    current.info.end = current.offsets[1];
    tensors.push_back(std::move(current.info));
    state = State::TopObject;
    return true;
  }

  std::vector<TensorInfo> &tensors;
  State state = State::Start;
  std::set<std::string> topKeys, metadataKeys;
  std::string topKey, currentField;
  bool inMetadata = false;
  PendingTensor current;
};

/// Validates the JSON header `json[0, size)` against a data section of
/// `dataSize` bytes. Shared by parse() and readHeader().
bool parseHeader(const uint8_t *json, uint64_t size, uint64_t dataSize,
                 Header &out, std::string &error) {
  // The format requires the header to start with '{'; this also refuses a
  // UTF-8 byte order mark, which the JSON lexer would otherwise skip.
  if (size == 0 || json[0] != '{') {
    error = "header does not start with '{'";
    return false;
  }
  // A raw NUL is never valid JSON, but nlohmann's lexer takes it for the end
  // of the input, which would let arbitrary bytes follow the object.
  if (const void *nul = std::memchr(json, 0, size)) {
    error = "header is not valid UTF-8 JSON (NUL byte at offset " +
            std::to_string(static_cast<const uint8_t *>(nul) - json) + ")";
    return false;
  }
  std::vector<TensorInfo> tensors;
  HeaderHandler handler(tensors);
  // Trailing spaces are legal padding and plain JSON whitespace, so strict
  // mode (nothing but whitespace after the value) accepts them.
  if (!nlohmann::json::sax_parse(json, json + size, &handler,
                                 nlohmann::json::input_format_t::json,
                                 /*strict=*/true)) {
    error = handler.error.empty() ? "header is not valid JSON" : handler.error;
    return false;
  }

  // Per tensor: the offsets are ordered, inside the data section, and the
  // byte range holds exactly shape × dtype size bytes.
  for (const TensorInfo &t : tensors) {
    std::string prefix = "tensor " + quote(t.name) + ": ";
    if (t.begin > t.end) {
      error = prefix + "data_offsets [" + std::to_string(t.begin) + ", " +
              std::to_string(t.end) + "] end before they begin";
      return false;
    }
    if (t.end > dataSize) {
      error = prefix + "data_offsets [" + std::to_string(t.begin) + ", " +
              std::to_string(t.end) + "] lie past the end of the data (" +
              std::to_string(dataSize) + " bytes)";
      return false;
    }
    uint64_t bytes = dtypeSize(t.dtype);
    for (int64_t dim : t.shape) {
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) {
        error = prefix + "shape " + formatShape(t.shape) +
                " is too large (its byte size overflows 64 bits)";
        return false;
      }
    }
    if (bytes != t.end - t.begin) {
      error = prefix + "shape " + formatShape(t.shape) + " needs " +
              std::to_string(bytes) + " bytes but its data range holds " +
              std::to_string(t.end - t.begin);
      return false;
    }
  }

  // Together: the ranges tile the data section with no hole and no overlap.
  // Sorting by (begin, end) keeps zero-size tensors that share an offset
  // with a following tensor in a valid order; names (unique) break ties so
  // messages do not depend on the header order.
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorInfo &a, const TensorInfo &b) {
              if (a.begin != b.begin)
                return a.begin < b.begin;
              if (a.end != b.end)
                return a.end < b.end;
              return a.name < b.name;
            });
  uint64_t expected = 0;
  const TensorInfo *previous = nullptr;
  for (const TensorInfo &t : tensors) {
    if (t.begin != expected) {
      error = "tensor " + quote(t.name) + ": data starts at byte " +
              std::to_string(t.begin) + " but " +
              (previous ? "tensor " + quote(previous->name) + " ends"
                        : std::string("the data section starts")) +
              " at byte " + std::to_string(expected) +
              (t.begin > expected ? " (a hole)" : " (an overlap)");
      return false;
    }
    expected = t.end;
    previous = &t;
  }
  if (expected != dataSize) {
    error = "tensor data ends at byte " + std::to_string(expected) +
            " but the data section holds " + std::to_string(dataSize) +
            " bytes (trailing bytes after the last tensor)";
    return false;
  }
  out.tensors = std::move(tensors);
  return true;
}

uint64_t readLE64(const uint8_t *p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i)
    value = (value << 8) | p[i];
  return value;
}

/// Checks the 8-byte prefix; sets `headerSize` to N.
bool checkPrefix(const uint8_t *prefix, uint64_t fileSize, uint64_t &headerSize,
                 std::string &error) {
  headerSize = readLE64(prefix);
  if (headerSize > kMaxHeaderSize) {
    error = "header length " + std::to_string(headerSize) +
            " exceeds the limit of " + std::to_string(kMaxHeaderSize) +
            " bytes";
    return false;
  }
  // headerSize <= 1e8, so 8 + headerSize cannot overflow.
  if (8 + headerSize > fileSize) {
    error = "header length " + std::to_string(headerSize) +
            " runs past the end of the file (" + std::to_string(fileSize) +
            " bytes)";
    return false;
  }
  return true;
}

} // namespace

const char *xfmr::safetensors::dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F64:
    return "F64";
  case DType::F32:
    return "F32";
  case DType::F16:
    return "F16";
  case DType::BF16:
    return "BF16";
  case DType::I64:
    return "I64";
  case DType::I32:
    return "I32";
  case DType::I16:
    return "I16";
  case DType::I8:
    return "I8";
  case DType::U8:
    return "U8";
  case DType::Bool:
    return "BOOL";
  }
  return "?";
}

size_t xfmr::safetensors::dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
    return 2;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 1;
}

const TensorInfo *Header::find(const std::string &name) const {
  for (const TensorInfo &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

bool xfmr::safetensors::parse(const uint8_t *bytes, uint64_t size, Header &out,
                              std::string &error) {
  out = Header();
  if (size < 8 || !bytes) {
    error = "safetensors: file is " + std::to_string(size) +
            " bytes, too small for the 8-byte header length";
    return false;
  }
  uint64_t headerSize = 0;
  if (!checkPrefix(bytes, size, headerSize, error) ||
      !parseHeader(bytes + 8, headerSize, size - 8 - headerSize, out, error)) {
    error = "safetensors: " + error;
    return false;
  }
  out.dataOffset = 8 + headerSize;
  return true;
}

bool xfmr::safetensors::readHeader(const std::string &path, Header &out,
                                   std::string &error) {
  out = Header();
  fileio::InputFile file;
  if (!file.open(path, fileio::kMaxWeightsBytes, error))
    return false;
  std::string message;
  uint8_t prefix[8];
  uint64_t headerSize = 0;
  uint64_t size = file.size();
  std::vector<uint8_t> json;
  if (size < 8) {
    error = path + ": safetensors: file is " + std::to_string(size) +
            " bytes, too small for the 8-byte header length";
    return false;
  }
  if (!file.readAt(0, prefix, 8, error))
    return false;
  if (!checkPrefix(prefix, size, headerSize, message)) {
    error = path + ": safetensors: " + message;
    return false;
  }
  json.resize(headerSize);
  if (!file.readAt(8, json.data(), headerSize, error))
    return false;
  if (!parseHeader(json.data(), headerSize, size - 8 - headerSize, out,
                   message)) {
    error = path + ": safetensors: " + message;
    return false;
  }
  out.dataOffset = 8 + headerSize;
  return true;
}

bool LoadedFile::allocate(uint64_t size, std::string &error) {
  bytes.reset();
  byteCount = 0;
  // Empty is a valid (empty) buffer whose contents the parser then rejects.
  if (size == 0)
    return true;
  if (size > SIZE_MAX - kAlignment) {
    error = std::to_string(size) + " bytes do not fit in memory";
    return false;
  }
  bytes.reset(static_cast<uint8_t *>(std::aligned_alloc(
      kAlignment, (size + kAlignment - 1) / kAlignment * kAlignment)));
  if (!bytes) {
    error =
        "cannot allocate " + std::to_string(size) + " bytes for the weights";
    return false;
  }
  byteCount = size;
  return true;
}

bool LoadedFile::open(const std::string &path, std::string &error) {
  bytes.reset();
  byteCount = 0;
  fileio::InputFile file;
  if (!file.open(path, fileio::kMaxWeightsBytes, error))
    return false;
  std::string why;
  if (!allocate(file.size(), why)) {
    error = path + ": " + why;
    return false;
  }
  if (byteCount > 0 && !file.readAt(0, bytes.get(), byteCount, error)) {
    bytes.reset();
    byteCount = 0;
    return false;
  }
  return true;
}

bool LoadedFile::assign(const uint8_t *data, uint64_t size,
                        std::string &error) {
  if (!allocate(size, error))
    return false;
  if (size > 0)
    std::memcpy(bytes.get(), data, size);
  return true;
}
