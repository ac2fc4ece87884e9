#!/usr/bin/env python3
"""Writes a safetensors file of F32 zeros, for the version 2 weight tests.

    write_zeros.py OUT.safetensors TENSORS.txt [NAME=D0xD1 | -NAME]...

TENSORS.txt has one `NAME D0xD1...` per line; `NAME=SHAPE` changes (or adds)
a tensor's shape and `-NAME` leaves it out. Standard library only.
"""

import json
import struct
import sys


def main():
    out, listing, *edits = sys.argv[1:]
    tensors = {}
    with open(listing) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, shape = line.split()
                tensors[name] = shape
    for edit in edits:
        if edit.startswith("-"):
            del tensors[edit[1:]]
        else:
            name, shape = edit.split("=")
            tensors[name] = shape
    header, size = {}, 0
    for name, shape in sorted(tensors.items()):
        dims = [int(d) for d in shape.split("x")]
        count = 1
        for d in dims:
            count *= d
        header[name] = {"dtype": "F32", "shape": dims,
                        "data_offsets": [size, size + 4 * count]}
        size += 4 * count
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(size))


if __name__ == "__main__":
    main()
