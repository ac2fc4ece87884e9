//===- WorkMemory.cpp - a context's pool of work memory -------------------===//
//
// The pool keeps every block it hands out in `blocks`, indexed by address
// (to take frees back) and chained by size class (to hand idle blocks out
// again). Its bookkeeping lives on malloc too, grown before a block is made,
// so a request either succeeds whole or returns NULL with nothing changed.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/WorkMemory.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// libomp's, linked into every model library; weak so that the runtime links
// without it (its unit tests), where no code runs in parallel regions.
extern "C" __attribute__((weak)) int omp_get_level(void);

using namespace xfmr::runtime;

namespace {

/// The context whose pool serves this thread's entry call, if one runs.
thread_local WorkMemory *current = nullptr;
/// The entry call CurrentWorkMemory::run() makes on this thread, if any:
/// where a request of generated code that cannot be served jumps to.
thread_local CurrentWorkMemory *running = nullptr;

bool isPowerOfTwo(size_t x) { return x && !(x & (x - 1)); }

/// posix_memalign rather than aligned_alloc: C11's aligned_alloc wants a
/// size that is a multiple of the alignment, which MLIR does not promise.
void *systemAllocate(size_t size, size_t alignment) {
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  void *ptr = nullptr;
  if (posix_memalign(&ptr, alignment, size ? size : 1) != 0)
    return nullptr;
  return ptr;
}

size_t slotOf(uint64_t key, size_t capacity) {
  // Fibonacci hashing: block addresses share their low bits.
  return static_cast<size_t>((key * 0x9e3779b97f4a7c15ull) >> 32) &
         (capacity - 1);
}

} // namespace

//===----------------------------------------------------------------------===//
// KeyTable
//===----------------------------------------------------------------------===//

KeyTable::~KeyTable() { std::free(slots); }

uint32_t *KeyTable::find(uint64_t key) {
  if (!capacity)
    return nullptr;
  for (size_t i = slotOf(key, capacity);; i = (i + 1) & (capacity - 1)) {
    if (!slots[i].used)
      return nullptr;
    if (slots[i].key == key)
      return &slots[i].value;
  }
}

bool KeyTable::reserveOne() {
  // At most half full, so probes stay short and always end.
  if (2 * (count + 1) <= capacity)
    return true;
  size_t grown = capacity ? 2 * capacity : 16;
  auto *fresh = static_cast<Slot *>(std::calloc(grown, sizeof(Slot)));
  if (!fresh)
    return false;
  Slot *old = slots;
  size_t oldCapacity = capacity;
  slots = fresh;
  capacity = grown;
  count = 0;
  for (size_t i = 0; i < oldCapacity; ++i)
    if (old[i].used)
      insert(old[i].key, old[i].value);
  std::free(old);
  return true;
}

void KeyTable::insert(uint64_t key, uint32_t value) {
  size_t i = slotOf(key, capacity);
  while (slots[i].used)
    i = (i + 1) & (capacity - 1);
  slots[i] = Slot{key, value, true};
  ++count;
}

void KeyTable::clear() {
  if (slots)
    std::memset(slots, 0, capacity * sizeof(Slot));
  count = 0;
}

//===----------------------------------------------------------------------===//
// WorkMemory
//===----------------------------------------------------------------------===//

WorkMemory::~WorkMemory() {
  for (uint32_t i = 0; i < count; ++i)
    if (!blocks[i].reserved)
      freeSystemBlock(blocks[i].ptr, size_t(1) << blocks[i].alignLog2);
  std::free(blocks);
  if (reservation)
    freeSystemBlock(reservation, kGranule);
}

void *WorkMemory::systemBlock(size_t size, size_t alignment) {
  return source ? source->allocate(size, alignment)
                : systemAllocate(size, alignment);
}

void WorkMemory::freeSystemBlock(void *ptr, size_t alignment) {
  if (source)
    source->release(ptr, alignment);
  else
    std::free(ptr);
}

bool WorkMemory::reserve(size_t bytes) {
  if (bytes == 0 || reservation)
    return true;
  if (bytes > SIZE_MAX - (kGranule - 1))
    return false;
  size_t rounded = (bytes + kGranule - 1) & ~(kGranule - 1);
  reservation = static_cast<char *>(systemBlock(rounded, kGranule));
  if (!reservation)
    return false;
  reservationSize = rounded;
  return true;
}

