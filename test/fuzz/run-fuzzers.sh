#!/bin/sh
#===- run-fuzzers.sh - a short run of every fuzz target ----------------------===#
#
# usage: test/fuzz/run-fuzzers.sh BIN_DIR [SECONDS_PER_TARGET]
# Runs each target on a scratch copy of its seed corpus (the checked-in
# corpus only grows by hand, with regression inputs). Exits non-zero on the
# first crash, sanitizer report, out-of-memory or timeout.
#
#===--------------------------------------------------------------------------===#
set -eu
bin=${1:?usage: run-fuzzers.sh BIN_DIR [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in safetensors npy; do
  mkdir -p "$work/$target"
  cp "$here/corpus/$target/"* "$work/$target/" 2>/dev/null || true
  echo "fuzzing $target for ${seconds}s"
  "$bin/xfmr-fuzz-$target" "$work/$target" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$work/" -print_final_stats=1
done
