//===- ManifestTest.cpp - parsing and refusing model manifests ------------===//
//
// The manifest of docs/abi.md (version 2), parsed directly: the stub's
// manifest, varied one field at a time, must be accepted or refused with the
// status and the one-line message a user would see from xfmr_model_open.
//
//===----------------------------------------------------------------------===//

#include "runtime/lib/Manifest.h"

#include "test/runtime/StubModel.h"

#include <gtest/gtest.h>

using xfmr::runtime::Input;
using xfmr::runtime::Manifest;
using xfmr::runtime::parseManifest;
using xfmr::runtime::Role;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)             \
      << "message: " << (haystack)

/// The stub's manifest with the first `from` replaced by `to`.
std::string stubWith(const std::string &from, const std::string &to) {
  std::string m = xfmr_manifest;
  size_t at = m.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    m.replace(at, from.size(), to);
  return m;
}

/// The stub's manifest with its entries replaced by `entries`.
std::string withEntries(const std::string &entries) {
  std::string m = xfmr_manifest;
  size_t begin = m.find("\"entries\": [");
  size_t end = m.find("\"work_memory\"");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  return m.substr(0, begin) + "\"entries\": [" + entries + "],\n  " +
         m.substr(end);
}

std::string input(const std::string &name, const std::string &dtype = "I64",
                  const std::string &shape = "[-1, -1]") {
  return R"({"name": ")" + name + R"(", "dtype": ")" + dtype +
         R"(", "shape": )" + shape + "}";
}

const std::string kInputs = input("input_ids") + ", " +
                            input("attention_mask") + ", " +
                            input("token_type_ids");

std::string entry(const std::string &role, const std::string &inputs,
                  const std::string &outputs, const std::string &extra = "") {
  return R"({"role": ")" + role + R"(", )" + extra + R"("inputs": [)" + inputs +
         R"(], "outputs": [)" + outputs + "]}";
}

const std::string kEncodeOutput =
    R"({"name": "last_hidden_state", "dtype": "F32", "shape": [-1, -1, 4]})";
const std::string kEmbedOutput =
    R"({"name": "sentence_embedding", "dtype": "F32", "shape": [-1, 4]})";

struct Parsed {
  xfmr_status status;
  std::string error;
  Manifest manifest;
};

Parsed parse(const std::string &text) {
  Parsed p;
  p.status = parseManifest(text.c_str(), p.manifest, p.error);
  if (p.status != XFMR_OK) {
    EXPECT_EQ(p.error.find('\n'), std::string::npos) << p.error;
  }
  return p;
}

/// Expects `text` to be refused with `status`; returns the message.
std::string refused(const std::string &text, xfmr_status status) {
  Parsed p = parse(text);
  EXPECT_EQ(p.status, status) << p.error;
  return p.error;
}

TEST(Manifest, ParsesStub) {
  Parsed p = parse(xfmr_manifest);
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  const Manifest &m = p.manifest;
  EXPECT_EQ(m.abiVersion, 2);
  EXPECT_EQ(m.name, "stub");
  EXPECT_EQ(m.dModel, 4);
  EXPECT_EQ(m.numHeads, 2);
  EXPECT_EQ(m.typeVocabSize, 2);
  EXPECT_EQ(m.staticWorkBytes, 0);
  ASSERT_EQ(m.entries.size(), 1u);
  const xfmr::runtime::EntrySpec &e = m.entries[0];
  EXPECT_EQ(e.role, Role::Encode);
  EXPECT_EQ(e.inputs, (std::vector<Input>{Input::InputIds, Input::AttentionMask,
                                          Input::TokenTypeIds}));
  EXPECT_EQ(e.outputName, "last_hidden_state");
  EXPECT_EQ(e.outputShape, (std::vector<int64_t>{-1, -1, 4}));
  EXPECT_EQ(e.pooling, "");
  EXPECT_EQ(m.findEntry(Role::Encode), 0);
  EXPECT_EQ(m.findEntry(Role::Embed), -1);
  ASSERT_EQ(m.weights.size(), 2u);
  EXPECT_EQ(m.weights[0].key, "emb");
  EXPECT_EQ(m.weights[0].shape, (std::vector<int64_t>{10, 4}));
  EXPECT_TRUE(m.weights[1].shape.empty());
  // The stub predates max_length: texts are cut at max_positions.
  EXPECT_EQ(m.maxLength, 8);
}

