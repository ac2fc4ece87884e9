#!/usr/bin/env python3
#===- bench.py - runtime tokenizers vs Hugging Face tokenizers -------------===#
#
# Times xfmr-tokenizer-bench and Hugging Face tokenizers (PyPI) on the same
# text, one thread each, and prints tokens per second and their ratio. Both
# encode every line with special tokens, after one warm-up pass; HF through
# encode_batch (its fastest path from Python, one call per pass) with
# RAYON_NUM_THREADS=1. Also checks both produce the same number of tokens.
#
#   .venv-fixtures/bin/python bench/tokenizers/bench.py \
#       [--bench build/bin/xfmr-tokenizer-bench] [--repeat 20]
#
# The default text is test/tokenizers/corpus.txt followed by train.txt; the
# tokenizers are those of test/tokenizers (see make_expected.py).
#
#===------------------------------------------------------------------------===#

import argparse
import os
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "test", "tokenizers")
CASES = [("minilm (BERT uncased WordPiece)", "minilm/tokenizer.json"),
         ("wordpiece-cased", "wordpiece-cased/tokenizer.json"),
         ("bpe (GPT-2 byte-level)", "bpe/tokenizer.json")]


def hf_rate(path, lines, repeat):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    texts = [l.decode("utf-8", errors="replace") for l in lines]
    tok.encode_batch(texts)  # warm-up
    tokens = 0
    start = time.perf_counter()
    for _ in range(repeat):
        tokens += sum(len(e.ids) for e in tok.encode_batch(texts))
    return tokens, tokens / (time.perf_counter() - start)


def ours_rate(binary, path, text_path, repeat):
    out = subprocess.run([binary, path, text_path, str(repeat)], check=True,
                         capture_output=True, text=True).stdout.split()
    fields = dict(zip(out[0::2], out[1::2]))
    return int(fields["tokens"]), float(fields["tokens/s"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", default=os.path.join(
        ROOT, "build", "bin", "xfmr-tokenizer-bench"))
    parser.add_argument("--text", help="text file (default: the corpus)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as f:
        if args.text:
            f.write(open(args.text, "rb").read())
        else:
            for name in ("corpus.txt", "train.txt"):
                f.write(open(os.path.join(DATA, name), "rb").read())
        text_path = f.name
    data = open(text_path, "rb").read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()

    print("%d lines, %d bytes, %d passes, one thread" %
          (len(lines), len(data), args.repeat))
    print("%-32s %14s %14s %7s" % ("tokenizer", "xfmr tok/s", "HF tok/s",
                                   "ratio"))
    for name, rel in CASES:
        path = os.path.join(DATA, rel)
        ours_tokens, ours = ours_rate(args.bench, path, text_path, args.repeat)
        hf_tokens, hf = hf_rate(path, lines, args.repeat)
        if ours_tokens != hf_tokens:
            print("token counts differ: xfmr %d, HF %d" %
                  (ours_tokens, hf_tokens), file=sys.stderr)
            return 1
        print("%-32s %14.0f %14.0f %6.2fx" % (name, ours, hf, ours / hf))
    os.unlink(text_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
