#!/usr/bin/env bash
# Regenerates the dialect and pass reference from ODS into docs/generated/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target mlir-doc
cp build/docs/Dialects/Xfmr.md docs/generated/Dialect.md
cp build/docs/Passes/XfmrPasses.md docs/generated/Passes.md
cp build/docs/Passes/XfmrConversionPasses.md docs/generated/ConversionPasses.md
cp build/docs/Passes/XfmrCpuPasses.md docs/generated/CpuPasses.md
cp build/docs/Passes/XfmrCudaPasses.md docs/generated/CudaPasses.md