void *WorkMemory::carveReserved(size_t size, size_t alignment) {
  if (!reservation || alignment > reservationSize)
    return nullptr;
  uintptr_t base = reinterpret_cast<uintptr_t>(reservation);
  uintptr_t start = (base + reservationUsed + alignment - 1) &
                    ~static_cast<uintptr_t>(alignment - 1);
  size_t offset = start - base;
  if (offset > reservationSize || size > reservationSize - offset)
    return nullptr;
  reservationUsed = offset + size;
  return reinterpret_cast<void *>(start);
}

void *WorkMemory::allocate(size_t size, size_t alignment) {
  ++requestCount;
  if (!isPowerOfTwo(alignment) || size > SIZE_MAX - (kGranule - 1))
    return nullptr;
  if (alignment < kGranule)
    alignment = kGranule;
  size_t rounded = size ? (size + kGranule - 1) & ~(kGranule - 1) : kGranule;
  unsigned alignLog2 = static_cast<unsigned>(__builtin_ctzll(alignment));
  uint64_t key = classKey(rounded, alignLog2);

  uint32_t index;
  uint32_t *head = idleHead.find(key);
  if (head && *head != kNone) {
    index = *head;
    *head = blocks[index].nextIdle;
    if (!blocks[index].reserved)
      idleBytes -= rounded;
    if (blocks[index].lastCall != call)
      callBytes += rounded;
  } else {
    // A new block. Room for it in every index first, so that nothing can
    // fail once the memory is taken.
    if (count == capacity) {
      uint32_t grown = capacity ? 2 * capacity : 16;
      if (capacity >= (1u << 30))
        return nullptr;
      auto *more =
          static_cast<Block *>(std::realloc(blocks, grown * sizeof(Block)));
      if (!more)
        return nullptr;
      blocks = more;
      capacity = grown;
    }
    if (!byPointer.reserveOne() || (!head && !idleHead.reserveOne()))
      return nullptr;
    bool reserved = true;
    void *ptr = carveReserved(rounded, alignment);
    if (!ptr) {
      reserved = false;
      ptr = systemBlock(rounded, alignment);
      if (!ptr)
        return nullptr;
      ++systemCount;
      held += rounded;
    }
    if (!head)
      idleHead.insert(key, kNone);
    index = count++;
    blocks[index] =
        Block{ptr,   rounded, call, kNone, static_cast<uint8_t>(alignLog2),
              false, reserved};
    byPointer.insert(reinterpret_cast<uintptr_t>(ptr), index);
    callBytes += rounded;
  }
  Block &block = blocks[index];
  block.inUse = true;
  block.lastCall = call;
  block.nextIdle = kNone;
  return block.ptr;
}

bool WorkMemory::release(void *ptr) {
  uint32_t *found = byPointer.find(reinterpret_cast<uintptr_t>(ptr));
  if (!found)
    return false;
  uint32_t index = *found;
  Block &block = blocks[index];
  // A second free of the same block would chain it twice and hand it out
  // to two owners; ignore it instead.
  if (!block.inUse)
    return true;
  uint32_t *head = idleHead.find(classKey(block.size, block.alignLog2));
  block.inUse = false;
  block.lastCall = call;
  block.nextIdle = *head;
  *head = index;
  if (!block.reserved)
    idleBytes += block.size;
  return true;
}

void WorkMemory::beginCall() {
  ++call;
  requestCount = 0;
  systemCount = 0;
  callBytes = 0;
}

void WorkMemory::endCall() {
  if (callBytes > largestCallBytes)
    largestCallBytes = callBytes;
  // Keep what a repeated shape needs; drop blocks of shapes gone by once
  // they pile up (many sequence lengths would otherwise each keep a set).
  if (idleBytes > 2 * largestCallBytes)
    trim(/*all=*/false);
}

