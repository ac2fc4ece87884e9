#!/usr/bin/env python3
"""Writes the value-fill model of test/E2E/value-fill.test (numpy only, deterministic).

    /usr/bin/python3 test/E2E/models/value-fill/make_model.py

A version 2 spec of a post-LN encoder whose padded keys get the finite fill
-10000, with its tensors under the xfmr names (docs/spec.md), an explicit
attention scale, and a batch whose middle row is all padding. expected.npy is
the output of the numpy reference (test/reference/encoder.py) on those inputs,
written by examples/make_example.py's write_model as for the other models.
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples"))
import make_example  # noqa: E402  (the shared writer of the test models)

SPEC = {
    "format": "xfmr-spec",
    "version": 2,
    "name": "value-fill",
    "vocab_size": 40,
    "d_model": 24,
    "max_positions": 12,
    "type_vocab_size": 2,
    "embedding_norm": {"kind": "layer_norm", "eps": 1e-12},
    "stacks": [{
        "num_layers": 2,
        "attention": ["self"],
        "num_heads": 3,
        "attention_scale": 0.3,
        "positions": {"kind": "learned"},
        "norm": {"kind": "layer_norm", "placement": "post", "eps": 1e-12},
        "ffn": {"dim": 40, "activation": "gelu_tanh"},
    }],
    "dropout": {"hidden": 0.1, "attention": 0.1, "mode": "inverted"},
    "mask_fill": -10000,
    "pad_token_id": 0,
    "weight_names": "xfmr",
    "weights": "value-fill.safetensors",
}


def make_weights(rng):
    """Random weights under the xfmr names; norm gains and biases get noise too,
    so a kernel that drops or misplaces one changes the output."""
    d, f = SPEC["d_model"], SPEC["stacks"][0]["ffn"]["dim"]
    weights = {}

    def linear(name, out_dim, in_dim):
        weights[name + ".weight"] = rng.normal(0.0, 0.2, (out_dim, in_dim))
        weights[name + ".bias"] = rng.normal(0.0, 0.05, out_dim)

    def norm(name):
        weights[name + ".weight"] = 1.0 + rng.normal(0.0, 0.1, d)
        weights[name + ".bias"] = rng.normal(0.0, 0.1, d)

    weights["embed_tokens.weight"] = rng.normal(0.0, 0.2, (SPEC["vocab_size"], d))
    weights["embed_token_types.weight"] = rng.normal(0.0, 0.2, (SPEC["type_vocab_size"], d))
    norm("embed_norm")
    weights["encoder.embed_positions.weight"] = rng.normal(0.0, 0.2, (SPEC["max_positions"], d))
    for i in range(SPEC["stacks"][0]["num_layers"]):
        p = f"encoder.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            linear(p + "self_attn." + proj, d, d)
        norm(p + "self_attn_norm")
        linear(p + "ffn.up_proj", f, d)
        linear(p + "ffn.down_proj", d, f)
        norm(p + "ffn_norm")
    return {name: value.astype(np.float32) for name, value in weights.items()}


def make_inputs(rng, lengths, seq):
    """One row per length: real tokens, then padding; token types switch to 1
    halfway through the real tokens."""
    ids = np.zeros((len(lengths), seq), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(1, SPEC["vocab_size"], length)
        mask[row, :length] = 1
        types[row, length // 2:length] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def main():
    rng = np.random.default_rng(4)
    weights = make_weights(rng)
    inputs = make_inputs(rng, lengths=[7, 0, 3], seq=7)
    make_example.write_model(HERE, SPEC, weights, inputs, with_expected=True)


if __name__ == "__main__":
    main()
