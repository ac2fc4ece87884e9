//===- Status.cpp - the runtime's error reporting -------------------------===//

#include "runtime/lib/Status.h"

#include <cstdio>
#include <exception>

namespace {
thread_local std::string lastError;
/// A message kept without the heap (failOutOfMemory's, or one the heap had
/// no room for); shown instead of lastError while outOfMemory is set.
thread_local char outOfMemoryMessage[160];
thread_local bool outOfMemory = false;
} // namespace

xfmr_status xfmr::runtime::fail(xfmr_status status, std::string message) {
  lastError = std::move(message); // a move: allocates nothing
  outOfMemory = false;
  return status;
}

xfmr_status xfmr::runtime::fail(xfmr_status status,
                                const char *message) noexcept {
  try {
    lastError.assign(message);
    outOfMemory = false;
  } catch (const std::bad_alloc &) {
    std::snprintf(outOfMemoryMessage, sizeof(outOfMemoryMessage), "%s",
                  message);
    outOfMemory = true;
  }
  return status;
}

void xfmr::runtime::prepareThreadState() noexcept {
  // Any use of one of this library's thread-locals allocates all of them.
  asm volatile("" : : "r"(&outOfMemory) : "memory");
  (void)std::uncaught_exceptions(); // libstdc++'s __cxa_get_globals()
}

xfmr_status xfmr::runtime::failOutOfMemory(const char *what) noexcept {
  std::snprintf(outOfMemoryMessage, sizeof(outOfMemoryMessage),
                "out of memory while %s", what);
  outOfMemory = true;
  return XFMR_ERROR_OUT_OF_MEMORY;
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
  case XFMR_ERROR_NO_DEVICE:
    return "no device";
  }
  return "unknown status";
}

const char *xfmr_last_error(void) {
  return outOfMemory ? outOfMemoryMessage : lastError.c_str();
}
