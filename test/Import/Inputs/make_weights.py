#!/usr/bin/env python3
"""Writes the tiny safetensors files the spec tests in test/Import use.

Standard library only. The weights match tiny.json (vocab 8, d_model 4,
2 heads, ffn 8, 2 layers, 8 learned positions, 2 token types); every value
is a small deterministic float. tiny-f16.safetensors stores the query weight
of layer 0 as F16 instead of F32. Run from this folder:

    python3 make_weights.py
"""
import json
import struct

VOCAB, D, FFN, LAYERS, POS, TYPES = 8, 4, 8, 2, 8, 2


def tensors():
    out = [
        ("embeddings.word_embeddings.weight", [VOCAB, D]),
        ("embeddings.position_embeddings.weight", [POS, D]),
        ("embeddings.token_type_embeddings.weight", [TYPES, D]),
        ("embeddings.LayerNorm.weight", [D]),
        ("embeddings.LayerNorm.bias", [D]),
    ]
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for proj in ("attention.self.query", "attention.self.key",
                     "attention.self.value", "attention.output.dense"):
            out += [(p + proj + ".weight", [D, D]), (p + proj + ".bias", [D])]
        out += [
            (p + "attention.output.LayerNorm.weight", [D]),
            (p + "attention.output.LayerNorm.bias", [D]),
            (p + "intermediate.dense.weight", [FFN, D]),
            (p + "intermediate.dense.bias", [FFN]),
            (p + "output.dense.weight", [D, FFN]),
            (p + "output.dense.bias", [D]),
            (p + "output.LayerNorm.weight", [D]),
            (p + "output.LayerNorm.bias", [D]),
        ]
    return out


def write(path, f16_name=None):
    header, data = {}, bytearray()
    for n, (name, shape) in enumerate(tensors()):
        count = 1
        for dim in shape:
            count *= dim
        values = [((n * 31 + k * 7) % 17 - 8) / 16.0 for k in range(count)]
        dtype, fmt = ("F16", "e") if name == f16_name else ("F32", "f")
        begin = len(data)
        data += struct.pack("<%d%s" % (count, fmt), *values)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [begin, len(data)]}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + bytes(data))


write("tiny.safetensors")
write("tiny-f16.safetensors", "encoder.layer.0.attention.self.query.weight")
