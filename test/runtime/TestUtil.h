//===- TestUtil.h - helpers for the runtime unit tests ----------*- C++ -*-===//
#ifndef XFMR_TEST_RUNTIME_TESTUTIL_H
#define XFMR_TEST_RUNTIME_TESTUTIL_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace xfmr::test {

/// The whole file at `path`, bytes as they are ("" if unreadable).
inline std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A safetensors file: 8-byte little-endian length, `header`, then `data`.
inline std::vector<uint8_t> makeSafetensors(const std::string &header,
                                            const std::vector<uint8_t> &data) {
  std::vector<uint8_t> out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline std::vector<uint8_t> makeSafetensors(const std::string &header,
                                            size_t dataBytes) {
  return makeSafetensors(header, std::vector<uint8_t>(dataBytes, 0));
}

/// A .npy file with a raw header dict (padded as numpy pads it) and data.
inline std::vector<uint8_t> makeNpy(const std::string &dict,
                                    const std::vector<uint8_t> &data,
                                    int major = 1) {
  size_t lengthBytes = major == 1 ? 2 : 4;
  std::string header = dict;
  size_t total = 8 + lengthBytes + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out = {
      0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  for (size_t i = 0; i < lengthBytes; ++i)
    out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

template <typename T>
inline std::vector<uint8_t> bytesOf(const std::vector<T> &v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty())
    std::memcpy(out.data(), v.data(), out.size());
  return out;
}

/// A fresh folder under the system temp folder, removed by the destructor.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") +
                          "/xfmr-runtime-test-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()))
      dir = buf.data();
  }
  ~TempDir() {
    if (!dir.empty())
      std::system(("rm -rf '" + dir + "'").c_str());
  }
  const std::string &path() const { return dir; }

  /// Writes `bytes` to `name` in this folder and returns the full path.
  std::string write(const std::string &name,
                    const std::vector<uint8_t> &bytes) const {
    std::string p = dir + "/" + name;
    FILE *f = std::fopen(p.c_str(), "wb");
    if (f) {
      if (!bytes.empty())
        std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
    return p;
  }

private:
  std::string dir;
};

} // namespace xfmr::test

#endif // XFMR_TEST_RUNTIME_TESTUTIL_H
