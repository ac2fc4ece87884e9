# -*- Python -*-
# lit configuration of the xfmr test suite.
import os
import shutil

import lit.formats
import lit.util
from lit.llvm import llvm_config

config.name = "xfmr"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.xfmr_obj_root, "test")
# Data, not tests.
config.excludes = ["Inputs", "fixtures", "reference", "models", "runtime", "corpus",
                   "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

tools_dir = config.xfmr_tools_dir
config.substitutions.append(("%xfmr-opt", os.path.join(tools_dir, "xfmr-opt")))
config.substitutions.append(("%xfmrc", os.path.join(tools_dir, "xfmrc")))
config.substitutions.append(("%xfmr-run", os.path.join(tools_dir, "xfmr-run")))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%xfmr_src", config.xfmr_src_root))
config.substitutions.append(("%xfmr_obj", config.xfmr_obj_root))

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["xfmr-opt", "xfmrc", "xfmr-run"],
                                   [tools_dir])

# A build with XFMR_ENABLE_SANITIZERS: the tools, the runtime and every model
# library are built with ASan and UBSan (feature `asan`). ASan checks memory
# and leaks itself, and valgrind cannot run ASan binaries.
sanitizers = lit.util.pythonize_bool(getattr(config, "xfmr_sanitizers", "OFF"))
if sanitizers:
    config.available_features.add("asan")
# A build with XFMR_ENABLE_TSAN: the same for ThreadSanitizer (feature
# `tsan`); valgrind cannot run those binaries either.
tsan = lit.util.pythonize_bool(getattr(config, "xfmr_tsan", "OFF"))
if tsan:
    config.available_features.add("tsan")
    sanitizers = True

# The formatting check (test/Style) needs clang-format (scripts/bootstrap.sh
# installs Debian 12's, version 14); without it the check fails rather than
# being skipped.
config.substitutions.append(
    ("%clang-format", shutil.which("clang-format") or "clang-format-not-installed"))

# Memory checks of generated code and runtime run where valgrind is installed.
if shutil.which("valgrind") and not sanitizers:
    config.available_features.add("valgrind")

# Kernel tests (test/Kernels) run lowered code with mlir-runner and print
# through the MLIR runner utility libraries; feature `mlir-runner` says all
# three are installed (and libomp, which the parallel loops call),
# %mlir_runner_libs is the -shared-libs list.
_runner = os.path.join(config.llvm_tools_dir, "mlir-runner")
_runner_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
_runner_libs = [os.path.join(_runner_lib_dir, name)
                for name in ("libmlir_runner_utils.so",
                             "libmlir_c_runner_utils.so",
                             # the kernels' parallel loops are OpenMP regions
                             "libomp.so")]
if os.path.exists(_runner) and all(os.path.exists(l) for l in _runner_libs):
    config.available_features.add("mlir-runner")
    config.substitutions.append(("%mlir_runner_libs", ",".join(_runner_libs)))
    config.substitutions.append(("%mlir-runner", _runner))

# -mlir-pass-statistics counters are only kept when LLVM was built with
# assertions or LLVM_FORCE_ENABLE_STATS (Debian's packages are not: every
# counter is a no-op and the report is empty). Tests check the counts under
# `%if stats %{ ... %}`.
def _has_pass_statistics():
    import subprocess
    try:
        run = subprocess.run(
            [os.path.join(tools_dir, "xfmr-opt"), "--cse",
             "--mlir-pass-statistics", "-o", os.devnull],
            input="", capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return "num-cse'd" in run.stderr


if _has_pass_statistics():
    config.available_features.add("stats")

# all-MiniLM-L6-v2 as scripts/fetch-minilm.sh unpacks it from PyPI.
minilm_dir = os.path.join(config.xfmr_obj_root, "models", "all-minilm-l6-v2")
if os.path.exists(os.path.join(minilm_dir, "model.safetensors")):
    config.available_features.add("minilm")
    config.substitutions.append(("%minilm", minilm_dir))

# The CUDA target (test/E2E/cuda-*.test, test/Pipelines/cuda-*.mlir) builds
# kernels with the CUDA toolkit's libdevice, ptxas and fatbinary (feature
# `cuda-toolkit`, %ptxas), found as xfmrc finds it. No GPU is needed: the
# libraries' missing device is what those tests check here.
def _cuda_toolkit():
    candidates = [os.environ.get(name) for name in ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT")]
    ptxas = shutil.which("ptxas")
    if ptxas:
        candidates.append(os.path.dirname(os.path.dirname(ptxas)))
    candidates.append("/usr/local/cuda")
    for root in candidates:
        if root and all(os.path.exists(os.path.join(root, p)) for p in
                        ("nvvm/libdevice/libdevice.10.bc", "bin/ptxas", "bin/fatbinary")):
            return root
    return None

_cuda = _cuda_toolkit()
if _cuda:
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%ptxas", os.path.join(_cuda, "bin", "ptxas")))

# The CUDA emulator (tools/xfmr-cuda-emulator): a CUDA driver that runs
# libraries built with --cuda-binary=emulated on the CPU, so the CUDA
# target's kernels, host code and runtime are tested end to end here, with
# no GPU and no toolkit. Its threads are fibers (ucontext), which the
# sanitizers' stack tracking does not follow: those builds skip it.
config.substitutions.append(
    ("%cuda-emulator", os.path.join(config.xfmr_obj_root, "lib", "libxfmr-cuda-emulator.so")))
if not sanitizers:
    config.available_features.add("cuda-emulator")
