//===- FormatShape.h - "[2, 3]" for messages -------------------*- C++ -*-===//
//
// Header-only so the .npy reader of xfmr-run, which links no runtime, shares
// it with the runtime's loaders: every message spells shapes the same way.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_FORMATSHAPE_H
#define XFMR_RUNTIME_FORMATSHAPE_H

#include <cstdint>
#include <string>
#include <vector>

namespace xfmr {

inline std::string formatShape(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

} // namespace xfmr

#endif // XFMR_RUNTIME_FORMATSHAPE_H
