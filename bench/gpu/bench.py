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
# xfmr runs in its own processes first, then PyTorch in this one (so neither
# holds GPU memory or a CUDA context while the other runs). PyTorch: eager,
# torch.no_grad(), float32, TF32 off for matmul and cuDNN, the default
# attention (SDPA), next-token logits only (logits_to_keep=1). Its "ms" is a
# host-to-host call, as xfmr's is (ids copied in, the output copied back, which
# synchronizes); "on device" times inputs already on the GPU and a
# torch.cuda.synchronize() at the end. Each PyTorch row: two warm-up calls,
# then as many calls as fit in --budget-s by the second one's cost (at least
# 3, at most 50); medians.
#
# Numerics: xfmr's output against PyTorch's (BERT: the last hidden state of
# the batch; GPT-2: the prefill's and the first decode step's next-token
# logits), the largest absolute difference; above 1e-3 is flagged and fails.
#
#   bench.py --dir DIR [--libroot ROOT] [--work WORK] [--quick] [--no-torch]
#            [--json FILE]
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
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch, None


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


def torch_bert(torch, folder, batches, budget_s, max_calls):
    from transformers import BertModel
    model = BertModel.from_pretrained(folder).float().to("cuda").eval()
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


def torch_gpt2(torch, folder, xfmr_rows, budget_s, max_calls):
    """PyTorch's prefill (N = 128 rows) and decode step for every (B, N) of
    xfmr_rows, on the same ids."""
    import inspect
    from transformers import GPT2LMHeadModel
    model = GPT2LMHeadModel.from_pretrained(folder).float().to("cuda").eval()
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
    parser.add_argument("--work", default="/tmp/xfmr-gpu-bench")
    parser.add_argument("--quick", action="store_true",
                        help="BERT batch 8 and GPT-2 at 128 cached only, small budgets")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--budget-s", type=float, default=4.0, help="per row and peer")
    parser.add_argument("--max-repeats", type=int, default=50)
    parser.add_argument("--max-steps", type=int, default=50)
    parser.add_argument("--timeout", type=int, default=150, help="per xfmr process")
    parser.add_argument("--slow-s", type=float, default=20.0,
                        help="an xfmr-run --output call slower than this is not repeated")
    parser.add_argument("--json")
    args = parser.parse_args()
    libroot = args.libroot or args.dir
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

    xfmr_bert_rows, xfmr_gpt2_rows = {}, {}
    for batch in bert_batches:
        with Step("xfmr BERT-base %d x %d" % (batch, SEQ)):
            r = attempt("xfmr BERT-base b%d" % batch, lambda: xfmr_bert(
                args, env, os.path.join(libroot, "bench", "bert-base", "lib.so"),
                os.path.join(folders["bert-base"], "model.safetensors"), args.work, batch, np))
            if r:
                xfmr_bert_rows[batch] = r
                log("[bench]   xfmr %.3f ms (n=%d)" % (r[0], r[1]))
    with Step("xfmr GPT-2 sessions %s" % " ".join("%d:%d" % c for c in gpt2_configs)):
        xfmr_gpt2_rows = attempt("xfmr GPT-2", lambda: xfmr_decode(
            args, env, os.path.join(libroot, "bench", "gpt2", "lib.so"),
            os.path.join(folders["gpt2"], "model.safetensors"), args.work, gpt2_configs,
            np)) or {}

    torch, why = (None, "--no-torch") if args.no_torch else torch_or_reason()
    torch_bert_rows, torch_gpt2_rows = {}, {}
    if torch is None:
        log("[bench] PyTorch peer SKIPPED: %s; xfmr's timings alone below" % why)
    else:
        log("[bench] PyTorch %s on %s, TF32 off" % (torch.__version__,
                                                    torch.cuda.get_device_name(0)))
        if xfmr_bert_rows:
            with Step("PyTorch BERT-base"):
                torch_bert_rows = attempt("PyTorch BERT-base", lambda: torch_bert(
                    torch, folders["bert-base"],
                    {b: r[2][:2] for b, r in xfmr_bert_rows.items()},
                    args.budget_s, args.max_repeats)) or {}
            torch.cuda.empty_cache()
        if xfmr_gpt2_rows:
            with Step("PyTorch GPT-2"):
                torch_gpt2_rows = attempt("PyTorch GPT-2", lambda: torch_gpt2(
                    torch, folders["gpt2"], xfmr_gpt2_rows, args.budget_s,
                    args.max_repeats)) or {}

    # Rows: (measurement, batch, xfmr ms, xfmr n, extra, torch ms, torch n,
    # torch device ms, max diff).
    table = []
    for batch, (ms, n, (_, _, out)) in sorted(xfmr_bert_rows.items()):
        t = torch_bert_rows.get(batch)
        diff = float(np.abs(out.astype(np.float64) - t[3]).max()) if t else None
        table.append(("BERT-base encode %d" % SEQ, batch, ms, n, "-",
                      t[0] if t else None, t[1] if t else None, t[2] if t else None, diff))
    for (b, n), row in sorted(xfmr_gpt2_rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        t = torch_gpt2_rows.get((b, n), {})
        if n == SEQ:
            p = t.get("prefill")
            diff = float(np.abs(row["prefill_logits"] - p[2]).max()) if p else None
            table.append(("GPT-2 prefill %d" % SEQ, b, row["prefill_ms"], row["prefill_n"],
                          "-", p[0] if p else None, p[1] if p else None,
                          t.get("prefill_device"), diff))
    for (b, n), row in sorted(xfmr_gpt2_rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        t = torch_gpt2_rows.get((b, n), {})
        d = t.get("decode")
        diff = float(np.abs(row["decode_logits"] - d[2]).max()) if d else None
        table.append(("GPT-2 decode @ %d cached" % n, b, row["decode_ms"], row["decode_n"],
                      "%d-%d" % (row["cached_from"], row["cached_to"]), d[0] if d else None,
                      d[1] if d else None, t.get("decode_device"), diff))

    log("")
    log("| measurement | batch | xfmr ms | PyTorch ms | xfmr/PyTorch | PyTorch on-device ms "
        "| xfmr n | PyTorch n | xfmr cached | max diff |")
    log("|---|---|---|---|---|---|---|---|---|---|")
    results = []
    for name, b, xms, xn, cached, tms, tn, tdev, diff in table:
        ratio = xms / tms if tms else None
        flagged = diff is not None and not diff <= FLAG
        if flagged:
            failures.append("%s batch %d: max diff %.1e above %.0e" % (name, b, diff, FLAG))
        log("| %s | %d | %s | %s | %s | %s | %d | %s | %s | %s |" % (
            name, b, fmt(xms, 3), fmt(tms, 3), fmt(ratio), fmt(tdev, 3), xn,
            "-" if tn is None else tn, cached,
            "-" if diff is None else ("%.1e%s" % (diff, " **!**" if flagged else ""))))
        results.append({"measurement": name, "batch": b, "xfmr_ms": xms, "xfmr_n": xn,
                        "torch_ms": tms, "torch_n": tn, "torch_device_ms": tdev,
                        "ratio": ratio, "max_diff": diff, "xfmr_cached": cached})
    log("")
    log("ms: median wall time of one call; xfmr/PyTorch below 1: xfmr is faster; PyTorch ms "
        "is host to host like xfmr's call, on-device ms has the inputs on the GPU; max diff: "
        "largest |xfmr - PyTorch| (**!** above %.0e)." % FLAG)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results, "failures": failures, "torch": why or "used"}, f,
                      indent=1)
    for f in failures:
        log("[bench] FAILED: %s" % f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
