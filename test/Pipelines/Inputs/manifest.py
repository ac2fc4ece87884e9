#!/usr/bin/env python3
"""Prints the manifest of a model library (xfmr_model_manifest), or one field.

    manifest.py LIB.so [--weights PATH] [--field NAME]

Opens the model through the C API with ctypes, as any program would.
"""
import argparse
import ctypes
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lib")
    parser.add_argument("--weights")
    parser.add_argument("--field")
    args = parser.parse_args()
    lib = ctypes.CDLL(args.lib)
    lib.xfmr_model_manifest.restype = ctypes.c_char_p
    lib.xfmr_last_error.restype = ctypes.c_char_p
    model = ctypes.c_void_p()
    weights = args.weights.encode() if args.weights else None
    if lib.xfmr_model_open(weights, ctypes.byref(model)) != 0:
        print("open failed:", lib.xfmr_last_error().decode(), file=sys.stderr)
        return 1
    text = lib.xfmr_model_manifest(model)
    manifest = json.loads(text)
    if args.field:
        sys.stdout.buffer.write(json.dumps(manifest[args.field]).encode() + b"\n")
    else:
        sys.stdout.buffer.write(text + b"\n")
    lib.xfmr_model_close(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
