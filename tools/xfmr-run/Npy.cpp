//===- Npy.cpp - strict NumPy .npy reading and writing --------------------===//
//
// The .npy header is a Python dict literal such as
//   {'descr': '<i8', 'fortran_order': False, 'shape': (2, 8), }
// This parses exactly that grammar (the three keys numpy writes, each once)
// rather than anything Python would evaluate.
//
//===----------------------------------------------------------------------===//

#include "tools/xfmr-run/Npy.h"

#include "runtime/lib/FileRead.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the .npy reader assumes a little-endian host"
#endif

using namespace xfmr::npy;

namespace {

/// A cursor over the header dict with one-token lookahead helpers.
class HeaderParser {
public:
  HeaderParser(const char *begin, const char *end) : p(begin), end(end) {}

  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  std::string error;

  bool parse() {
    skipSpace();
    if (!consume('{'))
      return fail("header is not a dict");
    bool hasDescr = false, hasOrder = false, hasShape = false;
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key in the header");
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (hasDescr)
          return fail("duplicate key 'descr'");
        hasDescr = true;
        if (!parseString(descr))
          return fail("'descr' must be a string");
      } else if (key == "fortran_order") {
        if (hasOrder)
          return fail("duplicate key 'fortran_order'");
        hasOrder = true;
        if (consumeWord("True"))
          fortranOrder = true;
        else if (consumeWord("False"))
          fortranOrder = false;
        else
          return fail("'fortran_order' must be True or False");
      } else if (key == "shape") {
        if (hasShape)
          return fail("duplicate key 'shape'");
        hasShape = true;
        if (!parseShape())
          return false;
      } else {
        return fail("unknown key '" + printable(key) + "' in the header");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' in the header");
    }
    skipSpace();
    if (p != end)
      return fail("unexpected data after the header dict");
    if (!hasDescr || !hasOrder || !hasShape)
      return fail(std::string("header lacks '") +
                  (!hasDescr   ? "descr"
                   : !hasOrder ? "fortran_order"
                               : "shape") +
                  "'");
    return true;
  }

private:
  bool fail(const std::string &message) {
    if (error.empty())
      error = message;
    return false;
  }
  static std::string printable(const std::string &s) {
    std::string out;
    for (unsigned char c : s)
      out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    return out;
  }
  void skipSpace() {
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
      ++p;
  }
  bool consume(char c) {
    if (p != end && *p == c) {
      ++p;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (static_cast<size_t>(end - p) < n || std::memcmp(p, word, n) != 0)
      return false;
    p += n;
    return true;
  }
  /// A Python string literal without escapes (numpy never writes any).
  bool parseString(std::string &out) {
    if (p == end || (*p != '\'' && *p != '"'))
      return false;
    char quote = *p++;
    const char *start = p;
    while (p != end && *p != quote) {
      if (*p == '\\' || *p == '\n')
        return false;
      ++p;
    }
    if (p == end)
      return false;
    out.assign(start, p);
    ++p;
    return true;
  }
  bool parseShape() {
    if (!consume('('))
      return fail("'shape' must be a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return true;
      if (p == end || *p < '0' || *p > '9')
        return fail("'shape' must hold non-negative integers");
      uint64_t value = 0;
      while (p != end && *p >= '0' && *p <= '9') {
        if (__builtin_mul_overflow(value, 10, &value) ||
            __builtin_add_overflow(value, static_cast<uint64_t>(*p - '0'),
                                   &value) ||
            value > static_cast<uint64_t>(INT64_MAX))
          return fail("a dimension in 'shape' is too large");
        ++p;
      }
      shape.push_back(static_cast<int64_t>(value));
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return true;
      return fail("expected ',' or ')' in 'shape'");
    }
  }

  const char *p, *end;
};

uint32_t readLE(const uint8_t *p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | p[i];
  return value;
}

} // namespace

