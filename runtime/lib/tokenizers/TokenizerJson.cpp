//===- TokenizerJson.cpp - Hugging Face tokenizer.json --------------------===//
//
// Reads the components xfmr implements and refuses the rest by name, so a
// tokenizer is either reproduced exactly or not loaded at all:
//   normalizer      null, BertNormalizer, Prepend, Replace (a String), and a
//                   Sequence of them
//   pre_tokenizer   null, BertPreTokenizer, ByteLevel (last), Metaspace,
//                   Split (the GPT-2 or GPT-4 regex, Isolated), a Sequence
//   model           WordPiece, BPE (byte_fallback, fuse_unk, ignore_merges)
//   post_processor  null, BertProcessing, TemplateProcessing, ByteLevel, a
//                   Sequence of ByteLevel and at most one of the other two
//   decoder         null, WordPiece, ByteLevel, Replace (a String),
//                   ByteFallback, Fuse, Strip, Metaspace, a Sequence
// plus added_tokens and the pad id of the padding section. The components
// Llama 2 and 3 brought (the SentencePiece ones and Split) must hold only
// the members tokenizers defines for them.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/tokenizers/Json.h"
#include "runtime/lib/tokenizers/Loaders.h"

#include <algorithm>

using json = nlohmann::json;
using namespace xfmr::tokenizers;

namespace {

/// Typed access to the DOM; the first problem wins, later calls are no-ops.
struct Reader {
  std::string error;
  xfmr_status status = XFMR_OK;

  bool fail(const std::string &message, xfmr_status code = XFMR_ERROR_FORMAT) {
    if (status == XFMR_OK) {
      error = message;
      status = code;
    }
    return false;
  }

  /// The member `name` of `object` (nullptr when absent or null).
  const json *member(const json &object, const char *name) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null())
      return nullptr;
    return &*it;
  }

  bool getBool(const json &object, const char *where, const char *name,
               bool &out) {
    const json *v = member(object, name);
    if (!v)
      return true; // keep the default
    if (!v->is_boolean())
      return fail(std::string(where) + "." + name + " must be a boolean");
    out = v->get<bool>();
    return true;
  }

  bool getString(const json &object, const char *where, const char *name,
                 std::string &out, bool required) {
    const json *v = member(object, name);
    if (!v) {
      if (required)
        return fail(std::string(where) + "." + name + " is missing");
      return true;
    }
    if (!v->is_string())
      return fail(std::string(where) + "." + name + " must be a string");
    out = v->get_ref<const std::string &>();
    return true;
  }

  bool getInt(const json &v, const std::string &where, int64_t &out) {
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() &&
         v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)))
      return fail(where + " must be an integer");
    out = v.get<int64_t>();
    return true;
  }

  /// The "type" of a component, or "" with an error.
  std::string type(const json &component, const char *where) {
    if (!component.is_object()) {
      fail(std::string(where) + " must be an object or null");
      return "";
    }
    std::string t;
    if (!getString(component, where, "type", t, /*required=*/true))
      return "";
    return t;
  }

  /// Refuses a member of `object` not in `known`, by name: a setting the
  /// runtime does not read would tokenize differently.
  bool onlyKnown(const json &object, const std::string &where,
                 std::initializer_list<const char *> known) {
    for (auto it = object.begin(); it != object.end(); ++it)
      if (std::none_of(known.begin(), known.end(),
                       [&](const char *k) { return it.key() == k; }))
        return fail(where + "." + Vocab::printable(it.key()) +
                        " is not supported",
                    XFMR_ERROR_UNSUPPORTED);
    return true;
  }

  /// A one-character string member (Metaspace's replacement, Strip's
  /// content), `fallback` when absent.
  bool getChar(const json &object, const std::string &where, const char *name,
               std::string &out, const char *fallback) {
    out = fallback;
    if (!getString(object, where.c_str(), name, out, false))
      return false;
    if (out.empty() || utf8Length(static_cast<uint8_t>(out[0])) != out.size())
      return fail(where + "." + name + " must be one character");
    return true;
  }

  /// A `pattern` of Replace: {"String": s} (non-empty); a Regex is refused.
  bool getPattern(const json &object, const std::string &where,
                  std::string &out) {
    const json *p = member(object, "pattern");
    if (!p || !p->is_object() || p->size() != 1)
      return fail(where + ".pattern must be {\"String\": ...}");
    if (p->begin().key() != "String")
      return fail(where + ".pattern." + Vocab::printable(p->begin().key()) +
                      " is not supported (supported: String)",
                  XFMR_ERROR_UNSUPPORTED);
    if (!getString(*p, (where + ".pattern").c_str(), "String", out, true))
      return false;
    if (out.empty())
      return fail(where + ".pattern.String must not be empty");
    return true;
  }

  /// Metaspace's prepend_scheme; older files say add_prefix_space instead.
  bool getPrependScheme(const json &object, const std::string &where,
                        PreTokenizerStep::Prepend &out) {
    bool addPrefixSpace = true;
    std::string scheme;
    if (!getBool(object, where.c_str(), "add_prefix_space", addPrefixSpace) ||
        !getString(object, where.c_str(), "prepend_scheme", scheme, false))
      return false;
    out = addPrefixSpace ? PreTokenizerStep::Prepend::Always
                         : PreTokenizerStep::Prepend::Never;
    if (scheme.empty())
      return true;
    if (scheme == "first")
      out = PreTokenizerStep::Prepend::First;
    else if (scheme == "always")
      out = PreTokenizerStep::Prepend::Always;
    else if (scheme == "never")
      out = PreTokenizerStep::Prepend::Never;
    else
      return fail(where + ".prepend_scheme '" + Vocab::printable(scheme) +
                      "' is not supported (supported: first, always, never)",
                  XFMR_ERROR_UNSUPPORTED);
    return true;
  }

  bool unsupported(const char *where, const std::string &type) {
    return fail(std::string(where) + " of type '" + type +
                    "' is not supported (supported: see docs)",
                XFMR_ERROR_UNSUPPORTED);
  }
};

