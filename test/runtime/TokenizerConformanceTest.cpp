//===- TokenizerConformanceTest.cpp - ids identical to HF tokenizers ------===//
//
// For every tokenizer under test/tokenizers/ and every file it can be loaded
// from, encodes each entry of corpus.txt through the C API and requires the
// ids (and token types, and decoded text) that Hugging Face tokenizers gave
// (CASE/expected.json, written by test/tokenizers/make_expected.py).
//
//===----------------------------------------------------------------------===//

#include "test/runtime/TestUtil.h"
#include "xfmr/runtime.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using json = nlohmann::json;

using xfmr::test::readAll;

namespace {

const std::string kData = XFMR_TOKENIZER_TESTDATA;

/// The corpus entries, raw bytes, split on "\n" only.
std::vector<std::string> corpus() {
  std::string data = readAll(kData + "/corpus.txt");
  std::vector<std::string> out;
  size_t at = 0;
  while (at < data.size()) {
    size_t nl = data.find('\n', at);
    if (nl == std::string::npos)
      nl = data.size();
    out.push_back(data.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

std::vector<int64_t> toIds(const json &array) {
  std::vector<int64_t> out;
  for (const json &v : array)
    out.push_back(v.get<int64_t>());
  return out;
}

std::string show(const std::vector<int64_t> &ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size() && i < 40; ++i)
    s += (i ? " " : "") + std::to_string(ids[i]);
  return s + (ids.size() > 40 ? " ...]" : "]");
}

struct Row {
  std::vector<int64_t> ids, types;
};

/// Encodes one text (and optional pair) through encode_batch.
bool encodeOne(xfmr_tokenizer *tok, const std::string &a, const std::string *b,
               int64_t maxLength, Row &row) {
  const char *texts[] = {a.data()};
  size_t sizes[] = {a.size()};
  const char *pairs[] = {b ? b->data() : nullptr};
  size_t pairSizes[] = {b ? b->size() : 0};
  xfmr_encoding *e = nullptr;
  if (xfmr_tokenizer_encode_batch(tok, 1, texts, sizes, b ? pairs : nullptr,
                                  b ? pairSizes : nullptr, maxLength, 0,
                                  &e) != XFMR_OK) {
    ADD_FAILURE() << xfmr_last_error();
    return false;
  }
  row.ids.assign(e->input_ids, e->input_ids + e->lengths[0]);
  row.types.assign(e->token_type_ids, e->token_type_ids + e->lengths[0]);
  xfmr_encoding_free(e);
  return true;
}

std::string decode(xfmr_tokenizer *tok, const std::vector<int64_t> &ids,
                   uint32_t flags) {
  char *text = nullptr;
  size_t size = 0;
  if (xfmr_tokenizer_decode(tok, ids.data(), static_cast<int64_t>(ids.size()),
                            flags, &text, &size) != XFMR_OK) {
    ADD_FAILURE() << xfmr_last_error();
    return "";
  }
  std::string out(text, size);
  xfmr_text_free(text);
  return out;
}

struct Case {
  std::string name, file;
};

// For gtest's messages (it would print the bytes otherwise, which valgrind
// reports as uninitialised).
[[maybe_unused]] void PrintTo(const Case &c, std::ostream *os) {
  *os << c.name << "/" << c.file;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char *name :
       {"wordpiece-uncased", "wordpiece-cased", "bpe", "bpe-prefix", "minilm",
        "llama-bpe", "llama-metaspace", "metaspace-split", "llama3-bpe"}) {
    json expected = json::parse(readAll(kData + "/" + name + "/expected.json"));
    for (const json &file : expected["files"])
      out.push_back({name, file.get<std::string>()});
  }
  return out;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, IdsMatchHuggingFace) {
  const Case &c = GetParam();
  std::string dir = kData + "/" + c.name;
  json expected = json::parse(readAll(dir + "/expected.json"));
  xfmr_tokenizer *tok = nullptr;
  ASSERT_EQ(xfmr_tokenizer_load((dir + "/" + c.file).c_str(), 0, &tok), XFMR_OK)
      << xfmr_last_error();

  std::vector<std::string> lines = corpus();
  const json &want = expected["lines"];
  ASSERT_EQ(lines.size(), want.size());
  size_t same = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    Row row;
    ASSERT_TRUE(encodeOne(tok, lines[i], nullptr, 0, row));
    std::vector<int64_t> ids = toIds(want[i]["ids"]);
    EXPECT_EQ(row.ids, ids)
        << c.name << "/" << c.file << " line " << i + 1 << "\n  got  "
        << show(row.ids) << "\n  want " << show(ids);
    EXPECT_EQ(row.types, toIds(want[i]["type_ids"])) << "line " << i + 1;
    same += row.ids == ids;
    // Decoding is a property of tokenizer.json's decoder; vocab files get
    // the same decoders, so every file must decode alike.
    EXPECT_EQ(decode(tok, ids, 0), want[i]["decoded"].get<std::string>())
        << "line " << i + 1;
    EXPECT_EQ(decode(tok, ids, XFMR_DECODE_SKIP_SPECIAL_TOKENS),
              want[i]["decoded_skip"].get<std::string>())
        << "line " << i + 1;
  }
  std::printf("[ conformance ] %s/%s: %zu of %zu lines identical\n",
              c.name.c_str(), c.file.c_str(), same, lines.size());

  // The whole corpus as one text: newlines, and words across lines.
  std::string document;
  for (const std::string &line : lines)
    document += line + "\n";
  Row row;
  ASSERT_TRUE(encodeOne(tok, document, nullptr, 0, row));
  EXPECT_EQ(row.ids, toIds(expected["document"]["ids"])) << "document";

  // Truncation, with and without a second sequence.
  for (const json &t : expected["truncated"]) {
    const std::string &a = lines[t["a"].get<size_t>()];
    const std::string *b =
        t["b"].is_null() ? nullptr : &lines[t["b"].get<size_t>()];
    ASSERT_TRUE(encodeOne(tok, a, b, t["max_length"].get<int64_t>(), row));
    EXPECT_EQ(row.ids, toIds(t["ids"])) << t.dump().substr(0, 200);
    EXPECT_EQ(row.types, toIds(t["type_ids"])) << t.dump().substr(0, 200);
  }
  xfmr_tokenizer_free(tok);
}

TEST_P(Conformance, BatchIsPaddedRows) {
  const Case &c = GetParam();
  std::string dir = kData + "/" + c.name;
  json expected = json::parse(readAll(dir + "/expected.json"));
  xfmr_tokenizer *tok = nullptr;
  ASSERT_EQ(xfmr_tokenizer_load((dir + "/" + c.file).c_str(), 0, &tok), XFMR_OK)
      << xfmr_last_error();
  xfmr_tokenizer_info info;
  ASSERT_EQ(xfmr_tokenizer_get_info(tok, &info), XFMR_OK);
  int64_t pad = info.pad_id >= 0 ? info.pad_id : 0;

  std::vector<std::string> lines = corpus();
  std::vector<const char *> texts;
  std::vector<size_t> sizes;
  for (const std::string &l : lines) {
    texts.push_back(l.data());
    sizes.push_back(l.size());
  }
  xfmr_encoding *e = nullptr;
  ASSERT_EQ(xfmr_tokenizer_encode_batch(tok, static_cast<int64_t>(lines.size()),
                                        texts.data(), sizes.data(), nullptr,
                                        nullptr, 0, 0, &e),
            XFMR_OK)
      << xfmr_last_error();
  ASSERT_EQ(e->batch, static_cast<int64_t>(lines.size()));
  int64_t longest = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<int64_t> ids = toIds(expected["lines"][i]["ids"]);
    longest = std::max<int64_t>(longest, static_cast<int64_t>(ids.size()));
    ASSERT_EQ(e->lengths[i], static_cast<int64_t>(ids.size()));
    for (int64_t s = 0; s < e->seq; ++s) {
      bool token = s < e->lengths[i];
      int64_t at = static_cast<int64_t>(i) * e->seq + s;
      ASSERT_EQ(e->input_ids[at], token ? ids[s] : pad);
      ASSERT_EQ(e->attention_mask[at], token ? 1 : 0);
    }
  }
  EXPECT_EQ(e->seq, longest);
  xfmr_encoding_free(e);
  xfmr_tokenizer_free(tok);
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, Conformance, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           std::string s =
                               info.param.name + "_" + info.param.file;
                           for (char &ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch)))
                               ch = '_';
                           return s;
                         });

} // namespace
