//===- Status.h - the runtime's error reporting -----------------*- C++ -*-===//
//
// The thread-local message behind xfmr_last_error(), shared by every part of
// the C API. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_STATUS_H
#define XFMR_RUNTIME_STATUS_H

#include "xfmr/runtime.h"

#include <string>

namespace xfmr::runtime {

/// Records `message` as this thread's last error and returns `status`.
xfmr_status fail(xfmr_status status, std::string message);

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_STATUS_H
