#!/usr/bin/env python3
#===- bench.py - xfmr's CUDA libraries against PyTorch eager on the GPU ----===#
#
# The benchmark half of `bench/gpu-check.sh run`. The libraries were compiled
# by `bench/gpu-check.sh prepare` on a machine without a GPU; their weights
# are too big to carry, so they are made here (weights.py, numpy, seeded) into
# WORK/{bert-base,gpt2}, one folder each that xfmr-run reads with --weights
# and transformers with from_pretrained: both peers compute with the same
# weights.
#
#   BERT-base, batch 8 and 32 x seq 128 (all tokens real): xfmr-run --bench
#     (median of --repeat calls after one warm-up; the call takes host ids and
#     writes the host output) against BertModel on CUDA.
#   GPT-2 small (2048 positions): decode_bench (the session API: prefill 128,
#     one decode step after 128 and 1024 cached tokens, batch 1 and 8; the
#     cache grows by one slot a step) against GPT2LMHeadModel with a
#     DynamicCache cropped back to N before each step (untimed).
#
# Each row twice with --tf32-libroot: the f32 libraries against PyTorch with
# TF32 off, the --cuda-tf32 libraries against PyTorch with TF32 on
# (torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32),
# one model per family serving both.
#
# xfmr runs in its own processes first, then PyTorch in this one (so neither
# holds GPU memory or a CUDA context while the other runs). PyTorch: eager,
# torch.no_grad(), float32, the default attention (SDPA), next-token logits
# only (logits_to_keep=1). Its "ms" is a
# host-to-host call, as xfmr's is (ids copied in, the output copied back, which
# synchronizes); "on device" times inputs already on the GPU and a
# torch.cuda.synchronize() at the end. Each PyTorch row: two warm-up calls,
# then as many calls as fit in --budget-s by the second one's cost (at least
# 3, at most --max-repeats); medians.
#
# Numerics: xfmr's output against PyTorch's of the same precision (BERT: the
# last hidden state of the batch; GPT-2: the prefill's and the first decode
# step's next-token logits), the largest absolute difference; f32 above 1e-3
# is flagged and fails, TF32 above 5e-2 * max(1, max |PyTorch's|) (both
# sides round to TF32, each its own way, through 12 layers: looser than the
# test models' 2e-2; bench/README.md says why).
#
#   bench.py --dir DIR [--libroot ROOT] [--tf32-libroot ROOT] [--work WORK]
#            [--quick] [--no-torch] [--json FILE]
#
# Exit status: 0 every row ran and agreed, 1 a row failed or disagreed, 2
# skipped (no numpy).
#
#===------------------------------------------------------------------------===#

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

FLAG = 1e-3
TF32_FLAG = 5e-2  # times max(1, max |PyTorch's output|)
SEQ = 128


def log(line):
    print(line, flush=True)


