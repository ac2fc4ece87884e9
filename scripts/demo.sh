#!/usr/bin/env bash
# Compiles the bundled example model to build/demo/tiny-encoder.so and runs it
# on the example batch (two sequences, the second one padded).
set -euo pipefail
cd "$(dirname "$0")/.."
model=examples/tiny-encoder
mkdir -p build/demo
set -x
build/bin/xfmrc "$model/spec.json" -o build/demo/tiny-encoder.so
build/bin/xfmr-run build/demo/tiny-encoder.so \
  --input-ids "$model/input_ids.npy" \
  --attention-mask "$model/attention_mask.npy" \
  --token-type-ids "$model/token_type_ids.npy"
