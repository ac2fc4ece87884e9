#!/usr/bin/env python3
"""Independent numpy reference for the xfmr encoder (docs/spec.md, "The computation").

Written from the math, not from the compiler, so the end-to-end tests compare two
implementations that share nothing. Everything runs in float64; the result is
stored as float32 like the compiled model's output.

MODEL is either an xfmr JSON spec (version 1, or a version 2 spec of one post-LN
encoder stack, with its tensors named by the "bert" or the "xfmr" scheme; weights
from its "weights" field) or a Hugging Face BERT folder (config.json +
model.safetensors; tensor names may carry a "bert." prefix, as in BertForMaskedLM
checkpoints).

    encoder.py MODEL --input-ids ids.npy [--attention-mask m.npy]
               [--token-type-ids t.npy] --output out.npy
"""

import argparse
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_np  # noqa: E402

# torch.finfo(torch.float32).min: what BERT adds to the scores of padded keys.
FLOAT32_LOWEST = float(np.finfo(np.float32).min)

# Hugging Face hidden_act values and the spec activation each one computes.
HF_ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "relu": "relu",
}


class Config:
    """The hyper-parameters the computation needs, whatever file they came from."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def load_spec(path):
    with open(path) as f:
        spec = json.load(f)
    if spec.get("format") != "xfmr-spec":
        raise ValueError(f"{path}: not an xfmr spec (format is {spec.get('format')!r})")
    if spec.get("version") == 2:
        config, names = load_spec_v2(path, spec)
    else:
        config, names = load_spec_v1(path, spec), "bert"
    if "weights" not in spec:
        raise ValueError(f"{path}: the spec names no weights file")
    weights, _ = safetensors_np.load(os.path.join(os.path.dirname(path), spec["weights"]))
    if names == "xfmr":
        weights = {xfmr_to_bert_name(name): value for name, value in weights.items()}
    return config, weights


def spec_model_fields(spec):
    """The fields that version 1 and version 2 specs spell alike."""
    dropout = spec.get("dropout", {})
    return dict(
        vocab_size=spec["vocab_size"],
        d_model=spec["d_model"],
        max_positions=spec["max_positions"],
        type_vocab_size=spec.get("type_vocab_size", 0),
        hidden_dropout=dropout.get("hidden", 0.0),
        attention_dropout=dropout.get("attention", 0.0),
        dropout_mode=dropout.get("mode", "inverted"),
        embedding_scale=spec.get("embedding_scale", False),
        mask_fill=spec.get("mask_fill", "neg_inf"),
    )


def load_spec_v1(path, spec):
    if spec["architecture"] != "encoder" or spec["norm"]["kind"] != "layer_norm" \
            or spec["norm"]["placement"] != "post":
        raise ValueError(f"{path}: only post-LN layer_norm encoders are modelled")
    return Config(
        **spec_model_fields(spec),
        num_heads=spec["num_heads"],
        ffn_dim=spec["ffn_dim"],
        num_layers=spec["num_layers"],
        positions=spec["positions"],
        eps=spec["norm"]["eps"],
        embedding_layer_norm=spec.get("embedding_layer_norm", True),
        embedding_eps=spec["norm"]["eps"],
        activation=spec["activation"],
        attention_scale=None,
    )


def load_spec_v2(path, spec):
    """The version 2 spec of one encoder stack that this reference models."""
    stacks = spec["stacks"]
    if len(stacks) != 1 or stacks[0]["attention"] != ["self"]:
        raise ValueError(f"{path}: only one encoder stack is modelled")
    stack = stacks[0]
    norm, ffn, positions = stack["norm"], stack["ffn"], stack["positions"]
    heads = stack["num_heads"]
    if norm["kind"] != "layer_norm" or norm["placement"] != "post" or norm.get("final"):
        raise ValueError(f"{path}: only post-LN layer_norm without a final norm is modelled")
    if ffn.get("gated") or not all(stack.get("bias", {}).values()):
        raise ValueError(f"{path}: only ungated FFNs with every bias are modelled")
    if stack.get("num_kv_heads", heads) != heads or \
            stack.get("head_dim", spec["d_model"] // heads) * heads != spec["d_model"]:
        raise ValueError(f"{path}: only num_heads heads of d_model / num_heads are modelled")
    if positions["kind"] not in ("learned", "sinusoidal") or \
            positions.get("layout", "interleaved") != "interleaved":
        raise ValueError(f"{path}: only learned and interleaved sinusoidal positions are modelled")
    embedding_norm = spec.get("embedding_norm")
    if embedding_norm and embedding_norm["kind"] != "layer_norm":
        raise ValueError(f"{path}: only a layer_norm embedding norm is modelled")
    config = Config(
        **spec_model_fields(spec),
        num_heads=heads,
        ffn_dim=ffn["dim"],
        num_layers=stack["num_layers"],
        positions=positions["kind"],
        eps=norm["eps"],
        embedding_layer_norm=embedding_norm is not None,
        embedding_eps=embedding_norm["eps"] if embedding_norm else None,
        activation=ffn["activation"],
        attention_scale=stack.get("attention_scale"),
    )
    names = spec.get("weight_names", "xfmr")
    if names not in ("xfmr", "bert"):
        raise ValueError(f"{path}: unknown weight_names {names!r}")
    return config, names


# The "xfmr" names of an encoder's tensors (docs/spec.md, "Weight names") and
# the BERT names this reference computes with.
XFMR_TO_BERT = [
    (r"embed_tokens\.", "embeddings.word_embeddings."),
    (r"embed_token_types\.", "embeddings.token_type_embeddings."),
    (r"embed_norm\.", "embeddings.LayerNorm."),
    (r"encoder\.embed_positions\.", "embeddings.position_embeddings."),
    (r"encoder\.layers\.(\d+)\.self_attn\.q_proj\.", r"encoder.layer.\1.attention.self.query."),
    (r"encoder\.layers\.(\d+)\.self_attn\.k_proj\.", r"encoder.layer.\1.attention.self.key."),
    (r"encoder\.layers\.(\d+)\.self_attn\.v_proj\.", r"encoder.layer.\1.attention.self.value."),
    (r"encoder\.layers\.(\d+)\.self_attn\.o_proj\.", r"encoder.layer.\1.attention.output.dense."),
    (r"encoder\.layers\.(\d+)\.self_attn_norm\.", r"encoder.layer.\1.attention.output.LayerNorm."),
    (r"encoder\.layers\.(\d+)\.ffn\.up_proj\.", r"encoder.layer.\1.intermediate.dense."),
    (r"encoder\.layers\.(\d+)\.ffn\.down_proj\.", r"encoder.layer.\1.output.dense."),
    (r"encoder\.layers\.(\d+)\.ffn_norm\.", r"encoder.layer.\1.output.LayerNorm."),
]


def xfmr_to_bert_name(name):
    for pattern, replacement in XFMR_TO_BERT:
        renamed, count = re.subn("^" + pattern, replacement, name)
        if count:
            return renamed
    return name


def load_hf_bert(folder):
    with open(os.path.join(folder, "config.json")) as f:
        hf = json.load(f)
    if hf.get("model_type") != "bert":
        raise ValueError(f"{folder}: model_type {hf.get('model_type')!r} is not bert")
    if hf.get("position_embedding_type", "absolute") != "absolute":
        raise ValueError(f"{folder}: only absolute position embeddings are modelled")
    if hf["hidden_act"] not in HF_ACTIVATIONS:
        raise ValueError(f"{folder}: unsupported hidden_act {hf['hidden_act']!r}")
    config = Config(
        vocab_size=hf["vocab_size"],
        d_model=hf["hidden_size"],
        num_heads=hf["num_attention_heads"],
        ffn_dim=hf["intermediate_size"],
        num_layers=hf["num_hidden_layers"],
        max_positions=hf["max_position_embeddings"],
        positions="learned",
        type_vocab_size=hf["type_vocab_size"],
        eps=hf["layer_norm_eps"],
        embedding_layer_norm=True,
        activation=HF_ACTIVATIONS[hf["hidden_act"]],
        # PyTorch dropout is inverted: identity in eval mode.
        hidden_dropout=0.0,
        attention_dropout=0.0,
        dropout_mode="inverted",
        embedding_scale=False,
        mask_fill="lowest",
        embedding_eps=hf["layer_norm_eps"],
        attention_scale=None,
    )
    weights, _ = safetensors_np.load(os.path.join(folder, "model.safetensors"))
    if "bert.embeddings.word_embeddings.weight" in weights:
        weights = {name[len("bert."):]: value for name, value in weights.items()
                   if name.startswith("bert.")}
    return config, weights


def load_model(path):
    if os.path.isdir(path):
        return load_hf_bert(path)
    return load_spec(path)


def check_weights(config, weights):
    """Fails with the tensor's name rather than with a numpy broadcasting error."""
    if config.d_model % config.num_heads != 0:
        raise ValueError(f"num_heads {config.num_heads} does not divide d_model {config.d_model}")
    d, f = config.d_model, config.ffn_dim
    shapes = {"embeddings.word_embeddings.weight": (config.vocab_size, d)}
    if config.positions == "learned":
        shapes["embeddings.position_embeddings.weight"] = (config.max_positions, d)
    if config.type_vocab_size > 0:
        shapes["embeddings.token_type_embeddings.weight"] = (config.type_vocab_size, d)
    if config.embedding_layer_norm:
        shapes["embeddings.LayerNorm.weight"] = (d,)
        shapes["embeddings.LayerNorm.bias"] = (d,)
    for i in range(config.num_layers):
        p = f"encoder.layer.{i}."
        for linear, out_dim, in_dim in [("attention.self.query", d, d),
                                        ("attention.self.key", d, d),
                                        ("attention.self.value", d, d),
                                        ("attention.output.dense", d, d),
                                        ("intermediate.dense", f, d),
                                        ("output.dense", d, f)]:
            shapes[p + linear + ".weight"] = (out_dim, in_dim)
            shapes[p + linear + ".bias"] = (out_dim,)
        for norm in ["attention.output.LayerNorm", "output.LayerNorm"]:
            shapes[p + norm + ".weight"] = (d,)
            shapes[p + norm + ".bias"] = (d,)
    for name, shape in shapes.items():
        if name not in weights:
            raise ValueError(f"missing tensor '{name}'")
        if weights[name].shape != shape:
            raise ValueError(f"tensor '{name}' has shape {list(weights[name].shape)}, "
                             f"expected {list(shape)}")