/// Reads component `c` with `one(c, where, type)`, or, for a Sequence, each
/// element of its `list` (nested Sequences too) in order, the order in which
/// tokenizers applies them.
template <typename Fn>
bool readChain(Reader &r, const json &c, const std::string &where,
               const char *list, Fn &&one) {
  std::string type = r.type(c, where.c_str());
  if (type.empty())
    return false;
  if (type != "Sequence")
    return one(c, where, type);
  const json *elements = r.member(c, list);
  if (!elements || !elements->is_array())
    return r.fail(where + "." + list + " must be an array");
  for (size_t i = 0; i < elements->size(); ++i)
    if (!readChain(r, (*elements)[i],
                   where + "." + list + "[" + std::to_string(i) + "]", list,
                   one))
      return false;
  return true;
}

bool readNormalizer(Reader &r, const json &n, const std::string &where,
                    const std::string &type, Tokenizer &t) {
  NormalizerStep step;
  const char *w = where.c_str();
  if (type == "BertNormalizer") {
    BertNormalizer &b = step.bert;
    if (!r.getBool(n, w, "clean_text", b.cleanText) ||
        !r.getBool(n, w, "handle_chinese_chars", b.handleChineseChars) ||
        !r.getBool(n, w, "lowercase", b.lowercase))
      return false;
    // strip_accents: null means "as lowercase".
    b.stripAccents = b.lowercase;
    if (!r.getBool(n, w, "strip_accents", b.stripAccents))
      return false;
  } else if (type == "Prepend") {
    step.kind = NormalizerStep::Kind::Prepend;
    if (!r.onlyKnown(n, where, {"type", "prepend"}) ||
        !r.getString(n, w, "prepend", step.text, true))
      return false;
  } else if (type == "Replace") {
    step.kind = NormalizerStep::Kind::Replace;
    if (!r.onlyKnown(n, where, {"type", "pattern", "content"}) ||
        !r.getPattern(n, where, step.text) ||
        !r.getString(n, w, "content", step.content, true))
      return false;
  } else {
    return r.unsupported(w, type);
  }
  t.normalizer.steps.push_back(std::move(step));
  return true;
}

