"""What writing TensorBoard records costs per epoch (target: <= 3 %).

Run: ``.venv/bin/python bench/bench_tensorboard_overhead.py [--repeats 9] [--epochs 12]``.

The course's first model (Flatten -> Dense(128) -> Dense(10), Adam, batch 32) on the
digits, trained with `model.fit` two ways, interleaved in one process, ``--repeats``
times each from the same seed:

- ``plain``: no records;
- ``tensorboard``: with lamina's `TensorBoardRecord` (per-epoch train and validation
  scalars, learning rate, the graph once, the hparams summary), as every saved run has.

An epoch's time runs from one epoch's start to the next one's, so it includes the
records written at its end. The first epoch (tracing, the graph) is left out. Prints
the median epoch of each way over all repeats and their ratio, and the median of the
repeats' own ratios, and last the time spent inside the records' own hooks per epoch,
measured in the ``tensorboard`` runs: the part of any difference that is the records'
work and not the shared machine's noise.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    """Runs the benchmark and prints the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=12)
    args = parser.parse_args()

    from sklearn.datasets import load_digits

    import lamina
    from lamina.keras import keras, tf
    from lamina.records.tensorboard import TensorBoardRecord

    digits = load_digits()
    x = (digits.images / 16.0)[..., None].astype("float32")
    y = digits.target
    split = int(0.8 * len(x))
    spec = lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=128, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        name="course",
    )

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.starts: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self.starts.append(time.perf_counter())

        def on_train_end(self, logs=None):
            self.starts.append(time.perf_counter())

        def epochs(self) -> list[float]:
            return list(np.diff(self.starts))[1:]

    def one(way: str, folder: Path) -> list[float]:
        keras.backend.clear_session()
        tf.random.set_seed(0)
        model = lamina.build_model(spec)
        clock = EpochClock()
        callbacks: list = [clock]
        if way == "tensorboard":
            callbacks.append(TensorBoardRecord(folder, spec, folder.name))
        model.fit(
            x[:split],
            y[:split],
            validation_data=(x[split:], y[split:]),
            epochs=args.epochs,
            batch_size=32,
            verbose=0,
            callbacks=callbacks,
        )
        return clock.epochs()

    spent = {"seconds": 0.0, "epochs": 0}
    original = TensorBoardRecord.on_epoch_end

    def timed(self, epoch, logs=None):
        t0 = time.perf_counter()
        try:
            return original(self, epoch, logs)
        finally:
            spent["seconds"] += time.perf_counter() - t0
            spent["epochs"] += 1

    TensorBoardRecord.on_epoch_end = timed
    times: dict[str, list[float]] = {"plain": [], "tensorboard": []}
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            per: dict[str, float] = {}
            order = ("plain", "tensorboard") if r % 2 == 0 else ("tensorboard", "plain")
            for way in order:
                epochs = one(way, Path(tmp) / f"run-{r}-{way}")
                times[way] += epochs
                per[way] = statistics.median(epochs)
            ratios.append(per["tensorboard"] / per["plain"])
            print(
                f"repeat {r + 1}: plain {per['plain'] * 1e3:.1f} ms, "
                f"tensorboard {per['tensorboard'] * 1e3:.1f} ms, ratio {ratios[-1]:.3f}"
            )
    plain = statistics.median(times["plain"])
    board = statistics.median(times["tensorboard"])
    print(f"median epoch: plain {plain * 1e3:.2f} ms, tensorboard {board * 1e3:.2f} ms")
    print(
        f"ratio tensorboard / plain (median over all epochs): {board / plain:.3f}  (target <= 1.03)"
    )
    print(f"median of the repeats' ratios: {statistics.median(ratios):.3f}")
    own = spent["seconds"] / max(spent["epochs"], 1)
    print(
        f"records' own time per epoch: {own * 1e3:.2f} ms = {own / plain:.2%} of the median "
        "plain epoch"
    )


if __name__ == "__main__":
    main()