_erf = np.vectorize(math.erf, otypes=[np.float64])


def activation(kind, x):
    if kind == "gelu":
        return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))
    if kind == "gelu_tanh":
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if kind == "relu":
        return np.maximum(x, 0.0)
    raise ValueError(f"unknown activation {kind!r}")


def layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def sinusoidal_positions(seq, d):
    pos = np.arange(seq, dtype=np.float64)[:, None]
    # Features 2i and 2i+1 share the frequency 1 / 10000^(2i/d).
    two_i = np.arange(0, d, 2, dtype=np.float64)
    angles = pos / np.power(10000.0, two_i / d)
    table = np.zeros((seq, d))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : d // 2])
    return table


def mask_fill_value(mask_fill):
    """The additive value of a padded key: -inf, the lowest f32, or a finite
    number (as the f32 it is in the compiled model)."""
    if mask_fill == "neg_inf":
        return -np.inf
    if mask_fill == "lowest":
        return FLOAT32_LOWEST
    if isinstance(mask_fill, (int, float)) and not isinstance(mask_fill, bool):
        return float(np.float32(mask_fill))
    raise ValueError(f"unknown mask_fill {mask_fill!r}")


def masked_softmax(scores, key_is_pad, fill):
    """Softmax over the last axis after adding `fill` to padded keys.

    With a -inf fill a row whose every key is padding has no finite score; it
    yields zeros (PyTorch's safe softmax) instead of 0/0. A finite fill keeps such
    rows finite on its own: float32 lowest swamps the scores (BERT gets a uniform
    row), a fill such as -10000 does not (the row is the softmax of its scores).
    """
    scores = np.where(key_is_pad, scores + fill, scores)
    row_max = scores.max(axis=-1, keepdims=True)
    fully_masked = np.isneginf(row_max)
    exp = np.exp(scores - np.where(fully_masked, 0.0, row_max))
    total = exp.sum(axis=-1, keepdims=True)
    return np.where(fully_masked, 0.0, exp / np.where(fully_masked, 1.0, total))


