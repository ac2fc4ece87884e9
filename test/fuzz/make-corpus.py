#!/usr/bin/env python3
"""Writes the seed corpora of the spec, config.json, tokenizer and IR fuzz
targets from the repository's own files (test/fuzz/corpus/<target>/seed-*).

Regression inputs (regression-*) are added by hand and left alone. The
tokenizer seeds are the test tokenizers cut down to their first ids and
written compactly, so that each stays a few kilobytes.
"""
import collections
import glob
import json
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "test", "fuzz", "corpus")
TOK = os.path.join(ROOT, "test", "tokenizers")
KEEP_IDS = 400


def reset(target):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    for old in glob.glob(os.path.join(folder, "seed-*")):
        os.remove(old)
    return folder


def write(folder, name, data):
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def trim_vocab(vocab):
    return {token: i for token, i in vocab.items() if i < KEEP_IDS}


def trim_merges(merges, vocab):
    kept = []
    for merge in merges:
        a, b = merge if isinstance(merge, list) else merge.split(" ", 1)
        if a in vocab and b in vocab and a + b in vocab:
            kept.append(merge)
    return kept


def trimmed_tokenizer_json(path):
    with open(path, encoding="utf-8") as f:
        tok = json.load(f)
    model = tok["model"]
    model["vocab"] = trim_vocab(model["vocab"])
    if "merges" in model:
        model["merges"] = trim_merges(model["merges"], model["vocab"])
    return tok


def specs():
    out = reset("spec")
    shutil.copy(os.path.join(ROOT, "examples", "tiny-encoder", "spec.json"),
                os.path.join(out, "seed-tiny-encoder.json"))
    with open(os.path.join(ROOT, "examples", "tiny-encoder", "spec.json")) as f:
        spec = json.load(f)
    del spec["weights"]
    spec["mask_fill"] = "lowest"
    write(out, "no-weights.json", compact(spec))
    for path in sorted(glob.glob(os.path.join(ROOT, "test", "Import", "Inputs", "*.json"))):
        name = os.path.basename(path)
        if name.startswith("hf-") or name.startswith("index-"):
            continue
        shutil.copy(path, os.path.join(out, "seed-" + name))


def configs():
    out = reset("hf-config")
    paths = glob.glob(os.path.join(ROOT, "test", "fixtures", "hf*", "*", "config.json"))
    paths += glob.glob(os.path.join(ROOT, "test", "Import", "Inputs", "hf-*", "config.json"))
    for path in sorted(paths):
        name = os.path.basename(os.path.dirname(path))
        shutil.copy(path, os.path.join(out, "seed-" + name + ".json"))
    shutil.copy(os.path.join(ROOT, "test", "Import", "Inputs", "hf-tiny-config.json"),
                os.path.join(out, "seed-hf-tiny-config.json"))


