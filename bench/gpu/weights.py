#!/usr/bin/env python3
#===- weights.py - BERT and GPT-2 checkpoints with random weights (numpy) --===#
#
# Writes a Hugging Face checkpoint folder (config.json, model.safetensors)
# for a BertModel or GPT2LMHeadModel configuration, with the tensor names and
# shapes that transformers' save_pretrained gives those classes, and random
# float32 values from numpy (seeded): weights and biases N(0, 0.02), layer
# norm scales 1 + N(0, 0.1). Needs numpy only, so the GPU machine can make the
# benchmark's weights (too big to carry) without torch; PyTorch then reads
# the same folder with from_pretrained, and xfmr-run with --weights.
#
#   weights.py bert-base|gpt2 DIR [--seed 0] [--sparse]
#   weights.py --self-check      # layouts against test/fixtures/hf's headers
#
# --sparse writes the header and a hole of the data's size (all zeros, no
# disk blocks): enough for xfmrc, which compiles against names and shapes.
#
#===------------------------------------------------------------------------===#

import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The benchmark's models: bench/encoder's BERT-base (BertConfig()) and
# bench/decoder's GPT-2 small with 2048 positions.
CONFIGS = {
    "bert-base": {
        "architectures": ["BertModel"], "model_type": "bert",
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02,
        "intermediate_size": 3072, "layer_norm_eps": 1e-12,
        "max_position_embeddings": 512, "num_attention_heads": 12,
        "num_hidden_layers": 12, "pad_token_id": 0, "type_vocab_size": 2,
        "vocab_size": 30522, "dtype": "float32",
    },
    "gpt2": {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
        "activation_function": "gelu_new", "attn_pdrop": 0.1, "bos_token_id": 50256,
        "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05, "n_embd": 768, "n_head": 12, "n_inner": None,
        "n_layer": 12, "n_positions": 2048, "resid_pdrop": 0.1,
        "scale_attn_weights": True, "tie_word_embeddings": True,
        "vocab_size": 50257, "dtype": "float32",
    },
}


def bert_layout(c):
    h, i = c["hidden_size"], c["intermediate_size"]
    t = {"embeddings.word_embeddings.weight": [c["vocab_size"], h],
         "embeddings.position_embeddings.weight": [c["max_position_embeddings"], h],
         "embeddings.token_type_embeddings.weight": [c["type_vocab_size"], h],
         "embeddings.LayerNorm.weight": [h], "embeddings.LayerNorm.bias": [h],
         "pooler.dense.weight": [h, h], "pooler.dense.bias": [h]}
    for n in range(c["num_hidden_layers"]):
        p = "encoder.layer.%d." % n
        for name in ("query", "key", "value"):
            t[p + "attention.self.%s.weight" % name] = [h, h]
            t[p + "attention.self.%s.bias" % name] = [h]
        t[p + "attention.output.dense.weight"] = [h, h]
        t[p + "attention.output.dense.bias"] = [h]
        t[p + "intermediate.dense.weight"] = [i, h]
        t[p + "intermediate.dense.bias"] = [i]
        t[p + "output.dense.weight"] = [h, i]
        t[p + "output.dense.bias"] = [h]
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[p + norm + ".weight"] = [h]
            t[p + norm + ".bias"] = [h]
    return t


def gpt2_layout(c):
    h = c["n_embd"]
    f = c.get("n_inner") or 4 * h
    t = {"transformer.wte.weight": [c["vocab_size"], h],
         "transformer.wpe.weight": [c["n_positions"], h],
         "transformer.ln_f.weight": [h], "transformer.ln_f.bias": [h]}
    for n in range(c["n_layer"]):
        p = "transformer.h.%d." % n
        t.update({p + "ln_1.weight": [h], p + "ln_1.bias": [h],
                  p + "ln_2.weight": [h], p + "ln_2.bias": [h],
                  p + "attn.c_attn.weight": [h, 3 * h], p + "attn.c_attn.bias": [3 * h],
                  p + "attn.c_proj.weight": [h, h], p + "attn.c_proj.bias": [h],
                  p + "mlp.c_fc.weight": [h, f], p + "mlp.c_fc.bias": [f],
                  p + "mlp.c_proj.weight": [f, h], p + "mlp.c_proj.bias": [h]})
    return t


def layout(config):
    return {"bert": bert_layout, "gpt2": gpt2_layout}[config["model_type"]](config)


def is_norm_scale(name):
    return name.endswith(".weight") and ("LayerNorm" in name or ".ln_" in name)


def write_checkpoint(folder, config, seed=0, sparse=False):
    """config.json and model.safetensors in `folder`; returns the bytes of
    tensor data."""
    tensors = layout(config)
    names = sorted(tensors)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name in names:
        size = 4
        for d in tensors[name]:
            size *= d
        header[name] = {"dtype": "F32", "shape": tensors[name],
                        "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    path = os.path.join(folder, "model.safetensors")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        if sparse:
            f.truncate(8 + len(blob) + offset)
            return offset
        import numpy as np
        rng = np.random.default_rng(seed)
        for name in names:
            shape = tensors[name]
            values = rng.standard_normal(shape, dtype=np.float32)
            values *= np.float32(0.1 if is_norm_scale(name) else 0.02)
            if is_norm_scale(name):
                values += np.float32(1.0)
            f.write(np.ascontiguousarray(values, dtype="<f4").tobytes())
    return offset


def read_header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return {k: v["shape"] for k, v in header.items()}


def self_check():
    """The layouts of the fixtures' configurations must be the fixtures'
    own (saved by transformers)."""
    ok = True
    for fixture in ("bert-tiny", "gpt2-tiny"):
        folder = os.path.join(ROOT, "test", "fixtures", "hf", fixture)
        config = json.load(open(os.path.join(folder, "config.json")))
        want = read_header(os.path.join(folder, "model.safetensors"))
        got = layout(config)
        if got != want:
            ok = False
            extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
            shapes = [k for k in set(got) & set(want) if got[k] != want[k]]
            print("weights.py: layout of %s differs: extra %s, missing %s, shapes %s"
                  % (fixture, extra[:3], missing[:3], shapes[:3]))
        else:
            print("weights.py: layout of %s matches its %d tensors" % (fixture, len(want)))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", nargs="?", choices=sorted(CONFIGS))
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sparse", action="store_true")
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    if args.self_check:
        return 0 if self_check() else 1
    if not args.model or not args.folder:
        parser.error("give MODEL and FOLDER, or --self-check")
    size = write_checkpoint(args.folder, CONFIGS[args.model], args.seed, args.sparse)
    print("weights.py: %s in %s (%.0f MB%s)" % (args.model, args.folder, size / 1e6,
                                                ", sparse" if args.sparse else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
