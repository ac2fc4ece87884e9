#!/usr/bin/env python3
#===- bench.py - GPT-2 prefill and decode: xfmr against ORT and PyTorch ----===#
#
# In one process, interleaved: xfmr (the library xfmrc builds from a
# GPT-2-small-shaped Hugging Face checkpoint with random weights, driven
# through the session C API with ctypes), ONNX Runtime (a torch.onnx export
# with past key/values, optimized by onnxruntime.transformers.optimizer) and
# PyTorch eager (no_grad). Each row times one call of every peer:
#
#   prefill S      the next-token logits of B prompts of S tokens (a fresh
#                  cache each call: xfmr_session_prefill; ORT with a past of
#                  length 0; PyTorch with use_cache=True)
#   decode @ N     one new token per sequence after N cached tokens (xfmr:
#                  xfmr_session_decode on a session prefilled with N tokens
#                  once, untimed; the cache grows by one slot per step, so
#                  its row says the range of cached lengths it timed. ORT: the
#                  same past of exactly N tokens fed every call. PyTorch: a
#                  DynamicCache of N tokens, cropped back to N between calls,
#                  untimed)
#
# and prints each peer's median, xfmr's time over each peer's, and the
# largest difference of each peer's next-token logits from PyTorch's (the
# warm-up calls: for decode, all peers attend to the same N tokens). Every
# peer computes the logits of the last position only. Inputs and outputs are
# allocated before the clock starts.
#
#   .venv-fixtures/bin/python bench/decoder/bench.py            # the full table
#   .venv-fixtures/bin/python bench/decoder/bench.py --quick    # batch 1 only
#   .venv-fixtures/bin/python bench/decoder/bench.py --threads 1,2
#
# Peers are timed in rounds, one call of each per round in a rotating order,
# after one warm-up call each; a peer whose warm-up call exceeds --slow-s is
# not called again and its warm-up is its only sample ("n=1"). Multi-threaded
# rows leave --gap-s idle after each call. See bench/README.md.
#
#===------------------------------------------------------------------------===#

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_peers as peers  # noqa: E402
from common import commit_description, cpu_name, measure  # noqa: E402

ROOT = peers.ROOT
PEERS = ["xfmr", "ort", "torch"]
TITLES = {"xfmr": "xfmr", "ort": "ORT", "torch": "PyTorch"}
FLAG_DIFF = 1e-3
# GPT-2 small, with 2048 positions (GPT-2's own 1024 leave no room for new
# tokens after 1024 cached ones).
LAYERS, D_MODEL, HEADS, VOCAB, POSITIONS = 12, 768, 12, 50257, 2048
TARGETS = {"decode": 0.8, "prefill": 0.9}


def fmt_ms(median_ms, n):
    text = "%.1f" % median_ms if median_ms >= 10 else "%.2f" % median_ms
    return text + (" (n=1)" if n == 1 else "")


def build_peers(model, args, work, log):
    a = model.artifacts
    if "xfmr" in args.peers:
        t = time.time()
        try:
            a["xfmr"] = model.build_xfmr(args.xfmrc, work)
            log("  xfmrc: %.0f s" % (time.time() - t))
        except Exception as e:  # noqa: BLE001
            a["xfmr"] = peers.Unavailable("failed: " + peers.short_error(e))
    if "ort" in args.peers:
        t = time.time()
        try:
            onnx_path = model.export_onnx(work)
            log("  torch.onnx.export: %.0f s" % (time.time() - t))
            t = time.time()
            try:
                a["ort"], model.ort_fused = model.build_ort(onnx_path, work)
                model.ort_optimizer = "onnxruntime.transformers.optimizer (model_type gpt2)"
                log("  optimizer: %.0f s; fused: %s" % (time.time() - t, ", ".join(
                    "%s %d" % kv for kv in model.ort_fused.items())))
            except Exception as e:  # noqa: BLE001
                a["ort"] = onnx_path
                model.ort_optimizer = ("none (the optimizer failed: %s)" %
                                       peers.short_error(e))
        except Exception as e:  # noqa: BLE001
            a["ort"] = peers.Unavailable("export failed: " + peers.short_error(e))


class Row:
    def __init__(self, kind, batch, length, threads):
        self.kind, self.batch, self.length, self.threads = kind, batch, length, threads
        self.cells = {}
        self.cached = None  # xfmr's cached lengths over the timed decode steps

    def label(self):
        return ("prefill %d" % self.length if self.kind == "prefill" else
                "decode @ %d cached" % self.length)

    def as_json(self):
        return {"kind": self.kind, "batch": self.batch, "length": self.length,
                "threads": self.threads, "xfmr_cached": self.cached, "cells": self.cells}


