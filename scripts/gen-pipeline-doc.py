#!/usr/bin/env python3
"""Renders docs/pipeline.md from docs/walkthrough/pipeline.md.in.

The template's placeholders are filled with IR that xfmrc prints for the tiny
model docs/walkthrough/tiny.json, so the walk-through shows exactly what the
compiler does today. test/Pipelines/docs-walkthrough.test re-renders it and
compares with the committed file.

Placeholders, each alone on a line:
  {{passes}}                       the numbered pass list of --dump-ir
  {{ir FILE FUNC}}                 function FUNC of the --dump-ir file FILE; FILE
                                   is a file name (06-canonicalize.mlir) or a pass
                                   name, PASS or PASS#K: the file of its first (K-th)
                                   run, which stays right when passes are added
  {{llvm-ir FUNC}}                 function FUNC of --emit=llvm-ir
  {{... /REGEX/ N}}                only N lines of it, from the first matching REGEX

usage: gen-pipeline-doc.py XFMRC [OUTPUT]   (default output: docs/pipeline.md)
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "docs", "walkthrough", "tiny.json")
TEMPLATE = os.path.join(ROOT, "docs", "walkthrough", "pipeline.md.in")


def function_lines(text, name):
    """The lines of `func.func ... @name` (or an LLVM `define ... @name`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if re.search(r"(func\.func|define)\b.*@%s\(" % re.escape(name), line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == "}" and len(lines[end]) - len(lines[end].lstrip()) == indent:
            break
    return [line[indent:] for line in lines[start:end + 1]]


def dump_file(files, name):
    """The --dump-ir file NAME names: itself, or the K-th run of pass PASS#K."""
    if name in files:
        return name
    pass_name, _, k = name.partition("#")
    runs = [f for f in files if re.fullmatch(r"\d+-%s\.mlir" % re.escape(pass_name), f)]
    if len(runs) < int(k or 1):
        sys.exit("no --dump-ir file for " + name)
    return runs[int(k or 1) - 1]


def main():
    xfmrc = sys.argv[1]
    output = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "pipeline.md")
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "ir")
        subprocess.run([xfmrc, MODEL, "--emit=llvm", "--dump-ir=" + dump, "-o", os.devnull], check=True)
        llvm_ir = subprocess.run([xfmrc, MODEL, "--emit=llvm-ir"], check=True,
                                 capture_output=True, text=True).stdout
        files = sorted(os.listdir(dump))
        rendered = []
        for line in open(TEMPLATE, encoding="utf-8").read().splitlines():
            m = re.fullmatch(r"\{\{(.*)\}\}", line.strip())
            if not m:
                rendered.append(line)
                continue
            place = re.fullmatch(r"(ir (\S+)|llvm-ir) (\S+)(?: /(.*)/ (\d+))?",
                                 m.group(1))
            if m.group(1) == "passes":
                block = ["```"] + files + ["```"]
            elif place:
                if place.group(2):
                    path = os.path.join(dump, dump_file(files, place.group(2)))
                    text, language = open(path, encoding="utf-8").read(), "mlir"
                else:
                    text, language = llvm_ir, "llvm"
                body = function_lines(text, place.group(3))
                if place.group(4):
                    regex = re.compile(place.group(4))
                    first = next(i for i, l in enumerate(body) if regex.search(l))
                    body = ["..."] + body[first:first + int(place.group(5))] + ["..."]
                block = ["```" + language] + body + ["```"]
            else:
                sys.exit("unknown placeholder: " + line)
            rendered.extend(block)
    with open(output, "w", encoding="utf-8") as out:
        out.write("\n".join(rendered) + "\n")


if __name__ == "__main__":
    main()
