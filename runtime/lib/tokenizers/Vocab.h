//===- Vocab.h - token strings and ids --------------------------*- C++ -*-===//
//
// Every token a tokenizer knows (its model's vocabulary and its added tokens)
// by string and by id. Built once by a loader, read-only afterwards.
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_VOCAB_H
#define XFMR_RUNTIME_TOKENIZERS_VOCAB_H

#include "runtime/lib/tokenizers/HashMaps.h"
#include "runtime/lib/tokenizers/Unicode.h"

#include <string>
#include <string_view>
#include <vector>

namespace xfmr::tokenizers {

class Vocab {
public:
  /// Makes ids [0, n) valid; each must then be given a token by add().
  void resize(size_t n) {
    tokens.resize(n);
    has.resize(n, false);
  }

  /// Drops ids from `n` on; they must have no token yet.
  void shrink(size_t n) {
    if (n < tokens.size()) {
      tokens.resize(n);
      has.resize(n);
    }
  }

  /// Gives `id` the string `token`. Fails with a message naming the problem
  /// if the id is outside [0, size()) or already has a token, if the token
  /// already has an id, or if it is not valid UTF-8.
  bool add(std::string_view token, int64_t id, std::string &error) {
    if (id < 0 || static_cast<uint64_t>(id) >= tokens.size()) {
      error = "id " + std::to_string(id) + " of token '" + printable(token) +
              "' is outside [0, " + std::to_string(tokens.size()) + ")";
      return false;
    }
    if (!isValidUtf8(token)) {
      error = "token " + std::to_string(id) + " is not valid UTF-8";
      return false;
    }
    if (token.find('\0') != std::string_view::npos) {
      error = "token " + std::to_string(id) + " holds a NUL character";
      return false;
    }
    if (has[id]) {
      error = "id " + std::to_string(id) + " is given to both '" +
              printable(tokens[id]) + "' and '" + printable(token) + "'";
      return false;
    }
    if (!byString.insert(token, static_cast<int32_t>(id))) {
      error = "token '" + printable(token) + "' appears twice";
      return false;
    }
    tokens[id].assign(token.data(), token.size());
    has[id] = true;
    return true;
  }

  /// The id of `token`, or -1.
  int32_t find(std::string_view token) const { return byString.find(token); }

  /// The string of `id`, or nullptr when the id is out of range or unused.
  const std::string *token(int64_t id) const {
    if (id < 0 || static_cast<uint64_t>(id) >= tokens.size() || !has[id])
      return nullptr;
    return &tokens[id];
  }

  /// One more than the largest id.
  size_t size() const { return tokens.size(); }

  /// The first id in [0, size()) without a token, or size().
  size_t firstHole() const {
    for (size_t i = 0; i < has.size(); ++i)
      if (!has[i])
        return i;
    return has.size();
  }

  /// `text` shortened and with control bytes escaped, for messages.
  static std::string printable(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size() && i < 64; ++i) {
      unsigned char c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7F) {
        static const char *hex = "0123456789abcdef";
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    if (text.size() > 64)
      out += "...";
    return out;
  }

private:
  StringMap byString;
  std::vector<std::string> tokens;
  std::vector<bool> has;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_VOCAB_H
