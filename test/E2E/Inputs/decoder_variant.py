#!/usr/bin/env python3
"""Writes a variant of a decoder spec model, with random weights, inputs and
the numpy reference's logits, for an end-to-end test (numpy only).

    decoder_variant.py SPEC.json OUT_DIR [--left-padding] [--seq=N] [FIELD=JSON ...]

Each FIELD=JSON sets a field of the spec, a dotted path into it
(`stacks.0.positions={"kind": "rotary", "layout": "interleaved"}`). OUT_DIR
gets spec.json, weights.safetensors, input_ids.npy and attention_mask.npy
(a full row and one padded to 5 tokens of 8, on the right or with
--left-padding on the left; with --seq=N, of N and 5 N / 8 tokens) and
expected.npy.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "reference"))
import decoder  # noqa: E402
import make_decoder_models as models  # noqa: E402
import safetensors_np  # noqa: E402


def main():
    source, out, patches = sys.argv[1], sys.argv[2], sys.argv[3:]
    left = "--left-padding" in patches
    seq = 8
    for p in patches:
        if p.startswith("--seq="):
            seq = int(p[len("--seq="):])
    patches = [p for p in patches if p != "--left-padding" and not p.startswith("--seq=")]
    with open(source) as f:
        spec = json.load(f)
    for patch in patches:
        path, value = patch.split("=", 1)
        keys = path.split(".")
        node = spec
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = json.loads(value)
    spec["weights"] = "weights.safetensors"
    os.makedirs(out, exist_ok=True)
    spec_path = os.path.join(out, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=2)
    rng = np.random.default_rng(5)
    safetensors_np.save(os.path.join(out, spec["weights"]), models.make_weights(rng, spec))
    inputs = models.make_inputs(rng, spec["vocab_size"], lengths=[seq, seq * 5 // 8], seq=seq,
                                left=left)
    for name, array in inputs.items():
        np.save(os.path.join(out, name + ".npy"), array)
    config, weights = decoder.load_model(spec_path)
    expected = decoder.decode(config, weights, inputs["input_ids"], inputs["attention_mask"])
    np.save(os.path.join(out, "expected.npy"), expected)


if __name__ == "__main__":
    main()
