#!/usr/bin/env bash
#===- gpu-check.sh - the CUDA target on a lent GPU: tests and a benchmark ---===#
#
#   bench/gpu-check.sh prepare [DIR]        here, no GPU needed (DIR: build/gpu-check)
#   bench/gpu-check.sh run [--dry-run] [DIR]  on the GPU machine, from the repo root
#
# prepare builds into DIR what the GPU machine needs, small enough to carry:
#   bin/xfmr-run, lib/ (the shared libraries it needs beyond the C and C++
#   runtimes), bin/decode_bench (bench/gpu/decode_bench.c, the session API);
#   models/NAME/lib.so: each end-to-end test model (test/E2E/models/*/spec.json,
#   test/fixtures/hf/*) compiled with --target=cuda --cuda-arch=sm_90, as the
#   .test files compile it (--pooling too), with its weights beside it;
#   cases/CASE/: the inputs of each test run, the CPU library's output for
#   them (xfmr-run --output, here), the test's reference output and, for the
#   decoders, the CPU library's greedy --generate output; cases.tsv lists
#   them with the test's tolerance;
#   bench/{bert-base,gpt2}/lib.so: BERT-base and GPT-2 small (2048 positions)
#   for CUDA, compiled from bench/gpu/weights.py's checkpoints (names and
#   shapes only: the weights are made on the GPU machine).
#   tf32.tar.xz: tf32/{models,bench}/NAME/lib.so, the same models built with
#   --cuda-tf32 (xz: 35 MB of libraries in 3 MB), reading the f32 builds' weights.
# The CPU libraries stay in DIR-cpu (not carried), for `run --dry-run`.
#
# run: (a) the GPU (nvidia-smi -L) and the tools found; (b) every case's CUDA
# library through xfmr-run on the same inputs: the output against the CPU
# library's and the reference at the test's tolerance (test/E2E/compare.py,
# python3 with numpy), generated ids exactly; one line per case; then every
# case again with its TF32 library, at max |cuda - cpu| <= TF32_RTOL *
# max(1, max |cpu|) (test/E2E/compare.py --rtol), its greedy ids reported but
# not failing; (c) bench/gpu/bench.py: BERT-base and GPT-2 against PyTorch
# eager on CUDA, f32 against f32 and TF32 against TF32.
# Exit status: 0 every case passed and the benchmark ran and agreed, 1 a case
# or the benchmark failed, 3 the CUDA libraries cannot run on this machine
# (one line says why). --dry-run runs the same steps on DIR-cpu's CPU
# libraries (a check of this script without a GPU; the TF32 cases too, so
# they pass trivially), with a quick benchmark.
# With $OUT set to a folder (the device tool's), the log and the benchmark's
# JSON are written there too.
#
#===------------------------------------------------------------------------===#

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARCH=sm_90
# The TF32 cases' bound: max |cuda - cpu| <= TF32_RTOL * max(1, max |cpu|)
# (test/E2E/compare.py --rtol; why this value: bench/README.md).
TF32_RTOL=2e-2

say() { printf '[gpu-check] %s\n' "$*"; }
die() { printf 'gpu-check: error: %s\n' "$*" >&2; exit 1; }

now() { date +%s.%N; }
STEP_NAME="" STEP_START=""
step() {
  step_done
  STEP_NAME="$1" STEP_START="$(now)"
  say "== $1"
}
step_done() {
  if [ -n "$STEP_NAME" ]; then
    say "   ($STEP_NAME: $(awk -v a="$STEP_START" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s)"
  fi
  STEP_NAME=""
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# A python3 that imports numpy, or nothing.
find_python() {
  local p
  for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' >/dev/null 2>&1; then
      command -v "$p"
      return 0
    fi
  done
  return 0
}

TIMEOUT=()
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout 120); fi

# ---- prepare -------------------------------------------------------------------

CASES_TSV=""

