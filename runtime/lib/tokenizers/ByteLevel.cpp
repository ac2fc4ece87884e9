//===- ByteLevel.cpp - GPT-2's byte-to-unicode map ------------------------===//

#include "runtime/lib/tokenizers/ByteLevel.h"

using namespace xfmr::tokenizers;

namespace {

bool printable(unsigned b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
         (b >= 0xAE && b <= 0xFF);
}

struct Tables {
  uint32_t toChar[256];
  int16_t fromChar[256 + 68];
  Tables() {
    // Printable bytes stand for themselves; the rest, in byte order, take
    // U+0100, U+0101, ... (bytes_to_unicode in GPT-2's encoder.py).
    unsigned next = 256;
    for (unsigned b = 0; b < 256; ++b)
      toChar[b] = printable(b) ? b : next++;
    for (int16_t &c : fromChar)
      c = -1;
    for (unsigned b = 0; b < 256; ++b)
      fromChar[toChar[b]] = static_cast<int16_t>(b);
  }
};

const Tables &tables() {
  static const Tables t;
  return t;
}

} // namespace

uint32_t xfmr::tokenizers::byteToChar(uint8_t b) { return tables().toChar[b]; }

int xfmr::tokenizers::charToByte(uint32_t cp) {
  return cp < 256 + 68 ? tables().fromChar[cp] : -1;
}
