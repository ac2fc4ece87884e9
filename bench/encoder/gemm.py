#===- gemm.py - xfmr's GEMM against ONNX Runtime's MatMul ------------------===#
#
# For one GEMM shape [M, K] x [K, N]: an xfmr module whose `encode` entry
# looks rows of a [V, K] table up (the runtime's entry points take token ids,
# so the left operand has to come from somewhere) and applies one
# `xfmr.linear` with an [N, K] weight, compiled by xfmrc, so the library runs
# exactly the compiler's contraction for that shape with a dynamic M, as in
# the models; a second module with the lookup alone, whose time is printed
# beside it; and the same work for ONNX Runtime: a Gather of the M rows from
# the same constant table, then a MatMul with a constant [K, N] right operand
# (ONNX Runtime prepacks it, as xfmr packs its weights at open).
#
#===------------------------------------------------------------------------===#

import os

import numpy as np

from peers import run_tool
from xfmr_lib import Library

SEQ = 128  # M tokens are fed as [M / SEQ, SEQ] ids, the models' layout


def _module(name, vocab, k, n):
    """xfmr IR: lookup [V, K] by ids, then (when n) one linear to N."""
    width = n or k
    lines = [
        'module @%s attributes {xfmr.model = {name = "%s", weights_file = "",' % (name, name),
        '    config = {vocab_size = %d : i64, d_model = %d : i64, num_layers = 0 : i64,' % (
            vocab, width),
        '              num_heads = 1 : i64, max_positions = 512 : i64,',
        '              type_vocab_size = 0 : i64}}} {',
        '  xfmr.weight_decl @x key("x") : tensor<%dx%dxf32>' % (vocab, k),
    ]
    if n:
        lines.append('  xfmr.weight_decl @w key("w") : tensor<%dx%dxf32>' % (n, k))
    lines += [
        '  func.func @encode(%ids: tensor<?x?xi64> {xfmr.name = "input_ids"},',
        '                    %mask: tensor<?x?xi64> {xfmr.name = "attention_mask"})',
        '      -> (tensor<?x?x%dxf32> {xfmr.name = "last_hidden_state"})' % width,
        '      attributes {xfmr.entry = #xfmr.entry<encode>} {',
        '    %%x = xfmr.weight @x : tensor<%dx%dxf32>' % (vocab, k),
        '    %%a = xfmr.embedding %%ids, %%x : tensor<?x?xi64>, tensor<%dx%dxf32>'
        ' -> tensor<?x?x%dxf32>' % (vocab, k, k),
    ]
    if n:
        lines += [
            '    %%w = xfmr.weight @w : tensor<%dx%dxf32>' % (n, k),
            '    %%y = xfmr.linear %%a, %%w : tensor<?x?x%dxf32>, tensor<%dx%dxf32>'
            ' -> tensor<?x?x%dxf32>' % (k, n, k, n),
            '    return %%y : tensor<?x?x%dxf32>' % n,
        ]
    else:
        lines.append('    return %%a : tensor<?x?x%dxf32>' % k)
    lines += ['  }', '}', '']
    return "\n".join(lines)


class Shape:
    """One [M, K] x [K, N] contraction and its operands."""

    def __init__(self, label, m, k, n, seed=0):
        self.label, self.m, self.k, self.n = label, m, k, n
        rng = np.random.default_rng(seed)
        self.a = rng.standard_normal((m, k), dtype=np.float32)
        self.w = (rng.standard_normal((n, k), dtype=np.float32) / np.sqrt(k)).astype(np.float32)
        self.ids = np.arange(m, dtype=np.int64).reshape(m // SEQ, SEQ)
        self.mask = np.ones_like(self.ids)

    @property
    def flops(self):
        return 2.0 * self.m * self.n * self.k


def build_xfmr(shape, xfmrc, work):
    """(linear library, lookup-only library) for `shape`."""
    from safetensors.numpy import save_file
    tag = "gemm_m%d_k%d_n%d" % (shape.m, shape.k, shape.n)
    weights = os.path.join(work, tag + ".safetensors")
    save_file({"x": shape.a, "w": shape.w}, weights)
    libs = []
    for name, n in ((tag, shape.n), (tag + "_lookup", 0)):
        mlir = os.path.join(work, name + ".mlir")
        with open(mlir, "w") as f:
            f.write(_module(name, shape.m, shape.k, n))
        library = os.path.join(work, name + ".so")
        run_tool([xfmrc, mlir, "-o", library], "xfmrc " + name)
        libs.append(Library(library, weights))
    return libs


def build_ort_matmul(shape, work):
    """The ONNX graph Y = Gather(X, ids) @ B: X the [M, K] table, B = W^T."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    table = numpy_helper.from_array(shape.a, name="X")
    b = numpy_helper.from_array(np.ascontiguousarray(shape.w.T), name="B")
    graph = helper.make_graph(
        [helper.make_node("Gather", ["X", "ids"], ["A"], axis=0),
         helper.make_node("MatMul", ["A", "B"], ["Y"])], "gather_matmul",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["M"])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["M", shape.n])],
        initializer=[table, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(work, "matmul_m%d_k%d_n%d.onnx" % (shape.m, shape.k, shape.n))
    onnx.save(model, path)
    return path


def shapes_for(models, ms):
    """Each model's GEMM shapes (QKV and output projections d x d, FFN up
    d x ffn, FFN down ffn x d) at each token count M: (model, role, Shape)."""
    out = []
    for model_label, d, ffn in models:
        for m in ms:
            out.append((model_label, "QKV/out", Shape(model_label, m, d, d)))
            out.append((model_label, "FFN up", Shape(model_label, m, d, ffn)))
            out.append((model_label, "FFN down", Shape(model_label, m, ffn, d)))
    return out
