#!/usr/bin/env python3
"""Checks the output of Inputs/lookup.mlir: 2 * E[ids], E read from the
safetensors file with numpy alone.

    check_lookup.py OUT.npy IDS.npy WEIGHTS.safetensors
"""
import json
import struct
import sys

import numpy as np


def tensor(path, name):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    info = json.loads(data[8:8 + size])[name]
    begin, end = info["data_offsets"]
    raw = data[8 + size + begin:8 + size + end]
    return np.frombuffer(raw, dtype="<f4").reshape(info["shape"])


def main():
    out, ids, weights = sys.argv[1:4]
    table = tensor(weights, "embeddings.word_embeddings.weight")
    expected = 2.0 * table[np.load(ids)]
    actual = np.load(out)
    if actual.shape != expected.shape or not np.array_equal(actual, expected):
        print(f"FAILED: shape {actual.shape}, max error {np.abs(actual - expected).max()}")
        return 1
    print(f"lookup output {list(actual.shape)} equals 2 * E[ids]: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
