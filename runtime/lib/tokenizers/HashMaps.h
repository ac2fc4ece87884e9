//===- HashMaps.h - flat hash maps for vocabularies and merges --*- C++ -*-===//
//
// Open-addressing maps tuned for the tokenizers' hot lookups: string keys
// looked up by string_view (std::unordered_map<std::string> would build a
// std::string per lookup in C++17), and BPE merges keyed by a pair of ids.
// Neither supports erasure; both are built once at load time (the BPE cache
// only grows, up to a bound).
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_HASHMAPS_H
#define XFMR_RUNTIME_TOKENIZERS_HASHMAPS_H

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

inline uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t hashBytes(const char *p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xBF58476D1CE4E5B9ull);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return mix64(h ^ w);
}

/// string → int32 value; keys are copied into an arena owned by the map.
class StringMap {
public:
  size_t size() const { return count; }

  /// The value of `key`, or -1.
  int32_t find(std::string_view key) const {
    if (slots.empty())
      return -1;
    uint64_t h = hashBytes(key.data(), key.size());
    uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot &s = slots[i];
      if (s.tag == 0)
        return -1;
      if (s.tag == tag && s.length == key.size() &&
          std::memcmp(arena.data() + s.offset, key.data(), key.size()) == 0)
        return s.value;
    }
  }

  /// Inserts `key` → `value`; returns false (and changes nothing) if the key
  /// is already present.
  bool insert(std::string_view key, int32_t value) {
    if ((count + 1) * 4 > slots.size() * 3)
      grow();
    uint64_t h = hashBytes(key.data(), key.size());
    uint32_t tag = static_cast<uint32_t>(h >> 32) | 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
      const Slot &s = slots[i];
      if (s.tag == 0)
        break;
      if (s.tag == tag && s.length == key.size() &&
          std::memcmp(arena.data() + s.offset, key.data(), key.size()) == 0)
        return false;
    }
    // The key first: if appending it throws (out of memory), no slot
    // points past the arena.
    uint64_t offset = arena.size();
    arena.append(key.data(), key.size());
    slots[i] = {tag, static_cast<uint32_t>(key.size()), offset, value};
    ++count;
    return true;
  }

  /// Bytes held (arena and slots), for bounding caches.
  size_t memoryUse() const {
    return arena.capacity() + slots.capacity() * sizeof(Slot);
  }

private:
  struct Slot {
    uint32_t tag = 0; // high hash bits | 1; 0 marks an empty slot
    uint32_t length = 0;
    uint64_t offset = 0;
    int32_t value = 0;
  };

  /// Doubles the table; if that throws (out of memory), the map is as it
  /// was.
  void grow() {
    size_t n = slots.empty() ? 64 : slots.size() * 2;
    std::vector<Slot> grown(n);
    for (const Slot &s : slots) {
      if (s.tag == 0)
        continue;
      uint64_t h = hashBytes(arena.data() + s.offset, s.length);
      size_t i = h & (n - 1);
      while (grown[i].tag != 0)
        i = (i + 1) & (n - 1);
      grown[i] = s;
    }
    slots.swap(grown);
    mask = n - 1;
  }

  std::vector<Slot> slots;
  std::string arena;
  size_t mask = 0;
  size_t count = 0;
};

/// (left id, right id) → (rank, merged id), for BPE merges.
class PairMap {
public:
  struct Value {
    int32_t rank;
    int32_t id;
  };

  size_t size() const { return count; }

  const Value *find(int32_t left, int32_t right) const {
    if (slots.empty())
      return nullptr;
    uint64_t key = makeKey(left, right);
    for (size_t i = mix64(key) & mask;; i = (i + 1) & mask) {
      const Slot &s = slots[i];
      if (!s.used)
        return nullptr;
      if (s.key == key)
        return &s.value;
    }
  }

  /// Returns false if the pair is already present.
  bool insert(int32_t left, int32_t right, Value value) {
    if ((count + 1) * 4 > slots.size() * 3)
      grow();
    uint64_t key = makeKey(left, right);
    size_t i = mix64(key) & mask;
    for (; slots[i].used; i = (i + 1) & mask)
      if (slots[i].key == key)
        return false;
    slots[i] = {key, value, true};
    ++count;
    return true;
  }

private:
  struct Slot {
    uint64_t key = 0;
    Value value = {0, 0};
    bool used = false;
  };

  static uint64_t makeKey(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }

  void grow() {
    std::vector<Slot> old = std::move(slots);
    size_t n = old.empty() ? 64 : old.size() * 2;
    slots.assign(n, Slot());
    mask = n - 1;
    for (const Slot &s : old) {
      if (!s.used)
        continue;
      size_t i = mix64(s.key) & mask;
      while (slots[i].used)
        i = (i + 1) & mask;
      slots[i] = s;
    }
  }

  std::vector<Slot> slots;
  size_t mask = 0;
  size_t count = 0;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_HASHMAPS_H
