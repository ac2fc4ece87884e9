//===- Descriptor.h - MLIR memref descriptors for entry calls ---*- C++ -*-===//
//
// The arguments of an entry point (docs/abi.md) are pointers to strided
// memref descriptors. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_DESCRIPTOR_H
#define XFMR_RUNTIME_DESCRIPTOR_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace xfmr::runtime {

/// A strided memref descriptor of any rank, laid out as MLIR's
///   struct { T *allocated; T *aligned; int64_t offset;
///            int64_t sizes[rank]; int64_t strides[rank]; }
/// Every field is 8 bytes on the 64-bit hosts we target, so a flat array of
/// 64-bit words has exactly that layout.
class Descriptor {
public:
  static_assert(sizeof(void *) == sizeof(uint64_t), "64-bit host required");

  Descriptor() = default;
  /// A descriptor of rank `rank`, to be pointed at data with set().
  explicit Descriptor(size_t rank) : words(3 + 2 * rank, 0) {}
  /// A contiguous row-major view of `data` with shape `shape`.
  Descriptor(const void *data, const std::vector<int64_t> &shape)
      : Descriptor(shape.size()) {
    set(data, shape.data());
  }

  size_t rank() const { return (words.size() - 3) / 2; }

  /// Points the descriptor at `data`, contiguous row-major with `shape`
  /// (rank() sizes), without allocating: entry calls reuse descriptors.
  void set(const void *data, const int64_t *shape) {
    std::memcpy(&words[0], &data, sizeof(void *));
    std::memcpy(&words[1], &data, sizeof(void *));
    words[2] = 0;
    size_t r = rank();
    int64_t stride = 1;
    for (size_t i = r; i-- > 0;) {
      words[3 + i] = static_cast<uint64_t>(shape[i]);
      words[3 + r + i] = static_cast<uint64_t>(stride);
      stride *= shape[i];
    }
  }

  void *get() { return words.data(); }
  /// The data pointer and sizes set() was given.
  const void *data() const {
    const void *ptr;
    std::memcpy(&ptr, &words[1], sizeof(void *));
    return ptr;
  }
  const int64_t *sizes() const {
    return reinterpret_cast<const int64_t *>(&words[3]);
  }

private:
  std::vector<uint64_t> words;
};

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_DESCRIPTOR_H
