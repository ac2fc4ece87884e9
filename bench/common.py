#===- common.py - what the benchmarks share ---------------------------------===#
#
# The timing loop (peers interleaved in rounds, medians of their samples),
# running a tool, short table-cell errors, ONNX Runtime sessions and the
# description of the build a table was measured at, for bench/encoder and
# bench/decoder alike.
#
#===------------------------------------------------------------------------===#

import os
import platform
import subprocess
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Unavailable(str):
    """Why a peer has no artifact (a table cell), as opposed to an artifact
    path."""


def short_error(error, limit=160):
    """The first informative line of an exception, for a table cell."""
    text = str(error).strip() or type(error).__name__
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower():
            return line[:limit]
    return lines[0][:limit] if lines else type(error).__name__


def run_tool(cmd, what):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode < 0:
        raise RuntimeError("%s crashed (signal %d)" % (what, -proc.returncode))
    if proc.returncode != 0:
        raise RuntimeError("%s failed (exit %d): %s" % (
            what, proc.returncode, short_error(proc.stderr or proc.stdout)))
    return proc


def ort_session(path, threads):
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(runners, budget_s, max_rounds, min_rounds, slow_s, gap_s,
            describe_error=short_error):
    """Times `runners` (name -> callable) interleaved; a runner's prepare(),
    when it has one, runs untimed before each of its calls. Returns name ->
    (samples in s, warm-up output or None, error or None)."""
    results = {}

    def call(name):
        runner = runners[name]
        prepare = getattr(runner, "prepare", None)
        if prepare:
            prepare()
        t, out = timed(runner)
        if gap_s:
            time.sleep(gap_s)
        return t, out

    for name in runners:
        try:
            t, out = call(name)
            results[name] = ([t], np.array(out, copy=True), None)
        except Exception as e:  # noqa: BLE001  (a failing peer is a table cell)
            results[name] = ([], None, describe_error(e))
    # A slow peer keeps its warm-up as its one sample; the others start over.
    active = [n for n in runners if results[n][2] is None and results[n][0][0] <= slow_s]
    for n in active:
        results[n][0].clear()
    if not active:
        return results

    def sample(n):
        try:
            results[n][0].append(call(n)[0])
        except Exception as e:  # noqa: BLE001
            results[n] = ([], None, describe_error(e))
            active.remove(n)

    # The first round also says what a round costs, and so how many fit.
    for n in list(active):
        sample(n)
    round_cost = sum(results[n][0][0] for n in active) + gap_s * len(active)
    rounds = max(min_rounds, min(max_rounds, int(budget_s / max(round_cost, 1e-6))))
    for r in range(1, rounds):
        shift = r % max(len(active), 1)
        for n in active[shift:] + active[:shift]:
            sample(n)
    return results


def commit_description():
    def git(*args):
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True,
                              text=True).stdout.strip()
    head = git("rev-parse", "--short=12", "HEAD")
    subject = git("log", "-1", "--format=%s")
    # The build may hold others' uncommitted work: say so.
    changed = [l[3:] for l in git("status", "--porcelain", "-uno").splitlines()
               if not l[3:].startswith("bench/")]
    if len(subject) > 70:
        subject = subject[:70].rsplit(" ", 1)[0] + " ..."
    return "%s (%s)%s" % (head, subject, "; %d files modified in the working tree "
                          "outside bench/" % len(changed) if changed else "")


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