bool readPreTokenizer(Reader &r, const json &p, const std::string &where,
                      const std::string &type, Tokenizer &t) {
  // The ByteLevel pre-tokenizer hands the model GPT-2's characters for
  // bytes; nothing after it would see the text.
  if (!t.preTokenizers.empty() &&
      t.preTokenizers.back().kind == PreTokenizerStep::Kind::ByteLevel)
    return r.fail(where + ": a pre-tokenizer after ByteLevel is not supported",
                  XFMR_ERROR_UNSUPPORTED);
  PreTokenizerStep step;
  const char *w = where.c_str();
  if (type == "BertPreTokenizer") {
    step.kind = PreTokenizerStep::Kind::Bert;
  } else if (type == "ByteLevel") {
    step.kind = PreTokenizerStep::Kind::ByteLevel;
    if (!r.getBool(p, w, "add_prefix_space", step.addPrefixSpace) ||
        !r.getBool(p, w, "use_regex", step.useRegex))
      return false;
  } else if (type == "Metaspace") {
    step.kind = PreTokenizerStep::Kind::Metaspace;
    if (!r.onlyKnown(p, where,
                     {"type", "replacement", "prepend_scheme", "split",
                      "add_prefix_space", "str_rep"}) ||
        !r.getChar(p, where, "replacement", step.replacement, "\xE2\x96\x81") ||
        !r.getPrependScheme(p, where, step.prepend) ||
        !r.getBool(p, w, "split", step.split))
      return false;
  } else if (type == "Split") {
    step.kind = PreTokenizerStep::Kind::Split;
    if (!r.onlyKnown(p, where, {"type", "pattern", "behavior", "invert"}))
      return false;
    const json *pattern = r.member(p, "pattern");
    if (!pattern || !pattern->is_object() || pattern->size() != 1 ||
        !pattern->begin()->is_string())
      return r.fail(where + ".pattern must be {\"Regex\": ...}");
    const std::string &regex = pattern->begin()->get_ref<const std::string &>();
    if (pattern->begin().key() == "Regex")
      step.splitFn = splitForPattern(regex);
    if (!step.splitFn)
      return r.fail(where + ".pattern " +
                        Vocab::printable(pattern->begin().key()) + " '" +
                        Vocab::printable(regex) +
                        "' is not supported (supported: the GPT-2 and "
                        "GPT-4/Llama 3 regular expressions)",
                    XFMR_ERROR_UNSUPPORTED);
    std::string behavior;
    bool invert = false;
    if (!r.getString(p, w, "behavior", behavior, true) ||
        !r.getBool(p, w, "invert", invert))
      return false;
    if (behavior != "Isolated")
      return r.fail(where + ".behavior '" + Vocab::printable(behavior) +
                        "' is not supported (supported: Isolated)",
                    XFMR_ERROR_UNSUPPORTED);
    if (invert)
      return r.fail(where + ".invert is not supported", XFMR_ERROR_UNSUPPORTED);
  } else {
    return r.unsupported(w, type);
  }
  t.preTokenizers.push_back(std::move(step));
  return true;
}

/// model.vocab: {token: id}, ids exactly [0, size).
bool readVocab(Reader &r, const json &model, size_t extra, Tokenizer &t) {
  const json *vocab = r.member(model, "vocab");
  if (!vocab || !vocab->is_object())
    return r.fail("model.vocab must be an object of token: id");
  if (vocab->size() > (size_t(1) << 24))
    return r.fail("model.vocab has more than 2^24 tokens");
  // Added tokens may extend the id range past the model's vocabulary.
  t.vocab.resize(vocab->size() + extra);
  std::string why;
  for (auto it = vocab->begin(); it != vocab->end(); ++it) {
    int64_t id = 0;
    if (!r.getInt(it.value(),
                  "model.vocab['" + Vocab::printable(it.key()) + "']", id))
      return false;
    if (id >= static_cast<int64_t>(vocab->size()))
      return r.fail("model.vocab: id " + std::to_string(id) + " of '" +
                    Vocab::printable(it.key()) + "' is outside [0, " +
                    std::to_string(vocab->size()) + ")");
    if (!t.vocab.add(it.key(), id, why))
      return r.fail("model.vocab: " + why);
  }
  return true;
}