# compile NAME SRC [FLAGS...]: models/NAME/lib.so for CUDA in $DIR and for the
# CPU in $CPU, each with a copy of the weights beside it.
compile() {
  local name="$1" src="$2"
  shift 2
  local weights
  if [ -d "$src" ]; then
    weights="$src/model.safetensors"
  else
    weights="$(ls "$(dirname "$src")"/*.safetensors)"
  fi
  [ -f "$weights" ] || die "no weights for $src"
  mkdir -p "$DIR/models/$name" "$CPU/models/$name"
  cp "$weights" "$DIR/models/$name/weights.safetensors"
  cp "$weights" "$CPU/models/$name/weights.safetensors"
  "$XFMRC" "$src" --target=cuda --cuda-arch="$ARCH" "$@" -o "$DIR/models/$name/lib.so" \
    || die "xfmrc --target=cuda failed on $src $*"
  # The TF32 build, packed into tf32.tar.xz at the end; it reads the same weights.
  mkdir -p "$DIR/tf32/models/$name"
  "$XFMRC" "$src" --target=cuda --cuda-arch="$ARCH" --cuda-tf32 "$@" \
    -o "$DIR/tf32/models/$name/lib.so" || die "xfmrc --target=cuda --cuda-tf32 failed on $src $*"
  "$XFMRC" "$src" "$@" -o "$CPU/models/$name/lib.so" || die "xfmrc failed on $src $*"
  rm -f "$DIR/models/$name/lib.h" "$DIR/tf32/models/$name/lib.h" "$CPU/models/$name/lib.h"
  printf '  %-22s %s %s\n' "$name" "${src#"$ROOT"/}" "$*"
}

