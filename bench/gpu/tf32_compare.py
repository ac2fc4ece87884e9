#!/usr/bin/env python3
#===- tf32_compare.py - a TF32 library's output at the TF32 tolerance -------===#
#
# Like test/E2E/compare.py (the same mask and --all-finite handling, the same
# "max abs error E ..." start of its one line), but the bound scales with the
# expected output's magnitude, as TF32's error does:
#
#   max |actual - expected| <= RTOL * max(1, max |expected|)
#
# on the compared positions (RTOL: --rtol, 2e-2 by default). The relative RMS
# error, ||actual - expected|| / ||expected||, is printed beside it (not
# checked).
#
#   tf32_compare.py ACTUAL.npy EXPECTED.npy [--attention-mask m.npy]
#                   [--all-finite] [--rtol 2e-2]
#
# Exit status 0 within the bound, 1 otherwise (a non-finite compared value
# fails).
#
#===------------------------------------------------------------------------===#

import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(
        description="A TF32 output against the expected one, at a bound scaled to its size")
    parser.add_argument("actual")
    parser.add_argument("expected")
    parser.add_argument("--attention-mask")
    parser.add_argument("--all-finite", action="store_true")
    parser.add_argument("--rtol", type=float, default=2e-2)
    args = parser.parse_args()

    actual = np.load(args.actual).astype(np.float64)
    expected = np.load(args.expected).astype(np.float64)
    if actual.shape != expected.shape:
        print(f"shape mismatch: got {list(actual.shape)}, expected {list(expected.shape)}: FAILED")
        return 1
    compared = np.ones(actual.shape, dtype=bool)
    if args.attention_mask:
        mask = np.load(args.attention_mask)
        if mask.shape != actual.shape[:2]:
            print(f"mask shape {list(mask.shape)} does not match the output's "
                  f"[batch, seq] {list(actual.shape[:2])}: FAILED")
            return 1
        compared = np.broadcast_to((mask != 0).reshape(mask.shape + (1,) * (actual.ndim - 2)),
                                   actual.shape)
    a, e = actual[compared], expected[compared]
    finite = np.isfinite(a) & np.isfinite(e)
    error = np.where(finite, np.abs(a - e), np.inf)
    max_error = float(error.max()) if error.size else 0.0
    scale = max(1.0, float(np.abs(e[np.isfinite(e)]).max()) if e.size else 1.0)
    bound = args.rtol * scale
    norm = float(np.sqrt((e[finite] ** 2).sum()))
    rel_rms = float(np.sqrt((error[finite] ** 2).sum()) / norm) if norm > 0 else 0.0
    line = (f"max abs error {max_error:.1e} over {a.size} values "
            f"(<= {args.rtol:.0e} * max(1, max|expected| {scale:.2f}) = {bound:.1e}; "
            f"rel rms {rel_rms:.1e})")
    if args.all_finite and not np.isfinite(actual).all():
        print(f"{line}: FAILED: not finite")
        return 1
    if max_error <= bound:
        print(f"{line}: ok")
        return 0
    print(f"{line}: FAILED")
    return 1


if __name__ == "__main__":
    sys.exit(main())
