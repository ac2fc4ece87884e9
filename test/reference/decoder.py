#!/usr/bin/env python3
"""Independent numpy reference for xfmr decoders (docs/spec.md, "The computation").

Written from the math, not from the compiler, so the end-to-end tests compare two
implementations that share nothing. Everything runs in float64; the result is
stored as float32 like the compiled model's output: the logits [batch, seq,
vocab_size] with an LM head, else the last hidden state [batch, seq, d_model].

MODEL is either an xfmr spec (version 2, one decoder stack `["causal_self"]`,
tensors named by the "xfmr" scheme; weights from its "weights" field) or a
Hugging Face folder (config.json + model.safetensors) of model_type "gpt2"
(GPT2LMHeadModel) or "llama" (LlamaForCausalLM). A config value this reference
does not model is refused, naming the field.

A token's position is the number of real tokens before it in its row (what
transformers' generate passes as position_ids for a left-padded batch); padded
tokens get position 0. Padded keys get mask_fill added to their scores, future
keys are excluded; the outputs at padded query positions are don't-care.

    decoder.py MODEL --input-ids ids.npy [--attention-mask m.npy]
               [--token-type-ids t.npy] --output logits.npy
"""

import argparse
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import encoder  # noqa: E402  (the element-wise math, the softmax and the input checks)
import safetensors_np  # noqa: E402

ACTIVATIONS = ("gelu", "gelu_tanh", "relu", "silu")
NORMS = ("layer_norm", "rms_norm")

# Hugging Face activation names (hidden_act, activation_function) and the spec
# activation each one computes.
HF_ACTIVATIONS = dict(encoder.HF_ACTIVATIONS, silu="silu", swish="silu")

# The fields of a version 2 spec that a decoder model can have, by object.
MODEL_FIELDS = {"format", "version", "name", "vocab_size", "d_model", "max_positions",
                "type_vocab_size", "embedding_scale", "embedding_norm", "stacks", "lm_head",
                "dropout", "mask_fill", "pad_token_id", "weight_names", "weights"}
STACK_FIELDS = {"num_layers", "attention", "num_heads", "num_kv_heads", "head_dim",
                "attention_scale", "positions", "norm", "ffn", "bias"}
POSITION_FIELDS = {
    "learned": {},
    "sinusoidal": {"layout": "interleaved"},
    "relative_buckets": {"num_buckets": 32, "max_distance": 128},
    "rotary": {"theta": 10000.0, "scaling": 1.0, "layout": "half_split"},
    "alibi": {},
    "none": {},
}
NORM_FIELDS = {"kind", "placement", "eps", "final"}
FFN_FIELDS = {"dim", "activation", "gated"}
BIAS_FIELDS = {"qkv", "attention_output", "ffn"}
LM_HEAD_FIELDS = {"kind", "bias", "scale"}
DROPOUT_FIELDS = {"hidden", "attention", "mode"}
EMBEDDING_NORM_FIELDS = {"kind", "eps"}


class Config(encoder.Config):
    """The hyper-parameters of one decoder stack and the model parts around it.

    Model: vocab_size, d_model, max_positions, type_vocab_size, embedding_scale,
    embedding_norm (None or {kind, eps}), lm_head (None or {kind, bias, scale}),
    hidden_dropout, attention_dropout, dropout_mode, mask_fill.
    Stack: num_layers, num_heads, num_kv_heads, head_dim, attention_scale,
    positions ({kind, ...} with every default filled in), norm_kind, placement,
    eps, final_norm, ffn_dim, activation, gated, bias_qkv, bias_attention_output,
    bias_ffn.
    """


# --- xfmr spec ------------------------------------------------------------------------


def check_fields(obj, path, allowed):
    if not isinstance(obj, dict):
        raise ValueError(f"field '{path}': expected an object")
    for name in obj:
        if name not in allowed:
            raise ValueError(f"unknown field '{path + '.' if path else ''}{name}'")


def choice(obj, name, path, allowed, default=None):
    value = obj.get(name, default)
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"field '{path}{name}': expected one of {list(allowed)}, got {value!r}")
    return value


def number(obj, name, path, default=None, integer=False, minimum=None):
    value = obj.get(name, default)
    if value is None:
        raise ValueError(f"missing required field '{path}{name}'")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (integer and value != int(value)):
        what = "an integer" if integer else "a number"
        raise ValueError(f"field '{path}{name}': expected {what}, got {value!r}")
    if minimum is not None and not value >= minimum:
        raise ValueError(f"field '{path}{name}': expected a value >= {minimum}, got {value!r}")
    return int(value) if integer else float(value)


