#!/usr/bin/env python3
#===- bench.py - encoder latency: xfmr against ORT, IREE and PyTorch -------===#
#
# In one process, interleaved: xfmr (the library xfmrc builds from the Hugging
# Face folder, called through its C API with ctypes), ONNX Runtime (the
# torch.onnx export optimized by onnxruntime.transformers.optimizer), IREE
# (the same export, iree-import-onnx + iree-compile for llvm-cpu on the host
# CPU) and PyTorch eager (no_grad). For each model, batch x sequence and
# thread count it prints the median latency of every peer, xfmr's time over
# each peer's, and each peer's largest difference from PyTorch over the real
# (non-padded) tokens; then a GEMM table: each GEMM shape of the models, the
# compiler's contraction (gemm.py) against ONNX Runtime's MatMul, in GFLOP/s
# (both behind the same row lookup).
#
#   .venv-fixtures/bin/python bench/encoder/bench.py            # the full table
#   .venv-fixtures/bin/python bench/encoder/bench.py --quick    # a few minutes
#   .venv-fixtures/bin/python bench/encoder/bench.py --models custom \
#       --layers 4 --d-model 256 --heads 4 --ffn 1024 --configs 1x128
#
# Peers are timed in rounds, one call of each per round in a rotating order,
# after one warm-up call each (which also gives the outputs compared); a peer
# whose warm-up call exceeds --slow-s is not called again and its warm-up
# time is its only sample ("n=1" in the table). Multi-threaded rows leave
# --gap-s idle after each call, so a runtime's spinning workers cannot take a
# core from the next peer. See bench/README.md.
#
#===------------------------------------------------------------------------===#

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gemm  # noqa: E402
import peers  # noqa: E402
from common import commit_description, cpu_name, measure  # noqa: E402

ROOT = peers.ROOT
PEERS = ["xfmr", "ort", "iree", "torch"]
TITLES = {"xfmr": "xfmr", "ort": "ORT", "iree": "IREE", "torch": "PyTorch"}
ALL_CONFIGS = ["1x128", "1x384", "8x128", "8x384", "8x128pad"]
QUICK_CONFIGS = ["1x128", "8x128pad"]
FLAG_DIFF = 1e-3


def parse_config(text):
    """'8x128' or '8x128pad' -> (batch, seq, padded)."""
    padded = text.endswith("pad")
    batch, seq = text[:-3 if padded else None].split("x")
    return int(batch), int(seq), padded


