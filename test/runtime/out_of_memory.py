#!/usr/bin/env python3
"""Out of memory is an error, not a crash (the ctest runtime-out-of-memory).

Runs xfmr-oom-probe (OutOfMemoryProbe.c) and xfmr-run under `ulimit -v` (bash,
in a subshell) and checks that a call too large for the limit fails with exit
status 1, one line saying it ran out of memory, and that a small call made
next, on the same context or tokenizer, succeeds:

- encode: the generated code's work memory runs out (the allocation
  function jumps back to the runtime, WorkMemory.h);
- tokenize: the tokenizer's containers run out on a large text (std::bad_alloc
  caught at the C API boundary, Status.h).

The limits are sized from what the probe measures of itself without a limit
(its address space before the call and the call's peak, at two smaller
sizes): each is what the process has before the large call, plus the call's
inputs and outputs, plus half of what the call would need. So the large call
starts, and fails inside the model or the tokenizer, on any machine.
"""

import argparse
import math
import re
import subprocess
import sys

# What the large call would need beyond its inputs: enough that half of it is
# far above any measurement noise, small enough for a shared machine.
TARGET_KB = 256 * 1024
SEQ = 64

failures = []


def run(cmd, limit_kb=None):
    if limit_kb is not None:
        cmd = ["bash", "-c", 'ulimit -v %d && exec "$@"' % limit_kb, "ulimit"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def field(stdout, name):
    m = re.search(r"^%s (\d+)$" % name, stdout, re.M)
    if not m:
        sys.exit("no %s in the probe's output:\n%s" % (name, stdout))
    return int(m.group(1))


def measure(cmd):
    rc, out, err = run(cmd)
    if rc != 0:
        sys.exit("%s failed without a limit (status %d):\n%s%s" %
                 (" ".join(cmd), rc, out, err))
    return field(out, "vm_before_kb"), field(out, "vm_peak_kb")


def check(name, cmd, limit_kb, message, then_ok=True):
    rc, out, err = run(cmd, limit_kb)
    lines = err.splitlines()
    print("%s under ulimit -v %d: status %d, %r" % (name, limit_kb, rc, err))
    if rc != 1:
        failures.append("%s: exit status %d, not 1" % (name, rc))
    if len(lines) != 1 or not re.fullmatch(message, lines[0]):
        failures.append("%s: stderr is not one line matching %r: %r" %
                        (name, message, err))
    if then_ok and "then: ok" not in out.splitlines():
        failures.append("%s: the small call after it did not succeed:\n%s" %
                        (name, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    ap.add_argument("--xfmr-run", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--tokenizer", required=True)
    args = ap.parse_args()
    probe = [args.probe, args.model]

    # encode: the address space grows linearly with the batch: inputs and
    # output (before) and the work memory of the call (peak - before).
    b1, b2 = 32, 128
    before1, peak1 = measure(probe + ["encode", str(b1), str(SEQ), args.weights])
    before2, peak2 = measure(probe + ["encode", str(b2), str(SEQ), args.weights])
    io = (before2 - before1) / (b2 - b1)
    work = max((peak2 - before2) - (peak1 - before1), 1) / (b2 - b1)
    batch = math.ceil(TARGET_KB / work)
    limit = int(before2 + io * (batch - b2) + work * batch / 2)
    print("encode: %.1f kB of inputs and %.1f kB of work per row of %d; "
          "batch %d" % (io, work, SEQ, batch))
    check("encode", probe + ["encode", str(batch), str(SEQ), args.weights],
          limit,
          r"xfmr-oom-probe: error \(out of memory\): out of memory: the encode "
          r"call of batch %d x sequence %d could not allocate \d+ bytes of "
          r"work memory; the context stays usable for smaller calls" %
          (batch, SEQ))
    # The reproduction: xfmr-run --bench, whose own needs are the
    # probe's within a few MB (far inside the margin of half the work).
    check("xfmr-run --bench",
          [args.xfmr_run, args.model, "--weights", args.weights, "--bench",
           "--batch", str(batch), "--seq", str(SEQ), "--repeat", "1"],
          limit, r"xfmr-run: error: out of memory: .*", then_ok=False)

    # tokenize: what the tokenizer needs grows linearly with the text.
    mb1, mb2 = 1, 4
    before1, peak1 = measure(probe + ["tokenize", args.tokenizer, str(mb1)])
    before2, peak2 = measure(probe + ["tokenize", args.tokenizer, str(mb2)])
    text = (before2 - before1) / (mb2 - mb1)
    need = max((peak2 - before2) - (peak1 - before1), 1) / (mb2 - mb1)
    mb = max(math.ceil(TARGET_KB / need), mb2)
    limit = int(before2 + text * (mb - mb2) + need * mb / 2)
    print("tokenize: %.0f kB per MiB of text; %d MiB" % (need, mb))
    check("tokenize", probe + ["tokenize", args.tokenizer, str(mb)], limit,
          r"xfmr-oom-probe: error \(out of memory\): out of memory while "
          r"tokenizing")

    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
