#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root), builds xfmr, and runs the demo:
# compile the bundled example model to a native library and run it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
    build-essential cmake ninja-build ccache git \
    llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools \
    libomp-22-dev libfmt-dev nlohmann-json3-dev libgtest-dev googletest clang-format \
    python3 python3-numpy
else
  echo "bootstrap: not root, skipping package installation" >&2
fi

cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build

scripts/demo.sh