def runners_for(model, kind, batch, length, threads, data, ort_sessions, args):
    """peer -> Runner, and peer -> why a peer cannot run."""
    import torch
    runners, skipped = {}, {}
    ids = data["ids"][:batch]
    step = data["step"][:batch]
    past = None
    if kind == "decode" and "past" in data:
        past = [p[:batch, :, :length] for p in data["past"]]
    for peer in args.peers:
        art = model.artifacts.get(peer) if peer != "torch" else model.torch
        if art is None or isinstance(art, peers.Unavailable):
            skipped[peer] = art or "not built"
            continue
        try:
            if peer == "xfmr":
                reason = art.set_num_threads(threads)
                if reason:
                    skipped[peer] = reason
                    continue
                if kind == "prefill":
                    runners[peer] = peers.xfmr_prefill(art, ids[:, :length], model.vocab)
                else:
                    runners[peer] = peers.XfmrDecode(art, ids[:, :length], step, model.vocab,
                                                     length + args.rounds + 4)
            elif peer == "ort":
                if threads not in ort_sessions:
                    ort_sessions[threads] = peers.ort_session(art, threads)
                session = ort_sessions[threads]
                if kind == "prefill":
                    runners[peer] = peers.ort_runner(model, session, ids[:, :length], None, 0)
                else:
                    runners[peer] = peers.ort_runner(model, session, step.reshape(batch, 1),
                                                     past, length)
            elif peer == "torch":
                torch.set_num_threads(threads)
                runners[peer] = (peers.torch_prefill(model, ids[:, :length]) if kind == "prefill"
                                 else peers.torch_decode(model, step, past, length))
        except Exception as e:  # noqa: BLE001
            skipped[peer] = "failed: " + peers.short_error(e)
    return runners, skipped


def run_rows(model, args, data, log):
    rows = []
    ort_sessions = {}
    plan = []
    for batch in args.batches:
        plan.append(("prefill", batch, args.prefill))
        for n in args.cached:
            plan.append(("decode", batch, n))
    for kind, batch, length in plan:
        for threads in args.threads:
            row = Row(kind, batch, length, threads)
            t0 = time.time()
            runners, skipped = runners_for(model, kind, batch, length, threads, data,
                                           ort_sessions, args)
            res = measure(runners, args.budget_s, args.rounds, args.min_rounds, args.slow_s,
                          args.gap_s if threads > 1 else 0.0,
                          describe_error=peers.short_error)
            ref = res.get("torch", ([], None, None))[1]
            for peer in args.peers:
                if peer in skipped:
                    row.cells[peer] = {"error": str(skipped[peer])}
                    continue
                samples, out, error = res[peer]
                if error:
                    row.cells[peer] = {"error": "failed: " + error}
                    if peer == "xfmr":
                        log("  xfmr error: %s" % error)
                    continue
                cell = {"samples_ms": [s * 1000.0 for s in samples],
                        "median_ms": statistics.median(samples) * 1000.0}
                if ref is not None and out is not None and peer != "torch":
                    cell["max_abs_diff"] = float(np.abs(out.reshape(ref.shape) - ref).max())
                row.cells[peer] = cell
            x = runners.get("xfmr")
            if isinstance(x, peers.XfmrDecode) and x.lengths:
                timed_lengths = x.lengths[1:] if len(res["xfmr"][0]) > 1 else x.lengths[:1]
                row.cached = [min(timed_lengths), max(timed_lengths)]
            rows.append(row)
            log(format_row_log(row, time.time() - t0))
            for r in runners.values():
                if isinstance(r, peers.XfmrDecode):
                    r.free()
                elif isinstance(r.keep, peers.xfmr_session.Session):
                    r.keep.free()
            del runners, res
    return rows


def format_row_log(row, seconds):
    parts = []
    for peer, cell in row.cells.items():
        if "median_ms" in cell:
            parts.append("%s %.2f ms (n=%d)" % (peer, cell["median_ms"], len(cell["samples_ms"])))
        else:
            parts.append("%s: %s" % (peer, cell["error"]))
    return "  %s, batch %d, %d thread(s) [%.0f s]: %s" % (row.label(), row.batch, row.threads,
                                                          seconds, "; ".join(parts))


