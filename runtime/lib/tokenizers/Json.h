//===- Json.h - strict JSON for tokenizer files -----------------*- C++ -*-===//
//
// tokenizer.json and vocab.json are read into nlohmann::json through its SAX
// interface, so that what the DOM parser would let pass silently is refused:
// a duplicate key (the DOM keeps one of the two values), nesting deep enough
// to exhaust the stack, and a NUL byte (the lexer takes it for the end).
// Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_JSON_H
#define XFMR_RUNTIME_TOKENIZERS_JSON_H

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace xfmr::tokenizers {

/// Parses `text` into `out`; on failure returns false with a one-line
/// message in `error`.
bool parseJson(std::string_view text, nlohmann::json &out, std::string &error);

/// Empties every container of `value`, innermost first, without allocating.
/// nlohmann::json's destructor allocates (a vector of the children it
/// flattens, sized by the container), and a throw from a destructor ends the
/// process; a container whose children are all scalars or empty frees
/// without one.
void dismantle(nlohmann::json &value) noexcept;

/// A parsed document that dismantle()s itself when destroyed, so that it is
/// safe to drop when memory has run out (guard() in Status.h unwinds past
/// it on std::bad_alloc).
class JsonDocument {
public:
  JsonDocument() = default;
  JsonDocument(const JsonDocument &) = delete;
  JsonDocument &operator=(const JsonDocument &) = delete;
  ~JsonDocument() { dismantle(root); }

  nlohmann::json root;
};

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_JSON_H
