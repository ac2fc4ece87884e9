#!/usr/bin/env python3
"""Compiles models with hostile names and checks the C header and manifest.

    hostile_names.py XFMRC SPEC HF_FOLDER WORKDIR

For each name (as a spec "name", and as the name of a Hugging Face folder),
xfmrc must compile; the OUT.h it writes must define exactly the macros and
symbols the header of a plainly named model defines (nothing a name could
inject: no #error, no code, no extra macro); XFMR_MODEL_NAME must be the
name, byte for byte; and the library's manifest must report it.
"""
import ctypes
import json
import os
import shutil
import subprocess
import sys

NAMES = [
    'evil */ #error injected /* "q',
    'quote " and back\\slash \\',
    'line\nbreak\n#error on its own line',
    '#define XFMR_MODEL_D_MODEL 1',
    '*/ __attribute__((constructor)) static void pwn(void) {} /*',
    'trigraph ??/ and ??= too',
    'carriage\r\nreturn\ttab \x01\x7f',
    'unicode m\u00fcller \u2603 \u200b',
    '%s %n {{ }} $(whoami)',
]
CC = shutil.which("cc") or shutil.which("gcc")


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def macros(header):
    """Macro names the header defines beyond the compiler's own."""
    out = run([CC, "-E", "-dM", "-x", "c", header]).stdout.decode()
    base = run([CC, "-E", "-dM", "-x", "c", os.devnull]).stdout.decode()
    names = lambda text: {l.split()[1].split("(")[0] for l in text.splitlines() if l.startswith("#define")}
    return names(out) - names(base)


def symbols(header, work):
    """Symbols an object file compiled from the header alone defines."""
    obj = os.path.join(work, "header.o")
    run([CC, "-c", "-x", "c", header, "-o", obj])
    return run(["nm", "--defined-only", obj]).stdout.decode().split()


def printed_name(header, work):
    """XFMR_MODEL_NAME as a program that includes the header prints it."""
    src = os.path.join(work, "print.c")
    exe = os.path.join(work, "print")
    with open(src, "w") as f:
        f.write('#include "%s"\n#include <stdio.h>\n'
                'int main(void) { fwrite(XFMR_MODEL_NAME, 1, sizeof(XFMR_MODEL_NAME) - 1, stdout); return 0; }\n'
                % header)
    run([CC, "-Wall", "-Werror", src, "-o", exe])
    return run([exe]).stdout


def manifest_name(lib, tokenizer=False):
    """The manifest's name; with `tokenizer`, the embedded tokenizer must load
    too (its file, like the weights, is found by a path that holds the name)."""
    dll = ctypes.CDLL(lib)
    dll.xfmr_model_manifest.restype = ctypes.c_char_p
    dll.xfmr_last_error.restype = ctypes.c_char_p
    model = ctypes.c_void_p()
    assert dll.xfmr_model_open(None, ctypes.byref(model)) == 0, dll.xfmr_last_error()
    name = json.loads(dll.xfmr_model_manifest(model))["name"]
    if tokenizer:
        tok = ctypes.c_void_p()
        assert dll.xfmr_model_load_tokenizer(model, ctypes.byref(tok)) == 0, dll.xfmr_last_error()
        dll.xfmr_tokenizer_free(tok)
    dll.xfmr_model_close(model)
    return name


def compile_model(xfmrc, model, out, *flags):
    # One API name for all: the header's own macros (its include guard,
    # MODEL_*) follow it, not the model's name, which is what is compared.
    run([xfmrc, model, "-o", out, "--api-name", "model", *flags])
    return out[:-3] + ".h"


def main():
    xfmrc, spec_path, hf_folder, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    spec = json.load(open(spec_path))
    spec["weights"] = os.path.join(os.path.dirname(os.path.abspath(spec_path)), spec["weights"])

    def spec_model(name, tag):
        path = os.path.join(work, tag + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(dict(spec, name=name), f)
        return path

    def hf_model(name, tag):
        folder = os.path.join(work, tag, name)
        os.makedirs(folder)
        for entry in os.listdir(hf_folder):
            os.symlink(os.path.abspath(os.path.join(hf_folder, entry)), os.path.join(folder, entry))
        # A tokenizer for the library to embed from a folder of that name.
        vocab = os.path.join(folder, "vocab.txt")
        if not os.path.lexists(vocab):  # never write through a symlink
            with open(vocab, "w") as f:
                f.write("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n")
        return folder

    failures = 0
    for kind, make in (("spec", spec_model), ("hf", hf_model)):
        plain = compile_model(xfmrc, make("plain", kind + "-plain"), os.path.join(work, kind + "-plain.so"))
        want_macros, want_symbols = macros(plain), symbols(plain, work)
        for i, name in enumerate(NAMES):
            if kind == "hf" and "/" in name:
                name = name.replace("/", "|")  # a folder name cannot hold '/'
            tag = "%s-%d" % (kind, i)
            # Half the Hugging Face ones embed their weights: the path of
            # the embedded file holds the name as well.
            embed = ["--embed-weights"] if kind == "hf" and i % 2 == 0 else []
            header = compile_model(xfmrc, make(name, tag), os.path.join(work, tag + ".so"), *embed)
            problems = []
            if macros(header) != want_macros:
                problems.append("macros %s" % sorted(macros(header) ^ want_macros))
            if symbols(header, work) != want_symbols:
                problems.append("symbols %s" % symbols(header, work))
            if printed_name(header, work) != name.encode("utf-8"):
                problems.append("XFMR_MODEL_NAME %r" % printed_name(header, work))
            got = manifest_name(header[:-2] + ".so", tokenizer=kind == "hf")
            if got != name:
                problems.append("manifest name %r" % got)
            print("%s name %r: %s" % (kind, name, "; ".join(problems) or "ok"))
            failures += bool(problems)
    print("%d hostile names, %d failures" % (2 * len(NAMES), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