# forward CASE LIB TOL SRCDIR IDS MASK TYPES REF MASKED [COMPARE_FLAG...]: a
# case running LIB on SRCDIR's IDS (MASK, TYPES: "-" for none); its output is
# compared, on the mask's real positions when MASKED is "masked", with the CPU
# library's and with REF (a path, or "-").
forward() {
  local case="$1" lib="$2" tol="$3" src="$4" ids="$5" mask="$6" types="$7" ref="$8"
  local masked="$9"
  shift 9
  local dir="$DIR/cases/$case"
  mkdir -p "$dir"
  local args="--input-ids @/input_ids.npy"
  cp "$src/$ids" "$dir/input_ids.npy"
  if [ "$mask" != - ]; then
    cp "$src/$mask" "$dir/attention_mask.npy"
    args+=" --attention-mask @/attention_mask.npy"
  fi
  if [ "$types" != - ]; then
    cp "$src/$types" "$dir/token_type_ids.npy"
    args+=" --token-type-ids @/token_type_ids.npy"
  fi
  local cmp="$*"
  [ "$masked" = masked ] && cmp="--attention-mask @/attention_mask.npy${cmp:+ $cmp}"
  [ "$ref" != - ] && cp "$ref" "$dir/ref.npy"
  # shellcheck disable=SC2086 # the arguments are words without blanks
  "$XFMR_RUN" "$CPU/models/$lib/lib.so" --weights "$CPU/models/$lib/weights.safetensors" \
    ${args//@/$dir} --output "$dir/cpu.npy" || die "the CPU library of $case failed"
  local check="-"
  if [ -n "$PY" ] && [ "$ref" != - ]; then
    # shellcheck disable=SC2086
    check="$("$PY" "$ROOT/test/E2E/compare.py" "$dir/cpu.npy" "$dir/ref.npy" ${cmp//@/$dir} \
      --atol "$tol" || true)"
  fi
  printf 'forward\t%s\t%s\t%s\t%s\t%s\n' "$case" "$lib" "$tol" "${cmp:--}" "$args" >>"$CASES_TSV"
  printf 'forward-tf32\t%s\t%s\t%s\t%s\t%s\n' "$case" "$lib" "$TF32_RTOL" "${cmp:--}" "$args" \
    >>"$CASES_TSV"
  printf '  %-22s tol %-6s CPU vs reference: %s\n' "$case" "$tol" "$check"
}

# generate CASE LIB SRCDIR [XFMR_RUN_FLAG...]: greedy generation from SRCDIR's
# prompt_ids.npy and prompt_mask.npy; the ids must be the CPU library's.
generate() {
  local case="$1" lib="$2" src="$3"
  shift 3
  local dir="$DIR/cases/$case"
  mkdir -p "$dir"
  cp "$src/prompt_ids.npy" "$src/prompt_mask.npy" "$dir/"
  local args="--input-ids @/prompt_ids.npy --attention-mask @/prompt_mask.npy --generate $*"
  # shellcheck disable=SC2086
  "$XFMR_RUN" "$CPU/models/$lib/lib.so" --weights "$CPU/models/$lib/weights.safetensors" \
    ${args//@/$dir} >"$dir/cpu.txt" || die "the CPU library of $case failed to generate"
  printf 'generate\t%s\t%s\texact\t-\t%s\n' "$case" "$lib" "$args" >>"$CASES_TSV"
  printf 'generate-tf32\t%s\t%s\tinformational\t-\t%s\n' "$case" "$lib" "$args" >>"$CASES_TSV"
  printf '  %-22s %d sequences, exact ids\n' "$case" "$(grep -c . "$dir/cpu.txt")"
}

prepare() {
  DIR="${1:-$ROOT/build/gpu-check}"
  case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
  CPU="$DIR-cpu"
  XFMRC="$ROOT/build/bin/xfmrc"
  XFMR_RUN="$ROOT/build/bin/xfmr-run"
  if [ ! -x "$XFMRC" ] || [ ! -x "$XFMR_RUN" ]; then
    die "build xfmrc and xfmr-run first (build/bin)"
  fi
  command -v cc >/dev/null || die "no C compiler (cc) for bench/gpu/decode_bench.c"
  PY="$(find_python)"
  [ -n "$PY" ] || die "prepare needs a python3 with numpy (set PYTHON=...)"
  local start
  start="$(now)"
  say "prepare into $DIR (CPU libraries in $CPU); xfmr $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
  rm -rf "$DIR" "$CPU"
  mkdir -p "$DIR/bin" "$DIR/lib" "$DIR/cases" "$CPU"
  CASES_TSV="$DIR/cases.tsv"
  printf '# kind\tcase\tlibrary\ttolerance\tcompare flags\txfmr-run arguments (@: the case folder)\n' \
    >"$CASES_TSV"

  step "tools"
  cp "$XFMR_RUN" "$DIR/bin/"
  # The shared libraries xfmr-run needs beyond glibc's and the C++ runtime.
  local so path
  while read -r so path; do
    case "$so" in
      libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*|linux-vdso*|libdl.so.*|libpthread.so.*|librt.so.*) ;;
      *) [ -f "$path" ] && cp -L "$path" "$DIR/lib/$so" && say "  carried $so" ;;
    esac
  done < <(ldd "$XFMR_RUN" | awk '$2 == "=>" { print $1, $3 }')
  cc -std=gnu99 -O2 -Wall -Wextra -Werror -I"$ROOT/runtime/include" \
    "$ROOT/bench/gpu/decode_bench.c" -o "$DIR/bin/decode_bench" -ldl
  "$PY" "$ROOT/bench/gpu/weights.py" --self-check

  step "test models: CUDA ($ARCH) and CPU libraries"
  local m="$ROOT/test/E2E/models" hf="$ROOT/test/fixtures/hf" name
  for name in tiny-encoder sinusoidal-relu classic-dropout fully-masked value-fill tiny-gpt \
              tiny-llama; do
    compile "$name" "$m/$name/spec.json"
  done
  compile tiny-encoder-mean "$m/tiny-encoder/spec.json" --pooling=mean --normalize
  compile tiny-encoder-cls "$m/tiny-encoder/spec.json" --pooling=cls
  for name in bert-tiny bert-relu bert-prefixed gpt2-tiny llama-tiny llama-tied-bias; do
    compile "$name" "$hf/$name"
  done
  # Every model must be one the tests compile.
  local spec
  for spec in "$m"/*/spec.json "$hf"/*/config.json; do
    name="$(basename "$(dirname "$spec")")"
    [ -d "$DIR/models/$name" ] || die "$spec is not in gpu-check.sh's list"
  done

  step "test cases: CPU outputs (xfmr-run --output, --generate)"
  local e="$m/tiny-encoder"
  for name in tiny-encoder classic-dropout fully-masked value-fill; do
    local flags=()
    case "$name" in fully-masked|value-fill) flags=(--all-finite) ;; esac
    forward "$name" "$name" 1e-4 "$m/$name" input_ids.npy attention_mask.npy \
      token_type_ids.npy "$m/$name/expected.npy" masked "${flags[@]}"
  done
  for name in sinusoidal-relu tiny-gpt tiny-llama; do
    forward "$name" "$name" 1e-4 "$m/$name" input_ids.npy attention_mask.npy - \
      "$m/$name/expected.npy" masked
  done
  "$PY" "$ROOT/test/E2E/pool.py" mean --normalize "$e/expected.npy" "$e/attention_mask.npy" \
    "$CPU/mean.expected.npy"
  "$PY" "$ROOT/test/E2E/pool.py" cls "$e/expected.npy" "$e/attention_mask.npy" \
    "$CPU/cls.expected.npy"
  forward tiny-encoder-mean tiny-encoder-mean 1e-5 "$e" input_ids.npy attention_mask.npy \
    token_type_ids.npy "$CPU/mean.expected.npy" whole
  forward tiny-encoder-cls tiny-encoder-cls 1e-5 "$e" input_ids.npy attention_mask.npy \
    token_type_ids.npy "$CPU/cls.expected.npy" whole
  for name in bert-tiny bert-relu bert-prefixed; do
    forward "$name" "$name" 1e-4 "$hf/$name" input_ids.npy attention_mask.npy \
      token_type_ids.npy "$hf/$name/expected.npy" masked
  done
  local tol
  for name in gpt2-tiny:4e-4 llama-tiny:6e-4 llama-tied-bias:7e-4; do
    tol="${name#*:}" name="${name%:*}"
    forward "$name" "$name" "$tol" "$hf/$name" input_ids.npy attention_mask.npy - \
      "$hf/$name/expected.npy" masked
    forward "$name-left" "$name" "$tol" "$hf/$name" left_input_ids.npy \
      left_attention_mask.npy - "$hf/$name/left_expected.npy" masked
  done
  # As test/E2E/generate.test runs them (greedy; the fixtures' smallest gap
  # between the two best logits is 0.05, so exact ids are the check).
  generate gpt2-tiny-generate gpt2-tiny "$hf/gpt2-tiny" --max-new-tokens 8
  generate llama-tiny-generate llama-tiny "$hf/llama-tiny" --greedy --max-new-tokens 8
  generate llama-tied-bias-generate llama-tied-bias "$hf/llama-tied-bias" --max-new-tokens 8

  step "benchmark models: BERT-base and GPT-2 small for CUDA (and CPU, for --dry-run)"
  local tmp
  tmp="$(mktemp -d)"
  for name in bert-base gpt2; do
    "$PY" "$ROOT/bench/gpu/weights.py" "$name" "$tmp/$name" --sparse
    mkdir -p "$DIR/bench/$name" "$CPU/bench/$name"
    "$XFMRC" "$tmp/$name" --target=cuda --cuda-arch="$ARCH" -o "$DIR/bench/$name/lib.so" \
      || die "xfmrc --target=cuda failed on $name"
    mkdir -p "$DIR/tf32/bench/$name"
    "$XFMRC" "$tmp/$name" --target=cuda --cuda-arch="$ARCH" --cuda-tf32 \
      -o "$DIR/tf32/bench/$name/lib.so" || die "xfmrc --target=cuda --cuda-tf32 failed on $name"
    "$XFMRC" "$tmp/$name" -o "$CPU/bench/$name/lib.so" || die "xfmrc failed on $name"
    cp "$tmp/$name/config.json" "$DIR/bench/$name/"
    rm -f "$DIR/bench/$name/lib.h" "$DIR/tf32/bench/$name/lib.h" "$CPU/bench/$name/lib.h"
  done
  rm -rf "$tmp"

  # Uncompressed, the TF32 libraries would double the folder (about 37 MB
  # more); xz packs them to about a sixth.
  step "TF32 libraries: tf32.tar.xz"
  say "  $(du -sh "$DIR/tf32" | cut -f1) of TF32 libraries"
  XZ_OPT="${XZ_OPT:--6 -T0}" tar -C "$DIR" -cJf "$DIR/tf32.tar.xz" tf32 \
    || die "cannot pack the TF32 libraries (tar -J needs xz)"
  rm -rf "$DIR/tf32"
  say "  tf32.tar.xz: $(du -sh "$DIR/tf32.tar.xz" | cut -f1)"
  step_done

  {
    echo "prepared $(date -u +%Y-%m-%dT%H:%M:%SZ) at $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
    echo "target cuda $ARCH; $(grep -c $'^forward\t' "$CASES_TSV") forward cases, $(grep -c $'^generate\t' "$CASES_TSV") generate cases, each in f32 and TF32 (--cuda-tf32)"
  } >"$DIR/PREPARED.txt"
  say "prepared in $(elapsed "$start") s: $(du -sh "$DIR" | cut -f1) in $DIR"
  say "carry it: run(carry=[\"${DIR#"$ROOT"/}\"], command=\"bash bench/gpu-check.sh run ${DIR#"$ROOT"/}\")"
}

