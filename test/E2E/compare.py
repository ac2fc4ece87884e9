#!/usr/bin/env python3
"""Compares a model output with the expected one on the non-padded positions.

    compare.py ACTUAL.npy EXPECTED.npy [--attention-mask m.npy] [--all-finite]
               [--atol 1e-4 | --rtol 2e-2]

Prints one line and exits 0 when every compared value is within atol, 1 otherwise
(a NaN or infinity in a compared position of either array is a failure too; with
--all-finite, one anywhere in ACTUAL, padded positions included). With --rtol the
bound scales with the expected output's magnitude, as TF32's error does:
max |actual - expected| <= rtol * max(1, max |expected|) on the compared
positions; the relative RMS error is printed beside it (not checked).
"""

import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("actual")
    parser.add_argument("expected")
    parser.add_argument("--attention-mask",
                        help="[batch, seq] mask; positions where it is 0 are not compared")
    parser.add_argument("--all-finite", action="store_true",
                        help="ACTUAL must be finite on the positions not compared too")
    bounds = parser.add_mutually_exclusive_group()
    bounds.add_argument("--atol", type=float, default=1e-4)
    bounds.add_argument("--rtol", type=float,
                        help="bound: RTOL * max(1, max |expected|) (TF32 outputs)")
    args = parser.parse_args()

    actual = np.load(args.actual).astype(np.float64)
    expected = np.load(args.expected).astype(np.float64)
    if actual.shape != expected.shape:
        print(f"shape mismatch: got {list(actual.shape)}, expected {list(expected.shape)}: FAILED")
        return 1

    # Padded query positions are free to hold anything, so they are not compared.
    compared = np.ones(actual.shape, dtype=bool)
    if args.attention_mask:
        mask = np.load(args.attention_mask)
        if mask.shape != actual.shape[:2]:
            print(f"mask shape {list(mask.shape)} does not match the output's "
                  f"[batch, seq] {list(actual.shape[:2])}: FAILED")
            return 1
        compared = np.broadcast_to((mask != 0).reshape(mask.shape + (1,) * (actual.ndim - 2)),
                                   actual.shape)

    # A non-finite value counts as an infinite error, so it is reported first.
    error = np.abs(actual - expected)
    error[~(np.isfinite(actual) & np.isfinite(expected))] = np.inf
    error[~compared] = 0.0
    count = int(compared.sum())
    worst = np.unravel_index(np.argmax(error), error.shape) if error.size else ()
    max_error = float(error[worst]) if count else 0.0

    bound = args.atol
    line = f"max abs error {max_error:.1e} over {count} values (atol {args.atol:.0e})"
    if args.rtol is not None:
        finite = compared & np.isfinite(actual) & np.isfinite(expected)
        scale = max(1.0, float(np.abs(expected[finite]).max()) if finite.any() else 1.0)
        bound = args.rtol * scale
        norm = float(np.sqrt((expected[finite] ** 2).sum()))
        rel_rms = float(np.sqrt((error[finite] ** 2).sum()) / norm) if norm > 0 else 0.0
        line = (f"max abs error {max_error:.1e} over {count} values "
                f"(<= {args.rtol:.0e} * max(1, max|expected| {scale:.2f}) = {bound:.1e}; "
                f"rel rms {rel_rms:.1e})")
    if args.all_finite and not np.isfinite(actual).all():
        bad = tuple(np.argwhere(~np.isfinite(actual))[0])
        where = ", ".join(str(int(i)) for i in bad)
        print(f"{line}: FAILED: not finite at [{where}]: got {actual[bad]:.7g}")
        return 1
    if max_error <= bound:
        print(f"{line}: ok")
        return 0
    where = ", ".join(str(int(i)) for i in worst)
    print(f"{line}: FAILED at [{where}]: got {actual[worst]:.7g}, expected {expected[worst]:.7g}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