def print_markdown(rows, args, out):
    others = [p for p in args.peers if p != "xfmr"]
    head = ["measurement", "batch", "threads"] + ["%s ms" % TITLES[p] for p in args.peers]
    if "xfmr" in args.peers:
        head += ["xfmr/%s" % TITLES[p] for p in others]
        head += ["xfmr cached"]
    head += ["max diff %s" % TITLES[p] for p in args.peers if p != "torch"]
    out("| " + " | ".join(head) + " |")
    out("|" + "|".join(["---"] * len(head)) + "|")
    flagged = []
    for row in rows:
        cells = [row.label(), str(row.batch), str(row.threads)]
        for p in args.peers:
            c = row.cells[p]
            cells.append(fmt_ms(c["median_ms"], len(c["samples_ms"])) if "median_ms" in c
                         else c["error"])
        if "xfmr" in args.peers:
            x = row.cells["xfmr"]
            for p in others:
                c = row.cells[p]
                cells.append("%.2f" % (x["median_ms"] / c["median_ms"])
                             if "median_ms" in x and "median_ms" in c else "-")
            cells.append("-" if not row.cached else "%d" % row.cached[0]
                         if row.cached[0] == row.cached[1] else "%d-%d" % tuple(row.cached))
        for p in args.peers:
            if p == "torch":
                continue
            d = row.cells[p].get("max_abs_diff")
            if d is None:
                cells.append("-")
            else:
                cells.append("%.1e%s" % (d, " **!**" if d > FLAG_DIFF else ""))
                if d > FLAG_DIFF:
                    flagged.append("%s, batch %d, %d threads: %s differs from PyTorch by "
                                   "%.2e" % (row.label(), row.batch, row.threads, TITLES[p], d))
        out("| " + " | ".join(cells) + " |")
    out("")
    out("ms: median wall time of one call; xfmr/X: xfmr's median over X's (below 1: xfmr is "
        "faster); xfmr cached: the tokens in xfmr's cache over its timed decode steps (one "
        "more each step; ORT and PyTorch attend to exactly N every call); max diff: largest "
        "|next-token logits - PyTorch's| over the batch, from the warm-up calls (**!** above "
        "%.0e)." % FLAG_DIFF)
    for f in flagged:
        out("- FLAGGED: " + f)


def print_targets(rows, args, out):
    def median(row, peer):
        return row.cells.get(peer, {}).get("median_ms")

    out("Targets:")
    for kind, label in (("decode", "decode step"), ("prefill", "prefill")):
        target = TARGETS[kind]
        parts = []
        for row in rows:
            x, o = median(row, "xfmr"), median(row, "ort")
            if row.kind != kind or x is None or o is None:
                continue
            r = x / o
            parts.append("%s b%d t%d %.2f%s" % (
                "@%d" % row.length if kind == "decode" else "%d" % row.length, row.batch,
                row.threads, r, "" if round(r, 2) <= target else " (missed)"))
        out("- %s <= %.1fx ORT: %s" % (label, target, "; ".join(parts) or "-"))
    if len(args.cached) >= 2:
        lo, hi = min(args.cached), max(args.cached)
        parts = []
        for batch in args.batches:
            for threads in args.threads:
                def find(n):
                    for row in rows:
                        if (row.kind, row.batch, row.length, row.threads) == ("decode", batch,
                                                                              n, threads):
                            return row
                a, b = find(lo), find(hi)
                if a is None or b is None:
                    continue
                peer_parts = []
                for p in args.peers:
                    ma, mb = median(a, p), median(b, p)
                    if ma and mb:
                        peer_parts.append("%s %.2f (%+.1f ms per 100 cached)" % (
                            TITLES[p], mb / ma, (mb - ma) / (hi - lo) * 100))
                parts.append("b%d t%d: %s" % (batch, threads, ", ".join(peer_parts)))
        out("- decode roughly linear in cached length: decode(@%d) / decode(@%d) "
            "(cached tokens x %.0f): %s" % (hi, lo, hi / lo, "; ".join(parts) or "-"))


