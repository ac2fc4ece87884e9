#!/usr/bin/env python3
"""Writes the decoder test models tiny-gpt and tiny-llama (numpy only, deterministic).

    /usr/bin/python3 test/E2E/models/make_decoder_models.py

test/E2E/models/<name>/: spec.json (version 2, one decoder stack, tensors under
the xfmr names of docs/spec.md), <name>.safetensors (random weights),
input_ids.npy and attention_mask.npy (int64 [2, 8]: a full row and a row
right-padded to 5 tokens) and expected.npy, the float32 logits of the numpy
reference (test/reference/decoder.py) on those inputs.

tiny-gpt is GPT-2-shaped: learned positions, pre-LN layer_norm with biases and
a final norm, gelu_tanh, a tied head. tiny-llama is the Llama-shaped example of
docs/spec.md: grouped-query attention (2 key/value heads for 4), rotary
half_split positions, rms_norm pre-LN and final, a silu-gated FFN, no biases,
a separate head.
"""

import json
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import decoder  # noqa: E402
import safetensors_np  # noqa: E402

TINY_GPT = {
    "format": "xfmr-spec",
    "version": 2,
    "name": "tiny-gpt",
    "vocab_size": 80,
    "d_model": 32,
    "max_positions": 32,
    "stacks": [{
        "num_layers": 2,
        "attention": ["causal_self"],
        "num_heads": 4,
        "positions": {"kind": "learned"},
        "norm": {"kind": "layer_norm", "placement": "pre", "eps": 1e-5, "final": True},
        "ffn": {"dim": 64, "activation": "gelu_tanh"},
    }],
    "lm_head": {"kind": "tied"},
    "dropout": {"hidden": 0.1, "attention": 0.1},
    "pad_token_id": 0,
    "weights": "tiny-gpt.safetensors",
}

TINY_LLAMA = {
    "format": "xfmr-spec",
    "version": 2,
    "name": "tiny-llama",
    "vocab_size": 64,
    "d_model": 32,
    "max_positions": 128,
    "stacks": [{
        "num_layers": 2,
        "attention": ["causal_self"],
        "num_heads": 4,
        "num_kv_heads": 2,
        "positions": {"kind": "rotary", "theta": 10000, "scaling": 1, "layout": "half_split"},
        "norm": {"kind": "rms_norm", "placement": "pre", "eps": 1e-6, "final": True},
        "ffn": {"dim": 86, "activation": "silu", "gated": True},
        "bias": {"qkv": False, "attention_output": False, "ffn": False},
    }],
    "lm_head": {"kind": "separate"},
    "weights": "tiny-llama.safetensors",
}


def make_weights(rng, spec):
    """Random tensors of every name the spec needs (the reference's own list).

    Matrices have std 0.2 (so attention is far from uniform), norm gains 1 plus
    noise and biases noise (not 1 and 0), so a kernel that drops, transposes or
    misplaces one changes the output."""
    config = decoder.spec_config(spec)
    weights = {}
    for name, shape in decoder.expected_shapes(config).items():
        if name.endswith("norm.weight"):
            weights[name] = 1.0 + rng.normal(0.0, 0.1, shape)
        elif name.endswith(".bias"):
            weights[name] = rng.normal(0.0, 0.05 if "proj" in name else 0.1, shape)
        else:
            weights[name] = rng.normal(0.0, 0.2, shape)
    return {name: value.astype(np.float32) for name, value in weights.items()}


def make_inputs(rng, vocab_size, lengths, seq, left=False):
    """One row per length: real tokens, then padding (id 0); with `left`,
    the padding first."""
    ids = np.zeros((len(lengths), seq), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, length in enumerate(lengths):
        real = slice(seq - length, seq) if left else slice(0, length)
        ids[row, real] = rng.integers(1, vocab_size, length)
        mask[row, real] = 1
    return {"input_ids": ids, "attention_mask": mask}


def write_model(spec, seed):
    folder = os.path.join(HERE, spec["name"])
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    rng = np.random.default_rng(seed)
    spec_path = os.path.join(folder, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    safetensors_np.save(os.path.join(folder, spec["weights"]), make_weights(rng, spec))
    inputs = make_inputs(rng, spec["vocab_size"], lengths=[8, 5], seq=8)
    for name, array in inputs.items():
        np.save(os.path.join(folder, name + ".npy"), array)
    # Through the same loader as the CLI, so the files on disk are what is checked.
    config, weights = decoder.load_model(spec_path)
    expected = decoder.decode(config, weights, inputs["input_ids"], inputs["attention_mask"])
    if not np.isfinite(expected).all():
        raise SystemExit(f"{folder}: the reference output is not finite")
    np.save(os.path.join(folder, "expected.npy"), expected)


def main():
    write_model(TINY_GPT, seed=11)
    write_model(TINY_LLAMA, seed=12)


if __name__ == "__main__":
    main()