class Step:
    """Prints how long a step took."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        self.start = time.time()
        return self

    def __exit__(self, *exc):
        log("[bench] %s: %.1f s" % (self.what, time.time() - self.start))


def run_tool(cmd, env, timeout):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%s: timed out after %d s" % (os.path.basename(cmd[0]), timeout))
    if proc.returncode != 0:
        lines = [l for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
        raise RuntimeError("%s: exit %d: %s" % (os.path.basename(cmd[0]), proc.returncode,
                                                lines[-1] if lines else "no output"))
    return proc.stdout


def parse_median(text):
    for line in text.splitlines():
        if line.startswith("median latency:"):
            return float(line.split()[2])
    raise RuntimeError("xfmr-run --bench printed no median: %r" % text[-200:])


# ---- xfmr --------------------------------------------------------------------

def xfmr_bert(args, env, lib, weights, work, batch, np):
    """xfmr-run on one batch: its output, then --bench medians. Returns
    (median ms, repeats, output)."""
    rng = np.random.default_rng(100 + batch)
    ids = rng.integers(0, 30522, size=(batch, SEQ), dtype=np.int64)
    mask = np.ones_like(ids)
    ids_path = os.path.join(work, "bert_ids_b%d.npy" % batch)
    mask_path = os.path.join(work, "bert_mask_b%d.npy" % batch)
    out_path = os.path.join(work, "bert_xfmr_b%d.npy" % batch)
    np.save(ids_path, ids)
    np.save(mask_path, mask)
    base = [args.xfmr_run, lib, "--weights", weights, "--input-ids", ids_path,
            "--attention-mask", mask_path]
    start = time.perf_counter()
    run_tool(base + ["--output", out_path], env, args.timeout)
    wall = time.perf_counter() - start
    output = (ids, mask, np.load(out_path))
    if wall > args.slow_s:
        # Too slow to repeat: that one call, loading included, is the sample.
        log("[bench]   one xfmr-run took %.1f s (over --slow-s): not repeated" % wall)
        return wall * 1e3, 1, output
    # A probe of 3 repeats sizes the real run to the budget.
    probe = parse_median(run_tool(base + ["--bench", "--repeat", "3"], env, args.timeout))
    repeats = max(3, min(args.max_repeats, int(args.budget_s * 1e3 / max(probe, 1e-3))))
    if repeats == 3:
        return probe, 3, output
    median = parse_median(run_tool(base + ["--bench", "--repeat", str(repeats)], env,
                                   args.timeout))
    return median, repeats, output


def xfmr_decode(args, env, lib, weights, work, configs, np):
    """decode_bench on every B:N; returns {(B, N): row dict with its ids and
    logits}."""
    out = run_tool([args.decode_bench, lib, weights, work, str(args.budget_s),
                    str(args.max_steps)] + ["%d:%d" % c for c in configs], env,
                   args.timeout * len(configs))
    rows = {}
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        b, n = row["batch"], row["cached"]
        stem = "_b%d_n%d.bin" % (b, n)
        row["ids"] = np.fromfile(os.path.join(work, "ids" + stem), dtype="<i8").reshape(b, n + 1)
        for kind in ("prefill", "decode"):
            row[kind + "_logits"] = np.fromfile(os.path.join(work, kind + stem),
                                                dtype="<f4").reshape(b, -1)
        rows[(b, n)] = row
    return rows


# ---- PyTorch -----------------------------------------------------------------

def torch_or_reason():
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means no peer
        return None, "torch is not importable (%s)" % str(e).splitlines()[0][:80]
    if not torch.cuda.is_available():
        return None, "torch %s sees no CUDA device" % torch.__version__
    try:
        import transformers  # noqa: F401
    except Exception as e:  # noqa: BLE001
        return None, "transformers is not importable (%s)" % str(e).splitlines()[0][:80]
    set_tf32(torch, False)
    return torch, None


def set_tf32(torch, on):
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on
    torch.set_float32_matmul_precision("high" if on else "highest")


def time_calls(fn, budget_s, max_calls, prepare=None):
    """Median ms of fn() after two warm-ups, and the number of calls; the
    first warm-up's result is returned too."""
    if prepare:
        prepare()
    result = fn()
    if prepare:
        prepare()
    start = time.perf_counter()
    fn()
    second = time.perf_counter() - start
    n = max(3, min(max_calls, int(budget_s / max(second, 1e-6))))
    samples = []
    for _ in range(n):
        if prepare:
            prepare()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return statistics.median(samples), n, result


def torch_bert(torch, model, batches, budget_s, max_calls):
    rows = {}
    with torch.no_grad():
        for batch, (ids, mask) in batches.items():
            ids_h, mask_h = torch.from_numpy(ids), torch.from_numpy(mask)
            ids_d, mask_d = ids_h.cuda(), mask_h.cuda()

            def host():
                out = model(input_ids=ids_h.cuda(), attention_mask=mask_h.cuda())
                return out.last_hidden_state.cpu().numpy()

            def device():
                out = model(input_ids=ids_d, attention_mask=mask_d)
                torch.cuda.synchronize()
                return out

            ms, n, output = time_calls(host, budget_s, max_calls)
            dev_ms, _, _ = time_calls(device, budget_s, max_calls)
            rows[batch] = (ms, n, dev_ms, output)
    return rows