def flag(obj, name, path, default):
    value = obj.get(name, default)
    if not isinstance(value, bool):
        raise ValueError(f"field '{path}{name}': expected true or false, got {value!r}")
    return value


def load_spec(path):
    with open(path) as f:
        spec = json.load(f)
    if not isinstance(spec, dict) or spec.get("format") != "xfmr-spec":
        raise ValueError(f"{path}: not an xfmr spec (format is {spec.get('format')!r})")
    if spec.get("version") != 2:
        raise ValueError(f"{path}: field 'version': a decoder needs a version 2 spec")
    try:
        config = spec_config(spec)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    if "weights" not in spec:
        raise ValueError(f"{path}: the spec names no weights file")
    weights, _ = safetensors_np.load(os.path.join(os.path.dirname(path), spec["weights"]))
    return config, weights


def spec_config(spec):
    """The Config of a version 2 spec of one decoder stack, checked field by field."""
    check_fields(spec, "", MODEL_FIELDS)
    if choice(spec, "weight_names", "", ["xfmr"], "xfmr") != "xfmr":
        raise ValueError("field 'weight_names': a decoder's tensors have xfmr names")
    stacks = spec.get("stacks")
    if not isinstance(stacks, list) or len(stacks) != 1:
        raise ValueError("field 'stacks': this reference models one decoder stack")
    stack = stacks[0]
    s = "stacks[0]."
    check_fields(stack, "stacks[0]", STACK_FIELDS)
    if stack.get("attention") != ["causal_self"]:
        raise ValueError(f"field '{s}attention': expected [\"causal_self\"] (a decoder), "
                         f"got {stack.get('attention')!r}")

    d = number(spec, "d_model", "", integer=True, minimum=1)
    heads = number(stack, "num_heads", s, integer=True, minimum=1)
    kv_heads = number(stack, "num_kv_heads", s, heads, integer=True, minimum=1)
    if heads % kv_heads:
        raise ValueError(f"field '{s}num_kv_heads': expected a divisor of num_heads ({heads}), "
                         f"got {kv_heads}")
    if "head_dim" not in stack and d % heads:
        raise ValueError(f"field '{s}num_heads': expected a divisor of d_model ({d}), got {heads}")
    head_dim = number(stack, "head_dim", s, d // heads, integer=True, minimum=1)
    scale = stack.get("attention_scale")
    if scale is not None and number(stack, "attention_scale", s) <= 0:
        raise ValueError(f"field '{s}attention_scale': expected a number > 0, got {scale!r}")

    positions = stack.get("positions")
    check_fields(positions, s + "positions", {"kind"} | set().union(*POSITION_FIELDS.values()))
    kind = choice(positions, "kind", s + "positions.", list(POSITION_FIELDS))
    for name in positions:
        if name != "kind" and name not in POSITION_FIELDS[kind]:
            raise ValueError(f"field '{s}positions.{name}': not a field of {kind!r} positions")
    positions = dict(POSITION_FIELDS[kind], **positions)
    p = s + "positions."
    if kind == "rotary":
        number(positions, "theta", p, minimum=0.0)
        number(positions, "scaling", p, minimum=0.0)
        choice(positions, "layout", p, ["half_split", "interleaved"])
        if head_dim % 2:
            raise ValueError(f"field '{p}kind': \"rotary\" needs an even head_dim, got {head_dim}")
    elif kind == "sinusoidal":
        choice(positions, "layout", p, ["interleaved", "half_split"])
        if positions["layout"] == "half_split" and d % 2:
            raise ValueError(f"field '{p}layout': \"half_split\" needs an even d_model, got {d}")
    elif kind == "relative_buckets":
        buckets = number(positions, "num_buckets", p, integer=True, minimum=2)
        number(positions, "max_distance", p, integer=True, minimum=buckets // 2 + 1)

    norm = stack.get("norm")
    check_fields(norm, s + "norm", NORM_FIELDS)
    ffn = stack.get("ffn")
    check_fields(ffn, s + "ffn", FFN_FIELDS)
    bias = stack.get("bias", {})
    check_fields(bias, s + "bias", BIAS_FIELDS)
    embedding_norm = spec.get("embedding_norm")
    if embedding_norm is not None:
        check_fields(embedding_norm, "embedding_norm", EMBEDDING_NORM_FIELDS)
        embedding_norm = {"kind": choice(embedding_norm, "kind", "embedding_norm.", NORMS),
                          "eps": number(embedding_norm, "eps", "embedding_norm.", minimum=0.0)}
    lm_head = spec.get("lm_head")
    if lm_head is not None:
        check_fields(lm_head, "lm_head", LM_HEAD_FIELDS)
        lm_head = {"kind": choice(lm_head, "kind", "lm_head.", ["tied", "separate"]),
                   "bias": flag(lm_head, "bias", "lm_head.", False),
                   "scale": number(lm_head, "scale", "lm_head.", 1.0)}
        if lm_head["scale"] <= 0:
            raise ValueError(f"field 'lm_head.scale': expected a number > 0, "
                             f"got {lm_head['scale']}")
    dropout = spec.get("dropout", {})
    check_fields(dropout, "dropout", DROPOUT_FIELDS)
    mask_fill = spec.get("mask_fill", "neg_inf")
    encoder.mask_fill_value(mask_fill)  # refuses an unknown fill
    if not isinstance(mask_fill, str) and not (math.isfinite(mask_fill) and mask_fill < 0):
        raise ValueError(f"field 'mask_fill': expected a finite f32 number < 0, got {mask_fill}")

    return Config(
        vocab_size=number(spec, "vocab_size", "", integer=True, minimum=1),
        d_model=d,
        max_positions=number(spec, "max_positions", "", integer=True, minimum=1),
        type_vocab_size=number(spec, "type_vocab_size", "", 0, integer=True, minimum=0),
        embedding_scale=flag(spec, "embedding_scale", "", False),
        embedding_norm=embedding_norm,
        lm_head=lm_head,
        hidden_dropout=number(dropout, "hidden", "dropout.", 0.0, minimum=0.0),
        attention_dropout=number(dropout, "attention", "dropout.", 0.0, minimum=0.0),
        dropout_mode=choice(dropout, "mode", "dropout.", ["inverted", "classic"], "inverted"),
        mask_fill=mask_fill,
        num_layers=number(stack, "num_layers", s, integer=True, minimum=1),
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        attention_scale=None if scale is None else float(scale),
        positions=positions,
        norm_kind=choice(norm, "kind", s + "norm.", NORMS),
        placement=choice(norm, "placement", s + "norm.", ["pre", "post"]),
        eps=number(norm, "eps", s + "norm.", minimum=0.0),
        final_norm=flag(norm, "final", s + "norm.", False),
        ffn_dim=number(ffn, "dim", s + "ffn.", integer=True, minimum=1),
        activation=choice(ffn, "activation", s + "ffn.", ACTIVATIONS),
        gated=flag(ffn, "gated", s + "ffn.", False),
        bias_qkv=flag(bias, "qkv", s + "bias.", True),
        bias_attention_output=flag(bias, "attention_output", s + "bias.", True),
        bias_ffn=flag(bias, "ffn", s + "bias.", True),
    )


# --- Hugging Face folders ---------------------------------------------------------------


def hf_field(hf, name, default, allowed=None):
    """A config.json value (or transformers' default when absent), refused with
    the field's name unless it is one of `allowed`."""
    value = hf.get(name, default)
    if value is None:
        value = default
    if allowed is not None and value not in allowed:
        raise ValueError(f"config.json: field '{name}': {value!r} is not modelled "
                         f"(expected one of {list(allowed)})")
    return value


def hf_model_fields(vocab_size, d_model, max_positions, tied):
    """The model-level fields both front ends share: no token types, no
    embedding scale or norm, a head without bias, and what eval mode computes."""
    return dict(
        vocab_size=vocab_size, d_model=d_model, max_positions=max_positions,
        type_vocab_size=0, embedding_scale=False, embedding_norm=None,
        lm_head={"kind": "tied" if tied else "separate", "bias": False, "scale": 1.0},
        # PyTorch dropout is inverted: identity in eval mode.
        hidden_dropout=0.0, attention_dropout=0.0, dropout_mode="inverted",
        # The eager masks hold the lowest float32 at every masked key.
        mask_fill="lowest",
    )


def hf_activation(hf, name, default):
    return HF_ACTIVATIONS[hf_field(hf, name, default, list(HF_ACTIVATIONS))]


def strip_prefix(weights, prefix, marker):
    """Task-model checkpoints name the base model's tensors `prefix` + name."""
    if prefix + marker in weights:
        return {name[len(prefix):] if name.startswith(prefix) else name: value
                for name, value in weights.items()}
    return weights


def load_hf_gpt2(hf, weights):
    """GPT2LMHeadModel: learned positions, pre-LN LayerNorm with a final norm,
    every bias, fused QKV, Conv1D matrices stored [in, out], a tied head."""
    hf_field(hf, "add_cross_attention", False, [False])
    hf_field(hf, "scale_attn_by_inverse_layer_idx", False, [False])
    d = hf_field(hf, "n_embd", hf.get("hidden_size", 768))
    heads = hf_field(hf, "n_head", hf.get("num_attention_heads", 12))
    if d % heads:
        raise ValueError(f"config.json: field 'n_head': expected a divisor of n_embd ({d}), "
                         f"got {heads}")
    layers = hf_field(hf, "n_layer", hf.get("num_hidden_layers", 12))
    inner = hf_field(hf, "n_inner", 4 * d)
    tied = hf_field(hf, "tie_word_embeddings", True, [True, False])
    config = Config(
        **hf_model_fields(hf_field(hf, "vocab_size", 50257), d,
                          hf_field(hf, "n_positions", hf.get("max_position_embeddings", 1024)),
                          tied),
        num_layers=layers, num_heads=heads, num_kv_heads=heads, head_dim=d // heads,
        attention_scale=None if hf_field(hf, "scale_attn_weights", True, [True, False]) else 1.0,
        positions={"kind": "learned"},
        norm_kind="layer_norm", placement="pre",
        eps=hf_field(hf, "layer_norm_epsilon", 1e-5), final_norm=True,
        ffn_dim=inner, activation=hf_activation(hf, "activation_function", "gelu_new"),
        gated=False, bias_qkv=True, bias_attention_output=True, bias_ffn=True,
    )

    # GPT2LMHeadModel saves transformer.*; GPT2Model (and the original
    # checkpoints) save the same names without the prefix.
    weights = strip_prefix(weights, "transformer.", "wte.weight")
    out = {}

    def take(name):
        if name not in weights:
            raise ValueError(f"missing tensor '{name}'")
        return weights[name]

    def conv1d(name, xfmr_name):
        # Conv1D stores its matrix [in, out]; the xfmr scheme stores [out, in].
        out[xfmr_name + ".weight"] = take(name + ".weight").T
        out[xfmr_name + ".bias"] = take(name + ".bias")

    def norm(name, xfmr_name):
        out[xfmr_name + ".weight"] = take(name + ".weight")
        out[xfmr_name + ".bias"] = take(name + ".bias")

    out["embed_tokens.weight"] = take("wte.weight")
    out["decoder.embed_positions.weight"] = take("wpe.weight")
    for i in range(layers):
        h, p = f"h.{i}.", f"decoder.layers.{i}."
        fused_w, fused_b = take(h + "attn.c_attn.weight"), take(h + "attn.c_attn.bias")
        if fused_w.shape != (d, 3 * d) or fused_b.shape != (3 * d,):
            raise ValueError(f"tensor '{h}attn.c_attn.weight' has shape {list(fused_w.shape)}, "
                             f"expected [{d}, {3 * d}]")
        # c_attn's output is Q, then K, then V, each d wide.
        for j, proj in enumerate(("q_proj", "k_proj", "v_proj")):
            out[p + f"self_attn.{proj}.weight"] = fused_w[:, j * d:(j + 1) * d].T
            out[p + f"self_attn.{proj}.bias"] = fused_b[j * d:(j + 1) * d]
        conv1d(h + "attn.c_proj", p + "self_attn.o_proj")
        norm(h + "ln_1", p + "self_attn_norm")
        conv1d(h + "mlp.c_fc", p + "ffn.up_proj")
        conv1d(h + "mlp.c_proj", p + "ffn.down_proj")
        norm(h + "ln_2", p + "ffn_norm")
    norm("ln_f", "decoder.final_norm")
    if not tied:
        out["lm_head.weight"] = take("lm_head.weight")
    return config, out


def llama_rope(hf):
    """(theta, linear scaling) from either spelling of the rotary settings:
    transformers 5 writes `rope_parameters` {rope_type, rope_theta, factor};
    older configs write `rope_theta` and `rope_scaling` {type or rope_type, factor}.
    As in transformers, `rope_scaling` wins over `rope_parameters`."""
    field = "rope_scaling" if hf.get("rope_scaling") else "rope_parameters"
    rope = hf.get(field) or {}
    if not isinstance(rope, dict) or any(isinstance(v, dict) for v in rope.values()):
        raise ValueError(f"config.json: field '{field}': per-layer rope parameters are not "
                         f"modelled")
    kind = rope.get("rope_type", rope.get("type", "default"))
    if kind not in ("default", "linear"):
        raise ValueError(f"config.json: field '{field}.rope_type': {kind!r} is not modelled "
                         f"(expected one of ['default', 'linear'])")
    allowed = {"rope_type", "type", "rope_theta"} | ({"factor"} if kind == "linear" else set())
    for name, value in rope.items():
        if name == "partial_rotary_factor" and value == 1:
            continue
        if name not in allowed:
            raise ValueError(f"config.json: field '{field}.{name}': not modelled for "
                             f"rope_type {kind!r}")
    if hf.get("partial_rotary_factor", 1) != 1:
        raise ValueError("config.json: field 'partial_rotary_factor': only 1 is modelled")
    theta = rope.get("rope_theta", hf.get("rope_theta", 10000.0))
    if kind == "linear" and "factor" not in rope:
        raise ValueError(f"config.json: field '{field}.factor': missing for rope_type 'linear'")
    return float(theta), float(rope.get("factor", 1.0))


def load_hf_llama(hf, weights):
    """LlamaForCausalLM: rotary half_split positions, pre-LN RMSNorm with a final
    norm, a gated FFN, grouped-query attention, optional biases, a separate or
    tied head."""
    d = hf_field(hf, "hidden_size", 4096)
    heads = hf_field(hf, "num_attention_heads", 32)
    if d % heads:
        # LlamaConfig refuses this even with an explicit head_dim.
        raise ValueError(f"config.json: field 'num_attention_heads': expected a divisor of "
                         f"hidden_size ({d}), got {heads}")
    kv_heads = hf_field(hf, "num_key_value_heads", heads)
    if heads % kv_heads:
        raise ValueError(f"config.json: field 'num_key_value_heads': expected a divisor of "
                         f"num_attention_heads ({heads}), got {kv_heads}")
    head_dim = hf_field(hf, "head_dim", d // heads)
    layers = hf_field(hf, "num_hidden_layers", 32)
    attention_bias = hf_field(hf, "attention_bias", False, [True, False])
    mlp_bias = hf_field(hf, "mlp_bias", False, [True, False])
    tied = hf_field(hf, "tie_word_embeddings", False, [True, False])
    theta, scaling = llama_rope(hf)
    config = Config(
        **hf_model_fields(hf_field(hf, "vocab_size", 32000), d,
                          hf_field(hf, "max_position_embeddings", 2048), tied),
        num_layers=layers, num_heads=heads, num_kv_heads=kv_heads, head_dim=head_dim,
        attention_scale=None,
        positions={"kind": "rotary", "theta": theta, "scaling": scaling, "layout": "half_split"},
        norm_kind="rms_norm", placement="pre", eps=hf_field(hf, "rms_norm_eps", 1e-6),
        final_norm=True,
        ffn_dim=hf_field(hf, "intermediate_size", 11008),
        activation=hf_activation(hf, "hidden_act", "silu"), gated=True,
        bias_qkv=attention_bias, bias_attention_output=attention_bias, bias_ffn=mlp_bias,
    )

    weights = strip_prefix(weights, "model.", "embed_tokens.weight")
    renames = [
        (r"layers\.(\d+)\.self_attn\.", r"decoder.layers.\1.self_attn."),
        (r"layers\.(\d+)\.input_layernorm\.", r"decoder.layers.\1.self_attn_norm."),
        (r"layers\.(\d+)\.mlp\.", r"decoder.layers.\1.ffn."),
        (r"layers\.(\d+)\.post_attention_layernorm\.", r"decoder.layers.\1.ffn_norm."),
        (r"norm\.", "decoder.final_norm."),
        (r"embed_tokens\.", "embed_tokens."),
        (r"lm_head\.", "lm_head."),
    ]
    out = {}
    for name, value in weights.items():
        for pattern, replacement in renames:
            renamed, count = re.subn("^" + pattern, replacement, name)
            if count:
                out[renamed] = value
                break
    if tied:
        out.pop("lm_head.weight", None)
    return config, out


HF_LOADERS = {"gpt2": load_hf_gpt2, "llama": load_hf_llama}


def load_hf(folder):
    with open(os.path.join(folder, "config.json")) as f:
        hf = json.load(f)
    model_type = hf.get("model_type")
    if model_type not in HF_LOADERS:
        raise ValueError(f"{folder}: config.json: field 'model_type': {model_type!r} is not "
                         f"modelled (expected one of {list(HF_LOADERS)})")
    weights, _ = safetensors_np.load(os.path.join(folder, "model.safetensors"))
    try:
        return HF_LOADERS[model_type](hf, weights)
    except ValueError as error:
        raise ValueError(f"{folder}: {error}") from None


def load_model(path):
    if os.path.isdir(path):
        return load_hf(path)
    return load_spec(path)


# --- the computation --------------------------------------------------------------------


def expected_shapes(config):
    """{xfmr name: shape} of every tensor the description needs (docs/spec.md)."""
    d, f, hd = config.d_model, config.ffn_dim, config.head_dim
    q, kv = config.num_heads * hd, config.num_kv_heads * hd
    shapes = {"embed_tokens.weight": (config.vocab_size, d)}
    kind = config.positions["kind"]
    if kind == "learned":
        shapes["decoder.embed_positions.weight"] = (config.max_positions, d)
    if config.type_vocab_size > 0:
        shapes["embed_token_types.weight"] = (config.type_vocab_size, d)

    def norm(prefix, norm_kind):
        shapes[prefix + ".weight"] = (d,)
        if norm_kind == "layer_norm":
            shapes[prefix + ".bias"] = (d,)

    def linear(prefix, out_dim, in_dim, bias):
        shapes[prefix + ".weight"] = (out_dim, in_dim)
        if bias:
            shapes[prefix + ".bias"] = (out_dim,)

    if config.embedding_norm:
        norm("embed_norm", config.embedding_norm["kind"])
    if kind == "relative_buckets":
        shapes["decoder.relative_bias.weight"] = (config.positions["num_buckets"],
                                                  config.num_heads)
    for i in range(config.num_layers):
        p = f"decoder.layers.{i}."
        linear(p + "self_attn.q_proj", q, d, config.bias_qkv)
        linear(p + "self_attn.k_proj", kv, d, config.bias_qkv)
        linear(p + "self_attn.v_proj", kv, d, config.bias_qkv)
        linear(p + "self_attn.o_proj", d, q, config.bias_attention_output)
        norm(p + "self_attn_norm", config.norm_kind)
        linear(p + "ffn.up_proj", f, d, config.bias_ffn)
        if config.gated:
            linear(p + "ffn.gate_proj", f, d, config.bias_ffn)
        linear(p + "ffn.down_proj", d, f, config.bias_ffn)
        norm(p + "ffn_norm", config.norm_kind)
    if config.final_norm:
        norm("decoder.final_norm", config.norm_kind)
    if config.lm_head:
        if config.lm_head["kind"] == "separate":
            shapes["lm_head.weight"] = (config.vocab_size, d)
        if config.lm_head["bias"]:
            shapes["lm_head.bias"] = (config.vocab_size,)
    return shapes


def check_weights(config, weights):
    """Fails with the tensor's name rather than with a numpy broadcasting error."""
    for name, shape in expected_shapes(config).items():
        if name not in weights:
            raise ValueError(f"missing tensor '{name}' (expected {list(shape)})")
        if weights[name].shape != shape:
            raise ValueError(f"tensor '{name}' has shape {list(weights[name].shape)}, "
                             f"expected {list(shape)}")
    for name in weights:
        layer = re.match(r"decoder\.layers\.(\d+)\.", name)
        if layer and int(layer.group(1)) >= config.num_layers:
            raise ValueError(f"tensor '{name}' is beyond num_layers {config.num_layers}")


def activation(kind, x):
    if kind == "silu":
        return x / (1.0 + np.exp(-x))
    return encoder.activation(kind, x)


def rms_norm(x, weight, eps):
    return x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps) * weight


def token_positions(attention_mask):
    """The number of real tokens before each token of its row; 0 at padding."""
    real = attention_mask != 0
    return np.where(real, np.cumsum(real, axis=1) - 1, 0)


def sinusoidal_features(positions, d, layout):
    """[..., d] features of `positions`: frequency 1 / 10000^(2i/d) for pair i."""
    two_i = np.arange(0, d, 2, dtype=np.float64)
    angles = positions[..., None].astype(np.float64) / np.power(10000.0, two_i / d)
    if layout == "half_split":
        return np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)
    table = np.zeros(positions.shape + (d,))
    table[..., 0::2] = np.sin(angles)
    table[..., 1::2] = np.cos(angles[..., : d // 2])
    return table


def rotate(x, cos, sin, layout):
    """Rotates pairs of features of x [..., head_dim] by the angles of cos/sin
    [..., head_dim / 2]: pairs (i, i + head_dim/2) or (2i, 2i+1)."""
    half = x.shape[-1] // 2
    if layout == "half_split":
        x1, x2 = x[..., :half], x[..., half:]
    else:
        x1, x2 = x[..., 0::2], x[..., 1::2]
    r1, r2 = x1 * cos - x2 * sin, x2 * cos + x1 * sin
    if layout == "half_split":
        return np.concatenate([r1, r2], axis=-1)
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = r1, r2
    return out


def alibi_slopes(heads):
    """Press et al.'s geometric slopes: 2^(-8i/n) for i = 1..n when n is a power
    of two; otherwise those of the power of two below n, then every other slope
    of twice that power."""
    def power_of_two(n):
        return [2.0 ** (-8.0 * i / n) for i in range(1, n + 1)]

    if heads & (heads - 1) == 0:
        return np.array(power_of_two(heads))
    closest = 1 << (heads.bit_length() - 1)
    extra = power_of_two(2 * closest)[0::2][:heads - closest]
    return np.array(power_of_two(closest) + extra)


def causal_bucket(distance, num_buckets, max_distance):
    """T5's bucket of how far a key lies behind its query (`distance` >= 0):
    exact below num_buckets / 2, then logarithmic up to max_distance."""
    exact = num_buckets // 2
    safe = np.maximum(distance, 1).astype(np.float64)
    large = exact + (np.log(safe / exact) / math.log(max_distance / exact)
                     * (num_buckets - exact)).astype(np.int64)
    return np.where(distance < exact, distance, np.minimum(large, num_buckets - 1))


def position_bias(config, w, positions):
    """The bias added to every layer's scores [batch, heads, queries, keys], or 0."""
    kind = config.positions["kind"]
    # How far each key is behind each query; negative for future keys (masked).
    behind = positions[:, None, :, None] - positions[:, None, None, :]
    if kind == "alibi":
        return -alibi_slopes(config.num_heads)[None, :, None, None] * behind
    if kind == "relative_buckets":
        buckets = causal_bucket(np.maximum(behind[:, 0], 0), config.positions["num_buckets"],
                                config.positions["max_distance"])
        # weight [buckets, heads] -> [batch, queries, keys, heads] -> heads first.
        return w["decoder.relative_bias.weight"][buckets].transpose(0, 3, 1, 2)
    return 0.0


def checked_mask(config, input_ids, attention_mask):
    """The attention mask (all ones when there is none) of ids the model can read."""
    if not 0 <= input_ids.min() <= input_ids.max() < config.vocab_size:
        raise ValueError(f"input ids must lie in [0, {config.vocab_size})")
    if input_ids.shape[1] > config.max_positions:
        raise ValueError(f"sequence length {input_ids.shape[1]} exceeds max_positions "
                         f"{config.max_positions}")
    return np.ones_like(input_ids) if attention_mask is None else attention_mask


def decode(config, weights, input_ids, attention_mask=None, token_type_ids=None):
    check_weights(config, weights)
    w = {name: value.astype(np.float64) for name, value in weights.items()}
    batch, seq = input_ids.shape
    d, heads, kv_heads, hd = config.d_model, config.num_heads, config.num_kv_heads, config.head_dim
    attention_mask = checked_mask(config, input_ids, attention_mask)
    positions = token_positions(attention_mask)

    # Classic dropout was trained without rescaling, so inference scales by the
    # keep probability; inverted dropout already rescaled during training.
    def dropout(x, rate):
        return x * (1.0 - rate) if config.dropout_mode == "classic" else x

    def norm(x, prefix, kind, eps):
        if kind == "rms_norm":
            return rms_norm(x, w[prefix + ".weight"], eps)
        return encoder.layer_norm(x, w[prefix + ".weight"], w[prefix + ".bias"], eps)

    def linear(name, x, bias):
        # Matrices are stored [out_features, in_features].
        y = x @ w[name + ".weight"].T
        return y + w[name + ".bias"] if bias else y

    kind = config.positions["kind"]
    h = w["embed_tokens.weight"][input_ids]
    if config.embedding_scale:
        h = h * math.sqrt(d)
    if kind == "learned":
        h = h + w["decoder.embed_positions.weight"][positions]
    elif kind == "sinusoidal":
        h = h + sinusoidal_features(positions, d, config.positions["layout"])
    if token_type_ids is not None and config.type_vocab_size == 0:
        raise ValueError("the model has no token type embeddings (type_vocab_size 0)")
    if config.type_vocab_size > 0:
        types = np.zeros_like(input_ids) if token_type_ids is None else token_type_ids
        if not 0 <= types.min() <= types.max() < config.type_vocab_size:
            raise ValueError(f"token type ids must lie in [0, {config.type_vocab_size})")
        h = h + w["embed_token_types.weight"][types]
    if config.embedding_norm:
        h = norm(h, "embed_norm", config.embedding_norm["kind"], config.embedding_norm["eps"])
    h = dropout(h, config.hidden_dropout)

    if kind == "rotary":
        inv_freq = np.power(config.positions["theta"], -np.arange(0, hd, 2) / hd)
        angles = (positions / config.positions["scaling"])[:, None, :, None] * inv_freq
        cos, sin = np.cos(angles), np.sin(angles)  # [batch, 1, seq, hd / 2]
    bias = position_bias(config, w, positions)
    scale = config.attention_scale
    if scale is None:
        scale = 1.0 / math.sqrt(hd)
    fill = encoder.mask_fill_value(config.mask_fill)
    key_is_pad = (attention_mask == 0)[:, None, None, :]  # [batch, 1, 1, keys]
    future = np.arange(seq)[None, :] > np.arange(seq)[:, None]  # [queries, keys]

    def split_heads(x, n):
        return x.reshape(batch, seq, n, hd).transpose(0, 2, 1, 3)

    def attention(x, p):
        q = split_heads(linear(p + "q_proj", x, config.bias_qkv), heads)
        k = split_heads(linear(p + "k_proj", x, config.bias_qkv), kv_heads)
        v = split_heads(linear(p + "v_proj", x, config.bias_qkv), kv_heads)
        if kind == "rotary":
            q = rotate(q, cos, sin, config.positions["layout"])
            k = rotate(k, cos, sin, config.positions["layout"])
        # Query head j reads key/value head j // (heads / kv_heads).
        k = np.repeat(k, heads // kv_heads, axis=1)
        v = np.repeat(v, heads // kv_heads, axis=1)
        scores = q @ k.transpose(0, 1, 3, 2) * scale + bias
        scores = np.where(future, -np.inf, scores)
        probs = dropout(encoder.masked_softmax(scores, key_is_pad, fill),
                        config.attention_dropout)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, heads * hd)
        return dropout(linear(p + "o_proj", context, config.bias_attention_output),
                       config.hidden_dropout)

    def ffn(x, p):
        up = linear(p + "up_proj", x, config.bias_ffn)
        if config.gated:
            inner = activation(config.activation, linear(p + "gate_proj", x, config.bias_ffn)) * up
        else:
            inner = activation(config.activation, up)
        return dropout(linear(p + "down_proj", inner, config.bias_ffn), config.hidden_dropout)

    for i in range(config.num_layers):
        p = f"decoder.layers.{i}."
        for sublayer, name in ((attention, "self_attn"), (ffn, "ffn")):
            if config.placement == "pre":
                h = h + sublayer(norm(h, p + name + "_norm", config.norm_kind, config.eps),
                                 p + name + ".")
            else:
                h = norm(h + sublayer(h, p + name + "."), p + name + "_norm", config.norm_kind,
                         config.eps)
    if config.final_norm:
        h = norm(h, "decoder.final_norm", config.norm_kind, config.eps)
    if config.lm_head:
        head = w["embed_tokens.weight" if config.lm_head["kind"] == "tied" else "lm_head.weight"]
        h = (config.lm_head["scale"] * h) @ head.T
        if config.lm_head["bias"]:
            h = h + w["lm_head.bias"]
    return h.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="xfmr spec .json or Hugging Face gpt2 / llama folder")
    for option, required in (("--input-ids", True), ("--attention-mask", False),
                             ("--token-type-ids", False), ("--output", True)):
        parser.add_argument(option, required=required)
    args = parser.parse_args()

    try:
        config, weights = load_model(args.model)
        arrays = {what: encoder.load_ids(path, what) for what, path in
                  (("input ids", args.input_ids), ("attention mask", args.attention_mask),
                   ("token type ids", args.token_type_ids)) if path}
        shape = arrays["input ids"].shape
        for what, array in arrays.items():
            if array.shape != shape:
                raise ValueError(f"{what} shape {list(array.shape)} differs from input ids "
                                 f"shape {list(shape)}")
        out = decode(config, weights, arrays["input ids"], arrays.get("attention mask"),
                     arrays.get("token type ids"))
    except (KeyError, OSError, ValueError) as error:
        # A KeyError is a spec or config field the file lacks.
        message = f"{args.model}: missing field {error}" if isinstance(error, KeyError) else error
        sys.exit(f"decoder.py: error: {message}")
    np.save(args.output, out)


if __name__ == "__main__":
    main()