# ---- run -------------------------------------------------------------------------

run_checks() {
  local dry=0
  if [ "${1:-}" = --dry-run ]; then dry=1; shift; fi
  DIR="${1:-$ROOT/build/gpu-check}"
  case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
  [ -f "$DIR/cases.tsv" ] || die "$DIR holds no prepared check (run 'bench/gpu-check.sh prepare' first)"
  local libroot="$DIR" results=""
  if [ "$dry" = 1 ]; then
    libroot="$DIR-cpu"
    [ -d "$libroot/models" ] || die "--dry-run needs the CPU libraries of prepare in $libroot"
  fi
  if [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ] && [ -w "$OUT" ]; then
    results="$OUT"
    exec > >(tee "$results/gpu-check.log") 2>&1
  fi
  local start
  start="$(now)"
  say "run on $(hostname 2>/dev/null || echo '?'), $DIR: $(head -1 "$DIR/PREPARED.txt" 2>/dev/null || echo '?')"
  [ "$dry" = 1 ] && say "DRY RUN: the CPU libraries of $libroot stand in for the CUDA ones"

  step "machine"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi -L || say "nvidia-smi -L failed"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader \
      2>/dev/null || true
  else
    say "nvidia-smi: not found"
  fi
  say "$(uname -srm); $(nproc 2>/dev/null || echo '?') cores"
  local py
  py="$(find_python)"
  if [ -n "$py" ]; then
    say "python: $py, numpy $("$py" -c 'import numpy; print(numpy.__version__)')"
    say "torch: $("$py" -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "no cuda device")' 2>/dev/null || echo 'not importable')"
    say "transformers: $("$py" -c 'import transformers; print(transformers.__version__)' 2>/dev/null || echo 'not importable')"
  else
    say "python3 with numpy: NOT FOUND: outputs cannot be compared and the benchmark is skipped"
  fi
  export LD_LIBRARY_PATH="$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  # The copy may have lost the executable bits.
  [ -x "$DIR/bin/xfmr-run" ] && [ -x "$DIR/bin/decode_bench" ] || chmod +x "$DIR"/bin/* || true
  local missing=""
  if command -v ldd >/dev/null 2>&1; then
    missing="$(ldd "$DIR/bin/xfmr-run" 2>&1 | grep '=> not found' || true)"
  fi
  if [ -n "$missing" ]; then
    printf 'gpu-check: cannot run the CUDA libraries on this machine: xfmr-run lacks %s\n' \
      "$(echo "$missing" | head -1 | xargs)" >&2
    exit 3
  fi
  if [ "$dry" = 0 ] && [ -z "${XFMR_CUDA_DRIVER:-}" ] && \
      ! ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
    local d
    for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu \
             /usr/lib64 /usr/local/cuda/compat; do
      if [ -f "$d/libcuda.so.1" ]; then
        export XFMR_CUDA_DRIVER="$d/libcuda.so.1"
        say "libcuda.so.1 is not in the loader's cache; using $XFMR_CUDA_DRIVER"
        break
      fi
    done
  fi

  local xrun="$DIR/bin/xfmr-run" work
  work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
  # shellcheck disable=SC2064 # the folder is known now
  trap "rm -rf '$work'" EXIT
  step "probe: can the CUDA libraries run here?"
  local probe_case probe_lib probe_args err
  read -r probe_case probe_lib probe_args < <(awk -F'\t' '$1 == "forward" { print $2, $3, $6; exit }' "$DIR/cases.tsv")
  # shellcheck disable=SC2086
  if ! err="$("${TIMEOUT[@]}" "$xrun" "$libroot/models/$probe_lib/lib.so" \
      --weights "$libroot/models/$probe_lib/weights.safetensors" \
      ${probe_args//@/$DIR/cases/$probe_case} --output "$work/probe.npy" 2>&1 >/dev/null)"; then
    step_done
    printf 'gpu-check: cannot run the CUDA libraries on this machine: %s\n' \
      "$(echo "$err" | grep . | tail -1)" >&2
    exit 3
  fi
  say "  $probe_case ran"

  # The TF32 libraries (tf32/models, tf32/bench), unpacked; in a dry run the
  # CPU libraries stand in for them too, so the TF32 cases pass trivially.
  local tf32root="$work/tf32" tf32_missing=""
  step "TF32 libraries: unpack tf32.tar.xz"
  if [ ! -f "$DIR/tf32.tar.xz" ]; then
    tf32_missing="no tf32.tar.xz in $DIR"
  elif ! tar -C "$work" -xJf "$DIR/tf32.tar.xz" 2>"$work/untar.err"; then
    # Without an xz program, Python's tarfile (lzma) may still read it.
    rm -rf "$work/tf32"
    if ! "$(command -v python3 || echo python3)" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' \
        "$DIR/tf32.tar.xz" "$work" 2>>"$work/untar.err"; then
      tf32_missing="cannot unpack tf32.tar.xz: $(grep . "$work/untar.err" | tail -1)"
    fi
  fi
  if [ -n "$tf32_missing" ]; then
    say "  $tf32_missing: every TF32 case fails"
  else
    say "  $(find "$tf32root" -name lib.so | wc -l) TF32 libraries"
  fi
  [ "$dry" = 1 ] && tf32root="$libroot"

  step "test models on the GPU: xfmr-run against the CPU library's output"
  say "f32 cases: max |cuda - cpu| <= the test's atol (test/E2E/compare.py); TF32 cases" \
    "([tf32]): max |cuda - cpu| <= $TF32_RTOL * max(1, max |cpu|) (test/E2E/compare.py --rtol)," \
    "the same against the reference; TF32 greedy ids: informational (INFO when they differ)"
  local failed=0 passed=0 uncompared=0 info=0
  local kind case lib tol cflags args
  printf '  %-33s %-6s %-22s %-22s %s\n' case result "max abs err (vs CPU)" tolerance "vs reference, time"
  while IFS=$'\t' read -r kind case lib tol cflags args; do
    case "$kind" in '#'*|'') continue ;; esac
    local cdir="$DIR/cases/$case" t0 out status=PASS err_cpu="-" err_ref="-" note="" shown="$case"
    local tf32=0 root="$libroot" label="$tol" line
    case "$kind" in
      *-tf32) tf32=1 root="$tf32root" shown="$case [tf32]" ;;
    esac
    t0="$(now)"
    local so="$root/models/$lib/lib.so" w="$libroot/models/$lib/weights.safetensors"
    local out_file="$work/$case"
    [ "$tf32" = 1 ] && out_file+=".tf32"
    if [ "$tf32" = 1 ] && [ -n "$tf32_missing" ]; then
      status=FAIL note="$tf32_missing"
    elif [ "${kind%-tf32}" = generate ]; then
      # shellcheck disable=SC2086
      if ! out="$("${TIMEOUT[@]}" "$xrun" "$so" --weights "$w" ${args//@/$cdir} 2>&1 >"$out_file.txt")"; then
        status=FAIL note="xfmr-run: $(echo "$out" | grep . | tail -1)"
      elif cmp -s "$out_file.txt" "$cdir/cpu.txt"; then
        err_cpu="same ids"
      else
        # TF32 may move a close pair of logits, so its ids only inform.
        status=FAIL err_cpu="ids differ"
        [ "$tf32" = 1 ] && status=INFO
        note="$(diff "$cdir/cpu.txt" "$out_file.txt" | grep '^[<>]' | head -2 | tr '\n' ' ')"
      fi
    else
      # shellcheck disable=SC2086
      if ! out="$("${TIMEOUT[@]}" "$xrun" "$so" --weights "$w" ${args//@/$cdir} --output "$out_file.npy" 2>&1)"; then
        status=FAIL note="xfmr-run: $(echo "$out" | grep . | tail -1)"
      elif [ -z "$py" ]; then
        status=UNCOMPARED note="no python3 with numpy"
      else
        [ "$cflags" = - ] && cflags=""
        local cmp_cmd=("$py" "$ROOT/test/E2E/compare.py") cmp_tol=(--atol "$tol")
        if [ "$tf32" = 1 ]; then
          cmp_tol=(--rtol "$tol")
          label="$tol*max(1,max|cpu|)"
        fi
        # shellcheck disable=SC2086
        if ! line="$("${cmp_cmd[@]}" "$out_file.npy" "$cdir/cpu.npy" ${cflags//@/$cdir} \
            "${cmp_tol[@]}")"; then
          status=FAIL note="vs CPU: $line"
        fi
        err_cpu="$(echo "$line" | sed -n 's/^max abs error \([^ ]*\) .*/\1/p')"
        if [ "$tf32" = 1 ]; then
          # The bound this case met, and the relative RMS error.
          err_cpu="$err_cpu <= $(echo "$line" | sed -n 's/.*) = \([^;]*\);.*/\1/p')"
          note="${note:-rel rms $(echo "$line" | sed -n 's/.*rel rms \([^)]*\)).*/\1/p')}"
        fi
        if [ -f "$cdir/ref.npy" ]; then
          # shellcheck disable=SC2086
          if ! line="$("${cmp_cmd[@]}" "$out_file.npy" "$cdir/ref.npy" ${cflags//@/$cdir} \
              "${cmp_tol[@]}")"; then
            status=FAIL note="${note:+$note; }vs reference: $line"
          fi
          err_ref="$(echo "$line" | sed -n 's/^max abs error \([^ ]*\) .*/\1/p')"
        fi
      fi
    fi
    case "$status" in
      PASS) passed=$((passed + 1)) ;;
      FAIL) failed=$((failed + 1)) ;;
      INFO) info=$((info + 1)) ;;
      *) uncompared=$((uncompared + 1)) ;;
    esac
    printf '  %-33s %-6s %-22s %-22s %s, %s s%s\n' "$shown" "$status" "${err_cpu:--}" "$label" \
      "${err_ref:--}" "$(elapsed "$t0")" "${note:+  ($note)}"
  done <"$DIR/cases.tsv"
  say "test models: $passed passed, $failed failed, $uncompared not compared, $info informational (TF32 greedy ids that differ)"

  step "benchmark: BERT-base and GPT-2 against PyTorch eager"
  local bench_status=0
  if [ -z "$py" ]; then
    say "benchmark SKIPPED: no python3 with numpy to make the weights"
  else
    local bargs=(--dir "$DIR" --libroot "$libroot" --work "$work/bench")
    [ -z "$tf32_missing" ] && bargs+=(--tf32-libroot "$tf32root")
    [ "$dry" = 1 ] && bargs+=(--quick --no-torch)
    [ -n "$results" ] && bargs+=(--json "$results/gpu-bench.json")
    PYTHONUNBUFFERED=1 "$py" "$ROOT/bench/gpu/bench.py" "${bargs[@]}" || bench_status=$?
    case "$bench_status" in
      0) ;;
      2) say "benchmark skipped" ;;
      *) say "benchmark FAILED (exit $bench_status)" ;;
    esac
  fi
  step_done

  say "total $(elapsed "$start") s: test models $passed passed, $failed failed, $uncompared not compared, $info informational; benchmark $([ "$bench_status" = 0 ] && echo ok || echo "exit $bench_status")"
  if [ "$failed" -gt 0 ] || [ "$uncompared" -gt 0 ] || [ "$bench_status" = 1 ]; then
    exit 1
  fi
}

# ---- main --------------------------------------------------------------------

case "${1:-}" in
  prepare)
    shift
    # A shared hold on the build lock: no rebuild of xfmrc while it compiles.
    if [ -z "${GPU_CHECK_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
      GPU_CHECK_LOCKED=1 exec flock -s /tmp/xfmr-build.lock bash "$0" prepare "$@"
    fi
    prepare "$@"
    ;;
  run)
    shift
    run_checks "$@"
    ;;
  *)
    echo "usage: bench/gpu-check.sh prepare [DIR] | run [--dry-run] [DIR]" >&2
    exit 2
    ;;
esac