def torch_gpt2(torch, model, xfmr_rows, budget_s, max_calls):
    """PyTorch's prefill (N = 128 rows) and decode step for every (B, N) of
    xfmr_rows, on the same ids."""
    import inspect
    params = inspect.signature(model.forward).parameters
    cache_kw = "past_key_values" if "past_key_values" in params else "cache"
    keep_kw = next((k for k in ("logits_to_keep", "num_logits_to_keep") if k in params), None)

    def call(ids, cache=None):
        kw = {"input_ids": ids, "use_cache": True}
        if cache is not None:
            kw[cache_kw] = cache
        if keep_kw:
            kw[keep_kw] = 1
        out = model(**kw)
        new_cache = getattr(out, "past_key_values", None)
        if new_cache is None:
            new_cache = getattr(out, "cache", None)
        return out.logits[:, -1, :], new_cache

    rows = {}
    with torch.no_grad():
        for (b, n), row in xfmr_rows.items():
            ids = row["ids"]
            prompt_h = torch.from_numpy(ids[:, :n].copy())
            step_h = torch.from_numpy(ids[:, n:n + 1].copy())
            prompt_d, step_d = prompt_h.cuda(), step_h.cuda()
            result = {}
            if n == SEQ:
                result["prefill"] = time_calls(
                    lambda: call(prompt_h.cuda())[0].cpu().numpy(), budget_s, max_calls)
                ms, _, _ = time_calls(
                    lambda: (call(prompt_d), torch.cuda.synchronize()), budget_s,
                    max_calls)
                result["prefill_device"] = ms
            _, cache = call(prompt_d)
            if cache is None or not hasattr(cache, "crop"):
                raise RuntimeError("this transformers returns no croppable cache")

            def crop():
                cache.crop(n)

            result["decode"] = time_calls(
                lambda: call(step_h.cuda(), cache)[0].cpu().numpy(), budget_s,
                max_calls, prepare=crop)
            ms, _, _ = time_calls(
                lambda: (call(step_d, cache), torch.cuda.synchronize()), budget_s,
                max_calls, prepare=crop)
            result["decode_device"] = ms
            rows[(b, n)] = result
    return rows


# ---- the table ---------------------------------------------------------------