bool readModel(Reader &r, const json &m, size_t extra, Tokenizer &t) {
  std::string type = r.type(m, "model");
  if (type.empty())
    return false;
  if (type != "WordPiece" && type != "BPE")
    return r.unsupported("model", type);
  if (!readVocab(r, m, extra, t))
    return false;
  std::string unk;
  if (!r.getString(m, "model", "unk_token", unk, /*required=*/false))
    return false;
  int32_t unkId = -1;
  if (!unk.empty()) {
    unkId = t.vocab.find(unk);
    if (unkId < 0)
      return r.fail("model.unk_token '" + Vocab::printable(unk) +
                    "' is not in the vocabulary");
  }

  if (type == "WordPiece") {
    t.modelKind = Tokenizer::ModelKind::WordPiece;
    if (unkId < 0)
      return r.fail("model.unk_token is missing (WordPiece needs one)");
    t.wordPiece.unkId = unkId;
    if (!r.getString(m, "model", "continuing_subword_prefix",
                     t.wordPiece.continuingPrefix, false))
      return false;
    if (const json *max = r.member(m, "max_input_chars_per_word")) {
      int64_t n = 0;
      if (!r.getInt(*max, "model.max_input_chars_per_word", n))
        return false;
      if (n < 0)
        return r.fail("model.max_input_chars_per_word must not be negative");
      t.wordPiece.maxInputCharsPerWord = static_cast<size_t>(n);
    }
    return true;
  }

  t.modelKind = Tokenizer::ModelKind::Bpe;
  BpeModel &bpe = t.bpe;
  bpe.unkId = unkId;
  if (!r.getBool(m, "model", "fuse_unk", bpe.fuseUnk) ||
      !r.getBool(m, "model", "byte_fallback", bpe.byteFallback) ||
      !r.getBool(m, "model", "ignore_merges", bpe.ignoreMerges))
    return false;
  if (const json *dropout = r.member(m, "dropout")) {
    if (!dropout->is_number() || dropout->get<double>() != 0.0)
      return r.fail("model.dropout is a training option; it must be null",
                    XFMR_ERROR_UNSUPPORTED);
  }
  for (const char *name : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    std::string affix;
    if (!r.getString(m, "model", name, affix, false))
      return false;
    if (!affix.empty())
      return r.fail(std::string("model.") + name + " is not supported",
                    XFMR_ERROR_UNSUPPORTED);
  }
  const json *merges = r.member(m, "merges");
  if (!merges || !merges->is_array())
    return r.fail("model.merges must be an array");
  std::string why;
  int32_t rank = 0;
  for (const json &merge : *merges) {
    std::string where = "model.merges[" + std::to_string(rank) + "]";
    std::string left, right;
    // Two spellings: "a b" (older files) and ["a", "b"].
    if (merge.is_string()) {
      const std::string &s = merge.get_ref<const std::string &>();
      size_t space = s.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 == s.size() ||
          s.find(' ', space + 1) != std::string::npos)
        return r.fail(where + ": expected two tokens separated by one space");
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      return r.fail(where + ": expected \"a b\" or [\"a\", \"b\"]");
    }
    if (!bpe.addMerge(t.vocab, left, right, rank++, why))
      return r.fail("model.merges: " + why);
  }
  return true;
}

bool readAddedTokens(Reader &r, const json &list, size_t modelSize,
                     Tokenizer &t) {
  std::string why;
  size_t end = modelSize;
  for (size_t i = 0; i < list.size(); ++i) {
    const json &a = list[i];
    std::string where = "added_tokens[" + std::to_string(i) + "]";
    if (!a.is_object())
      return r.fail(where + " must be an object");
    AddedToken token;
    int64_t id = 0;
    const json *idField = r.member(a, "id");
    if (!idField)
      return r.fail(where + ".id is missing");
    if (!r.getInt(*idField, where + ".id", id) ||
        !r.getString(a, where.c_str(), "content", token.content, true) ||
        !r.getBool(a, where.c_str(), "single_word", token.singleWord) ||
        !r.getBool(a, where.c_str(), "lstrip", token.lstrip) ||
        !r.getBool(a, where.c_str(), "rstrip", token.rstrip) ||
        !r.getBool(a, where.c_str(), "normalized", token.normalized) ||
        !r.getBool(a, where.c_str(), "special", token.special))
      return false;
    if (id < 0 || static_cast<size_t>(id) >= t.vocab.size())
      return r.fail(where + ": id " + std::to_string(id) + " is outside [0, " +
                    std::to_string(t.vocab.size()) + ")");
    if (static_cast<size_t>(id) < modelSize) {
      // An id of the model: the token must be the model's.
      const std::string *existing = t.vocab.token(id);
      if (!existing || *existing != token.content)
        return r.fail(where + ": id " + std::to_string(id) + " is '" +
                      Vocab::printable(existing ? *existing : "") +
                      "' in the model vocabulary, not '" +
                      Vocab::printable(token.content) + "'");
    } else {
      int32_t other = t.vocab.find(token.content);
      if (other >= 0 && other != id)
        return r.fail(where + ": '" + Vocab::printable(token.content) +
                      "' already has id " + std::to_string(other));
      if (other < 0 && !t.vocab.add(token.content, id, why))
        return r.fail(where + ": " + why);
    }
    token.id = static_cast<int32_t>(id);
    t.addedTokens.push_back(std::move(token));
    end = std::max(end, static_cast<size_t>(id) + 1);
  }
  t.vocab.shrink(end);
  size_t hole = t.vocab.firstHole();
  if (hole != t.vocab.size())
    return r.fail("no token has id " + std::to_string(hole) +
                  " (ids must be consecutive)");
  return true;
}

