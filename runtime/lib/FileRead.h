//===- FileRead.h - how the runtime and tools read files --------*- C++ -*-===//
//
// Every file the runtime and xfmr-run read goes through openInput: it opens
// with O_NONBLOCK (so a FIFO cannot block the open), takes fstat before
// reading a byte, accepts regular files only (no FIFO, device or /dev/zero
// link) and bounds the size per kind of file. Header-only so the safetensors
// reader, the tokenizers and xfmr-run's .npy reader share it without a
// library of its own. No exceptions.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_FILEREAD_H
#define XFMR_RUNTIME_FILEREAD_H

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace xfmr::fileio {

/// Size limits per kind of input.
/// Weights: safetensors itself bounds nothing but the header; the data is
/// limited by memory (an allocation failure is reported, not fatal).
constexpr uint64_t kMaxWeightsBytes = UINT64_MAX;
/// tokenizer.json, vocab files, merges, tokenizer_config.json.
constexpr uint64_t kMaxTokenizerBytes = uint64_t(64) << 20;
/// Model libraries xfmr-run loads (checked before dlopen, which would block
/// on a FIFO); a library may hold large constants.
constexpr uint64_t kMaxLibraryBytes = UINT64_MAX;
/// .npy inputs of xfmr-run (token ids).
constexpr uint64_t kMaxNpyBytes = uint64_t(256) << 20;
/// Texts xfmr-run reads with --text-file (the tokenizer's limit on a text).
constexpr uint64_t kMaxTextBytes = uint64_t(256) << 20;

/// A regular file open for reading; closed by the destructor.
class InputFile {
public:
  InputFile() = default;
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;
  ~InputFile() {
    if (fd >= 0)
      ::close(fd);
  }

  /// Opens `path` if it is a regular file of at most `maxSize` bytes; on
  /// failure returns false and sets `error` to a message naming the path.
  bool open(const std::string &path, uint64_t maxSize, std::string &error) {
    if (fd >= 0)
      ::close(fd);
    fileSize = 0;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
      return fail(path + ": " + std::strerror(errno), error);
    struct stat st;
    if (::fstat(fd, &st) != 0)
      return fail(path + ": " + std::strerror(errno), error);
    if (!S_ISREG(st.st_mode))
      return fail(path + " is not a regular file", error);
    if (static_cast<uint64_t>(st.st_size) > maxSize)
      return fail(path + " is " + std::to_string(st.st_size) +
                      " bytes, more than the " + std::to_string(maxSize) +
                      " allowed",
                  error);
    // Regular files never block; clear the flag all the same.
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
      return fail(path + ": " + std::strerror(errno), error);
    fileSize = static_cast<uint64_t>(st.st_size);
    name = path;
    return true;
  }

  /// The size fstat gave at open.
  uint64_t size() const { return fileSize; }

  /// Reads exactly `n` bytes at `offset`; false (with `error`) on a read
  /// error or a file that shrank since it was opened.
  bool readAt(uint64_t offset, void *dst, uint64_t n, std::string &error) {
    uint8_t *out = static_cast<uint8_t *>(dst);
    uint64_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd, out + done, n - done, offset + done);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0) {
        error = name + ": " + std::strerror(errno);
        return false;
      }
      if (got == 0) {
        error = name + ": file changed while it was read";
        return false;
      }
      done += static_cast<uint64_t>(got);
    }
    return true;
  }

private:
  bool fail(std::string message, std::string &error) {
    error = std::move(message);
    if (fd >= 0)
      ::close(fd);
    fd = -1;
    return false;
  }

  int fd = -1;
  uint64_t fileSize = 0;
  std::string name;
};

/// Reads the whole regular file at `path` (at most `maxSize` bytes) into
/// `out`, a std::string or std::vector of bytes.
template <typename Bytes>
bool readWholeFile(const std::string &path, uint64_t maxSize, Bytes &out,
                   std::string &error) {
  out.clear();
  InputFile file;
  if (!file.open(path, maxSize, error))
    return false;
  out.resize(file.size());
  return file.readAt(0, out.data(), file.size(), error);
}

} // namespace xfmr::fileio

#endif // XFMR_RUNTIME_FILEREAD_H
