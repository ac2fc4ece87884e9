//===- Status.h - the runtime's error reporting -----------------*- C++ -*-===//
//
// The thread-local message behind xfmr_last_error(), shared by every part of
// the C API, and the guard that keeps the standard library's out-of-memory
// exceptions inside it. Internal to the runtime.
//
// The runtime is built with exceptions for one reason: its containers report
// running out of memory by throwing std::bad_alloc, and with -fno-exceptions
// that ends the process. Nothing in the runtime throws on its own; every
// exported function that can allocate runs its body in guard(), which turns
// the exception into XFMR_ERROR_OUT_OF_MEMORY at the C API boundary, and no
// exception ever reaches generated code or the caller.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_STATUS_H
#define XFMR_RUNTIME_STATUS_H

#include "xfmr/runtime.h"

#include <new>
#include <stdexcept>
#include <string>

namespace xfmr::runtime {

/// Records `message` as this thread's last error and returns `status`.
xfmr_status fail(xfmr_status status, std::string message);
/// The same for a C string; never throws: if copying the message runs out
/// of memory, it is kept (up to 159 bytes) without the heap.
xfmr_status fail(xfmr_status status, const char *message) noexcept;

/// Records "out of memory while <what>" as this thread's last error and
/// returns XFMR_ERROR_OUT_OF_MEMORY. Allocates nothing, so it is safe to call
/// when memory has run out.
xfmr_status failOutOfMemory(const char *what) noexcept;

/// Runs `body` (returning xfmr_status) and maps std::bad_alloc, and the
/// std::length_error of a container asked to outgrow its maximum size, to
/// failOutOfMemory(what). The objects `body` made are destroyed on the way
/// out, so whatever it worked on stays usable.
/// Makes the thread's state the runtime and the C++ runtime need to report
/// a failure: glibc allocates a loaded library's thread-locals, and
/// libstdc++ its per-thread exception state, on first use, and ends the
/// process if that fails. guard() takes them at the boundary, before the
/// call's own allocations can exhaust memory.
void prepareThreadState() noexcept;

template <typename Body>
xfmr_status guard(const char *what, Body &&body) noexcept {
  prepareThreadState();
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return failOutOfMemory(what);
  } catch (const std::length_error &) {
    return failOutOfMemory(what);
  }
}

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_STATUS_H