/// ["[SEP]", 102] of BertProcessing.
bool readTokenAndId(Reader &r, const json &p, const char *name,
                    const Tokenizer &t, int32_t &id) {
  const json *v = r.member(p, name);
  if (!v || !v->is_array() || v->size() != 2 || !(*v)[0].is_string())
    return r.fail(std::string("post_processor.") + name +
                  " must be [token, id]");
  int64_t n = 0;
  if (!r.getInt((*v)[1], std::string("post_processor.") + name + "[1]", n))
    return false;
  const std::string *token = t.vocab.token(n);
  if (!token || *token != (*v)[0].get_ref<const std::string &>())
    return r.fail(std::string("post_processor.") + name + ": id " +
                  std::to_string(n) + " is not '" +
                  Vocab::printable((*v)[0].get<std::string>()) + "'");
  id = static_cast<int32_t>(n);
  return true;
}

bool readTemplate(Reader &r, const json &p, const char *name,
                  const Tokenizer &t, std::vector<TemplatePiece> &out) {
  std::string where = std::string("post_processor.") + name;
  const json *pieces = r.member(p, name);
  if (!pieces || !pieces->is_array())
    return r.fail(where + " must be an array");
  const json *specials = r.member(p, "special_tokens");
  if (specials && !specials->is_object())
    return r.fail("post_processor.special_tokens must be an object");
  for (const json &piece : *pieces) {
    if (!piece.is_object() || piece.size() != 1)
      return r.fail(where + ": each piece must be {\"Sequence\": ...} or "
                            "{\"SpecialToken\": ...}");
    const std::string &kind = piece.begin().key();
    const json &body = piece.begin().value();
    if (!body.is_object())
      return r.fail(where + ": " + kind + " must be an object");
    TemplatePiece out1;
    std::string id;
    if (!r.getString(body, where.c_str(), "id", id, true))
      return false;
    if (const json *type = r.member(body, "type_id")) {
      int64_t n = 0;
      if (!r.getInt(*type, where + ".type_id", n))
        return false;
      if (n < 0 || n > 1024)
        return r.fail(where + ": type_id " + std::to_string(n) +
                      " is out of range");
      out1.typeId = static_cast<int32_t>(n);
    }
    if (kind == "Sequence") {
      if (id != "A" && id != "B")
        return r.fail(where + ": sequence id must be A or B");
      out1.isSequence = true;
      out1.sequence = id == "A" ? 0 : 1;
    } else if (kind == "SpecialToken") {
      const json *entry = specials ? r.member(*specials, id.c_str()) : nullptr;
      if (!entry || !entry->is_object())
        return r.fail(where + ": special token '" + Vocab::printable(id) +
                      "' is not in special_tokens");
      const json *ids = r.member(*entry, "ids");
      if (!ids || !ids->is_array())
        return r.fail("post_processor.special_tokens['" + Vocab::printable(id) +
                      "'].ids must be an array");
      for (const json &v : *ids) {
        int64_t n = 0;
        if (!r.getInt(v, "post_processor.special_tokens ids", n))
          return false;
        if (!t.vocab.token(n))
          return r.fail("post_processor.special_tokens['" +
                        Vocab::printable(id) + "']: id " + std::to_string(n) +
                        " is outside the vocabulary");
        out1.ids.push_back(static_cast<int32_t>(n));
      }
    } else {
      return r.fail(where + ": unknown piece '" + Vocab::printable(kind) + "'");
    }
    out.push_back(std::move(out1));
  }
  return true;
}