def linear(weights, name, x):
    # Matrices are stored [out_features, in_features].
    return x @ weights[name + ".weight"].T + weights[name + ".bias"]


def encode(config, weights, input_ids, attention_mask=None, token_type_ids=None):
    check_weights(config, weights)
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    batch, seq = input_ids.shape
    d, heads = config.d_model, config.num_heads
    head_dim = d // heads
    if input_ids.min() < 0 or input_ids.max() >= config.vocab_size:
        raise ValueError(f"input ids must lie in [0, {config.vocab_size})")
    if seq > config.max_positions:
        raise ValueError(f"sequence length {seq} exceeds max_positions {config.max_positions}")
    if attention_mask is None:
        attention_mask = np.ones((batch, seq), dtype=np.int64)

    # Classic dropout was trained without rescaling, so inference scales by the
    # keep probability; inverted dropout already rescaled during training.
    def dropout(x, rate):
        return x * (1.0 - rate) if config.dropout_mode == "classic" else x

    h = w["embeddings.word_embeddings.weight"][input_ids]
    if config.embedding_scale:
        h = h * math.sqrt(d)
    if config.positions == "learned":
        h = h + w["embeddings.position_embeddings.weight"][:seq]
    else:
        h = h + sinusoidal_positions(seq, d)
    if config.type_vocab_size > 0:
        if token_type_ids is None:
            token_type_ids = np.zeros((batch, seq), dtype=np.int64)
        if token_type_ids.min() < 0 or token_type_ids.max() >= config.type_vocab_size:
            raise ValueError(f"token type ids must lie in [0, {config.type_vocab_size})")
        h = h + w["embeddings.token_type_embeddings.weight"][token_type_ids]
    elif token_type_ids is not None:
        raise ValueError("the model has no token type embeddings (type_vocab_size 0)")
    if config.embedding_layer_norm:
        h = layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"],
                       config.embedding_eps)
    h = dropout(h, config.hidden_dropout)

    fill = mask_fill_value(config.mask_fill)
    scale = config.attention_scale
    if scale is None:
        scale = 1.0 / math.sqrt(head_dim)
    key_is_pad = (attention_mask == 0)[:, None, None, :]  # [batch, 1, 1, keys]

    def split_heads(x):
        return x.reshape(batch, seq, heads, head_dim).transpose(0, 2, 1, 3)

    for i in range(config.num_layers):
        p = f"encoder.layer.{i}."
        q = split_heads(linear(w, p + "attention.self.query", h))
        k = split_heads(linear(w, p + "attention.self.key", h))
        v = split_heads(linear(w, p + "attention.self.value", h))
        scores = q @ k.transpose(0, 1, 3, 2) * scale
        probs = dropout(masked_softmax(scores, key_is_pad, fill), config.attention_dropout)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, d)
        a = dropout(linear(w, p + "attention.output.dense", context), config.hidden_dropout)
        h = layer_norm(h + a, w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], config.eps)
        inner = activation(config.activation, linear(w, p + "intermediate.dense", h))
        f = dropout(linear(w, p + "output.dense", inner), config.hidden_dropout)
        h = layer_norm(h + f, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
                       config.eps)
    return h.astype(np.float32)


