//===- Npy.h - strict NumPy .npy reading and writing ------------*- C++ -*-===//
//
// Just enough of the .npy format (versions 1.0, 2.0 and 3.0) for xfmr-run:
// reading int64/int32 index arrays (ids, masks, token types) and writing
// float32 outputs. The reader is strict; a file from anywhere is hostile.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_TOOLS_XFMR_RUN_NPY_H
#define XFMR_TOOLS_XFMR_RUN_NPY_H

#include "runtime/lib/FormatShape.h"
#include <cstddef>
#include <cstdint>

#include <string>
#include <vector>

namespace xfmr::npy {

using xfmr::formatShape;

/// A C-order array of int64 values.
struct Int64Array {
  std::vector<int64_t> shape;
  std::vector<int64_t> data;
};

/// Parses a complete .npy file held in memory. Accepts little-endian int64
/// ('<i8') and int32 ('<i4', widened to int64) in C order, of rank `rank`
/// (or any rank if `rank` is negative). On failure returns false and sets
/// `error` to a one-line message.
bool parseInt64(const uint8_t *bytes, size_t size, int rank, Int64Array &out,
                std::string &error);

/// Reads the file at `path` with parseInt64; messages start with the path.
bool readInt64(const std::string &path, int rank, Int64Array &out,
               std::string &error);

/// Encodes a C-order float32 ('<f4') array as a version 1.0 .npy file.
std::vector<uint8_t> encodeFloat32(const std::vector<int64_t> &shape,
                                   const float *data);

/// Writes encodeFloat32(shape, data) to `path` through a temporary file in
/// the same folder renamed into place, so the target is replaced whole or
/// left alone. Refuses a target that exists and is not a regular file.
bool writeFloat32(const std::string &path, const std::vector<int64_t> &shape,
                  const float *data, std::string &error);

} // namespace xfmr::npy

#endif // XFMR_TOOLS_XFMR_RUN_NPY_H
