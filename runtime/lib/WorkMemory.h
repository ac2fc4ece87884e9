//===- WorkMemory.h - a context's pool of work memory -----------*- C++ -*-===//
//
// The generated code takes every temporary buffer through MLIR's generic
// allocation functions, which the runtime defines (docs/abi.md). While an
// entry call runs, they serve the calling context's WorkMemory: a freed block
// is kept, keyed by its size rounded up to 64 bytes (and its alignment), and
// handed out again for the next request of that size, so from the second
// call of a given shape on a call allocates nothing. Outside a call they fall
// back to the system allocator. Internal to the runtime.
//
// The generated code never checks what they return, so during a call run by
// CurrentWorkMemory::run() a request the pool cannot serve does not return:
// it jumps back into run(), which takes back every block of the abandoned
// call and reports the failure. That is sound because generated code holds
// no destructors, locks or other state across the jump, and only on the
// thread that entered the call outside any OpenMP parallel region (the
// generated code allocates only there: inside parallel regions it uses stack
// allocas). A request that fails anywhere else cannot be unwound and ends
// the process with a message instead of returning NULL.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_WORKMEMORY_H
#define XFMR_RUNTIME_WORKMEMORY_H

#include <csetjmp>
#include <cstddef>
#include <cstdint>

// Called by generated code (MLIR's `use-generic-functions` allocation
// interface). Hidden whatever the build flags, so each model library's code
// binds to its own runtime and no library exports them.
#define XFMR_HIDDEN __attribute__((visibility("hidden")))
extern "C" {
XFMR_HIDDEN void *_mlir_memref_to_llvm_alloc(size_t size);
XFMR_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t size);
XFMR_HIDDEN void _mlir_memref_to_llvm_free(void *ptr);
}

namespace xfmr::runtime {

/// An open-addressing hash table from 64-bit keys to 32-bit values, on
/// malloc, so that running out of memory is an answer (false) rather than a
/// throw: the runtime is built without exceptions, and the pool must return
/// NULL, not terminate, when the system has no memory left.
class KeyTable {
public:
  KeyTable() = default;
  KeyTable(const KeyTable &) = delete;
  KeyTable &operator=(const KeyTable &) = delete;
  ~KeyTable();

  /// The value of `key`, or nullptr.
  uint32_t *find(uint64_t key);
  /// Makes room for one more key; false if memory ran out.
  bool reserveOne();
  /// Adds `key` (absent) after a successful reserveOne().
  void insert(uint64_t key, uint32_t value);
  /// Removes every key and keeps the memory.
  void clear();

private:
  struct Slot {
    uint64_t key;
    uint32_t value;
    bool used;
  };
  Slot *slots = nullptr;
  size_t capacity = 0, count = 0;
};

/// Where a pool takes its system blocks from: malloc unless set, memory
/// the GPU can reach for a model on one (Cuda.h). `release` gets the
/// alignment the block was allocated with.
struct BlockSource {
  void *(*allocate)(size_t size, size_t alignment);
  void (*release)(void *ptr, size_t alignment);
};

class WorkMemory {
public:
  /// Requests are served with at least this alignment (a cache line, enough
  /// for every vector type the generated code uses), in multiples of it.
  static constexpr size_t kGranule = 64;

  WorkMemory() = default;
  WorkMemory(const WorkMemory &) = delete;
  WorkMemory &operator=(const WorkMemory &) = delete;
  /// Returns every block to the system, including those still in use.
  ~WorkMemory();

  /// Takes every system block from `source` (which outlives the pool);
  /// only before the first reservation or allocation.
  void setSource(const BlockSource *blockSource) { source = blockSource; }

  /// Reserves `bytes` up front (the compiler's static size): requests are
  /// served from it before any system allocation. False if out of memory.
  bool reserve(size_t bytes);

