//===- VocabLoaders.cpp - vocab.txt, vocab.json + merges.txt, folders -----===//

#include "runtime/lib/FileRead.h"
#include "runtime/lib/tokenizers/Json.h"
#include "runtime/lib/tokenizers/Loaders.h"
#include "runtime/lib/tokenizers/Unicode.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <utility>

using json = nlohmann::json;
using namespace xfmr::tokenizers;

namespace {

xfmr_status fail(std::string &error, std::string message,
                 xfmr_status status = XFMR_ERROR_FORMAT) {
  error = std::move(message);
  return status;
}

/// Splits `data` into lines (LF or CRLF); the empty piece after a final
/// newline is not a line.
template <typename Fn> bool forEachLine(std::string_view data, Fn &&fn) {
  size_t at = 0, line = 0;
  while (at < data.size()) {
    size_t nl = data.find('\n', at);
    size_t end = nl == std::string_view::npos ? data.size() : nl;
    std::string_view text = data.substr(at, end - at);
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    if (!fn(text, ++line))
      return false;
    at = end + 1;
  }
  return true;
}

/// Adds the special tokens a BERT vocabulary has as special added tokens,
/// matched in raw text, as BertTokenizer does.
void addBertSpecials(Tokenizer &t) {
  for (const char *name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    int32_t id = t.vocab.find(name);
    if (id < 0)
      continue;
    AddedToken added;
    added.content = name;
    added.id = id;
    added.special = true;
    t.addedTokens.push_back(added);
  }
}

bool isDir(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string dirOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string baseName(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// do_lower_case from tokenizer_config.json in `dir`, if it says. No such
/// file is no opinion; one that cannot be read (a FIFO, a device) is an error.
xfmr_status configCasing(const std::string &dir, Casing &out,
                         std::string &error) {
  out = Casing::Detect;
  std::string path = dir + "/tokenizer_config.json", text;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    return XFMR_OK;
  xfmr_status status = readFile(path, text, error);
  if (status != XFMR_OK)
    return status;
  JsonDocument document;
  json &config = document.root;
  std::string why;
  if (!parseJson(text, config, why) || !config.is_object())
    return XFMR_OK;
  auto it = config.find("do_lower_case");
  if (it != config.end() && it->is_boolean())
    out = it->get<bool>() ? Casing::Lowercase : Casing::Keep;
  return XFMR_OK;
}

} // namespace

xfmr_status xfmr::tokenizers::readFile(const std::string &path,
                                       std::string &out, std::string &error) {
  std::string why;
  if (!fileio::readWholeFile(path, fileio::kMaxTokenizerBytes, out, why))
    return fail(error, why, XFMR_ERROR_IO);
  return XFMR_OK;
}

xfmr_status xfmr::tokenizers::loadVocabTxt(std::string_view data, Casing casing,
                                           Tokenizer &t, std::string &error) {
  size_t lines = 0;
  forEachLine(data, [&](std::string_view, size_t) { return ++lines, true; });
  if (lines == 0)
    return fail(error, "vocab.txt is empty");
  if (lines > (size_t(1) << 24))
    return fail(error, "vocab.txt has more than 2^24 lines");
  // tokenizers would keep the mark as part of the first token, so the
  // vocabulary would lose it (and casing detection would see its letters).
  if (data.substr(0, 3) == "\xEF\xBB\xBF")
    return fail(error, "vocab.txt line 1 starts with a byte-order mark "
                       "(U+FEFF); save the file as UTF-8 without one");
  t.vocab.resize(lines);
  bool anyUpper = false;
  std::string why;
  bool ok = forEachLine(data, [&](std::string_view token, size_t line) {
    // tokenizers trims trailing whitespace from each line.
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
      token.remove_suffix(1);
    if (token.empty()) {
      why = "vocab.txt line " + std::to_string(line) + " is empty";
      return false;
    }
    if (!t.vocab.add(token, static_cast<int64_t>(line - 1), why)) {
      why = "vocab.txt line " + std::to_string(line) + ": " + why;
      return false;
    }
    bool bracketed =
        token.size() > 2 && token.front() == '[' && token.back() == ']';
    if (!bracketed)
      for (char c : token)
        anyUpper = anyUpper || (c >= 'A' && c <= 'Z');
    return true;
  });
  if (!ok)
    return fail(error, why);

  t.modelKind = Tokenizer::ModelKind::WordPiece;
  t.wordPiece.unkId = t.vocab.find("[UNK]");
  if (t.wordPiece.unkId < 0)
    return fail(error, "vocab.txt has no [UNK] token");
  bool lower =
      casing == Casing::Detect ? !anyUpper : casing == Casing::Lowercase;
  t.hasNormalizer = true;
  NormalizerStep bert;
  bert.bert.lowercase = lower;
  bert.bert.stripAccents = lower;
  t.normalizer.steps = {bert};
  t.preTokenizers = {PreTokenizerStep()}; // Bert
  t.hasDecoder = true;
  DecoderStep wordPiece;
  wordPiece.kind = DecoderStep::Kind::WordPiece;
  t.decoders = {wordPiece};
  addBertSpecials(t);
  // BERT's post-processing needs both; without them every text would be
  // encoded with no special tokens, which no BERT model was trained on.
  int32_t cls = t.vocab.find("[CLS]"), sep = t.vocab.find("[SEP]");
  for (auto [name, id] :
       {std::pair<const char *, int32_t>{"[CLS]", cls}, {"[SEP]", sep}})
    if (id < 0)
      return fail(error, std::string("vocab.txt has no ") + name +
                             " token (BERT's post-processing adds [CLS] "
                             "and [SEP])");
  t.setBertTemplate(cls, sep);
  if (!t.finish(error))
    return XFMR_ERROR_FORMAT;
  return XFMR_OK;
}

xfmr_status xfmr::tokenizers::loadVocabJsonMerges(std::string_view vocabText,
                                                  std::string_view mergesText,
                                                  Tokenizer &t,
                                                  std::string &error) {
  JsonDocument document;
  json &vocab = document.root;
  std::string why;
  if (!parseJson(vocabText, vocab, why))
    return fail(error, "vocab.json: " + why);
  if (!vocab.is_object() || vocab.empty())
    return fail(error, "vocab.json: expected an object of token: id");
  if (vocab.size() > (size_t(1) << 24))
    return fail(error, "vocab.json: more than 2^24 tokens");
  t.vocab.resize(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const json &id = it.value();
    if (!id.is_number_integer())
      return fail(error, "vocab.json: the id of '" +
                             Vocab::printable(it.key()) +
                             "' is not an integer");
    if (!t.vocab.add(it.key(), id.get<int64_t>(), why))
      return fail(error, "vocab.json: " + why);
  }
  // The ids are in range and distinct, so they are exactly [0, size).

  t.modelKind = Tokenizer::ModelKind::Bpe;
  PreTokenizerStep byteLevel;
  byteLevel.kind = PreTokenizerStep::Kind::ByteLevel;
  t.preTokenizers = {byteLevel};
  t.hasDecoder = true;
  t.decoders = {DecoderStep()}; // ByteLevel
  int32_t rank = 0;
  bool ok = forEachLine(mergesText, [&](std::string_view line, size_t n) {
    if (n == 1 && line.substr(0, 8) == "#version")
      return true;
    size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 ||
        space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos) {
      why = "merges.txt line " + std::to_string(n) +
            ": expected two tokens separated by one space";
      return false;
    }
    if (!t.bpe.addMerge(t.vocab, line.substr(0, space), line.substr(space + 1),
                        rank++, why)) {
      why = "merges.txt line " + std::to_string(n) + ": " + why;
      return false;
    }
    return true;
  });
  if (!ok)
    return fail(error, why);
  int32_t eot = t.vocab.find("<|endoftext|>");
  if (eot >= 0) {
    AddedToken added;
    added.content = "<|endoftext|>";
    added.id = eot;
    added.special = true;
    t.addedTokens.push_back(added);
  }
  if (!t.finish(error))
    return XFMR_ERROR_FORMAT;
  return XFMR_OK;
}

bool xfmr::tokenizers::hasTokenizerFiles(const std::string &dir) {
  return isFile(dir + "/tokenizer.json") || isFile(dir + "/vocab.txt") ||
         (isFile(dir + "/vocab.json") && isFile(dir + "/merges.txt"));
}

xfmr_status xfmr::tokenizers::loadTokenizerPath(const std::string &path,
                                                Casing casing, Tokenizer &t,
                                                std::string &error) {
  std::string dir, file;
  if (isDir(path)) {
    dir = path;
    for (const char *name : {"tokenizer.json", "vocab.txt", "vocab.json"}) {
      if (isFile(dir + "/" + name)) {
        file = dir + "/" + name;
        break;
      }
    }
    if (file.empty())
      return fail(error,
                  path + ": no tokenizer.json, vocab.txt or vocab.json + "
                         "merges.txt in this folder",
                  XFMR_ERROR_IO);
  } else {
    dir = dirOf(path);
    file = path;
  }

  std::string name = baseName(file);
  auto endsWith = [&](const char *suffix) {
    size_t n = std::strlen(suffix);
    return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
  };
  std::string text, why;
  xfmr_status status;
  if (name == "vocab.json" || name == "merges.txt") {
    std::string vocabPath = dir + "/vocab.json",
                mergesPath = dir + "/merges.txt";
    std::string vocabText, mergesText;
    if ((status = readFile(vocabPath, vocabText, error)) != XFMR_OK)
      return status;
    if ((status = readFile(mergesPath, mergesText, error)) != XFMR_OK)
      return status;
    status = loadVocabJsonMerges(vocabText, mergesText, t, why);
    if (status != XFMR_OK)
      error = dir + ": " + why;
    return status;
  }
  if ((status = readFile(file, text, error)) != XFMR_OK)
    return status;
  if (endsWith(".json"))
    status = loadTokenizerJson(text, t, why);
  else if (endsWith(".txt")) {
    if (casing == Casing::Detect &&
        (status = configCasing(dir, casing, error)) != XFMR_OK)
      return status;
    status = loadVocabTxt(text, casing, t, why);
  } else
    return fail(error,
                file + ": unknown tokenizer file (expected tokenizer.json, "
                       "vocab.txt, vocab.json or merges.txt)",
                XFMR_ERROR_UNSUPPORTED);
  if (status != XFMR_OK)
    error = file + ": " + why;
  return status;
}
