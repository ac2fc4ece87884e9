"""Minimal safetensors reader and writer on top of numpy.

The test suite runs with Debian's python3 + numpy only, so it cannot use the
`safetensors` package. Format: 8-byte little-endian header length N, N bytes of
UTF-8 JSON mapping each tensor name to {dtype, shape, data_offsets} (offsets
relative to the end of the header), then the raw little-endian data.
"""

import json
import struct

import numpy as np

# Only what the fixtures and references need; anything else is refused rather
# than guessed.
_DTYPES = {
    "F32": np.dtype("<f4"),
    "I64": np.dtype("<i8"),
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def load(path):
    """Returns ({name: ndarray}, metadata dict or {})."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: not a safetensors file (under 8 bytes)")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if 8 + header_len > len(blob):
        raise ValueError(f"{path}: header length {header_len} runs past the end of the file")
    header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + header_len:]

    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {info['dtype']}")
        dtype = _DTYPES[info["dtype"]]
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
        expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if not 0 <= begin <= end <= len(data) or end - begin != expected:
            raise ValueError(f"{path}: tensor '{name}' has bad data_offsets {begin}..{end} "
                             f"for shape {list(shape)}")
        # Copy so the arrays are aligned and independent of the file buffer.
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
    return tensors, metadata


def save(path, tensors, metadata=None):
    """Writes {name: ndarray} (float32 or int64) in name order, deterministically."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        dtype = array.dtype.newbyteorder("<")
        if dtype not in _NAMES:
            raise ValueError(f"tensor '{name}': unsupported dtype {array.dtype}")
        raw = np.ascontiguousarray(array, dtype=dtype).tobytes()
        header[name] = {
            "dtype": _NAMES[dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # The data must start 8-byte aligned so readers can map it directly; the
    # format allows trailing spaces in the header for exactly this.
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)