def fmt(x, digits=2):
    return "-" if x is None else ("%.*f" % (digits, x))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True, help="the prepared folder")
    parser.add_argument("--libroot", help="where bench/*/lib.so are (default: --dir)")
    parser.add_argument("--tf32-libroot",
                        help="where the --cuda-tf32 bench/*/lib.so are (none: f32 rows only)")
    parser.add_argument("--work", default="/tmp/xfmr-gpu-bench")
    parser.add_argument("--quick", action="store_true",
                        help="BERT batch 8 and GPT-2 at 128 cached only, small budgets")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--budget-s", type=float, default=2.5, help="per row and peer")
    parser.add_argument("--max-repeats", type=int, default=50)
    parser.add_argument("--max-steps", type=int, default=50)
    parser.add_argument("--timeout", type=int, default=150, help="per xfmr process")
    parser.add_argument("--slow-s", type=float, default=20.0,
                        help="an xfmr-run --output call slower than this is not repeated")
    parser.add_argument("--json")
    args = parser.parse_args()
    roots = {"f32": args.libroot or args.dir}
    if args.tf32_libroot:
        roots["TF32"] = args.tf32_libroot
    args.xfmr_run = os.path.join(args.dir, "bin", "xfmr-run")
    args.decode_bench = os.path.join(args.dir, "bin", "decode_bench")
    if args.quick:
        args.budget_s, args.max_repeats, args.max_steps = 1.0, 3, 5
    bert_batches = [8] if args.quick else [8, 32]
    gpt2_configs = ([(1, SEQ), (8, SEQ)] if args.quick else
                    [(1, SEQ), (8, SEQ), (1, 1024), (8, 1024)])

    try:
        import numpy as np
    except ImportError:
        log("[bench] SKIPPED: numpy is not importable by %s, so no weights can be made"
            % sys.executable)
        return 2
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        [os.path.join(args.dir, "lib")] + ([env["LD_LIBRARY_PATH"]]
                                           if env.get("LD_LIBRARY_PATH") else []))
    import weights
    os.makedirs(args.work, exist_ok=True)
    folders = {}
    for name in ("bert-base", "gpt2"):
        with Step("weights for %s (numpy, seed 0)" % name):
            folders[name] = os.path.join(args.work, name)
            weights.write_checkpoint(folders[name], weights.CONFIGS[name], seed=0)
    failures = []

    def attempt(what, fn):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - one failed row, reported, then the rest
            failures.append("%s: %s" % (what, str(e).splitlines()[0] if str(e) else e))
            log("[bench] FAILED %s: %s" % (what, failures[-1]))
            return None

    # {precision: {batch: row}} and {precision: {(B, N): row}}.
    xfmr_bert_rows, xfmr_gpt2_rows = {}, {}
    for prec, root in roots.items():
        xfmr_bert_rows[prec] = {}
        for batch in bert_batches:
            with Step("xfmr %s BERT-base %d x %d" % (prec, batch, SEQ)):
                r = attempt("xfmr %s BERT-base b%d" % (prec, batch), lambda: xfmr_bert(
                    args, env, os.path.join(root, "bench", "bert-base", "lib.so"),
                    os.path.join(folders["bert-base"], "model.safetensors"), args.work,
                    batch, np))
                if r:
                    xfmr_bert_rows[prec][batch] = r
                    log("[bench]   xfmr %.3f ms (n=%d)" % (r[0], r[1]))
        work = os.path.join(args.work, prec)
        os.makedirs(work, exist_ok=True)
        with Step("xfmr %s GPT-2 sessions %s" % (prec, " ".join("%d:%d" % c
                                                               for c in gpt2_configs))):
            xfmr_gpt2_rows[prec] = attempt("xfmr %s GPT-2" % prec, lambda: xfmr_decode(
                args, env, os.path.join(root, "bench", "gpt2", "lib.so"),
                os.path.join(folders["gpt2"], "model.safetensors"), work, gpt2_configs,
                np)) or {}

    torch, why = (None, "--no-torch") if args.no_torch else torch_or_reason()
    torch_bert_rows = {p: {} for p in roots}
    torch_gpt2_rows = {p: {} for p in roots}
    if torch is None:
        log("[bench] PyTorch peer SKIPPED: %s; xfmr's timings alone below" % why)
    else:
        log("[bench] PyTorch %s on %s: f32 rows with TF32 off, TF32 rows with "
            "allow_tf32 on (matmul and cuDNN)" % (torch.__version__,
                                                  torch.cuda.get_device_name(0)))
        import transformers

        def peer(what, cls, folder, xfmr_rows, run, out):
            """One PyTorch model of a family, timed at every precision that
            xfmr has rows for (TF32 switched on for the TF32 rows)."""
            if not any(xfmr_rows.values()):
                return
            model = attempt("PyTorch %s load" % what, lambda: getattr(
                transformers, cls).from_pretrained(folder).float().to("cuda").eval())
            for prec in roots:
                if model is None or not xfmr_rows[prec]:
                    continue
                set_tf32(torch, prec == "TF32")
                with Step("PyTorch %s %s" % (prec, what)):
                    out[prec] = attempt("PyTorch %s %s" % (prec, what),
                                        lambda: run(model, xfmr_rows[prec])) or {}
            del model
            torch.cuda.empty_cache()

        peer("BERT-base", "BertModel", folders["bert-base"], xfmr_bert_rows,
             lambda model, rows: torch_bert(torch, model, {b: r[2][:2] for b, r in rows.items()},
                                            args.budget_s, args.max_repeats),
             torch_bert_rows)
        peer("GPT-2", "GPT2LMHeadModel", folders["gpt2"], xfmr_gpt2_rows,
             lambda model, rows: torch_gpt2(torch, model, rows, args.budget_s,
                                            args.max_repeats),
             torch_gpt2_rows)
        set_tf32(torch, False)

    # Rows: (measurement, precision, batch, xfmr ms, xfmr n, extra, torch ms,
    # torch n, torch device ms, xfmr output, torch output).
    table = []
    for prec in roots:
        tb, tg = torch_bert_rows[prec], torch_gpt2_rows[prec]
        for batch, (ms, n, (_, _, out)) in sorted(xfmr_bert_rows[prec].items()):
            t = tb.get(batch)
            table.append(("BERT-base encode %d" % SEQ, prec, batch, ms, n, "-",
                          t[0] if t else None, t[1] if t else None, t[2] if t else None,
                          out, t[3] if t else None))
        rows = sorted(xfmr_gpt2_rows[prec].items(), key=lambda kv: (kv[0][1], kv[0][0]))
        for (b, n), row in rows:
            t = tg.get((b, n), {})
            if n == SEQ:
                p = t.get("prefill")
                table.append(("GPT-2 prefill %d" % SEQ, prec, b, row["prefill_ms"],
                              row["prefill_n"], "-", p[0] if p else None,
                              p[1] if p else None, t.get("prefill_device"),
                              row["prefill_logits"], p[2] if p else None))
        for (b, n), row in rows:
            t = tg.get((b, n), {})
            d = t.get("decode")
            table.append(("GPT-2 decode @ %d cached" % n, prec, b, row["decode_ms"],
                          row["decode_n"], "%d-%d" % (row["cached_from"], row["cached_to"]),
                          d[0] if d else None, d[1] if d else None, t.get("decode_device"),
                          row["decode_logits"], d[2] if d else None))

    log("")
    log("| measurement | precision | batch | xfmr ms | PyTorch ms | xfmr/PyTorch "
        "| PyTorch on-device ms | xfmr n | PyTorch n | xfmr cached | max diff | bound |")
    log("|---|---|---|---|---|---|---|---|---|---|---|---|")
    results = []
    for name, prec, b, xms, xn, cached, tms, tn, tdev, xout, tout in table:
        ratio = xms / tms if tms else None
        diff = bound = None
        if tout is not None:
            tout = np.asarray(tout, dtype=np.float64)
            diff = float(np.abs(np.asarray(xout, dtype=np.float64) - tout).max())
            bound = (TF32_FLAG * max(1.0, float(np.abs(tout).max())) if prec == "TF32"
                     else FLAG)
        flagged = diff is not None and not diff <= bound
        if flagged:
            failures.append("%s %s batch %d: max diff %.1e above %.1e" % (name, prec, b, diff,
                                                                         bound))
        log("| %s | %s | %d | %s | %s | %s | %s | %d | %s | %s | %s | %s |" % (
            name, prec, b, fmt(xms, 3), fmt(tms, 3), fmt(ratio), fmt(tdev, 3), xn,
            "-" if tn is None else tn, cached,
            "-" if diff is None else ("%.1e%s" % (diff, " **!**" if flagged else "")),
            "-" if bound is None else "%.1e" % bound))
        results.append({"measurement": name, "precision": prec, "batch": b, "xfmr_ms": xms,
                        "xfmr_n": xn, "torch_ms": tms, "torch_n": tn,
                        "torch_device_ms": tdev, "ratio": ratio, "max_diff": diff,
                        "bound": bound, "xfmr_cached": cached})
    log("")
    log("ms: median wall time of one call; xfmr/PyTorch below 1: xfmr is faster (f32 rows: "
        "both exact f32, PyTorch's TF32 off; TF32 rows: xfmr --cuda-tf32 against PyTorch "
        "with allow_tf32 on); PyTorch ms is host to host like xfmr's call, on-device ms has "
        "the inputs on the GPU; max diff: largest |xfmr - PyTorch| (**!** above the bound: "
        "%.0e for f32, %.0e * max(1, max |PyTorch|) for TF32)." % (FLAG, TF32_FLAG))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results, "failures": failures, "torch": why or "used",
                       "bounds": {"f32": FLAG, "TF32": "%g * max(1, max|torch|)" % TF32_FLAG}},
                      f, indent=1)
    for f in failures:
        log("[bench] FAILED: %s" % f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
