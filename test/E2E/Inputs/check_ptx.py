"""Assembles the PTX of every gpu.binary of an LLVM-dialect module (xfmrc
--target=cuda --cuda-binary=ptx --emit=llvm) with ptxas for an architecture.

  check_ptx.py MODULE PTXAS ARCH

Prints how many modules ptxas accepted and how many kernels they hold; fails
on the first it refuses, with its log, or when the module has no PTX."""
import os
import re
import subprocess
import sys
import tempfile


def unescape(text):
    # MLIR prints a string attribute's bytes outside printable ASCII, and
    # quotes and backslashes, as \XX.
    return re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)


def main():
    module, ptxas, arch = sys.argv[1:4]
    with open(module) as f:
        objects = [unescape(o) for o in re.findall(r'assembly = "((?:[^"\\]|\\.)*)"', f.read())]
    if not objects:
        sys.exit(f"{module}: no PTX (was it compiled with --cuda-binary=ptx?)")
    kernels = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, ptx in enumerate(objects):
            path = os.path.join(tmp, f"{i}.ptx")
            with open(path, "w") as out:
                out.write(ptx)
            run = subprocess.run([ptxas, f"-arch={arch}", path, "-o", os.devnull],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"ptxas -arch={arch} refused module {i}:\n{run.stderr}")
            kernels += len(re.findall(r"^\.visible \.entry ", ptx, re.M))
    print(f"ptxas {arch}: {len(objects)} modules, {kernels} kernels")


if __name__ == "__main__":
    main()
