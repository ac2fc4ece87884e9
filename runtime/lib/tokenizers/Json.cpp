//===- Json.cpp - strict JSON for tokenizer files -------------------------===//

#include "runtime/lib/tokenizers/Json.h"

#include <cstring>
#include <vector>

using json = nlohmann::json;
using namespace xfmr::tokenizers;

namespace {

/// Builds the DOM from SAX events. Containers are filled in place, and a
/// pointer to an open container stays valid because nothing is added to its
/// parent until it closes.
class DomBuilder {
public:
  static constexpr size_t kMaxDepth = 64;

  explicit DomBuilder(json &root) : root(root) {}

  std::string error;

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t &) {
    return add(json(v));
  }
  bool string(json::string_t &v) { return add(json(std::move(v))); }
  bool binary(json::binary_t &) { return fail("binary data is not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t &name) {
    json &top = *stack.back();
    if (top.contains(name))
      return fail("duplicate key \"" + name.substr(0, 64) + "\"");
    pendingKey = std::move(name);
    return true;
  }

  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &) {
    return fail("not valid JSON (syntax error at byte " +
                std::to_string(position) + ")");
  }

private:
  bool fail(std::string message) {
    if (error.empty())
      error = std::move(message);
    return false;
  }

  json *insert(json value) {
    if (stack.empty()) {
      root = std::move(value);
      return &root;
    }
    json &top = *stack.back();
    if (top.is_array()) {
      top.push_back(std::move(value));
      return &top.back();
    }
    auto &object = top.get_ref<json::object_t &>();
    auto it = object.emplace(std::move(pendingKey), std::move(value)).first;
    return &it->second;
  }

  bool add(json value) {
    insert(std::move(value));
    return true;
  }

  bool open(json value) {
    if (stack.size() >= kMaxDepth)
      return fail("JSON nested deeper than " + std::to_string(kMaxDepth) +
                  " levels");
    stack.push_back(insert(std::move(value)));
    return true;
  }

  bool close() {
    stack.pop_back();
    return true;
  }

  json &root;
  std::vector<json *> stack;
  std::string pendingKey;
};

} // namespace

bool xfmr::tokenizers::parseJson(std::string_view text, json &out,
                                 std::string &error) {
  if (const void *nul = std::memchr(text.data(), 0, text.size())) {
    error = "not valid JSON (NUL byte at offset " +
            std::to_string(static_cast<const char *>(nul) - text.data()) + ")";
    return false;
  }
  out = json();
  DomBuilder builder(out);
  if (!json::sax_parse(text.begin(), text.end(), &builder,
                       json::input_format_t::json, /*strict=*/true)) {
    error = builder.error.empty() ? "not valid JSON" : builder.error;
    return false;
  }
  return true;
}

void xfmr::tokenizers::dismantle(json &value) noexcept {
  // Depth is bounded by DomBuilder::kMaxDepth.
  if (value.is_array()) {
    auto &array = value.get_ref<json::array_t &>();
    for (json &element : array)
      dismantle(element);
    array.clear();
  } else if (value.is_object()) {
    auto &object = value.get_ref<json::object_t &>();
    for (auto &member : object)
      dismantle(member.second);
    object.clear();
  }
}
