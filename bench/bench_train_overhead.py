"""Per-epoch wall time of `lamina.training.train` vs a bare `model.fit` (same model, same data).

Run: ``.venv/bin/python bench/bench_train_overhead.py [--repeats 5] [--epochs 4]``.
Prints each pair and the median ratio lamina/bare (target: <= 1.03). Each figure is the
median wall time of epochs 2..N (the first epoch includes tracing) of one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n", type=int, default=6000)
    args = parser.parse_args()

    import lamina
    from lamina.data.dataset import Dataset
    from lamina.data.pipeline import make_tf_dataset
    from lamina.data.splits import split_dataset
    from lamina.keras import keras
    from lamina.training import train

    class EpochTimer(keras.callbacks.Callback):
        """Wall time of each epoch, as lamina's own event callback measures it."""

        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.t0)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.n, 8, 8, 1)).astype("float32")
    y = (x.reshape(args.n, -1)[:, :10].argmax(axis=1)).astype("int64")
    ds = Dataset(x=x, y=y, name="bench", task="classification")
    spec = lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=128, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=args.epochs,
        batch_size=32,
        seed=0,
    )
    parts = split_dataset(ds, validation=0.2, test=0.1, seed=0)

    def bare() -> float:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = lamina.build_model(spec)
        train_data = make_tf_dataset(
            parts.train.x, parts.train.y, batch_size=32, shuffle=True, seed=0
        )
        val_data = make_tf_dataset(
            parts.validation.x, parts.validation.y, batch_size=32, shuffle=False
        )
        timer = EpochTimer()
        model.fit(
            train_data, validation_data=val_data, epochs=args.epochs, verbose=0, callbacks=[timer]
        )
        return statistics.median(timer.seconds[1:])  # the first epoch includes tracing

    def via_lamina() -> float:
        result = train(spec, data=ds)
        return statistics.median(result.info["timings"]["epoch_seconds"][1:])

    bare(), via_lamina()  # warm-up (imports, first traces)
    ratios = []
    for i in range(args.repeats):
        b, lam = (bare(), via_lamina()) if i % 2 == 0 else tuple(reversed((via_lamina(), bare())))
        ratios.append(lam / b)
        print(
            f"repeat {i + 1}: bare {b * 1000:.1f} ms/epoch, lamina {lam * 1000:.1f} ms/epoch, ratio {lam / b:.3f}"  # noqa: E501
        )
    print(f"median ratio lamina/bare per epoch: {statistics.median(ratios):.3f} (target <= 1.03)")


if __name__ == "__main__":
    main()