bool readPostProcessor(Reader &r, const json &p, const std::string &where,
                       const std::string &type, Tokenizer &t) {
  if (type == "ByteLevel")
    return true; // offsets only
  if (t.hasTemplate)
    return r.fail(where + ": a second template post-processor is not "
                          "supported",
                  XFMR_ERROR_UNSUPPORTED);
  if (type == "BertProcessing") {
    int32_t cls, sep;
    if (!readTokenAndId(r, p, "cls", t, cls) ||
        !readTokenAndId(r, p, "sep", t, sep))
      return false;
    t.setBertTemplate(cls, sep);
    return true;
  }
  if (type == "TemplateProcessing") {
    t.hasTemplate = true;
    t.templateTypesWithoutSpecial = true;
    return readTemplate(r, p, "single", t, t.singleTemplate) &&
           readTemplate(r, p, "pair", t, t.pairTemplate);
  }
  return r.unsupported(where.c_str(), type);
}

/// The truncation tokenizers applies: the length is kept (the model's
/// runtime truncates to it by default); a direction or strategy other than
/// the one the runtime implements is refused, not approximated.
bool readTruncation(Reader &r, const json &truncation, Tokenizer &t) {
  if (!truncation.is_object())
    return r.fail("truncation must be an object or null");
  const json *max = r.member(truncation, "max_length");
  if (!max)
    return r.fail("truncation.max_length is missing");
  int64_t n = 0;
  if (!r.getInt(*max, "truncation.max_length", n))
    return false;
  if (n < 1 || n > (int64_t(1) << 31) - 1)
    return r.fail("truncation.max_length must be a positive integer below "
                  "2^31, got " +
                  std::to_string(n));
  t.maxLength = n;
  std::string direction = "Right", strategy = "LongestFirst";
  if (!r.getString(truncation, "truncation", "direction", direction, false) ||
      !r.getString(truncation, "truncation", "strategy", strategy, false))
    return false;
  if (direction != "Right")
    return r.fail("truncation.direction '" + Vocab::printable(direction) +
                      "' is not supported (supported: Right)",
                  XFMR_ERROR_UNSUPPORTED);
  if (strategy != "LongestFirst")
    return r.fail("truncation.strategy '" + Vocab::printable(strategy) +
                      "' is not supported (supported: LongestFirst)",
                  XFMR_ERROR_UNSUPPORTED);
  return true;
}

bool readDecoder(Reader &r, const json &d, const std::string &where,
                 const std::string &type, Tokenizer &t) {
  DecoderStep step;
  const char *w = where.c_str();
  if (type == "ByteLevel") {
    step.kind = DecoderStep::Kind::ByteLevel;
  } else if (type == "WordPiece") {
    step.kind = DecoderStep::Kind::WordPiece;
    if (!r.getString(d, w, "prefix", step.pattern, false) ||
        !r.getBool(d, w, "cleanup", step.cleanup))
      return false;
  } else if (type == "Replace") {
    step.kind = DecoderStep::Kind::Replace;
    if (!r.onlyKnown(d, where, {"type", "pattern", "content"}) ||
        !r.getPattern(d, where, step.pattern) ||
        !r.getString(d, w, "content", step.content, true))
      return false;
  } else if (type == "ByteFallback" || type == "Fuse") {
    step.kind = type == "Fuse" ? DecoderStep::Kind::Fuse
                               : DecoderStep::Kind::ByteFallback;
    if (!r.onlyKnown(d, where, {"type"}))
      return false;
  } else if (type == "Strip") {
    step.kind = DecoderStep::Kind::Strip;
    int64_t start = 0, stop = 0;
    for (auto [name, out] :
         {std::pair<const char *, int64_t *>{"start", &start},
          {"stop", &stop}}) {
      const json *v = r.member(d, name);
      if (v && !r.getInt(*v, where + "." + name, *out))
        return false;
      if (*out < 0)
        return r.fail(where + "." + name + " must not be negative");
    }
    if (!r.onlyKnown(d, where, {"type", "content", "start", "stop"}) ||
        !r.getChar(d, where, "content", step.content, " "))
      return false;
    step.start = static_cast<size_t>(start);
    step.stop = static_cast<size_t>(stop);
  } else if (type == "Metaspace") {
    step.kind = DecoderStep::Kind::Metaspace;
    PreTokenizerStep::Prepend scheme;
    if (!r.onlyKnown(d, where,
                     {"type", "replacement", "prepend_scheme", "split",
                      "add_prefix_space", "str_rep"}) ||
        !r.getChar(d, where, "replacement", step.pattern, "\xE2\x96\x81") ||
        !r.getPrependScheme(d, where, scheme))
      return false;
    bool split = true;
    if (!r.getBool(d, w, "split", split))
      return false;
    step.dropFirst = scheme != PreTokenizerStep::Prepend::Never;
  } else {
    return r.unsupported(w, type);
  }
  t.decoders.push_back(std::move(step));
  return true;
}

} // namespace

