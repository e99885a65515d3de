"""RSS growth over 20 trainings in a row (target: < 100 MB after the first).

Run: ``.venv/bin/python bench/bench_train_memory.py [--runs 20]``.
"""

from __future__ import annotations

import argparse
import os

import numpy as np


def rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import lamina
    from lamina.data.dataset import Dataset
    from lamina.training import train

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 10, size=600)
    ds = Dataset(x=x, y=y, name="bench", task="classification")
    spec = lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=64, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=2,
        seed=0,
        standardize=True,
        early_stopping={"patience": 1},
    )
    first = None
    for i in range(args.runs):
        result = train(spec, data=ds)
        del result
        now = rss_mb()
        if first is None:
            first = now
        if i in (0, 4, 9, 14) or i == args.runs - 1:
            print(f"after run {i + 1:2d}: RSS {now:.0f} MB")
    print(
        f"RSS growth after the first of {args.runs} trainings: {now - first:.1f} MB (target < 100 MB)"  # noqa: E501
    )


if __name__ == "__main__":
    main()
