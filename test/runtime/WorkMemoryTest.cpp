//===- WorkMemoryTest.cpp - the work memory pool and its C functions ------===//
//
// WorkMemory directly (size classes, alignment, the static reservation,
// trimming, refusals) and the _mlir_memref_to_llvm_* functions generated code
// calls, with and without a pool current on the thread, and a call abandoned
// when one of its requests cannot be served.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/WorkMemory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

using xfmr::runtime::CurrentWorkMemory;
using xfmr::runtime::WorkMemory;

namespace {

bool alignedTo(const void *p, size_t alignment) {
  return reinterpret_cast<uintptr_t>(p) % alignment == 0;
}

TEST(WorkMemory, ReusesFreedBlocksOfTheSameSizeClass) {
  WorkMemory memory;
  memory.beginCall();
  void *a = memory.allocate(100, 1);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(alignedTo(a, WorkMemory::kGranule));
  EXPECT_TRUE(memory.release(a));
  // 100 and 120 bytes both round to 128.
  EXPECT_EQ(memory.allocate(120, 8), a);
  void *b = memory.allocate(129, 8);
  EXPECT_NE(b, a);
  EXPECT_EQ(memory.requests(), 3u);
  EXPECT_EQ(memory.systemAllocations(), 2u);
  EXPECT_EQ(memory.bytesHeld(), 128u + 192u);
  memory.release(a);
  memory.release(b);
  memory.endCall();

  memory.beginCall();
  EXPECT_EQ(memory.requests(), 0u);
  void *c = memory.allocate(128, 64);
  void *d = memory.allocate(130, 64);
  EXPECT_EQ(std::set<void *>({c, d}), std::set<void *>({a, b}));
  EXPECT_EQ(memory.systemAllocations(), 0u);
  memory.endCall();
}

TEST(WorkMemory, LiveBlocksAreDistinct) {
  WorkMemory memory;
  memory.beginCall();
  std::set<void *> seen;
  // Enough blocks to grow every index several times.
  for (int i = 0; i < 5000; ++i) {
    char *p = static_cast<char *>(memory.allocate(64 * (1 + i % 7), 1));
    ASSERT_NE(p, nullptr);
    p[0] = 1; // writable
    EXPECT_TRUE(seen.insert(p).second);
  }
  for (void *p : seen)
    EXPECT_TRUE(memory.release(p));
  memory.endCall();
  memory.beginCall();
  for (int i = 0; i < 5000; ++i)
    EXPECT_EQ(seen.count(memory.allocate(64 * (1 + i % 7), 1)), 1u);
  EXPECT_EQ(memory.systemAllocations(), 0u);
  memory.endCall();
}

TEST(WorkMemory, Alignment) {
  WorkMemory memory;
  memory.beginCall();
  void *small = memory.allocate(10, 16);
  EXPECT_TRUE(alignedTo(small, 64));
  void *page = memory.allocate(10, 4096);
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(alignedTo(page, 4096));
  memory.release(page);
  // A block of the same size but a smaller alignment is another class.
  EXPECT_NE(memory.allocate(10, 64), page);
  EXPECT_EQ(memory.allocate(10, 4096), page);
  EXPECT_EQ(memory.allocate(10, 3), nullptr);
  EXPECT_EQ(memory.allocate(10, 0), nullptr);
  // Zero bytes is a valid, distinct block.
  void *empty = memory.allocate(0, 1);
  EXPECT_NE(empty, nullptr);
  EXPECT_NE(empty, memory.allocate(0, 1));
  memory.endCall();
}

TEST(WorkMemory, ImpossibleSizesReturnNull) {
  WorkMemory memory;
  memory.beginCall();
  EXPECT_EQ(memory.allocate(SIZE_MAX, 1), nullptr);
  EXPECT_EQ(memory.allocate(SIZE_MAX - 10, 64), nullptr);
  EXPECT_EQ(memory.requests(), 2u);
  EXPECT_EQ(memory.systemAllocations(), 0u);
  EXPECT_EQ(memory.bytesHeld(), 0u);
  memory.endCall();
  EXPECT_FALSE(memory.reserve(SIZE_MAX - 10));
  EXPECT_EQ(memory.bytesHeld(), 0u);
}

TEST(WorkMemory, ReleaseRefusesWhatItDidNotHandOut) {
  WorkMemory memory;
  memory.beginCall();
  int local = 0;
  EXPECT_FALSE(memory.release(&local));
  void *p = memory.allocate(64, 1);
  EXPECT_FALSE(memory.release(static_cast<char *>(p) + 8));
  EXPECT_TRUE(memory.release(p));
  // A second free changes nothing: the block is handed out once.
  EXPECT_TRUE(memory.release(p));
  void *a = memory.allocate(64, 1);
  void *b = memory.allocate(64, 1);
  EXPECT_EQ(a, p);
  EXPECT_NE(b, p);
  memory.endCall();
}

TEST(WorkMemory, ReservationServesFirst) {
  WorkMemory memory;
  ASSERT_TRUE(memory.reserve(1000));
  EXPECT_EQ(memory.bytesHeld(), 1024u);
  memory.beginCall();
  char *a = static_cast<char *>(memory.allocate(100, 1));
  char *b = static_cast<char *>(memory.allocate(200, 256));
  EXPECT_EQ(memory.systemAllocations(), 0u);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(alignedTo(b, 256));
  EXPECT_LT(a, b);
  EXPECT_LE(b + 256, a + 1024);
  // Past the reservation: from the system.
  void *c = memory.allocate(1000, 1);
  EXPECT_EQ(memory.systemAllocations(), 1u);
  EXPECT_EQ(memory.bytesHeld(), 1024u + 1024u);
  memory.release(a);
  memory.release(b);
  memory.release(c);
  memory.endCall();
  // Reserved blocks are reused like the others.
  memory.beginCall();
  EXPECT_EQ(memory.allocate(128, 1), a);
  EXPECT_EQ(memory.systemAllocations(), 0u);
  memory.endCall();
}

TEST(WorkMemory, TrimsBlocksOfShapesGoneBy) {
  WorkMemory memory;
  // Every call a new size, as a stream of new sequence lengths would: what
  // the pool holds stays within a few times the largest working set.
  size_t largest = 0;
  for (size_t call = 1; call <= 200; ++call) {
    memory.beginCall();
    size_t size = 4096 + 64 * call;
    largest = size;
    void *p = memory.allocate(size, 64);
    ASSERT_NE(p, nullptr);
    memory.release(p);
    memory.endCall();
    EXPECT_LE(memory.bytesHeld(), 3 * largest) << "call " << call;
  }
  // Two shapes taking turns keep both: no system allocation after the first
  // round.
  for (int round = 0; round < 10; ++round) {
    for (size_t size : {100000u, 90000u}) {
      memory.beginCall();
      void *p = memory.allocate(size, 64);
      memory.release(p);
      memory.endCall();
      if (round > 0) {
        EXPECT_EQ(memory.systemAllocations(), 0u) << round << " " << size;
      }
    }
  }
}

TEST(WorkMemory, FunctionsFallBackToTheSystemOutsideACall) {
  void *p = _mlir_memref_to_llvm_alloc(16);
  ASSERT_NE(p, nullptr);
  _mlir_memref_to_llvm_free(p);
  void *q = _mlir_memref_to_llvm_aligned_alloc(256, 10);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(alignedTo(q, 256));
  _mlir_memref_to_llvm_free(q);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(3, 10), nullptr);
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(WorkMemory, FunctionsServeTheCurrentPool) {
  WorkMemory memory;
  void *before = std::malloc(24);
  {
    CurrentWorkMemory scope(memory);
    void *p = _mlir_memref_to_llvm_alloc(100);
    void *q = _mlir_memref_to_llvm_aligned_alloc(128, 100);
    EXPECT_TRUE(alignedTo(q, 128));
    EXPECT_EQ(memory.requests(), 2u);
    _mlir_memref_to_llvm_free(p);
    _mlir_memref_to_llvm_free(q);
    // Not the pool's: back to free().
    _mlir_memref_to_llvm_free(before);
    EXPECT_EQ(_mlir_memref_to_llvm_alloc(90), p);

    // Another thread has no pool current.
    std::thread other([] {
      void *r = _mlir_memref_to_llvm_alloc(8);
      EXPECT_NE(r, nullptr);
      _mlir_memref_to_llvm_free(r);
    });
    other.join();
    EXPECT_EQ(memory.requests(), 3u);

    // Nested scopes restore the outer pool.
    WorkMemory inner;
    {
      CurrentWorkMemory innerScope(inner);
      _mlir_memref_to_llvm_free(_mlir_memref_to_llvm_alloc(8));
      EXPECT_EQ(inner.requests(), 1u);
    }
    _mlir_memref_to_llvm_free(_mlir_memref_to_llvm_alloc(8));
    EXPECT_EQ(memory.requests(), 4u);
  }
  // The block still in use (90 bytes) is the pool's, freed with it.
  EXPECT_EQ(memory.bytesHeld(), 128u + 128u + 64u);
  void *after = _mlir_memref_to_llvm_alloc(8);
  EXPECT_NE(after, nullptr);
  _mlir_memref_to_llvm_free(after);
}

/// What a fake entry point got to before its request failed.
struct Trace {
  int reached = 0;
};

/// A fake entry point: holds a block, frees another, then asks for more
/// memory than any system has and writes to it, as generated code would.
void hungryEntry(void **args) {
  auto *trace = static_cast<Trace *>(args[0]);
  void *held = _mlir_memref_to_llvm_alloc(1 << 20);
  std::memset(held, 1, 1 << 20);
  _mlir_memref_to_llvm_free(_mlir_memref_to_llvm_aligned_alloc(64, 4096));
  trace->reached = 1;
  void *huge = _mlir_memref_to_llvm_alloc(SIZE_MAX / 2);
  std::memset(huge, 0, 64);
  trace->reached = 2;
}

void modestEntry(void **args) {
  auto *trace = static_cast<Trace *>(args[0]);
  void *p = _mlir_memref_to_llvm_aligned_alloc(64, 4096);
  std::memset(p, 0, 4096);
  _mlir_memref_to_llvm_free(p);
  trace->reached = 3;
}

TEST(WorkMemory, RunAbandonsACallWhoseRequestFails) {
  WorkMemory memory;
  ASSERT_TRUE(memory.reserve(4096));
  Trace trace;
  void *args[] = {&trace};
  {
    CurrentWorkMemory scope(memory);
    EXPECT_FALSE(scope.run(hungryEntry, args));
    EXPECT_EQ(trace.reached, 1);
    EXPECT_EQ(scope.failedRequest(), SIZE_MAX / 2);
    // The call's blocks are all back, and the system's returned: only the
    // reservation is held.
    EXPECT_EQ(memory.bytesHeld(), 4096u);
  }
  // The pool serves the next call as before, from the reservation.
  {
    CurrentWorkMemory scope(memory);
    EXPECT_TRUE(scope.run(modestEntry, args));
    EXPECT_EQ(trace.reached, 3);
    EXPECT_EQ(memory.requests(), 1u);
    EXPECT_EQ(memory.systemAllocations(), 0u);
  }
  EXPECT_EQ(memory.bytesHeld(), 4096u);
}

TEST(WorkMemory, FailedRequestsReturnNullOutsideRun) {
  // No entry call to abandon: the functions answer as malloc does.
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX / 2), nullptr);
  WorkMemory memory;
  CurrentWorkMemory scope(memory);
  EXPECT_EQ(_mlir_memref_to_llvm_alloc(SIZE_MAX / 2), nullptr);
  EXPECT_EQ(_mlir_memref_to_llvm_aligned_alloc(64, SIZE_MAX / 2), nullptr);
}

} // namespace