def make_inputs(batch, seq, padded, vocab, seed):
    """Random ids; with `padded`, row i holds seq * (2i + 1) / (2 batch) real
    tokens, so half the batch's tokens are padding."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1000, min(vocab, 20000), size=(batch, seq), dtype=np.int64)
    mask = np.ones((batch, seq), dtype=np.int64)
    if padded:
        for i in range(batch):
            length = max(1, seq * (2 * i + 1) // (2 * batch))
            mask[i, length:] = 0
            ids[i, length:] = 0
    return ids, mask


def real_token_diff(out, ref, mask):
    """Largest |out - ref| over the tokens the mask keeps."""
    out = np.asarray(out, dtype=np.float32).reshape(ref.shape)
    keep = mask.astype(bool)
    return float(np.abs(out[keep] - ref[keep]).max())


def fmt_ms(samples):
    med = statistics.median(samples) * 1000.0
    text = "%.1f" % med if med >= 10 else "%.2f" % med
    return text + (" (n=1)" if len(samples) == 1 else "")


def prepare_models(args, work, log):
    """name -> peers.Model, with the BERT-base and custom checkpoints written
    by save_pretrained into `work`."""
    import torch
    from transformers import BertConfig, BertModel
    specs = []
    for name in args.models:
        if name == "minilm":
            folder = args.minilm
            if not os.path.isfile(os.path.join(folder, "model.safetensors")):
                subprocess.run([os.path.join(ROOT, "scripts", "fetch-minilm.sh")], check=False)
            if not os.path.isfile(os.path.join(folder, "model.safetensors")):
                log("all-MiniLM-L6-v2 not found at %s (scripts/fetch-minilm.sh): skipped" %
                    folder)
                continue
            specs.append(("all-MiniLM-L6-v2", folder, 12, 384))
            continue
        if name == "bert-base":
            config = BertConfig()  # 12 layers, 768, 12 heads, 3072
        elif name == "custom":
            config = BertConfig(hidden_size=args.d_model, num_hidden_layers=args.layers,
                                num_attention_heads=args.heads, intermediate_size=args.ffn)
        else:
            raise SystemExit("unknown model %r (minilm, bert-base, custom)" % name)
        torch.manual_seed(0)
        folder = os.path.join(work, name)
        BertModel(config, add_pooling_layer=False).eval().save_pretrained(folder)
        label = ("BERT-base (random weights)" if name == "bert-base" else
                 "BERT %dL d%d h%d ffn%d (random)" % (config.num_hidden_layers,
                                                      config.hidden_size,
                                                      config.num_attention_heads,
                                                      config.intermediate_size))
        specs.append((label, folder, config.num_attention_heads, config.hidden_size))
    models = []
    for label, folder, heads, d in specs:
        model = peers.Model(label.split(" ")[0].replace("/", "_").lower(), folder, heads, d)
        model.label = label
        model.ffn = model.torch.config.intermediate_size
        model.vocab = model.torch.config.vocab_size
        models.append(model)
    return models


def build_peers(model, args, work, iree_devices, log):
    """model.artifacts: peer -> runnable artifact, or a string saying why not."""
    a = model.artifacts
    if "xfmr" in args.peers:
        t = time.time()
        try:
            a["xfmr"] = model.build_xfmr(args.xfmrc, work)
            log("  xfmrc: %.0f s" % (time.time() - t))
        except Exception as e:  # noqa: BLE001
            a["xfmr"] = peers.Unavailable("failed: " + peers.short_error(e))
    onnx_path = None
    if "ort" in args.peers or "iree" in args.peers:
        t = time.time()
        try:
            onnx_path = model.export_onnx(work)
            log("  torch.onnx.export: %.0f s" % (time.time() - t))
        except Exception as e:  # noqa: BLE001
            for p in ("ort", "iree"):
                a[p] = peers.Unavailable("export failed: " + peers.short_error(e))
    if onnx_path and "ort" in args.peers:
        t = time.time()
        try:
            path, fused = model.build_ort(onnx_path, work)
            a["ort"] = path
            model.fused = fused
            log("  onnxruntime.transformers optimizer: %.0f s; fused: %s" % (
                time.time() - t, ", ".join("%s %d" % kv for kv in fused.items())))
        except Exception as e:  # noqa: BLE001
            a["ort"] = peers.Unavailable("failed: " + peers.short_error(e))
    if onnx_path and "iree" in args.peers:
        t = time.time()
        try:
            a["iree"] = model.build_iree(onnx_path, work)
            log("  iree-import-onnx + iree-compile: %.0f s" % (time.time() - t))
        except Exception as e:  # noqa: BLE001
            a["iree"] = peers.Unavailable("failed: " + peers.short_error(e))


def runners_for(model, ids, mask, threads, sessions, iree_devices, args):
    """peer -> callable, and peer -> reason for the peers that cannot run."""
    import torch
    runners, skipped = {}, {}
    a = model.artifacts
    for peer in args.peers:
        art = a.get(peer) if peer != "torch" else model.torch
        if isinstance(art, peers.Unavailable) or art is None:
            skipped[peer] = art or "not built"
            continue
        try:
            if peer == "xfmr":
                reason = art.set_num_threads(threads)
                if reason:
                    skipped[peer] = reason
                    continue
                runners[peer] = art.encoder(ids, mask, model.d_model)
            elif peer == "ort":
                key = (model.name, threads)
                if key not in sessions:
                    sessions[key] = peers.ort_session(art, threads)
                runners[peer] = peers.ort_runner(sessions[key], {"input_ids": ids,
                                                                 "attention_mask": mask,
                                                                 "token_type_ids":
                                                                 np.zeros_like(ids)},
                                                 "last_hidden_state",
                                                 ids.shape + (model.d_model,))
            elif peer == "iree":
                key = ("iree", model.name, threads)
                if key not in sessions:
                    sessions[key] = iree_devices.load(threads, *art)
                runners[peer] = peers.iree_runner(sessions[key], ids, mask)
            elif peer == "torch":
                torch.set_num_threads(threads)
                runners[peer] = peers.torch_runner(model.torch, ids, mask)
        except Exception as e:  # noqa: BLE001
            skipped[peer] = "failed: " + peers.short_error(e)
    return runners, skipped


def latency_table(models, args, iree_devices, log):
    rows = []
    sessions = {}
    for model in models:
        for config in args.configs:
            batch, seq, padded = parse_config(config)
            ids, mask = make_inputs(batch, seq, padded, model.vocab, seed=batch * 1000 + seq)
            for threads in args.threads:
                runners, skipped = runners_for(model, ids, mask, threads, sessions,
                                               iree_devices, args)
                res = measure(runners, args.budget_s, args.max_rounds, args.min_rounds,
                              args.slow_s, args.gap_s if threads > 1 else 0.0)
                ref = res.get("torch", ([], None, None))[1]
                row = {"model": model.label, "batch": batch, "seq": seq, "padded": padded,
                       "threads": threads, "cells": {}}
                for peer in args.peers:
                    if peer in skipped:
                        row["cells"][peer] = {"error": skipped[peer]}
                        continue
                    samples, out, error = res[peer]
                    if error:
                        row["cells"][peer] = {"error": "failed: " + error}
                        continue
                    cell = {"samples_ms": [s * 1000.0 for s in samples],
                            "median_ms": statistics.median(samples) * 1000.0}
                    if ref is not None and peer != "torch":
                        cell["max_abs_diff"] = real_token_diff(out, ref, mask)
                    row["cells"][peer] = cell
                rows.append(row)
                log(format_row_log(row))
                # Free the runners' buffers before the next configuration.
                del runners, res
    return rows


def format_row_log(row):
    parts = []
    for peer, cell in row["cells"].items():
        if "median_ms" in cell:
            parts.append("%s %.2f ms (n=%d)" % (peer, cell["median_ms"],
                                                len(cell["samples_ms"])))
        else:
            parts.append("%s: %s" % (peer, cell["error"]))
    return "  %s %dx%d%s t%d: %s" % (row["model"], row["batch"], row["seq"],
                                     " pad" if row["padded"] else "", row["threads"],
                                     "; ".join(parts))


def print_latency_markdown(rows, args, out):
    others = [p for p in args.peers if p != "xfmr"]
    head = ["model", "batch x seq", "threads"] + ["%s ms" % TITLES[p] for p in args.peers]
    if "xfmr" in args.peers:
        head += ["xfmr/%s" % TITLES[p] for p in others]
    head += ["max diff %s" % TITLES[p] for p in args.peers if p != "torch"]
    out("| " + " | ".join(head) + " |")
    out("|" + "|".join(["---"] * len(head)) + "|")
    flagged = []
    for row in rows:
        shape = "%d x %d%s" % (row["batch"], row["seq"], " (half padding)" if row["padded"]
                               else "")
        cells = [row["model"], shape, str(row["threads"])]
        for p in args.peers:
            c = row["cells"][p]
            cells.append(fmt_ms([s / 1000.0 for s in c["samples_ms"]]) if "median_ms" in c
                         else c["error"])
        if "xfmr" in args.peers:
            x = row["cells"]["xfmr"]
            for p in others:
                c = row["cells"][p]
                cells.append("%.2f" % (x["median_ms"] / c["median_ms"])
                             if "median_ms" in x and "median_ms" in c else "-")
        for p in args.peers:
            if p == "torch":
                continue
            d = row["cells"][p].get("max_abs_diff")
            if d is None:
                cells.append("-")
            else:
                cells.append("%.1e%s" % (d, " **!**" if d > FLAG_DIFF else ""))
                if d > FLAG_DIFF:
                    flagged.append("%s %s %d threads: %s differs from PyTorch by %.2e" % (
                        row["model"], shape, row["threads"], TITLES[p], d))
        out("| " + " | ".join(cells) + " |")
    out("")
    out("ms: median wall time of one call; xfmr/X: xfmr's median over X's (below 1: xfmr "
        "is faster); max diff: largest |output - PyTorch| over the real tokens (**!** "
        "above %.0e)." % FLAG_DIFF)
    for f in flagged:
        out("- FLAGGED: " + f)


def gemm_table(models, args, work, log):
    shape_models = [(m.label.split(" ")[0], m.d_model, m.ffn) for m in models]
    rows = []
    for model_label, role, shape in gemm.shapes_for(shape_models, args.gemm_m):
        row = {"model": model_label, "role": role, "m": shape.m, "k": shape.k, "n": shape.n,
               "cells": {}}
        try:
            linear, lookup = gemm.build_xfmr(shape, args.xfmrc, work)
        except Exception as e:  # noqa: BLE001
            linear = lookup = None
            row["xfmr_error"] = "failed: " + peers.short_error(e)
        ort_path = gemm.build_ort_matmul(shape, work)
        for threads in args.threads:
            runners = {}
            errors = {}
            if linear is not None:
                reason = linear.set_num_threads(threads) or lookup.set_num_threads(threads)
                if reason:
                    errors["xfmr"] = reason
                else:
                    runners["xfmr"] = linear.encoder(shape.ids, shape.mask, shape.n)
                    runners["lookup"] = lookup.encoder(shape.ids, shape.mask, shape.k)
            else:
                errors["xfmr"] = row["xfmr_error"]
            session = peers.ort_session(ort_path, threads)
            runners["ort"] = peers.ort_runner(session, {"ids": shape.ids.reshape(-1)}, "Y",
                                              (shape.m, shape.n))
            # The gap only matters when two multi-threaded runtimes alternate.
            res = measure(runners, args.gemm_budget_s, 200, 7, args.slow_s,
                          args.gap_s if threads > 1 and len(runners) > 1 else 0.0)
            cell = {}
            for name in ("xfmr", "lookup", "ort"):
                if name in errors:
                    cell[name] = {"error": errors[name]}
                elif name in res:
                    samples, out, error = res[name]
                    cell[name] = ({"error": error} if error else
                                  {"median_ms": statistics.median(samples) * 1000.0})
            if "median_ms" in cell.get("xfmr", {}) and res["xfmr"][1] is not None:
                ref = res["ort"][1]
                cell["xfmr"]["max_abs_diff"] = float(
                    np.abs(res["xfmr"][1].reshape(ref.shape) - ref).max())
            row["cells"][threads] = cell
            del runners, res, session
        rows.append(row)
        log("  GEMM %s %s %dx%dx%d: %s" % (
            model_label, role, shape.m, shape.k, shape.n,
            "; ".join("t%d %s" % (t, ", ".join(
                "%s %s" % (k, "%.3f ms" % v["median_ms"] if "median_ms" in v else v["error"])
                for k, v in c.items())) for t, c in row["cells"].items())))
        for lib in (linear, lookup):
            if lib is not None:
                lib.close()
    return rows


def print_gemm_markdown(rows, args, out):
    head = ["model", "GEMM", "M x K x N", "threads", "xfmr ms", "lookup-only ms",
            "xfmr GFLOP/s", "ORT Gather+MatMul GFLOP/s", "xfmr/ORT (GFLOP/s)"]
    out("| " + " | ".join(head) + " |")
    out("|" + "|".join(["---"] * len(head)) + "|")
    for row in rows:
        flops = 2.0 * row["m"] * row["k"] * row["n"]
        for threads, cell in row["cells"].items():
            x, look, o = cell.get("xfmr", {}), cell.get("lookup", {}), cell.get("ort", {})

            def gflops(c):
                return flops / (c["median_ms"] / 1000.0) / 1e9 if "median_ms" in c else None
            gx, go = gflops(x), gflops(o)
            cells = [row["model"], row["role"], "%d x %d x %d" % (row["m"], row["k"], row["n"]),
                     str(threads),
                     "%.3f" % x["median_ms"] if "median_ms" in x else x.get("error", "-"),
                     "%.3f" % look["median_ms"] if "median_ms" in look else "-",
                     "%.1f" % gx if gx else "-",
                     "%.1f" % go if go else o.get("error", "-"),
                     "%.2f" % (gx / go) if gx and go else "-"]
            out("| " + " | ".join(cells) + " |")
    out("")
    out("GFLOP/s = 2·M·K·N / median time of one call. xfmr's call is the whole library "
        "entry point: a row lookup that produces the [M, K] operand, then the compiler's "
        "`xfmr.linear` (no bias); the lookup alone is timed beside it. ORT does the same "
        "work: a Gather of the same rows, then a MatMul with a constant right operand, "
        "through an IOBinding.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="MiniLM only, %s, GEMMs at M=128" % ",".join(QUICK_CONFIGS))
    parser.add_argument("--models", default=None,
                        help="comma list of minilm, bert-base, custom "
                             "(default minilm,bert-base)")
    parser.add_argument("--configs", default=None,
                        help="comma list of BxS or BxSpad (default %s)" % ",".join(ALL_CONFIGS))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--no-gemm", action="store_true")
    parser.add_argument("--gemm-only", action="store_true")
    parser.add_argument("--gemm-m", default="128,1024", help="token counts of the GEMM table")
    parser.add_argument("--layers", type=int, default=4, help="custom model")
    parser.add_argument("--d-model", type=int, default=256, help="custom model")
    parser.add_argument("--heads", type=int, default=4, help="custom model")
    parser.add_argument("--ffn", type=int, default=1024, help="custom model")
    parser.add_argument("--budget-s", type=float, default=12.0,
                        help="time for the timed rounds of one row (default 12)")
    parser.add_argument("--gemm-budget-s", type=float, default=1.5)
    parser.add_argument("--min-rounds", type=int, default=3)
    parser.add_argument("--max-rounds", type=int, default=25)
    parser.add_argument("--slow-s", type=float, default=10.0,
                        help="a peer whose warm-up call takes longer is timed once")
    parser.add_argument("--gap-s", type=float, default=0.25,
                        help="idle time after each call of a multi-threaded row")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--minilm", default=os.path.join(ROOT, "build", "models",
                                                         "all-minilm-l6-v2"))
    parser.add_argument("--work", help="keep the compiled artifacts in this folder")
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()

    args.models = (args.models or ("minilm" if args.quick else "minilm,bert-base")).split(",")
    args.configs = (args.configs or ",".join(QUICK_CONFIGS if args.quick
                                             else ALL_CONFIGS)).split(",")
    for c in args.configs:
        parse_config(c)
    args.threads = [int(t) for t in args.threads.split(",")]
    args.peers = [p for p in PEERS if p in args.peers.split(",")]
    args.gemm_m = [int(m) for m in ("128" if args.quick else args.gemm_m).split(",")]
    if any(m % gemm.SEQ for m in args.gemm_m):
        raise SystemExit("--gemm-m values must be multiples of %d" % gemm.SEQ)
    args.xfmrc = os.path.join(args.build, "bin", "xfmrc")

    report = []

    def out(line=""):
        print(line, flush=True)
        report.append(line)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    import iree.runtime  # noqa: F401  (fail early when the venv lacks a peer)
    import onnxruntime
    import torch
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    from iree.compiler import version as iree_version
    iree_devices = peers.IreeDevices(max(args.threads))

    start = time.time()
    work_ctx = None
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        work = args.work
    else:
        work_ctx = tempfile.TemporaryDirectory(prefix="xfmr-bench-")
        work = work_ctx.name

    out("# encoder benchmark, %s" % datetime.date.today().isoformat())
    out("")
    out("- xfmr %s; xfmrc built %s" % (commit_description(), time.strftime(
        "%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(args.xfmrc)))))
    out("- %s, %d CPUs; torch %s, transformers %s, onnxruntime %s, IREE %s" % (
        cpu_name(), os.cpu_count(), torch.__version__, transformers.__version__,
        onnxruntime.__version__, getattr(iree_version, "VERSION", "?")))
    out("- load average at the start: %s (1, 5, 15 min)" % " ".join(
        "%.1f" % x for x in os.getloadavg()))
    out("")

    models = prepare_models(args, work, log)
    for model in models:
        log("building %s" % model.label)
        if not args.gemm_only:
            build_peers(model, args, work, iree_devices, log)
    if not args.gemm_only:
        out("ONNX Runtime fusions (onnxruntime.transformers.optimizer, model_type bert):")
        for model in models:
            fused = getattr(model, "fused", None)
            out("- %s: %s" % (model.label, ", ".join("%s %d" % kv for kv in fused.items())
                              if fused else model.artifacts.get("ort", "-")))
        out("")
        rows = latency_table(models, args, iree_devices, log)
        out("## Latency")
        out("")
        print_latency_markdown(rows, args, out)
        out("")
    else:
        rows = []
    gemm_rows = []
    if not args.no_gemm and "xfmr" in args.peers:
        gemm_rows = gemm_table(models, args, work, log)
        out("## GEMM")
        out("")
        print_gemm_markdown(gemm_rows, args, out)
        out("")
    out("Total run time %.0f s; load average at the end: %s." % (
        time.time() - start, " ".join("%.1f" % x for x in os.getloadavg())))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"latency": rows, "gemm": gemm_rows,
                       "commit": commit_description()}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(report) + "\n")
    for model in models:
        if not isinstance(model.artifacts.get("xfmr"), (str, type(None))):  # a Library
            model.artifacts["xfmr"].close()
    if work_ctx:
        work_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
