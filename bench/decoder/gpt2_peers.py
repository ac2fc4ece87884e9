#===- gpt2_peers.py - GPT-2 prefill and decode under xfmr, ORT, PyTorch ----===#
#
# Builds each peer's artifact for one GPT-2 checkpoint (xfmrc's library, an
# ONNX export with past key/values optimized by onnxruntime.transformers) and
# gives, for each peer and measurement, a Runner: a no-argument call that
# returns the next-token logits [batch, vocab] of a prepared batch, and an
# optional untimed prepare() that puts the peer's cache back where the
# measurement needs it before each call.
#
# Every peer computes the next-token logits only (the LM head on the last
# position): xfmr's prefill writes [batch, vocab], and the ONNX wrapper and
# PyTorch pass logits_to_keep=1, as Hugging Face's generate() does.
#
#===------------------------------------------------------------------------===#

import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import common  # noqa: E402
from common import Unavailable, ort_session, run_tool  # noqa: E402,F401
import xfmr_session  # noqa: E402


def short_error(error):
    """common.short_error, with room for the longer export messages."""
    return common.short_error(error, limit=200)


class Runner:
    """call() is timed; prepare(), when given, runs before it, untimed."""

    def __init__(self, call, prepare=None, keep=None):
        self.call, self.prepare, self.keep = call, prepare, keep

    def __call__(self):
        return self.call()


# ---- the checkpoint ----------------------------------------------------------

def make_checkpoint(folder, layers, d_model, heads, vocab, positions, seed):
    """A GPT2LMHeadModel with random weights (torch.manual_seed(seed)), saved
    by save_pretrained as safetensors; reused when `folder` already holds the
    same configuration."""
    import json
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    want = {"n_layer": layers, "n_embd": d_model, "n_head": heads, "vocab_size": vocab,
            "n_positions": positions}
    stamp = os.path.join(folder, "bench-seed.txt")
    try:
        config = json.load(open(os.path.join(folder, "config.json")))
        if (all(config.get(k) == v for k, v in want.items()) and
                open(stamp).read().strip() == str(seed) and
                os.path.isfile(os.path.join(folder, "model.safetensors"))):
            return False
    except (OSError, ValueError):
        pass
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(GPT2Config(**want)).eval()
    model.save_pretrained(folder, safe_serialization=True)
    with open(stamp, "w") as f:
        f.write("%d\n" % seed)
    return True


class Model:
    """The GPT-2 checkpoint under test and its PyTorch module (the default
    attention implementation, SDPA)."""

    def __init__(self, folder):
        from transformers import GPT2LMHeadModel
        self.folder = folder
        self.torch = GPT2LMHeadModel.from_pretrained(folder).eval()
        self.torch.requires_grad_(False)
        c = self.torch.config
        self.layers, self.heads, self.d_model = c.n_layer, c.n_head, c.n_embd
        self.vocab, self.positions = c.vocab_size, c.n_positions
        self.head_dim = self.d_model // self.heads
        self.artifacts = {}  # peer -> artifact or Unavailable
        self.ort_fused = {}

    # ---- xfmr -----------------------------------------------------------------
    def build_xfmr(self, xfmrc, work):
        library = os.path.join(work, "gpt2.so")
        run_tool([xfmrc, self.folder, "-o", library], "xfmrc")
        return xfmr_session.Library(library)

    # ---- ONNX -----------------------------------------------------------------
    def onnx_names(self):
        past = ["past_%s_%d" % (kv, i) for i in range(self.layers) for kv in ("key", "value")]
        present = ["present_%s_%d" % (kv, i) for i in range(self.layers)
                   for kv in ("key", "value")]
        return ["input_ids", "attention_mask", "position_ids"] + past, ["logits"] + present

    def export_onnx(self, work):
        """torch.onnx.export (TorchScript exporter) of a wrapper taking
        input_ids [B, S], attention_mask [B, past + S], position_ids [B, S]
        and the 2 x layers past tensors [B, heads, past, head_dim] (a
        DynamicCache is built from them inside), returning the last position's
        logits [B, 1, vocab] and the presents [B, heads, past + S, head_dim].
        Dynamic batch, seq and past; past 0 (prefill) runs on the same model.
        The eager attention graph is exported: it is the one
        onnxruntime.transformers' optimizer reads."""
        import torch
        from transformers import DynamicCache, GPT2LMHeadModel
        path = os.path.join(work, "gpt2.onnx")
        eager = GPT2LMHeadModel.from_pretrained(self.folder, attn_implementation="eager").eval()
        layers = self.layers

        class WithPast(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, position_ids, *past):
                cache = DynamicCache(ddp_cache_data=[(past[2 * i], past[2 * i + 1])
                                                     for i in range(layers)])
                out = self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                 position_ids=position_ids, cache=cache, use_cache=True,
                                 logits_to_keep=1)
                flat = []
                for layer in out.cache.layers:
                    flat += [layer.keys, layer.values]
                return (out.logits,) + tuple(flat)

        inputs, outputs = self.onnx_names()
        batch, seq, past_len = 2, 3, 5
        ids = torch.randint(1000, 2000, (batch, seq))
        mask = torch.ones(batch, past_len + seq, dtype=torch.int64)
        pos = torch.arange(past_len, past_len + seq).unsqueeze(0).expand(batch, seq).contiguous()
        past = [torch.randn(batch, self.heads, past_len, self.head_dim)
                for _ in range(2 * layers)]
        dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
               "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}}
        dyn.update({n: {0: "batch", 2: "past"} for n in inputs[3:]})
        dyn.update({n: {0: "batch", 2: "total"} for n in outputs[1:]})
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(WithPast(eager).eval(), (ids, mask, pos, *past), path,
                              input_names=inputs, output_names=outputs, dynamic_axes=dyn,
                              opset_version=17, dynamo=False)
        del eager
        return path

    def build_ort(self, onnx_path, work):
        """onnxruntime.transformers.optimizer, model_type gpt2. Returns the
        optimized model's path and its fused-operator counts."""
        from onnxruntime.transformers import optimizer
        optimized = optimizer.optimize_model(onnx_path, model_type="gpt2",
                                             num_heads=self.heads, hidden_size=self.d_model)
        fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
        path = os.path.join(work, "gpt2.ort.onnx")
        optimized.save_model_to_file(path)
        return path, fused

    # ---- the reference past -----------------------------------------------------
    def torch_past(self, ids):
        """PyTorch's keys and values of `ids` [B, N]: 2 x layers arrays [B,
        heads, N, head_dim] (keys, values per layer)."""
        import torch
        with torch.no_grad():
            out = self.torch(input_ids=torch.from_numpy(ids), use_cache=True, logits_to_keep=1)
        flat = []
        for layer in out.cache.layers:
            flat += [layer.keys.numpy(), layer.values.numpy()]
        return flat