xfmr_status xfmr::tokenizers::loadTokenizerJson(std::string_view data,
                                                Tokenizer &t,
                                                std::string &error) {
  JsonDocument document;
  json &root = document.root;
  if (!parseJson(data, root, error))
    return XFMR_ERROR_FORMAT;
  Reader r;
  if (!root.is_object()) {
    error = "not a tokenizer.json: the top level is not an object";
    return XFMR_ERROR_FORMAT;
  }
  const json *model = r.member(root, "model");
  if (!model) {
    error = "not a tokenizer.json: no \"model\"";
    return XFMR_ERROR_FORMAT;
  }
  const json *added = r.member(root, "added_tokens");
  if (added && !added->is_array()) {
    error = "added_tokens must be an array";
    return XFMR_ERROR_FORMAT;
  }
  size_t extra = added ? added->size() : 0;
  bool ok = readModel(r, *model, extra, t);
  size_t modelSize = ok ? r.member(*model, "vocab")->size() : 0;
  if (ok && added) {
    ok = readAddedTokens(r, *added, modelSize, t);
  } else if (ok) {
    t.vocab.shrink(modelSize);
  }
  // The pipeline; a null or absent component is none. A normalizer or
  // decoder that is an empty Sequence still counts as one (tokenizers then
  // matches added tokens in two passes, and joins decoded tokens without
  // spaces).
  using ReadFn = bool (*)(Reader &, const json &, const std::string &,
                          const std::string &, Tokenizer &);
  static const struct {
    const char *name, *list;
    ReadFn read;
  } kComponents[] = {{"normalizer", "normalizers", readNormalizer},
                     {"pre_tokenizer", "pretokenizers", readPreTokenizer},
                     {"post_processor", "processors", readPostProcessor},
                     {"decoder", "decoders", readDecoder}};
  t.hasNormalizer = r.member(root, "normalizer") != nullptr;
  t.hasDecoder = r.member(root, "decoder") != nullptr;
  for (const auto &component : kComponents) {
    const json *c = ok ? r.member(root, component.name) : nullptr;
    if (c)
      ok = readChain(
          r, *c, component.name, component.list,
          [&](const json &one, const std::string &at, const std::string &type) {
            return component.read(r, one, at, type, t);
          });
  }
  if (ok)
    if (const json *padding = r.member(root, "padding")) {
      if (!padding->is_object())
        ok = r.fail("padding must be an object or null");
      else if (const json *pad = r.member(*padding, "pad_id")) {
        int64_t id = 0;
        ok = r.getInt(*pad, "padding.pad_id", id);
        if (ok && !t.vocab.token(id))
          ok = r.fail("padding.pad_id " + std::to_string(id) +
                      " is outside the vocabulary");
        if (ok)
          t.padId = static_cast<int32_t>(id);
      }
    }
  if (ok)
    if (const json *truncation = r.member(root, "truncation"))
      ok = readTruncation(r, *truncation, t);
  if (!ok) {
    error = r.error;
    return r.status;
  }
  if (!t.finish(error))
    return XFMR_ERROR_FORMAT;
  return XFMR_OK;
}