void WorkMemory::abandonCall() {
  for (uint32_t i = 0; i < count; ++i)
    if (blocks[i].inUse)
      release(blocks[i].ptr);
  // The failed call's working set is no guide to the next call's, and the
  // system is short of memory: keep only the reservation.
  callBytes = 0;
  trim(/*all=*/true);
}

void WorkMemory::trim(bool all) {
  auto freeable = [this, all](const Block &b) {
    return !b.inUse && !b.reserved && (all || b.lastCall != call);
  };
  // Freeable blocks first, least recently used first; std::sort works in
  // place, so trimming needs no memory.
  std::sort(blocks, blocks + count, [&](const Block &a, const Block &b) {
    bool fa = freeable(a), fb = freeable(b);
    return fa != fb ? fa : a.lastCall < b.lastCall;
  });
  uint32_t dropped = 0;
  for (; dropped < count && freeable(blocks[dropped]) &&
         (all || idleBytes > 2 * largestCallBytes);
       ++dropped) {
    freeSystemBlock(blocks[dropped].ptr, size_t(1)
                                             << blocks[dropped].alignLog2);
    held -= blocks[dropped].size;
    idleBytes -= blocks[dropped].size;
  }
  count -= dropped;
  std::memmove(blocks, blocks + dropped, count * sizeof(Block));
  // Rebuild both indexes for the new order; they hold no more keys than
  // before, so this needs no memory either.
  byPointer.clear();
  idleHead.clear();
  for (uint32_t i = 0; i < count; ++i) {
    Block &block = blocks[i];
    byPointer.insert(reinterpret_cast<uintptr_t>(block.ptr), i);
    uint64_t key = classKey(block.size, block.alignLog2);
    uint32_t *head = idleHead.find(key);
    if (!head) {
      idleHead.insert(key, kNone);
      head = idleHead.find(key);
    }
    if (!block.inUse) {
      block.nextIdle = *head;
      *head = i;
    }
  }
}

WorkMemory *xfmr::runtime::currentWorkMemory() { return current; }

CurrentWorkMemory::CurrentWorkMemory(WorkMemory &memory)
    : memory(memory), previous(current) {
  memory.beginCall();
  current = &memory;
}

CurrentWorkMemory::~CurrentWorkMemory() {
  current = previous;
  memory.endCall();
}

bool CurrentWorkMemory::run(void (*entry)(void **), void **args) {
  CurrentWorkMemory *outer = running;
  if (setjmp(target)) {
    // Back from escape(): the generated code's frames are gone, and with
    // them every pointer to the blocks it held.
    running = outer;
    memory.abandonCall();
    return false;
  }
  running = this;
  entry(args);
  running = outer;
  return true;
}

void CurrentWorkMemory::escape(size_t size) {
  failedSize = size;
  std::longjmp(target, 1);
}

//===----------------------------------------------------------------------===//
// The allocation functions of generated code
//===----------------------------------------------------------------------===//

namespace {

/// What to do when a request of generated code failed (`ptr` is NULL) or
/// not: the generated code would write through NULL, so a failure escapes
/// to run() where that is sound and ends the process where it is not.
void *checked(void *ptr, size_t size) {
  if (ptr)
    return ptr;
  // In a parallel region (on any thread of the team, the entering one
  // included) a jump would leave libomp's team half-finished.
  if (omp_get_level && omp_get_level() > 0) {
    std::fprintf(stderr,
                 "xfmr: out of memory: the model's code could not allocate "
                 "%zu bytes inside a parallel region, where the call cannot "
                 "be abandoned; aborting\n",
                 size);
    std::abort();
  }
  if (CurrentWorkMemory *scope = running)
    scope->escape(size);
  return nullptr;
}

} // namespace

void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (WorkMemory *memory = current)
    return checked(memory->allocate(size, WorkMemory::kGranule), size);
  return checked(std::malloc(size), size);
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  if (WorkMemory *memory = current)
    return checked(memory->allocate(size, alignment), size);
  return checked(isPowerOfTwo(alignment) ? systemAllocate(size, alignment)
                                         : nullptr,
                 size);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  // Memory from outside the pool (taken before the call, or by code that
  // ran with no context current) goes back where it came from.
  if (WorkMemory *memory = current; memory && memory->release(ptr))
    return;
  std::free(ptr);
}
