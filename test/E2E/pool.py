#!/usr/bin/env python3
"""Pools reference hidden states as sentence-transformers does.

usage: pool.py cls|mean [--normalize] HIDDEN.npy MASK.npy OUT.npy
"""
import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["cls", "mean"])
    parser.add_argument("--normalize", action="store_true")
    parser.add_argument("hidden")
    parser.add_argument("mask")
    parser.add_argument("output")
    args = parser.parse_args()
    hidden = np.load(args.hidden).astype(np.float64)
    mask = np.load(args.mask).astype(np.float64)[:, :, None]
    if args.kind == "cls":
        pooled = hidden[:, 0, :]
    else:
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    if args.normalize:
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        pooled = pooled / np.maximum(norm, 1e-12)
    np.save(args.output, pooled.astype(np.float32))


if __name__ == "__main__":
    main()
