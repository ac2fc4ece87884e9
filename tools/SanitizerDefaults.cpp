//===- SanitizerDefaults.cpp - ASan defaults for tools that link LLVM -----===//
//
// Linked into xfmrc and xfmr-opt under XFMR_ENABLE_SANITIZERS. LLVM's headers
// poison the unused part of a BumpPtrAllocator slab when the code including
// them is built with ASan, and unpoison each allocation; Debian's libLLVM and
// libMLIR are not built with ASan, so their inlined allocations from a slab
// that our instrumented code started (MLIR's shared StorageUniquer
// allocator) stay poisoned, and ASan reports a false use-after-poison. Manual
// poisoning is switched off; ordinary ASan checks are unaffected. An
// ASAN_OPTIONS environment variable still overrides this.
//
//===----------------------------------------------------------------------===//

extern "C" __attribute__((used, visibility("default"))) const char *
__asan_default_options() {
  return "allow_user_poisoning=0";
}
