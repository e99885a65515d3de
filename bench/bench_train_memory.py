"""RSS growth over 20 trainings in a row (target: < 100 MB after the first).

Run: ``.venv/bin/python bench/bench_train_memory.py [--runs 20]``.

Each way runs in its own fresh process: ``lamina`` calls `lamina.train` (which clears the
Keras session first), ``lamina+project`` does the same and saves every run into a
project folder (weights, history, log: what the CLI and the app do), ``bare`` does what
a careful Keras user does by hand (``clear_session``, build, ``fit`` with early
stopping, ``evaluate``, ``predict``) with the same model and data. Bare Keras grows:
tf_keras's optimizer sums the gradients through ``tf.distribute``'s ``all_reduce``, a
``tf.custom_gradient`` that registers a gradient function in TensorFlow's process-wide
registry at every trace, so each traced training step's graph stays alive. `train`
drops the entries of its earlier runs (`lamina.training.tf_session`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

WAYS = ("lamina", "lamina+project", "bare")


def rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(way: str, runs: int, folder: str) -> float:
    """Trains `runs` times in this process; returns the RSS growth after the first (MB)."""
    import lamina
    from lamina.data.dataset import Dataset
    from lamina.data.pipeline import make_tf_dataset
    from lamina.data.splits import split_dataset
    from lamina.keras import keras
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
    parts = split_dataset(ds, validation=0.2, test=0.1, seed=0, stratify=True)

    def bare() -> None:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = lamina.build_model(spec)
        model.fit(
            make_tf_dataset(parts.train.x, parts.train.y, batch_size=32, seed=0),
            validation_data=make_tf_dataset(
                parts.validation.x, parts.validation.y, batch_size=32, shuffle=False
            ),
            epochs=2,
            verbose=0,
            callbacks=[keras.callbacks.EarlyStopping(patience=1)],
        )
        model.evaluate(parts.test.x, parts.test.y, verbose=0)
        model.predict(parts.test.x, verbose=0)

    first = now = 0.0
    for i in range(runs):
        if way == "lamina":
            result = train(spec, data=ds)
            del result
        elif way == "lamina+project":
            result = train(spec, data=ds, project=folder)
            assert result.status == "finished", result.reason
            del result
        else:
            bare()
        now = rss_mb()
        if i == 0:
            first = now
        if i in (0, 4, 9, 14) or i == runs - 1:
            print(f"  {way}: after run {i + 1:2d}: RSS {now:.0f} MB", flush=True)
    return now - first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--way", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:  # a child process: measure one way, print the growth last
        print(f"growth {measure(args.way, args.runs, args.folder):.1f}")
        return
    growth = {}
    folder = tempfile.mkdtemp(prefix="lamina-bench-memory-")
    for way in WAYS:
        child = subprocess.run(
            [sys.executable, __file__, "--way", way, "--runs", str(args.runs), "--folder", folder],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            check=True,
        )
        lines = child.stdout.rstrip().splitlines()
        print("\n".join(lines[:-1]))
        growth[way] = float(lines[-1].split()[1])
    shutil.rmtree(folder, ignore_errors=True)
    print(f"RSS growth after the first of {args.runs} trainings (target < 100 MB):")
    for way in WAYS[:2]:
        verdict = "met" if growth[way] < 100 else "NOT met"
        print(
            f"  {way:15s} {growth[way]:6.1f} MB ({verdict}), "
            f"ratio to bare Keras {growth[way] / growth['bare']:.2f}"
        )
    print(f"  {'bare Keras':15s} {growth['bare']:6.1f} MB")


if __name__ == "__main__":
    main()
