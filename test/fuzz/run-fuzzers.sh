#!/bin/sh
#===- run-fuzzers.sh - a short run of every fuzz target ----------------------===#
#
# usage: test/fuzz/run-fuzzers.sh BIN_DIR [SECONDS_PER_TARGET] [TARGET...]
# Runs each target (default: all) for SECONDS (default 60) on a scratch copy
# of its seed corpus (the checked-in corpus only grows by hand, with
# regression inputs), first replaying every seed and regression input, with
# the target's dictionary TARGET.dict where there is one.
# Prints one summary line per target and exits non-zero if any target hit
# a crash, a sanitizer report, an out-of-memory, a timeout or a leak; the
# input that did it is copied to $XFMR_FUZZ_ARTIFACTS (default
# ./fuzz-artifacts) and its log kept next to it. With $XFMR_FUZZ_LOGS set,
# every target's log is kept there as TARGET.log (for the record in
# README.md: executions, coverage, corpus size).
#
#===--------------------------------------------------------------------------===#
set -eu
bin=${1:?usage: run-fuzzers.sh BIN_DIR [SECONDS] [TARGET...]}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-safetensors npy spec hf-config tokenizer-load tokenizer-encode ir}
here=$(cd "$(dirname "$0")" && pwd)
artifacts=${XFMR_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# abort_on_error: a report ends the run with a non-zero status, not a core.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=""
for target in $targets; do
  exe="$bin/xfmr-fuzz-$target"
  if [ ! -x "$exe" ]; then
    echo "$target: FAILED (no $exe; build the xfmr-fuzzers target)"
    failed="$failed $target"
    continue
  fi
  corpus="$work/$target"
  mkdir -p "$corpus" "$work/$target-artifacts"
  cp "$here/corpus/$target/"* "$corpus/" 2>/dev/null || true
  log="$work/$target.log"
  echo "fuzzing $target for ${seconds}s"
  status=0
  # A target's dictionary (TARGET.dict beside this script), if it has one.
  set --
  [ -f "$here/$target.dict" ] && set -- "-dict=$here/$target.dict"
  "$exe" "$corpus" "$@" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/$target-artifacts/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  files=$(ls "$corpus" | wc -l)
  if [ -n "${XFMR_FUZZ_LOGS:-}" ]; then
    mkdir -p "$XFMR_FUZZ_LOGS"
    cp "$log" "$XFMR_FUZZ_LOGS/$target.log"
  fi
  if [ "$status" -ne 0 ] || grep -q -e '^==[0-9]*==ERROR' -e 'runtime error:' \
      -e 'fuzz invariant violated' "$log" || \
      [ -n "$(ls -A "$work/$target-artifacts")" ]; then
    echo "$target: FAILED (exit $status, ${execs:-?} executions)"
    grep -m1 -e '^==[0-9]*==ERROR' -e 'runtime error:' -e 'SUMMARY' \
      -e 'fuzz invariant violated' -e 'ALARM' "$log" || tail -5 "$log"
    mkdir -p "$artifacts/$target"
    cp "$work/$target-artifacts/"* "$artifacts/$target/" 2>/dev/null || true
    cp "$log" "$artifacts/$target/fuzz.log"
    echo "  input and log in $artifacts/$target/"
    failed="$failed $target"
  else
    echo "$target: ok (${seconds}s, ${execs:-?} executions, $cov," \
      "corpus $files files)"
  fi
done
if [ -n "$failed" ]; then
  echo "FAILED:$failed"
  exit 1
fi
echo "all fuzz targets ok"
