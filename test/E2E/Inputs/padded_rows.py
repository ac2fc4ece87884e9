#!/usr/bin/env python3
"""A right-padded batch and each of its rows alone, for skip-padding.test.

    padded_rows.py make PREFIX      PREFIX.{ids,mask,types}.npy: a [4, 12] batch of
                                    12, 7, 1 and 3 real tokens (padding ids are
                                    random, not 0, so a padded row that leaked would
                                    show); PREFIX.row{i}.{ids,types}.npy: row i alone
    padded_rows.py join PREFIX OUT  OUT.npy: the rows' outputs PREFIX.row{i}.out.npy
                                    placed where the batch has them, zeros elsewhere
"""
import sys

import numpy as np

LENGTHS = [12, 7, 1, 3]
SEQ = 12
VOCAB = 99


def make(prefix):
    rng = np.random.default_rng(7)
    ids = rng.integers(5, VOCAB, size=(len(LENGTHS), SEQ), dtype=np.int64)
    types = rng.integers(0, 2, size=ids.shape, dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, n in enumerate(LENGTHS):
        mask[i, :n] = 1
        np.save(f"{prefix}.row{i}.ids.npy", ids[i:i + 1, :n])
        np.save(f"{prefix}.row{i}.types.npy", types[i:i + 1, :n])
    np.save(f"{prefix}.ids.npy", ids)
    np.save(f"{prefix}.types.npy", types)
    np.save(f"{prefix}.mask.npy", mask)


def join(prefix, out):
    rows = [np.load(f"{prefix}.row{i}.out.npy") for i in range(len(LENGTHS))]
    joined = np.zeros((len(LENGTHS), SEQ) + rows[0].shape[2:], np.float32)
    for i, (n, row) in enumerate(zip(LENGTHS, rows)):
        joined[i, :n] = row[0]
    np.save(out, joined)


if __name__ == "__main__":
    {"make": make, "join": join}[sys.argv[1]](*sys.argv[2:])