bool xfmr::npy::parseInt64(const uint8_t *bytes, size_t size, int rank,
                           Int64Array &out, std::string &error) {
  out = Int64Array();
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0) {
    error = "not a .npy file (bad magic)";
    return false;
  }
  uint8_t major = bytes[6], minor = bytes[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0) {
    error = "unsupported .npy version " + std::to_string(major) + "." +
            std::to_string(minor);
    return false;
  }
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t preamble = 6 + 2 + lengthBytes;
  if (size < preamble) {
    error = "truncated .npy header";
    return false;
  }
  uint64_t headerLength = readLE(bytes + 8, static_cast<int>(lengthBytes));
  if (headerLength > size - preamble) {
    error = "truncated .npy header (" + std::to_string(headerLength) +
            " bytes announced, " + std::to_string(size - preamble) +
            " present)";
    return false;
  }
  const char *header = reinterpret_cast<const char *>(bytes + preamble);
  // Versions 1 and 2 are Latin-1 text, version 3 UTF-8; the dict we accept
  // is ASCII either way, and the parser rejects any other byte.
  HeaderParser parser(header, header + headerLength);
  if (!parser.parse()) {
    error = "bad .npy header: " + parser.error;
    return false;
  }
  size_t itemSize = 0;
  if (parser.descr == "<i8")
    itemSize = 8;
  else if (parser.descr == "<i4")
    itemSize = 4;
  else {
    std::string descr;
    for (unsigned char c : parser.descr)
      descr += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    error = "expected int64 or int32, got '" + descr + "'";
    return false;
  }
  if (parser.fortranOrder) {
    error = "Fortran-order arrays are not supported; save a C-order array "
            "(numpy.ascontiguousarray)";
    return false;
  }
  if (rank >= 0 && parser.shape.size() != static_cast<size_t>(rank)) {
    error = "expected a rank-" + std::to_string(rank) + " array, got shape " +
            formatShape(parser.shape);
    return false;
  }
  uint64_t count = 1, dataBytes = 0;
  for (int64_t dim : parser.shape) {
    if (__builtin_mul_overflow(count, static_cast<uint64_t>(dim), &count)) {
      error = "shape " + formatShape(parser.shape) + " is too large";
      return false;
    }
  }
  if (__builtin_mul_overflow(count, itemSize, &dataBytes)) {
    error = "shape " + formatShape(parser.shape) + " is too large";
    return false;
  }
  uint64_t present = size - preamble - headerLength;
  if (dataBytes != present) {
    error = std::string(dataBytes > present ? "truncated" : "trailing") +
            " data: shape " + formatShape(parser.shape) + " of " +
            parser.descr + " needs " + std::to_string(dataBytes) +
            " bytes, the file holds " + std::to_string(present);
    return false;
  }
  const uint8_t *data = bytes + preamble + headerLength;
  out.shape = parser.shape;
  out.data.resize(count);
  if (itemSize == 8) {
    if (count)
      std::memcpy(out.data.data(), data, count * 8);
  } else {
    for (uint64_t i = 0; i < count; ++i) {
      int32_t v;
      std::memcpy(&v, data + 4 * i, 4);
      out.data[i] = v;
    }
  }
  return true;
}

bool xfmr::npy::readInt64(const std::string &path, int rank, Int64Array &out,
                          std::string &error) {
  std::vector<uint8_t> bytes;
  if (!fileio::readWholeFile(path, fileio::kMaxNpyBytes, bytes, error))
    return false;
  if (!parseInt64(bytes.data(), bytes.size(), rank, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

std::vector<uint8_t> xfmr::npy::encodeFloat32(const std::vector<int64_t> &shape,
                                              const float *data) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  uint64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    dict += shape.size() == 1 || i + 1 < shape.size() ? ", " : "";
    count *= static_cast<uint64_t>(shape[i]);
  }
  // Strip the space after a 1-tuple's comma to match numpy: "(3,)".
  if (shape.size() == 1)
    dict.pop_back();
  dict += "), }";
  // Pad with spaces so the data starts on a 64-byte boundary, as numpy does.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';

  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.push_back(static_cast<uint8_t>(dict.size() & 0xff));
  out.push_back(static_cast<uint8_t>(dict.size() >> 8));
  out.insert(out.end(), dict.begin(), dict.end());
  const uint8_t *raw = reinterpret_cast<const uint8_t *>(data);
  out.insert(out.end(), raw, raw + count * sizeof(float));
  return out;
}

bool xfmr::npy::writeFloat32(const std::string &path,
                             const std::vector<int64_t> &shape,
                             const float *data, std::string &error) {
  // Write a temporary file beside the target and rename it into place: a
  // failed write leaves the target as it was, and the only path ever
  // removed is the temporary this function created.
  std::string target = path;
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    error = path + " is not a regular file";
    return false;
  }
  if (exists) {
    // Write through a symlink rather than replace it.
    std::unique_ptr<char, void (*)(void *)> real(
        ::realpath(path.c_str(), nullptr), &std::free);
    if (!real) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    target = real.get();
  }
  size_t slash = target.rfind('/');
  std::string dir = slash == std::string::npos ? "." : target.substr(0, slash);
  if (slash == 0)
    dir = "/";
  std::string base =
      slash == std::string::npos ? target : target.substr(slash + 1);
  std::string temp = dir + "/." + base + ".XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    error =
        path + ": cannot create a file in " + dir + ": " + std::strerror(errno);
    return false;
  }
  mode_t mode;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  std::vector<uint8_t> bytes = encodeFloat32(shape, data);
  size_t done = 0;
  int savedErrno = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      savedErrno = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (!savedErrno && ::fchmod(fd, mode) != 0)
    savedErrno = errno;
  if (!savedErrno && ::fsync(fd) != 0)
    savedErrno = errno;
  if (::close(fd) != 0 && !savedErrno)
    savedErrno = errno;
  if (!savedErrno && ::rename(temp.c_str(), target.c_str()) != 0)
    savedErrno = errno;
  if (savedErrno) {
    ::unlink(temp.c_str());
    error = path + ": write error: " + std::strerror(savedErrno);
    return false;
  }
  return true;
}
