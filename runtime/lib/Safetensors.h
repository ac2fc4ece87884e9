//===- Safetensors.h - strict safetensors parsing ---------------*- C++ -*-===//
//
// The safetensors reader shared by the runtime (which reads and validates the
// weights a model library runs on) and the compiler (which checks a
// checkpoint against its config before building any IR). Every input is
// treated as hostile; see docs/reliability.md for the checks. No exceptions,
// no MLIR or LLVM dependency.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_SAFETENSORS_H
#define XFMR_RUNTIME_SAFETENSORS_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace xfmr::safetensors {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

/// "F32", "BF16", ... as spelled in safetensors headers.
const char *dtypeName(DType dtype);
/// Size of one element in bytes.
size_t dtypeSize(DType dtype);

struct TensorInfo {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  /// Byte range [begin, end) relative to the start of the data section.
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Header {
  /// Tensors in ascending order of their data offsets.
  std::vector<TensorInfo> tensors;
  /// Offset of the data section from the start of the file (8 + N).
  uint64_t dataOffset = 0;

  /// The tensor named `name`, or nullptr.
  const TensorInfo *find(const std::string &name) const;
};

/// Parses and validates a complete safetensors file held in memory (e.g. a
/// LoadedFile). On failure returns false and sets `error` to a one-line
/// message.
bool parse(const uint8_t *bytes, uint64_t size, Header &out,
           std::string &error);

/// Reads and validates the header of the safetensors file at `path` without
/// reading the tensor data (the data size is taken from the file size).
bool readHeader(const std::string &path, Header &out, std::string &error);

/// A whole file read into memory owned by this object (aligned for any
/// typed access at offset 0), so nothing depends on the file once open()
/// returns: truncating or rewriting it cannot fault or change the data.
class LoadedFile {
public:
  static constexpr size_t kAlignment = 64;

  /// Reads `path` (a regular file); on failure returns false, sets `error`
  /// and leaves the object empty.
  bool open(const std::string &path, std::string &error);
  /// Copies `size` bytes from `data` (weights held in memory); on failure
  /// (out of memory) returns false, sets `error` and leaves the object empty.
  bool assign(const uint8_t *data, uint64_t size, std::string &error);
  const uint8_t *data() const { return bytes.get(); }
  /// The owner may rewrite the contents (the runtime lays weights out in
  /// place once, at open).
  uint8_t *mutableData() { return bytes.get(); }
  uint64_t size() const { return byteCount; }

private:
  /// An uninitialized buffer of `size` bytes (none for 0); on failure
  /// returns false, sets `error` and leaves the object empty.
  bool allocate(uint64_t size, std::string &error);

  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t[], Free> bytes;
  uint64_t byteCount = 0;
};

} // namespace xfmr::safetensors

#endif // XFMR_RUNTIME_SAFETENSORS_H
