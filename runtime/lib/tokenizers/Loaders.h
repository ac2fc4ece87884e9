//===- Loaders.h - tokenizers from files ------------------------*- C++ -*-===//
//
// Builds a Tokenizer from the files users have: BERT's vocab.txt, GPT-2's
// vocab.json + merges.txt, and Hugging Face tokenizer.json (either kind).
// Every file is treated as hostile: ids out of range, duplicate tokens or
// ids, merges naming unknown tokens, malformed JSON and unsupported
// components fail with a one-line message. Internal to the runtime.
//
//===----------------------------------------------------------------------===//
#ifndef XFMR_RUNTIME_TOKENIZERS_LOADERS_H
#define XFMR_RUNTIME_TOKENIZERS_LOADERS_H

#include "runtime/lib/tokenizers/Tokenizer.h"
#include "xfmr/runtime.h"

#include <string>
#include <string_view>

namespace xfmr::tokenizers {

/// Casing of a vocab.txt tokenizer: lowercase and strip accents, keep case,
/// or decide from the files (tokenizer_config.json's do_lower_case, else
/// lowercase exactly when no token has an uppercase ASCII letter).
enum class Casing { Detect, Lowercase, Keep };

/// BERT WordPiece from vocab.txt (one token a line, the id is the line
/// number) with the BertTokenizer defaults: [CLS] A [SEP] (B [SEP]).
xfmr_status loadVocabTxt(std::string_view data, Casing casing, Tokenizer &out,
                         std::string &error);

/// GPT-2 byte-level BPE from vocab.json and merges.txt.
xfmr_status loadVocabJsonMerges(std::string_view vocab, std::string_view merges,
                                Tokenizer &out, std::string &error);

/// Hugging Face tokenizer.json.
xfmr_status loadTokenizerJson(std::string_view data, Tokenizer &out,
                              std::string &error);

/// A tokenizer.json, vocab.txt, vocab.json (with merges.txt beside it) or
/// merges.txt (with vocab.json beside it), or a folder holding one of
/// tokenizer.json, vocab.txt, vocab.json + merges.txt (in that order).
/// Messages name the file.
xfmr_status loadTokenizerPath(const std::string &path, Casing casing,
                              Tokenizer &out, std::string &error);

/// True when `dir` holds files loadTokenizerPath would load.
bool hasTokenizerFiles(const std::string &dir);

/// Reads a whole regular file (at most fileio::kMaxTokenizerBytes).
xfmr_status readFile(const std::string &path, std::string &out,
                     std::string &error);

} // namespace xfmr::tokenizers

#endif // XFMR_RUNTIME_TOKENIZERS_LOADERS_H
