"""Writes the inputs of cuda-emulated-split-keys.test into the folder given:
long sequences of seeded random ids, and their masks."""
import sys

import numpy as np


def main() -> None:
    out = sys.argv[1]
    rng = np.random.default_rng(7)

    ids = rng.integers(1, 64, size=(1, 100), dtype=np.int64)
    mask = np.ones((1, 100), dtype=np.int64)
    mask[0, :5] = 0
    np.save(f"{out}/llama_ids.npy", ids)
    np.save(f"{out}/llama_mask.npy", mask)

    ids = rng.integers(1, 120, size=(2, 40), dtype=np.int64)
    mask = np.zeros((2, 40), dtype=np.int64)
    mask[0, 10:30] = 1
    np.save(f"{out}/bert_ids.npy", ids)
    np.save(f"{out}/bert_mask.npy", mask)

    np.save(f"{out}/gpt2_ids.npy",
            rng.integers(1, 100, size=(1, 40), dtype=np.int64))


if __name__ == "__main__":
    main()