def tokenizer_files():
    # First byte: bits 0-1 format (0 json, 1 vocab.txt, 2 vocab.json+merges),
    # bits 2-3 load flags (TokenizerLoadFuzzer.cpp).
    out = reset("tokenizer-load")
    for case in ["wordpiece-uncased", "wordpiece-cased", "bpe", "bpe-prefix"]:
        tok = trimmed_tokenizer_json(os.path.join(TOK, case, "tokenizer.json"))
        write(out, "json-" + case, b"\x00" + compact(tok))
    for case, flags in [("wordpiece-uncased", 0), ("wordpiece-cased", 8),
                        ("wordpiece-cased", 4)]:
        with open(os.path.join(TOK, case, "vocab.txt"), "rb") as f:
            lines = f.read().split(b"\n")[:KEEP_IDS]
        write(out, "vocab-txt-%s-%d" % (case, flags),
              bytes([1 | flags]) + b"\n".join(lines) + b"\n")
    with open(os.path.join(TOK, "bpe", "vocab.json"), encoding="utf-8") as f:
        vocab = trim_vocab(json.load(f))
    with open(os.path.join(TOK, "bpe", "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = [l for l in lines if l.startswith("#")]
    merges = trim_merges([l for l in lines if l and not l.startswith("#")], vocab)
    write(out, "vocab-json-merges",
          b"\x02" + compact(vocab) + b"\x00" +
          "\n".join(header + merges + [""]).encode())


def tokenizer_texts():
    # First byte: bits 0-1 tokenizer, bits 2-3 mode, bit 4 skip special
    # tokens (TokenizerEncodeFuzzer.cpp).
    out = reset("tokenizer-encode")
    with open(os.path.join(TOK, "corpus.txt"), "rb") as f:
        lines = [l for l in f.read().split(b"\n") if l]
    picks = [0, 2, 7, 8, 12, 20, 30, 40, len(lines) - 1]
    picks = sorted({min(i, len(lines) - 1) for i in picks})
    for which in range(4):
        for i in picks:
            write(out, "text-%d-%d" % (which, i), bytes([which]) + lines[i])
        # A pair split at a tab, max_length 16 with pairs (control 32|16).
        write(out, "pair-%d" % which,
              bytes([which | 4, 32 | 16]) + lines[0] + b"\t" + lines[1])
        write(out, "batch-%d" % which,
              bytes([which | 4, 128 | 64 | 8]) + lines[2])
        # Ids 0..40 as 16-bit values, and as raw 64-bit values.
        write(out, "ids16-%d" % which,
              bytes([which | 8 | 16]) + b"".join(i.to_bytes(2, "little") for i in range(41)))
        write(out, "ids64-%d" % which,
              bytes([which | 12]) + b"".join(i.to_bytes(8, "little") for i in range(41)))


def ir_inputs():
    # Every split of the dialect, transform and conversion lit tests, without
    # its comments (RUN and CHECK lines, expected-error annotations).
    out = reset("ir")
    seeds = []
    for layer in ["Dialect", "Transforms", "Conversion"]:
        for path in sorted(glob.glob(os.path.join(ROOT, "test", layer, "*.mlir"))):
            with open(path, encoding="utf-8") as f:
                splits = f.read().split("// -----")
            stem = os.path.splitext(os.path.basename(path))[0]
            for i, text in enumerate(splits):
                lines = [l for l in text.split("\n")
                         if l.strip() and not l.lstrip().startswith("//")]
                if lines:
                    seeds.append("\n".join(lines) + "\n")
                    write(out, "%s-%s-%d.mlir" % (layer.lower(), stem, i),
                          seeds[-1].encode())
    # A libFuzzer dictionary (test/fuzz/ir.dict, run-fuzzers.sh passes it):
    # the op, attribute and keyword names the seeds use twice or more, and
    # tokens that make types and numbers extreme.
    words = collections.Counter()
    for text in seeds:
        words.update(re.findall(
            r"(?<![%#^@\w])[a-z_][a-z_0-9]*(?:\.[a-z_][a-z_0-9]*)*", text))
    tokens = sorted(w for w, n in words.items()
                    if n >= 2 and len(w) >= 2 and not re.match(r"x\d", w))
    tokens += ["tensor<", "?x", "xf32>", "xf16>", "xbf16>", "xi1>", "xi64>",
               "0x", "-> ", " : ", "#xfmr.", "= ", "-1", "0", "1e38", "nan",
               "0.0", "2147483648", "9223372036854775807", "18446744073709551616"]
    with open(os.path.join(ROOT, "test", "fuzz", "ir.dict"), "w") as f:
        f.write("# Written by make-corpus.py.\n")
        for token in tokens:
            f.write(json.dumps(token) + "\n")


WRITERS = {"spec": specs, "hf-config": configs, "tokenizer-load": tokenizer_files,
           "tokenizer-encode": tokenizer_texts, "ir": ir_inputs}

if __name__ == "__main__":
    # make-corpus.py [TARGET...]: only those targets' seeds (default: all).
    for target in sys.argv[1:] or WRITERS:
        WRITERS[target]()
