# -*- Python -*-
# lit configuration of the xfmr test suite.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "xfmr"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.xfmr_obj_root, "test")
# Data, not tests.
config.excludes = ["Inputs", "fixtures", "reference", "models", "runtime",
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

# Memory checks of generated code and runtime run where valgrind is installed.
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

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