# ---- xfmr ----------------------------------------------------------------------

def xfmr_prefill(library, ids, vocab):
    session = library.session(ids.shape[0], ids.shape[1])
    run = session.prefiller(ids, vocab)
    return Runner(run, keep=session)


class XfmrDecode(Runner):
    """Prefills `context` [B, N] once (untimed, in the first prepare) into a
    session of `capacity` slots; each call is one decode step, so the cache
    holds N, N + 1, ... tokens (prepare prefills again when it is full).
    `lengths` records the cached tokens before each call."""

    def __init__(self, library, context, step, vocab, capacity):
        self.session = library.session(context.shape[0], capacity)
        self.capacity = capacity
        self.fill = self.session.prefiller(context, vocab)
        self.filled = False
        self.lengths = []
        super().__init__(self.session.decoder(step, vocab), self._prepare)

    def _prepare(self):
        if not self.filled or self.session.info().length >= self.capacity:
            self.fill()
            self.filled = True
        self.lengths.append(self.session.info().length)

    def free(self):
        self.session.free()


# ---- ONNX Runtime --------------------------------------------------------------

def ort_runner(model, session, ids, past, past_len):
    """One call of the ONNX model through an IOBinding: `ids` [B, S] after
    `past_len` cached tokens whose keys and values are `past` (2 x layers
    arrays, [B, heads, past_len, head_dim]; None: past_len 0), into
    preallocated logits and presents. The past is the same every call, so
    every call sees exactly past_len cached tokens."""
    import onnxruntime
    batch, seq = ids.shape
    inputs, outputs = model.onnx_names()
    if past is None:
        past = [np.zeros((batch, model.heads, 0, model.head_dim), np.float32)
                for _ in range(2 * model.layers)]
    feeds = [np.ascontiguousarray(ids, dtype=np.int64),
             np.ones((batch, past_len + seq), np.int64),
             np.ascontiguousarray(np.broadcast_to(np.arange(past_len, past_len + seq,
                                                            dtype=np.int64), (batch, seq)))]
    feeds += [np.ascontiguousarray(p, dtype=np.float32) for p in past]
    binding = session.io_binding()
    values = [onnxruntime.OrtValue.ortvalue_from_numpy(v) for v in feeds]
    for name, v in zip(inputs, values):
        binding.bind_ortvalue_input(name, v)
    logits = np.empty((batch, 1, model.vocab), np.float32)
    presents = [np.empty((batch, model.heads, past_len + seq, model.head_dim), np.float32)
                for _ in range(2 * model.layers)]
    for name, buf in zip(outputs, [logits] + presents):
        binding.bind_output(name, "cpu", 0, np.float32, list(buf.shape), buf.ctypes.data)
    flat = logits.reshape(batch, model.vocab)

    def run():
        session.run_with_iobinding(binding)
        return flat

    return Runner(run, keep=(feeds, values, binding, logits, presents))


# ---- PyTorch -------------------------------------------------------------------

def torch_prefill(model, ids):
    import torch
    ids_t = torch.from_numpy(np.ascontiguousarray(ids, dtype=np.int64))
    mask_t = torch.ones_like(ids_t)

    def run():
        with torch.no_grad():
            out = model.torch(input_ids=ids_t, attention_mask=mask_t, use_cache=True,
                              logits_to_keep=1)
        return out.logits[:, -1].numpy()

    return Runner(run)


def torch_decode(model, step, past, past_len):
    """One decode step of `step` [B] on a DynamicCache of `past` (past_len
    tokens); prepare crops the cache back to past_len after each call, so
    every call sees exactly past_len cached tokens."""
    import torch
    from transformers import DynamicCache
    batch = step.shape[0]
    ids_t = torch.from_numpy(np.ascontiguousarray(step, dtype=np.int64).reshape(batch, 1))
    mask_t = torch.ones(batch, past_len + 1, dtype=torch.int64)
    pos_t = torch.full((batch, 1), past_len, dtype=torch.int64)
    cache = DynamicCache(ddp_cache_data=[(torch.from_numpy(past[2 * i]),
                                          torch.from_numpy(past[2 * i + 1]))
                                         for i in range(model.layers)])

    def prepare():
        extra = cache.get_seq_length() - past_len
        if extra:
            cache.crop(-extra)

    def run():
        with torch.no_grad():
            out = model.torch(input_ids=ids_t, attention_mask=mask_t, position_ids=pos_t,
                              cache=cache, use_cache=True, logits_to_keep=1)
        return out.logits[:, -1].numpy()

    return Runner(run, prepare, keep=cache)
