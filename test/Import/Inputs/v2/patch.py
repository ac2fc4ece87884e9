#!/usr/bin/env python3
"""Prints a spec with some fields changed, for the version 2 error tests.

    patch.py BASE.json [PATH=JSON | -PATH]...

PATH is a JSON path as xfmrc's messages spell it (`stacks[0].norm.eps`);
`PATH=JSON` sets it (an index one past the end appends), `-PATH` removes it.
A relative "weights" path is made absolute against BASE's folder, so that the
printed spec can live anywhere.
"""

import json
import os
import re
import sys


def split(path):
    """'stacks[0].norm.eps' -> ['stacks', 0, 'norm', 'eps']"""
    keys = []
    for part in path.split("."):
        match = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", part)
        keys.append(match.group(1))
        keys += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return keys


def main():
    base = sys.argv[1]
    with open(base) as f:
        spec = json.load(f)
    for edit in sys.argv[2:]:
        remove = edit.startswith("-")
        path, _, value = edit[1:].partition("=") if remove else edit.partition("=")
        *parents, last = split(path)
        node = spec
        for key in parents:
            node = node[key]
        if remove:
            del node[last]
        elif isinstance(node, list) and last == len(node):
            node.append(json.loads(value))
        else:
            node[last] = json.loads(value)
    weights = spec.get("weights")
    if weights and not os.path.isabs(weights):
        spec["weights"] = os.path.normpath(
            os.path.join(os.path.dirname(os.path.abspath(base)), weights))
    json.dump(spec, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
