#!/usr/bin/env python3
"""Saves raw float32 values as .npy in the shape of another array.

    raw_to_npy.py RAW LIKE.npy OUT.npy
"""
import sys

import numpy as np

raw, like, out = sys.argv[1:4]
np.save(out, np.fromfile(raw, np.float32).reshape(np.load(like).shape))