TEST(Manifest, MaxLength) {
  // The length texts are truncated to by default, within the positions.
  Parsed p =
      parse(stubWith(R"("weights": [)", R"("max_length": 5, "weights": [)"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.maxLength, 5);
  EXPECT_EQ(
      refused(stubWith(R"("weights": [)", R"("max_length": 9, "weights": [)"),
              XFMR_ERROR_INTERNAL),
      "invalid model manifest: 'max_length' (9) exceeds config "
      "'max_positions' (8)");
  EXPECT_EQ(
      refused(stubWith(R"("weights": [)", R"("max_length": 0, "weights": [)"),
              XFMR_ERROR_INTERNAL),
      "invalid model manifest: 'max_length' must be at least 1, got 0");
  EXPECT_EQ(
      refused(stubWith(R"("weights": [)", R"("max_length": "8", "weights": [)"),
              XFMR_ERROR_INTERNAL),
      "invalid model manifest: 'max_length' must be an integer");
}

TEST(Manifest, WeightViews) {
  // The stored [10, 4] read transposed ([4, 10]), rows [1, 3) of that, in
  // panels of 2: a projection of a fused Conv1D weight.
  Parsed p =
      parse(stubWith(R"("shape": [10, 4]})",
                     R"("shape": [10, 4], "transposed": true, "rows": [1, 3], )"
                     R"("layout": "panels", "panel_width": 2})"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  const xfmr::runtime::WeightSpec &w = p.manifest.weights[0];
  EXPECT_TRUE(w.transposed);
  EXPECT_TRUE(w.isView());
  EXPECT_EQ(w.viewShape(), (std::vector<int64_t>{2, 10}));
  EXPECT_FALSE(p.manifest.weights[1].isView());
  // With its rows named, a view may leave the last panel short (10 rows in
  // panels of 4: the last zero-padded).
  p = parse(stubWith(R"("shape": [10, 4]})",
                     R"("shape": [10, 4], "rows": [0, 10], )"
                     R"("layout": "panels", "panel_width": 4})"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.weights[0].viewShape(), (std::vector<int64_t>{10, 4}));
  // Rows past the (transposed) matrix, or none.
  EXPECT_EQ(refused(stubWith(R"("shape": [10, 4]})",
                             R"("shape": [10, 4], "transposed": true, )"
                             R"("rows": [2, 5]})"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: weights[0]: weight 'emb': 'rows' must "
            "be [b, e] with b < e <= 4");
  EXPECT_EQ(refused(stubWith(R"("shape": [10, 4]})",
                             R"("shape": [10, 4], "rows": [3, 3]})"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: weights[0]: weight 'emb': 'rows' must "
            "be [b, e] with b < e <= 10");
  EXPECT_EQ(refused(stubWith(R"("shape": []})",
                             R"("shape": [], "transposed": true})"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: weights[1]: weight 'bias' is "
            "transposed but not of rank 2");
}

TEST(Manifest, WeightLayout) {
  // Absent means as stored; "panels" is a rank-2 weight's column panels.
  Parsed p = parse(
      stubWith(R"("shape": [10, 4]})",
               R"("shape": [10, 4], "layout": "panels", "panel_width": 5})"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.weights[0].panelWidth, 5);
  EXPECT_EQ(p.manifest.weights[1].panelWidth, 0);
  EXPECT_EQ(refused(stubWith(R"("shape": [10, 4]})",
                             R"("shape": [10, 4], "layout": "transposed"})"),
                    XFMR_ERROR_UNSUPPORTED),
            "weight 'emb' has layout "
            "'transposed' (expected 'row_major' or 'panels')");
  EXPECT_EQ(
      refused(stubWith(R"("shape": []})",
                       R"("shape": [], "layout": "panels", "panel_width": 1})"),
              XFMR_ERROR_UNSUPPORTED),
      "weight 'bias' is in panels but not of rank 2");
  EXPECT_EQ(refused(stubWith(R"("shape": [10, 4]})",
                             R"("shape": [10, 4], "layout": "panels"})"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: weights[0]: missing field 'panel_width'");
  EXPECT_EQ(
      refused(stubWith(
                  R"("shape": [10, 4]})",
                  R"("shape": [10, 4], "layout": "panels", "panel_width": 3})"),
              XFMR_ERROR_INTERNAL),
      "invalid model manifest: weights[0]: shape [10, 4] is not a "
      "whole number of panels of width 3");
  EXPECT_EQ(refused(stubWith(R"("shape": [10, 4]})",
                             R"("shape": [10, 4], "layout": 1})"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: weights[0]: 'layout' must be a string");
}

TEST(Manifest, EntriesInAnyOrder) {
  // Inputs in their own order, embed before encode, no token types.
  std::string inputs = input("attention_mask") + ", " + input("input_ids");
  Parsed p =
      parse(withEntries(entry("embed", inputs, kEmbedOutput,
                              R"("pooling": "cls", "normalize": true, )") +
                        ", " + entry("encode", kInputs, kEncodeOutput)));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  const Manifest &m = p.manifest;
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.findEntry(Role::Embed), 0);
  EXPECT_EQ(m.findEntry(Role::Encode), 1);
  const xfmr::runtime::EntrySpec &embed = m.entries[0];
  EXPECT_EQ(embed.inputs,
            (std::vector<Input>{Input::AttentionMask, Input::InputIds}));
  EXPECT_FALSE(embed.takes(Input::TokenTypeIds));
  EXPECT_EQ(embed.pooling, "cls");
  EXPECT_TRUE(embed.normalize);
  EXPECT_EQ(embed.outputName, "sentence_embedding");
  EXPECT_EQ(embed.outputShape, (std::vector<int64_t>{-1, 4}));

  // An embed entry need not say how it pools; encode need not exist.
  p = parse(withEntries(entry("embed", kInputs, kEmbedOutput)));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.entries[0].pooling, "");
  EXPECT_FALSE(p.manifest.entries[0].normalize);
  EXPECT_EQ(p.manifest.findEntry(Role::Encode), -1);

  p = parse(stubWith(R"("static_bytes": 0)", R"("static_bytes": 4096)"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.staticWorkBytes, 4096);
}

TEST(Manifest, CudaTarget) {
  const std::string cpu = R"("target": "cpu")";
  for (const char *arch : {"sm_80", "sm_90", "sm_100", "sm_120"}) {
    Parsed p = parse(stubWith(cpu, R"("target": "cuda", "cuda_arch": ")" +
                                       std::string(arch) + "\""));
    ASSERT_EQ(p.status, XFMR_OK) << p.error;
    EXPECT_EQ(p.manifest.target, "cuda");
    EXPECT_EQ(p.manifest.cudaArch, arch);
    EXPECT_TRUE(p.manifest.isCuda());
  }
  Parsed p = parse(xfmr_manifest);
  EXPECT_FALSE(p.manifest.isCuda());
  EXPECT_EQ(p.manifest.cudaArch, "");

  EXPECT_EQ(refused(stubWith(cpu, R"("target": "cuda")"), XFMR_ERROR_INTERNAL),
            "invalid model manifest: missing field 'cuda_arch'");
  EXPECT_EQ(refused(stubWith(cpu, R"("target": "cuda", "cuda_arch": 90)"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: 'cuda_arch' must be a string");
  for (const char *arch :
       {"", "sm_", "sm90", "SM_90", "sm_9a", "sm_90a", "sm_090", "sm_-9",
        "compute_90", "sm_12345", "sm_90 "})
    EXPECT_EQ(refused(stubWith(cpu, R"("target": "cuda", "cuda_arch": ")" +
                                        std::string(arch) + "\""),
                      XFMR_ERROR_INTERNAL),
              std::string("invalid model manifest: 'cuda_arch' '") + arch +
                  "' is not sm_ and a compute capability (sm_90)");
  EXPECT_EQ(refused(stubWith(cpu, cpu + R"(, "cuda_arch": "sm_90")"),
                    XFMR_ERROR_INTERNAL),
            "invalid model manifest: 'cuda_arch' is only for target 'cuda'");
}

TEST(Manifest, RefusesOtherVersionTargetAndKind) {
  EXPECT_EQ(refused(stubWith(R"("abi_version": 2)", R"("abi_version": 1)"),
                    XFMR_ERROR_UNSUPPORTED),
            "library built for ABI version 1; this runtime supports version 2");
  EXPECT_EQ(refused(stubWith(R"("abi_version": 2)", R"("abi_version": 3)"),
                    XFMR_ERROR_UNSUPPORTED),
            "library built for ABI version 3; this runtime supports version 2");
  // A version 1 manifest is refused for its version, not its fields.
  EXPECT_CONTAINS(
      refused(R"({"abi_version": 1, "target": "cpu", "inputs": []})",
              XFMR_ERROR_UNSUPPORTED),
      "ABI version 1");
  EXPECT_EQ(refused(stubWith(R"("target": "cpu")", R"("target": "rocm")"),
                    XFMR_ERROR_UNSUPPORTED),
            "library built for target 'rocm'; this runtime runs 'cpu' and "
            "'cuda'");
  EXPECT_EQ(
      refused(stubWith(R"("kind": "encoder")", R"("kind": "encoder-decoder")"),
              XFMR_ERROR_UNSUPPORTED),
      "model kind 'encoder-decoder' is not supported yet");
}

TEST(Manifest, RefusesUnknownRoles) {
  for (const char *role : {"encode_source", "x"})
    EXPECT_EQ(refused(stubWith(R"("role": "encode")",
                               std::string(R"("role": ")") + role + "\""),
                      XFMR_ERROR_UNSUPPORTED),
              std::string("entry role '") + role +
                  "' is not supported yet (this runtime runs 'encode', "
                  "'embed', 'logits', 'prefill' and 'decode_step')");
}

/// A session's entry of `role` with a kv_cache of `cache` ("inout" added
/// unless `inout` is false).
std::string cachedEntry(const std::string &role,
                        const std::string &cache = "[2, 2, -1, 1, -1, 2]",
                        bool inout = true) {
  std::string tokens = role == "decode_step" ? "[-1, 1]" : "[-1, -1]";
  std::string kv = R"({"name": "kv_cache", "dtype": "F32", "shape": )" + cache +
                   (inout ? R"(, "inout": true})" : "}");
  return entry(role,
               input("input_ids", "I64", tokens) + ", " +
                   input("position_ids", "I64", tokens) + ", " +
                   input("attention_mask") + ", " + kv,
               R"({"name": "logits", "dtype": "F32", "shape": [-1, 10]})");
}

/// The stub as a decoder of two layers with `entries`.
std::string decoderWith(const std::string &entries) {
  std::string m = withEntries(entries);
  for (auto [from, to] : {std::pair<std::string, std::string>{
                              R"("kind": "encoder")", R"("kind": "decoder")"},
                          {R"("num_layers": 0)", R"("num_layers": 2)"}})
    m.replace(m.find(from), from.size(), to);
  return m;
}

TEST(Manifest, SessionEntries) {
  // prefill and decode_step share a cache [layers, 2, batch, kv_heads,
  // capacity, head_dim]; the session sizes it from there.
  Parsed p = parse(
      decoderWith(cachedEntry("prefill") + ", " + cachedEntry("decode_step")));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  EXPECT_EQ(p.manifest.kvCache.layers, 2);
  EXPECT_EQ(p.manifest.kvCache.kvHeads, 1);
  EXPECT_EQ(p.manifest.kvCache.headDim, 2);
  const auto &decode =
      p.manifest.entries[p.manifest.findEntry(Role::DecodeStep)];
  EXPECT_EQ(decode.inputs,
            (std::vector<Input>{Input::InputIds, Input::PositionIds,
                                Input::AttentionMask, Input::KvCache}));
  EXPECT_EQ(decode.outputShape, (std::vector<int64_t>{-1, 10}));

  EXPECT_EQ(refused(decoderWith(cachedEntry("prefill")), XFMR_ERROR_INTERNAL),
            "invalid model manifest: 'prefill' and 'decode_step' come "
            "together");
  EXPECT_CONTAINS(
      refused(decoderWith(cachedEntry("prefill") + ", " +
                          cachedEntry("decode_step", "[2, 2, -1, 1, -1, 4]")),
              XFMR_ERROR_INTERNAL),
      "'prefill' and 'decode_step' disagree on the kv_cache shape");
  EXPECT_CONTAINS(
      refused(decoderWith(cachedEntry("prefill", "[3, 2, -1, 1, -1, 2]") +
                          ", " +
                          cachedEntry("decode_step", "[3, 2, -1, 1, -1, 2]")),
              XFMR_ERROR_INTERNAL),
      "the kv_cache has 3 layers, the model 2");
  // The cache is written in place: it must say so.
  EXPECT_CONTAINS(
      refused(
          decoderWith(cachedEntry("prefill", "[2, 2, -1, 1, -1, 2]", false) +
                      ", " + cachedEntry("decode_step")),
          XFMR_ERROR_UNSUPPORTED),
      "input 'kv_cache' F32 [2, 2, -1, 1, -1, 2] (not in/out) is "
      "not supported yet");
  // An encoder's signature under a session's role.
  EXPECT_EQ(refused(stubWith(R"("role": "encode")", R"("role": "prefill")"),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'prefill': 3 inputs is not supported yet (expected "
            "input_ids and position_ids I64 [-1, -1], attention_mask I64 "
            "[-1, -1], and kv_cache F32 [layers, 2, -1, kv_heads, -1, "
            "head_dim] in/out)");
}

TEST(Manifest, LogitsEntry) {
  // A decoder's logits: [batch, seq, vocab_size] (the stub's vocabulary has
  // 10 tokens), from the ids and the mask.
  std::string inputs = input("input_ids") + ", " + input("attention_mask");
  std::string logits =
      R"({"name": "logits", "dtype": "F32", "shape": [-1, -1, 10]})";
  Parsed p = parse(stubWith(R"("kind": "encoder")", R"("kind": "decoder")"));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  p = parse(withEntries(entry("logits", inputs, logits)));
  ASSERT_EQ(p.status, XFMR_OK) << p.error;
  ASSERT_EQ(p.manifest.entries.size(), 1u);
  EXPECT_EQ(p.manifest.findEntry(Role::Logits), 0);
  EXPECT_EQ(p.manifest.findEntry(Role::Encode), -1);
  EXPECT_EQ(p.manifest.entries[0].outputShape,
            (std::vector<int64_t>{-1, -1, 10}));
  // The logits are as wide as the vocabulary, not the model.
  EXPECT_EQ(refused(withEntries(entry("logits", inputs, kEncodeOutput)),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'logits': output 'last_hidden_state' of dtype 'F32' shape "
            "[-1, -1, 4] is not supported yet (expected F32 [-1, -1, 10])");
}

TEST(Manifest, RefusesUnknownInputs) {
  std::string expected = "(expected 'input_ids', 'attention_mask' and "
                         "optionally 'token_type_ids')";
  EXPECT_EQ(refused(withEntries(entry("encode",
                                      kInputs + ", " + input("position_ids"),
                                      kEncodeOutput)),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode': inputs ['input_ids', 'attention_mask', "
            "'token_type_ids', 'position_ids'] are not supported yet " +
                expected);
  // input_ids and attention_mask are needed.
  EXPECT_EQ(
      refused(withEntries(entry("encode", input("input_ids"), kEncodeOutput)),
              XFMR_ERROR_UNSUPPORTED),
      "entry 'encode': inputs ['input_ids'] are not supported yet " + expected);
  EXPECT_EQ(refused(withEntries(
                        entry("embed", input("attention_mask"), kEmbedOutput)),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'embed': inputs ['attention_mask'] are not supported yet " +
                expected);
  EXPECT_EQ(refused(stubWith(input("input_ids"), input("input_ids", "I32")),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode': input 'input_ids' of dtype 'I32' shape [-1, -1] "
            "is not supported yet (expected I64 [-1, -1])");
  EXPECT_EQ(refused(stubWith(input("attention_mask"),
                             input("attention_mask", "I64", "[-1, 8]")),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode': input 'attention_mask' of dtype 'I64' shape "
            "[-1, 8] is not supported yet (expected I64 [-1, -1])");
}

TEST(Manifest, RefusesUnknownOutputs) {
  EXPECT_EQ(refused(stubWith(R"("dtype": "F32", "shape": [-1, -1, 4])",
                             R"("dtype": "F16", "shape": [-1, -1, 4])"),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode': output 'last_hidden_state' of dtype 'F16' shape "
            "[-1, -1, 4] is not supported yet (expected F32 [-1, -1, 4])");
  EXPECT_CONTAINS(
      refused(stubWith("[-1, -1, 4]", "[-1, -1, 5]"), XFMR_ERROR_UNSUPPORTED),
      "shape [-1, -1, 5] is not supported yet");
  // embed pools to [batch, d_model].
  EXPECT_EQ(refused(withEntries(entry("embed", kInputs, kEncodeOutput)),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'embed': output 'last_hidden_state' of dtype 'F32' shape "
            "[-1, -1, 4] is not supported yet (expected F32 [-1, 4])");
  EXPECT_EQ(refused(withEntries(entry("encode", kInputs,
                                      kEncodeOutput + ", " + kEncodeOutput)),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode' has 2 outputs; this runtime supports one");
  EXPECT_EQ(refused(withEntries(entry("encode", kInputs, "")),
                    XFMR_ERROR_UNSUPPORTED),
            "entry 'encode' has 0 outputs; this runtime supports one");
}

TEST(Manifest, RefusesOtherWeightTypes) {
  EXPECT_EQ(refused(stubWith(R"("dtype": "F32", "shape": [10)",
                             R"("dtype": "F16", "shape": [10)"),
                    XFMR_ERROR_UNSUPPORTED),
            "weight 'emb' of dtype 'F16' is not supported yet (only F32)");
}

TEST(Manifest, RefusesMalformed) {
  Manifest m;
  std::string error;
  EXPECT_EQ(parseManifest("{", m, error), XFMR_ERROR_INTERNAL);
  EXPECT_EQ(error, "invalid model manifest: not a JSON object");
  EXPECT_EQ(parseManifest("[]", m, error), XFMR_ERROR_INTERNAL);
  EXPECT_EQ(parseManifest(nullptr, m, error), XFMR_ERROR_INTERNAL);
  EXPECT_EQ(error, "invalid model manifest: missing");

  struct Case {
    const char *from, *to, *message;
  } cases[] = {
      {R"("abi_version": 2,)", "", "missing field 'abi_version'"},
      {R"("abi_version": 2)", R"("abi_version": "2")",
       "'abi_version' must be an integer"},
      {R"("target": "cpu")", R"("target": 1)", "'target' must be a string"},
      {R"("name": "stub")", R"("name": null)", "'name' must be a string"},
      {R"("config": {)", R"("config": 3, "c": {)",
       "'config' must be an object"},
      {R"("d_model": 4)", R"("d_model": "4")",
       "config: 'd_model' must be an integer"},
      {R"("vocab_size": 10)", R"("vocab_size": 0)",
       "config: 'vocab_size' must be at least 1, got 0"},
      {R"("num_heads": 2,)", "", "config: missing field 'num_heads'"},
      {R"("type_vocab_size": 2)", R"("type_vocab_size": -1)",
       "config: 'type_vocab_size' must be at least 0, got -1"},
      {R"("max_positions": 8)", R"("max_positions": 18446744073709551615)",
       "config: 'max_positions' must be an integer"},
      {R"("weights": [)", R"("weights": [1, )",
       "weights[0]: must be an object"},
      {R"("shape": [10, 4])", R"("shape": [10, -4])",
       "weights[0]: 'shape' must hold integers >= 0"},
      {R"("shape": [10, 4])", R"("shape": "x")",
       "weights[0]: 'shape' must be an array"},
      {R"("key": "emb", )", "", "weights[0]: missing field 'key'"},
      {R"("entries": [)", R"("entries": {}, "e": [)",
       "'entries' must be an array"},
      {R"("entries": [)", R"("entries": [7, )",
       "entries[0]: must be an object"},
      {R"("role": "encode")", R"("role": "en code")",
       "entries[0]: 'role' 'en code' is not a name ([A-Za-z_][A-Za-z0-9_]*)"},
      {R"("role": "encode",)", "", "entries[0]: missing field 'role'"},
      {R"("inputs": [)", R"("inputs": 5, "i": [)",
       "entries[0]: 'inputs' must be an array"},
      {R"({"name": "input_ids", "dtype": "I64", )", R"({"name": "input_ids", )",
       "entries[0].inputs[0]: missing field 'dtype'"},
      {R"("name": "last_hidden_state")", R"("name": "1st")",
       "entries[0].outputs[0]: 'name' '1st' is not a name"},
      {R"("role": "encode",)", R"("role": "encode", "pooling": "mean",)",
       "entries[0]: 'pooling' is only for embed entries"},
      {R"("role": "encode",)", R"("role": "encode", "normalize": true,)",
       "entries[0]: 'normalize' is only for embed entries"},
      {R"("work_memory": {"static_bytes": 0})", R"("work": {})",
       "missing field 'work_memory'"},
      {R"({"static_bytes": 0})", "[]", "'work_memory' must be an object"},
      {R"("static_bytes": 0)", R"("static_bytes": -1)",
       "work_memory: 'static_bytes' must be at least 0, got -1"},
      {R"("static_bytes": 0)", R"("static_bytes": 1.5)",
       "work_memory: 'static_bytes' must be an integer"},
      {R"("type_vocab_size": 2)", R"("type_vocab_size": 0)",
       "input 'token_type_ids' needs type_vocab_size >= 1"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(refused(stubWith(c.from, c.to), XFMR_ERROR_INTERNAL)
                  .find(std::string("invalid model manifest: ") + c.message),
              0u)
        << c.from << " -> " << c.to;

  // Malformed entries, whole.
  std::string encode = entry("encode", kInputs, kEncodeOutput);
  std::pair<std::string, const char *> entryCases[] = {
      {"", "'entries' is empty"},
      {encode + ", " + encode, "entries[1]: a second entry with role 'encode'"},
      {entry("encode", kInputs + ", " + input("input_ids"), kEncodeOutput),
       "entries[0].inputs[3]: input 'input_ids' appears twice"},
      {entry("encode", kInputs, "true"),
       "entries[0].outputs[0]: must be an object"},
      {entry("embed", kInputs, kEmbedOutput, R"("pooling": "max", )"),
       "entries[0]: 'pooling' must be 'cls' or 'mean', got 'max'"},
      {entry("embed", kInputs, kEmbedOutput, R"("normalize": 1, )"),
       "entries[0]: 'normalize' must be a boolean"},
  };
  for (const auto &[entries, message] : entryCases)
    EXPECT_EQ(refused(withEntries(entries), XFMR_ERROR_INTERNAL),
              std::string("invalid model manifest: ") + message);
}

TEST(Manifest, MessagesStayOnOneLine) {
  // Control characters in quoted strings are escaped (parse() checks that
  // every message is one line).
  EXPECT_EQ(refused(stubWith(R"("target": "cpu")", R"("target": "a\nb")"),
                    XFMR_ERROR_UNSUPPORTED),
            "library built for target 'a\\x0ab'; this runtime runs 'cpu' "
            "and 'cuda'");
  EXPECT_CONTAINS(
      refused(stubWith(R"("role": "encode")", R"("role": "enc\node")"),
              XFMR_ERROR_INTERNAL),
      "'role' 'enc\\x0aode' is not a name");
  EXPECT_CONTAINS(refused(stubWith(R"("key": "emb", "dtype": "F32")",
                                   R"("key": "e\rm", "dtype": "F16")"),
                          XFMR_ERROR_UNSUPPORTED),
                  "weight 'e\\x0dm' of dtype 'F16'");
}

} // namespace
