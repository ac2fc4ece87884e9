//===- Status.cpp - the runtime's error reporting -------------------------===//

#include "runtime/lib/Status.h"

namespace {
thread_local std::string lastError;
} // namespace

xfmr_status xfmr::runtime::fail(xfmr_status status, std::string message) {
  lastError = std::move(message);
  return status;
}

const char *xfmr_status_string(xfmr_status status) {
  switch (status) {
  case XFMR_OK:
    return "ok";
  case XFMR_ERROR_INVALID_ARGUMENT:
    return "invalid argument";
  case XFMR_ERROR_IO:
    return "I/O error";
  case XFMR_ERROR_FORMAT:
    return "format error";
  case XFMR_ERROR_MISMATCH:
    return "weights mismatch";
  case XFMR_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case XFMR_ERROR_UNSUPPORTED:
    return "unsupported";
  case XFMR_ERROR_INTERNAL:
    return "internal error";
  }
  return "unknown status";
}

const char *xfmr_last_error(void) { return lastError.c_str(); }
