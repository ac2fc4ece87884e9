#!/usr/bin/env bash
# Creates .venv-fixtures, the Python environment of the fixture generators and
# the benchmarks (bench/), from PyPI. Never needed to build xfmr or to run its
# tests. torch comes from PyTorch's CPU index when it is reachable (no CUDA
# wheels), else from PyPI.
#
#   scripts/make-bench-venv.sh [PYTHON]     (default: python3 on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
venv=.venv-fixtures
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip="$venv/bin/python -m pip"
$pip install -q --upgrade pip
if ! $pip install -q --index-url https://download.pytorch.org/whl/cpu torch 2>/dev/null; then
  $pip install -q torch
fi
$pip install -q numpy safetensors transformers tokenizers sentence-transformers \
  onnx onnxscript onnxruntime iree-base-compiler iree-base-runtime
$venv/bin/python -c "import torch, transformers, onnxruntime, iree.compiler, iree.runtime; \
print('make-bench-venv: torch', torch.__version__, 'onnxruntime', onnxruntime.__version__)"