def main():
    parser = argparse.ArgumentParser(description="GPT-2 prefill and decode: xfmr against "
                                                 "ONNX Runtime and PyTorch")
    parser.add_argument("--quick", action="store_true", help="batch 1 only, fewer rounds")
    parser.add_argument("--batches", default=None, help="comma list (default 1,8)")
    parser.add_argument("--prefill", type=int, default=128, help="prompt length of the "
                                                                 "prefill rows")
    parser.add_argument("--cached", default="128,1024",
                        help="cached lengths of the decode rows")
    parser.add_argument("--threads", default="1")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--rounds", type=int, default=None,
                        help="most timed rounds a row (default 25; --quick 8)")
    parser.add_argument("--min-rounds", type=int, default=3)
    parser.add_argument("--budget-s", type=float, default=None,
                        help="time for the timed rounds of one row (default 12; --quick 4)")
    parser.add_argument("--slow-s", type=float, default=10.0,
                        help="a peer whose warm-up call takes longer is timed once")
    parser.add_argument("--gap-s", type=float, default=0.25,
                        help="idle time after each call of a multi-threaded row")
    parser.add_argument("--seed", type=int, default=0, help="weights and ids")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--work", help="keep the checkpoint and compiled artifacts here")
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--markdown", help="also write the tables to this file")
    args = parser.parse_args()

    args.batches = [int(b) for b in (args.batches or ("1" if args.quick else "1,8")).split(",")]
    args.cached = [int(n) for n in args.cached.split(",")]
    args.threads = [int(t) for t in args.threads.split(",")]
    args.peers = [p for p in PEERS if p in args.peers.split(",")]
    args.rounds = args.rounds or (8 if args.quick else 25)
    args.budget_s = args.budget_s or (4.0 if args.quick else 12.0)
    args.xfmrc = os.path.join(args.build, "bin", "xfmrc")
    longest = max(args.cached + [args.prefill])
    if max(args.cached) + args.rounds + 4 > POSITIONS or args.prefill > POSITIONS:
        raise SystemExit("lengths must leave room for the decode steps within %d positions"
                         % POSITIONS)

    report = []

    def out(line=""):
        print(line, flush=True)
        report.append(line)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    import onnxruntime
    import torch
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()

    start = time.time()
    work_ctx = None
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        work = args.work
    else:
        work_ctx = tempfile.TemporaryDirectory(prefix="xfmr-bench-decoder-")
        work = work_ctx.name

    out("# decoder benchmark, %s" % datetime.date.today().isoformat())
    out("")
    out("- xfmr %s; xfmrc built %s" % (commit_description(), time.strftime(
        "%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(args.xfmrc)))))
    out("- %s, %d CPUs; torch %s, transformers %s, onnxruntime %s" % (
        cpu_name(), os.cpu_count(), torch.__version__, transformers.__version__,
        onnxruntime.__version__))
    out("- load average at the start: %s (1, 5, 15 min)" % " ".join(
        "%.1f" % x for x in os.getloadavg()))
    out("- model: GPT2LMHeadModel(GPT2Config(n_layer=%d, n_embd=%d, n_head=%d, vocab_size=%d, "
        "n_positions=%d)), random weights (seed %d): GPT-2 small with %d positions instead of "
        "1024, so that %d cached tokens and the new ones fit" % (
            LAYERS, D_MODEL, HEADS, VOCAB, POSITIONS, args.seed, POSITIONS, max(args.cached)))
    out("")

    folder = os.path.join(work, "gpt2-small-random")
    t = time.time()
    made = peers.make_checkpoint(folder, LAYERS, D_MODEL, HEADS, VOCAB, POSITIONS, args.seed)
    log("checkpoint %s: %s (%.0f s)" % (folder, "written" if made else "reused",
                                        time.time() - t))
    model = peers.Model(folder)
    build_peers(model, args, work, log)
    if "ort" in args.peers:
        out("ONNX Runtime: torch.onnx.export (TorchScript exporter, opset 17, eager attention) "
            "of the model with 2 x %d past key/value inputs and present outputs, dynamic batch, "
            "sequence and past; optimizer: %s; fused: %s" % (
                LAYERS, getattr(model, "ort_optimizer", "-"),
                ", ".join("%s %d" % kv for kv in model.ort_fused.items()) or
                model.artifacts.get("ort", "-")))
        if model.ort_fused and not any("Attention" in k for k in model.ort_fused):
            out("(no attention fused: each layer's attention runs as MatMul, Softmax and "
                "Concat of the past with the new keys and values, unfused)")
        out("")

    # One set of ids for every row: row b of a batch-B row is row b of these;
    # the decode rows' past is PyTorch's prefill of the first N of them.
    rng = np.random.default_rng(args.seed)
    batch_max = max(args.batches)
    data = {"ids": rng.integers(1000, 20000, size=(batch_max, longest), dtype=np.int64),
            "step": rng.integers(1000, 20000, size=(batch_max,), dtype=np.int64)}
    if args.cached and any(p != "xfmr" for p in args.peers):
        t = time.time()
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        data["past"] = model.torch_past(data["ids"][:, :max(args.cached)])
        log("reference past (PyTorch prefill %d x %d): %.0f s" % (
            batch_max, max(args.cached), time.time() - t))
    rows = run_rows(model, args, data, log)

    out("## Latency")
    out("")
    print_markdown(rows, args, out)
    out("")
    print_targets(rows, args, out)
    out("")
    out("Total run time %.0f s; load average at the end: %s." % (
        time.time() - start, " ".join("%.1f" % x for x in os.getloadavg())))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": [r.as_json() for r in rows], "commit": commit_description(),
                       "ort_fused": model.ort_fused}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(report) + "\n")
    x = model.artifacts.get("xfmr")
    if x is not None and not isinstance(x, peers.Unavailable):
        x.close()
    if work_ctx:
        work_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
