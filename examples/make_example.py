#!/usr/bin/env python3
"""Writes the example model and the end-to-end test models (numpy only, deterministic).

    /usr/bin/python3 examples/make_example.py

examples/tiny-encoder/: spec.json, tiny-encoder.safetensors, input_ids.npy,
attention_mask.npy, token_type_ids.npy.
test/E2E/models/<name>/: the same for each test variant, plus expected.npy, the
output of the numpy reference (test/reference/encoder.py) on those inputs.
"""

import json
import os
import shutil
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "reference"))
import encoder  # noqa: E402
import safetensors_np  # noqa: E402


def make_spec(name, **overrides):
    spec = {
        "format": "xfmr-spec",
        "version": 1,
        "name": name,
        "architecture": "encoder",
        "vocab_size": 99,
        "d_model": 32,
        "num_heads": 4,
        "ffn_dim": 64,
        "num_layers": 2,
        "max_positions": 64,
        "positions": "learned",
        "type_vocab_size": 2,
        "norm": {"kind": "layer_norm", "placement": "post", "eps": 1e-12},
        "embedding_layer_norm": True,
        "activation": "gelu",
        "dropout": {"hidden": 0.1, "attention": 0.1, "mode": "inverted"},
        "embedding_scale": False,
        "mask_fill": "neg_inf",
        "pad_token_id": 0,
        "weights": f"{name}.safetensors",
    }
    spec.update(overrides)
    return spec


def make_weights(rng, spec, matrix_std):
    """Random weights under the names of docs/spec.md.

    LayerNorm gains and all biases get noise too (BERT initialises them to 1 and
    0), so a kernel that drops or misplaces one changes the output.
    """
    d, f = spec["d_model"], spec["ffn_dim"]

    def matrix(*shape):
        return rng.normal(0.0, matrix_std, shape)

    def bias(n):
        return rng.normal(0.0, 0.05, n)

    def norm(prefix):
        weights[prefix + ".weight"] = 1.0 + rng.normal(0.0, 0.1, d)
        weights[prefix + ".bias"] = rng.normal(0.0, 0.1, d)

    weights = {"embeddings.word_embeddings.weight": matrix(spec["vocab_size"], d)}
    if spec["positions"] == "learned":
        weights["embeddings.position_embeddings.weight"] = matrix(spec["max_positions"], d)
    if spec.get("type_vocab_size", 0) > 0:
        weights["embeddings.token_type_embeddings.weight"] = matrix(spec["type_vocab_size"], d)
    if spec.get("embedding_layer_norm", True):
        norm("embeddings.LayerNorm")
    for i in range(spec["num_layers"]):
        p = f"encoder.layer.{i}."
        for linear, out_dim, in_dim in [("attention.self.query", d, d),
                                        ("attention.self.key", d, d),
                                        ("attention.self.value", d, d),
                                        ("attention.output.dense", d, d),
                                        ("intermediate.dense", f, d),
                                        ("output.dense", d, f)]:
            weights[p + linear + ".weight"] = matrix(out_dim, in_dim)
            weights[p + linear + ".bias"] = bias(out_dim)
        norm(p + "attention.output.LayerNorm")
        norm(p + "output.LayerNorm")
    return {name: value.astype(np.float32) for name, value in weights.items()}


def make_inputs(rng, spec, lengths, seq):
    """Ids, mask and token types for one row per entry of `lengths` (real tokens
    first, then padding); token types switch from segment 0 to 1 halfway."""
    batch = len(lengths)
    ids = np.full((batch, seq), spec["pad_token_id"], dtype=np.int64)
    mask = np.zeros((batch, seq), dtype=np.int64)
    types = np.zeros((batch, seq), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(1, spec["vocab_size"], length)
        mask[row, :length] = 1
        if spec.get("type_vocab_size", 0) > 1:
            types[row, length // 2:length] = 1
    inputs = {"input_ids": ids, "attention_mask": mask}
    if spec.get("type_vocab_size", 0) > 0:
        inputs["token_type_ids"] = types
    return inputs


def write_model(folder, spec, weights, inputs, with_expected):
    os.makedirs(folder, exist_ok=True)
    spec_path = os.path.join(folder, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    safetensors_np.save(os.path.join(folder, spec["weights"]), weights)
    for name, array in inputs.items():
        np.save(os.path.join(folder, name + ".npy"), array)
    if with_expected:
        # Through the same loader as the CLI, so the files on disk are what is checked.
        config, loaded = encoder.load_model(spec_path)
        expected = encoder.encode(config, loaded, inputs["input_ids"], inputs["attention_mask"],
                                  inputs.get("token_type_ids"))
        if not np.isfinite(expected).all():
            raise SystemExit(f"{folder}: the reference output is not finite")
        np.save(os.path.join(folder, "expected.npy"), expected)


def main():
    models = os.path.join(ROOT, "test", "E2E", "models")
    example = os.path.join(ROOT, "examples", "tiny-encoder")
    # Only the folders written here: other models under test/E2E/models have
    # scripts of their own (value-fill/make_model.py).
    for folder in [example] + [os.path.join(models, name) for name in
                               ("tiny-encoder", "sinusoidal-relu", "classic-dropout",
                                "fully-masked")]:
        shutil.rmtree(folder, ignore_errors=True)

    # The example keeps BERT's initialisation scale. The test variants use a
    # larger one so attention is far from uniform and a wrong mask, scale or
    # head split shows in the output.
    rng = np.random.default_rng(20240601)
    spec = make_spec("tiny-encoder")
    weights = make_weights(rng, spec, matrix_std=0.02)
    inputs = make_inputs(rng, spec, lengths=[8, 5], seq=8)
    write_model(example, spec, weights, inputs, with_expected=False)
    write_model(os.path.join(models, "tiny-encoder"), spec, weights, inputs, with_expected=True)

    # Vaswani-style embedding path; odd sizes so nothing relies on BERT's.
    rng = np.random.default_rng(1)
    spec = make_spec("sinusoidal-relu", vocab_size=50, d_model=48, num_heads=3, ffn_dim=80,
                     num_layers=1, max_positions=16, positions="sinusoidal",
                     type_vocab_size=0, embedding_layer_norm=False, activation="relu",
                     embedding_scale=True, mask_fill="neg_inf", pad_token_id=1)
    write_model(os.path.join(models, spec["name"]), spec, make_weights(rng, spec, 0.2),
                make_inputs(rng, spec, lengths=[6, 2, 4], seq=6), with_expected=True)

    # Classic dropout scales by the keep probability; also the lowest mask fill.
    rng = np.random.default_rng(2)
    spec = make_spec("classic-dropout", vocab_size=64, num_heads=2, ffn_dim=48,
                     max_positions=12, type_vocab_size=3, activation="gelu_tanh",
                     dropout={"hidden": 0.1, "attention": 0.1, "mode": "classic"},
                     mask_fill="lowest")
    write_model(os.path.join(models, spec["name"]), spec, make_weights(rng, spec, 0.2),
                make_inputs(rng, spec, lengths=[3, 10, 7], seq=10), with_expected=True)

    # Row 1 is all padding: every one of its attention rows has no key at all.
    rng = np.random.default_rng(3)
    spec = make_spec("fully-masked", max_positions=16)
    write_model(os.path.join(models, spec["name"]), spec, make_weights(rng, spec, 0.2),
                make_inputs(rng, spec, lengths=[5, 0, 9], seq=9), with_expected=True)


if __name__ == "__main__":
    main()
