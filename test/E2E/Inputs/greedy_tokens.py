#!/usr/bin/env python3
"""Prints the new tokens of a greedy fixture as xfmr-run --generate prints them.

    greedy_tokens.py GREEDY.npy PROMPT_IDS.npy

GREEDY.npy holds each prompt followed by its new tokens (transformers'
generate), PROMPT_IDS.npy the prompts: one line per sequence, the new ids.
"""
import sys

import numpy as np

greedy, prompt = np.load(sys.argv[1]), np.load(sys.argv[2])
for row in greedy[:, prompt.shape[1]:]:
    print(" ".join(str(int(t)) for t in row))
