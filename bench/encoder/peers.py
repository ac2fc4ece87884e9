#===- peers.py - the encoder under xfmr, ONNX Runtime, IREE and PyTorch ----===#
#
# Builds each peer's artifact for a Hugging Face BERT folder (xfmrc's library,
# an ONNX export optimized by onnxruntime.transformers, an IREE llvm-cpu
# module) and gives, for each peer, a no-argument callable that encodes one
# prepared batch and returns the last hidden state, so the benchmark can time
# the peers interleaved in one process.
#
#===------------------------------------------------------------------------===#

import os
import sys

import numpy as np

from xfmr_lib import Library

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import Unavailable, ort_session, run_tool, short_error  # noqa: E402,F401
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV_BIN = os.path.dirname(sys.executable)
ONNX_INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


class Model:
    """One model under test: the checkpoint folder and the PyTorch module."""

    def __init__(self, name, folder, num_heads, d_model):
        import torch
        from transformers import BertModel
        self.name, self.folder = name, folder
        self.num_heads, self.d_model = num_heads, d_model
        self.torch = BertModel.from_pretrained(folder, add_pooling_layer=False).eval()
        self.torch.requires_grad_(False)
        self._torch_mod = torch
        self.artifacts = {}  # peer -> artifact or the reason there is none

    # ---- xfmr ---------------------------------------------------------------
    def build_xfmr(self, xfmrc, work):
        library = os.path.join(work, self.name + ".so")
        run_tool([xfmrc, self.folder, "-o", library], "xfmrc " + self.name)
        return Library(library)

    # ---- ONNX export (ONNX Runtime and IREE both start from it) --------------
    def export_onnx(self, work):
        import torch
        from transformers import BertModel
        path = os.path.join(work, self.name + ".onnx")
        # The eager attention graph is the one onnxruntime.transformers' fusions
        # recognise; the weights are the same as those of the timed module.
        eager = BertModel.from_pretrained(self.folder, add_pooling_layer=False,
                                          attn_implementation="eager").eval()

        class LastHiddenState(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        # token_type_ids is an input (all zeros when run): traced from the
        # module's buffer, its expand to [batch, seq] keeps the example's
        # batch, which IREE then rejects for any other batch.
        ids = torch.randint(1000, 2000, (2, 16))
        dyn = {0: "batch", 1: "seq"}
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(LastHiddenState(eager).eval(),
                              (ids, torch.ones_like(ids), torch.zeros_like(ids)), path,
                              input_names=ONNX_INPUTS, output_names=["last_hidden_state"],
                              dynamic_axes={name: dyn for name in
                                            ONNX_INPUTS + ["last_hidden_state"]},
                              opset_version=17, dynamo=False)
        del eager
        return path

    # ---- ONNX Runtime -------------------------------------------------------
    def build_ort(self, onnx_path, work):
        from onnxruntime.transformers import optimizer
        optimized = optimizer.optimize_model(onnx_path, model_type="bert",
                                             num_heads=self.num_heads,
                                             hidden_size=self.d_model)
        fused = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
        path = os.path.join(work, self.name + ".ort.onnx")
        optimized.save_model_to_file(path)
        return path, fused

    # ---- IREE ---------------------------------------------------------------
    def build_iree(self, onnx_path, work):
        # Weights go to a parameter archive: with them inline iree-compile
        # takes tens of minutes on this model size.
        mlir = os.path.join(work, self.name + ".iree.mlir")
        params = os.path.join(work, self.name + ".irpa")
        vmfb = os.path.join(work, self.name + ".vmfb")
        run_tool([os.path.join(VENV_BIN, "iree-import-onnx"), onnx_path, "--externalize-params",
                  "--save-params-to", params, "-o", mlir], "iree-import-onnx")
        run_tool([os.path.join(VENV_BIN, "iree-compile"), mlir,
                  "--iree-hal-target-device=local",
                  "--iree-hal-local-target-device-backends=llvm-cpu",
                  "--iree-llvmcpu-target-cpu=host", "-o", vmfb], "iree-compile")
        return vmfb, params


def ort_runner(session, feeds, output_name, out_shape):
    """Runs `session` on `feeds` through an IOBinding into a buffer of its own:
    no per-call allocation or copy, as for xfmr."""
    import onnxruntime
    binding = session.io_binding()
    values = {k: onnxruntime.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(v))
              for k, v in feeds.items()}
    for k, v in values.items():
        binding.bind_ortvalue_input(k, v)
    out = np.empty(out_shape, dtype=np.float32)
    binding.bind_output(output_name, "cpu", 0, np.float32, list(out_shape), out.ctypes.data)

    def run():
        session.run_with_iobinding(binding)
        return out

    run.keep = (values, binding)
    return run


class IreeDevices:
    """IREE's task system takes its topology from process-wide flags when the
    local-task driver is first created, so one process has one multi-threaded
    topology: local-sync (the caller's thread) serves 1 thread and local-task
    with --task_topology_group_count=N serves N (the largest count asked)."""

    def __init__(self, max_threads):
        import iree.runtime as rt
        self.rt = rt
        self.task_threads = max_threads if max_threads > 1 else None
        if self.task_threads:
            rt.flags.parse_flags("--task_topology_group_count=%d" % self.task_threads)
        self.devices = {}

    def device(self, threads):
        """(device, None) or (None, reason)."""
        if threads != 1 and threads != self.task_threads:
            return None, "n/a (one task topology per process: %s)" % self.task_threads
        if threads not in self.devices:
            driver = "local-sync" if threads == 1 else "local-task"
            self.devices[threads] = self.rt.get_driver(driver).create_default_device()
        return self.devices[threads], None

    def load(self, threads, vmfb, params):
        rt = self.rt
        device, reason = self.device(threads)
        if device is None:
            raise RuntimeError(reason)
        config = rt.Config(device=device)
        index = rt.ParameterIndex()
        index.load(params)
        modules = [rt.create_io_parameters_module(config.vm_instance,
                                                  index.create_provider(scope="model")),
                   rt.VmModule.mmap(config.vm_instance, vmfb)]
        context = rt.SystemContext(vm_modules=modules, config=config)
        return context, index


def iree_runner(loaded, ids, mask):
    context, _ = loaded  # the parameter index stays alive with the context
    function = context.modules.module.main_graph
    types = np.zeros_like(ids)

    def run():
        return function(ids, mask, types).to_host()

    run.keep = loaded
    return run


def torch_runner(model, ids, mask):
    import torch
    ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)

    def run():
        with torch.no_grad():
            return model(input_ids=ids_t, attention_mask=mask_t).last_hidden_state.numpy()

    return run