  /// A block of at least `size` bytes aligned to `alignment` (a power of
  /// two), or nullptr if the alignment is not one or memory ran out.
  void *allocate(size_t size, size_t alignment);
  /// Takes back a block handed out by allocate(); false, and nothing done,
  /// if `ptr` is not one.
  bool release(void *ptr);

  /// Brackets one entry call: resets the per-call counters, and afterwards
  /// returns the least recently used idle blocks to the system while idle
  /// blocks hold more than twice what the largest call used; the blocks of
  /// the call just made always stay.
  void beginCall();
  void endCall();
  /// Ends a call that cannot finish (an allocation failed): every block
  /// still in use is taken back, and every idle block not carved from the
  /// reservation is returned to the system, so the next call starts from
  /// the reservation alone.
  void abandonCall();

  /// Bytes taken from the system and held (in use, idle or reserved).
  size_t bytesHeld() const { return held + reservationSize; }
  /// Requests in the current (or last) call, and how many of them needed a
  /// fresh system allocation.
  uint64_t requests() const { return requestCount; }
  uint64_t systemAllocations() const { return systemCount; }

private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Block {
    void *ptr;
    size_t size; // rounded
    uint64_t lastCall;
    uint32_t nextIdle; // the next idle block of the same class, or kNone
    uint8_t alignLog2;
    bool inUse;
    bool reserved; // carved from the reservation, never freed alone
  };

  static uint64_t classKey(size_t size, unsigned alignLog2) {
    return size | alignLog2; // size is a multiple of 64: the low bits are free
  }
  void *carveReserved(size_t size, size_t alignment);
  void *systemBlock(size_t size, size_t alignment);
  void freeSystemBlock(void *ptr, size_t alignment);
  /// Frees idle system blocks, least recently used first: those of earlier
  /// calls while idle blocks exceed twice the largest call's use, or (all)
  /// every one.
  void trim(bool all);

  const BlockSource *source = nullptr; // nullptr: malloc
  Block *blocks = nullptr;
  uint32_t count = 0, capacity = 0;
  KeyTable byPointer; // block address -> index in blocks
  KeyTable idleHead;  // class key -> first idle block of that class, or kNone

  char *reservation = nullptr;
  size_t reservationSize = 0, reservationUsed = 0;

  size_t held = 0, idleBytes = 0; // idleBytes: of system blocks only
  /// Bytes of the blocks the current call used, and the most of any call.
  size_t callBytes = 0, largestCallBytes = 0;
  uint64_t call = 0, requestCount = 0, systemCount = 0;
};

/// The pool serving this thread's allocation functions (an entry call is
/// running), or nullptr.
WorkMemory *currentWorkMemory();

/// Makes `memory` serve this thread's allocation functions for the scope's
/// life (one entry call), bracketing the call for its counters.
class CurrentWorkMemory {
public:
  explicit CurrentWorkMemory(WorkMemory &memory);
  ~CurrentWorkMemory();
  CurrentWorkMemory(const CurrentWorkMemory &) = delete;
  CurrentWorkMemory &operator=(const CurrentWorkMemory &) = delete;

  /// Calls generated code, `entry(args)`. True if it returned; false if one
  /// of its allocations could not be served, in which case the call was
  /// abandoned (WorkMemory::abandonCall) and failedRequest() is the size
  /// asked for. Without run(), a failed request returns NULL as malloc does.
  bool run(void (*entry)(void **), void **args);
  size_t failedRequest() const { return failedSize; }

  /// For the allocation functions: abandons the entry call run() is making
  /// on this thread, `size` being the request that failed.
  [[noreturn]] void escape(size_t size);

private:
  WorkMemory &memory;
  WorkMemory *previous;
  // A member rather than a local of run(), so nothing run() reads after
  // the jump is an automatic variable changed since setjmp.
  std::jmp_buf target;
  size_t failedSize = 0;
};

} // namespace xfmr::runtime

#endif // XFMR_RUNTIME_WORKMEMORY_H
