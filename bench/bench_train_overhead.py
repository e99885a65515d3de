"""Per-epoch wall time of `lamina.train` vs a bare `model.fit` (same model, same data).

Run: ``.venv/bin/python bench/bench_train_overhead.py [--repeats 16] [--epochs 10]``.

Three ways to train the course's first model (Flatten -> Dense(128) -> Dense(10), Adam,
batch 32) on the same 6000 samples, interleaved in one process, ``--repeats`` times each,
every way with seed 0 and TensorFlow's op determinism on (what ``seed`` asks lamina for):

- ``lamina``: `lamina.train(spec, data)` with an event listener, as the app and CLI run it;
- ``bare tf.data``: `model.fit` on the same tf.data pipelines lamina builds (this isolates
  what lamina adds around `fit`: its callbacks, events, best-weights tracking);
- ``bare numpy``: `model.fit(x, y, validation_data=(xv, yv))`, what a user writes without
  lamina.

An epoch's wall time is the time from one epoch's start to the next one's, so it covers
the validation pass and every callback's end-of-epoch work. The first epoch (it traces the
training function) and the last (it ends in each tool's own after-fit work) are left out.

Prints each repeat, then per way the median epoch over all repeats and the lower quartile,
and the ratios lamina / bare (target: <= 1.03 for the median). The machines are shared:
single repeats swing by +-20 % and more, in bursts, so the median over all epochs is the
figure, and the median of the repeats' ratios, their middle half and the ratio of the
lower quartiles (the least disturbed epochs) show how far the noise moves it. Last, the
time lamina's own callbacks take per epoch, measured inside the lamina runs: the part of
the difference that is lamina's work and not the machine's noise.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np


def instrument_lamina_callbacks() -> dict[str, float]:
    """Wraps the per-epoch hooks of lamina's callbacks to add up the time they take."""
    from lamina.training.callbacks import BestWeights, EventCallback

    spent: dict[str, float] = defaultdict(float)
    for cls in (EventCallback, BestWeights):
        for hook in ("on_epoch_begin", "on_epoch_end"):
            if hook not in cls.__dict__:
                continue
            original = cls.__dict__[hook]

            def timed(self, *args, _original=original, _name=f"{cls.__name__}.{hook}", **kw):
                t0 = time.perf_counter()
                try:
                    return _original(self, *args, **kw)
                finally:
                    spent[_name] += time.perf_counter() - t0

            setattr(cls, hook, timed)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n", type=int, default=6000)
    args = parser.parse_args()
    if args.epochs < 3:
        parser.error("--epochs must be at least 3 (the first and the last are left out)")

    import lamina
    from lamina.data.dataset import Dataset
    from lamina.data.pipeline import make_tf_dataset
    from lamina.data.splits import split_dataset
    from lamina.keras import keras
    from lamina.training import EpochStarted, train
    from lamina.training.determinism import seeded_run

    class EpochStarts(keras.callbacks.Callback):
        """Records when each epoch starts (what lamina's `EpochStarted` event marks)."""

        def on_train_begin(self, logs=None):
            self.starts = []

        def on_epoch_begin(self, epoch, logs=None):
            self.starts.append(time.perf_counter())

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
        standardize=False,
    )
    # lamina.train splits the same way (validation 0.2, test 0.1, seed 0, stratified).
    parts = split_dataset(ds, validation=0.2, test=0.1, seed=0, stratify=True)

    def epochs_of(starts: list[float]) -> list[float]:
        """Epoch 2 .. N-1 wall times from the epoch start times."""
        return list(np.diff(starts)[1:])

    def bare_fit(numpy: bool) -> list[float]:
        keras.backend.clear_session()
        gc.collect()  # lamina.train collects too, before it builds
        with seeded_run(0):
            model = lamina.build_model(spec)
            timer = EpochStarts()
            if numpy:
                model.fit(
                    parts.train.x,
                    parts.train.y,
                    validation_data=(parts.validation.x, parts.validation.y),
                    batch_size=32,
                    epochs=args.epochs,
                    shuffle=True,
                    verbose=0,
                    callbacks=[timer],
                )
            else:
                train_data = make_tf_dataset(
                    parts.train.x, parts.train.y, batch_size=32, shuffle=True, seed=0
                )
                val_data = make_tf_dataset(
                    parts.validation.x, parts.validation.y, batch_size=32, shuffle=False
                )
                model.fit(
                    train_data,
                    validation_data=val_data,
                    epochs=args.epochs,
                    verbose=0,
                    callbacks=[timer],
                )
        return epochs_of(timer.starts)

    callback_seconds = instrument_lamina_callbacks()
    lamina_epochs_timed = 0

    def via_lamina() -> list[float]:
        nonlocal lamina_epochs_timed
        starts: list[float] = []

        def on_event(event) -> None:
            if isinstance(event, EpochStarted):
                starts.append(time.perf_counter())

        result = train(spec, data=ds, on_event=on_event)
        assert result.status == "finished", result.reason
        assert result.info["split"]["sizes"]["train"] == len(parts.train)
        lamina_epochs_timed += len(starts)
        return epochs_of(starts)

    ways: dict[str, Callable[[], list[float]]] = {
        "lamina": via_lamina,
        "bare tf.data": lambda: bare_fit(numpy=False),
        "bare numpy": lambda: bare_fit(numpy=True),
    }
    for run in ways.values():  # warm-up: imports, first traces
        run()
    callback_seconds.clear()
    lamina_epochs_timed = 0
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    pair_ratios: dict[str, list[float]] = {"bare tf.data": [], "bare numpy": []}
    names = list(ways)
    for i in range(args.repeats):
        order = names[i % 3 :] + names[: i % 3]  # each way goes first, second and third
        medians = {}
        for name in order:
            epochs = ways[name]()
            seconds[name].extend(epochs)
            medians[name] = statistics.median(epochs)
        for bare in pair_ratios:
            pair_ratios[bare].append(medians["lamina"] / medians[bare])
        print(
            f"repeat {i + 1}: "
            + ", ".join(f"{name} {medians[name] * 1000:.1f}" for name in names)
            + " ms/epoch",
            flush=True,
        )

    def quartile(values: list[float]) -> float:
        return float(np.percentile(values, 25))

    lam = statistics.median(seconds["lamina"])
    print(f"\nover {len(seconds['lamina'])} epochs per way: median (lower quartile)")
    for name in names:
        median, low = statistics.median(seconds[name]), quartile(seconds[name])
        print(f"  {name:13s} {median * 1000:.1f} ms ({low * 1000:.1f} ms)")
    for bare, ratios in pair_ratios.items():
        ratio = lam / statistics.median(seconds[bare])
        low_ratio = quartile(seconds["lamina"]) / quartile(seconds[bare])
        q1, q3 = np.percentile(ratios, [25, 75])
        verdict = "met" if ratio <= 1.03 else "NOT met"
        print(
            f"lamina / {bare}: median {ratio:.3f} (target <= 1.03: {verdict}); "
            f"lower quartile {low_ratio:.3f}; repeats' ratios median "
            f"{statistics.median(ratios):.3f}, middle half {q1:.3f}..{q3:.3f}"
        )
    per_epoch = sum(callback_seconds.values()) / max(lamina_epochs_timed, 1)
    parts_ms = ", ".join(
        f"{name} {total / max(lamina_epochs_timed, 1) * 1000:.2f}"
        for name, total in sorted(callback_seconds.items())
    )
    print(
        f"lamina's callbacks: {per_epoch * 1000:.2f} ms per epoch "
        f"({per_epoch / lam * 100:.2f} % of lamina's median epoch): {parts_ms} ms"
    )


if __name__ == "__main__":
    main()
