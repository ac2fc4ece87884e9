#!/usr/bin/env bash
# Builds (if needed) and runs the whole test suite: the lit tests and the
# runtime unit tests, through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build --target all xfmr-runtime-tests
ctest --test-dir build --output-on-failure
