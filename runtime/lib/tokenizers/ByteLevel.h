//===- ByteLevel.h - GPT-2's byte-to-unicode map ----------------*- C++ -*-===//
//
// Byte-level BPE works on bytes, but its vocabulary files hold text: GPT-2
// maps each byte to a printable code point (printable Latin-1 bytes to
// themselves, the others to U+0100 and up). Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_BYTELEVEL_H
#define XFMR_RUNTIME_TOKENIZERS_BYTELEVEL_H

#include <cstdint>

namespace xfmr::tokenizers {

/// The code point byte `b` is written as in a byte-level vocabulary.
uint32_t byteToChar(uint8_t b);

/// The byte written as code point `cp`, or -1 if `cp` stands for no byte.
int charToByte(uint32_t cp);

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_BYTELEVEL_H