def load_ids(path, what):
    array = np.load(path)
    if array.ndim != 2 or array.dtype not in (np.int64, np.int32):
        raise ValueError(f"{path}: {what} must be int64 or int32 of shape [batch, seq], "
                         f"got {array.dtype} {list(array.shape)}")
    return array.astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="xfmr spec .json or Hugging Face BERT folder")
    parser.add_argument("--input-ids", required=True)
    parser.add_argument("--attention-mask")
    parser.add_argument("--token-type-ids")
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    try:
        config, weights = load_model(args.model)
        ids = load_ids(args.input_ids, "input ids")
        mask = load_ids(args.attention_mask, "attention mask") if args.attention_mask else None
        types = load_ids(args.token_type_ids, "token type ids") if args.token_type_ids else None
        for name, other in [("attention mask", mask), ("token type ids", types)]:
            if other is not None and other.shape != ids.shape:
                raise ValueError(f"{name} shape {list(other.shape)} differs from input ids "
                                 f"shape {list(ids.shape)}")
        out = encode(config, weights, ids, mask, types)
    except KeyError as error:
        sys.exit(f"encoder.py: error: {args.model}: missing field {error}")
    except (OSError, ValueError) as error:
        sys.exit(f"encoder.py: error: {error}")
    np.save(args.output, out)


if __name__ == "__main__":
    main()
