#!/usr/bin/env python3
#===- tf32_emulate.py - the numpy reference with TF32 contractions ---------===#
#
# Runs test/reference/encoder.py or decoder.py with every matmul's operands
# truncated to TF32 first (the top 19 bits of their float32: what mma.sync
# reads of an operand it is given unrounded), the products summed in
# float64. Its output against the exact reference's is the error model behind
# the TF32 bound of bench/gpu-check.sh (bench/README.md). --fault drops every
# eighth k-step as well: how far a subtly wrong kernel lands.
#
#   tf32_emulate.py [--fault] test/reference/encoder.py MODEL --input-ids ... --output OUT
#
#===------------------------------------------------------------------------===#

import os
import runpy
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
import safetensors_np  # noqa: E402

FAULT = False


def truncate(a):
    a32 = np.ascontiguousarray(np.asarray(a, dtype=np.float32))
    return (a32.view(np.uint32) & np.uint32(0xFFFFE000)).view(np.float32).astype(np.float64)


class TF32(np.ndarray):
    """Arrays whose @ rounds both operands to TF32; the weights are made
    these, and what is computed from them stays so."""

    def __matmul__(self, other):
        a, b = truncate(self), truncate(other)
        if FAULT:
            keep = np.ones(a.shape[-1])
            keep[::8] = 0
            a = a * keep
        return np.matmul(a, b).view(TF32)

    def __rmatmul__(self, other):
        return TF32.__matmul__(np.asarray(other).view(TF32), self)


def main():
    global FAULT
    argv = sys.argv[1:]
    if argv and argv[0] == "--fault":
        FAULT, argv = True, argv[1:]
    if not argv:
        sys.exit("usage: tf32_emulate.py [--fault] REFERENCE.py ARGS...")
    load = safetensors_np.load

    def load_tf32(path):
        tensors, metadata = load(path)
        return {k: v.view(TF32) for k, v in tensors.items()}, metadata

    safetensors_np.load = load_tf32
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
