"""lamina against the same work in bare tf_keras with Keras's defaults, side by side (issue 17).

Run: ``.venv/bin/python bench/bench_fast_defaults.py [--part epochs|job|cli|all] [--repeats 7]``.

- ``epochs``: median epoch time of `lamina.train` ÷ bare ``model.fit(x, y,
  validation_data=...)`` (``steps_per_execution`` 1, Keras's default), same model, same
  data, same split, seed 0: the course MLP (Flatten -> Dense(128) -> Dense(10), Adam,
  batch 32) on digits (target <= 0.75) and LeNet (``lamina.architecture("lenet")``) on
  the 64x64 synthetic galaxies (target <= 0.9). An epoch is the time from one epoch's
  start to the next one's; the first (tracing) and last epochs are left out.
- ``job``: the whole course job, 20 epochs on digits, data preparation and the test
  evaluation included: ``lamina.train(spec, data="digits")`` ÷ the same job written in
  bare tf_keras (load, stratified split, build, fit, evaluate) (target <= 1.0).
- ``cli``: wall time of ``lamina catalog``, ``lamina plugins`` and ``lamina catalog
  Conv2D`` with a warm catalogue cache, next to ``python -c "import tensorflow"``
  (target <= 0.5 s each): wall time, and the CPU time (user + system) of the command,
  which a busy shared machine inflates less than the wall time.
- GPU figures (XLA, mixed precision): printed when a GPU is present, else skipped.

Ways alternate within each repeat (each goes first in turn); the machines are shared,
so medians over all repeats are the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np


def course_spec(epochs: int) -> object:
    import lamina

    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=128, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=epochs,
        batch_size=32,
        seed=0,
    )


def lenet_spec(epochs: int) -> object:
    import lamina

    spec = lamina.architecture("lenet", n_classes=3, epochs=epochs)
    return spec.copy_with(training={**spec.training.model_dump(mode="json"), "seed": 0})


def interleave(ways: dict[str, Callable[[], float | list[float]]], repeats: int) -> dict:
    """Runs every way `repeats` times, alternating the order; returns the figures per way."""
    names = list(ways)
    for run in ways.values():  # warm-up: imports and first traces
        run()
    figures: dict[str, list[float]] = {name: [] for name in names}
    for i in range(repeats):
        order = names[i % len(names) :] + names[: i % len(names)]
        line = []
        for name in order:
            value = ways[name]()
            values = value if isinstance(value, list) else [value]
            figures[name].extend(values)
            line.append(f"{name} {statistics.median(values) * 1000:.1f} ms")
        print(f"  repeat {i + 1}: " + ", ".join(line), flush=True)
    return figures


def epoch_bench(repeats: int, epochs: int) -> None:
    import lamina
    from lamina.data.splits import split_dataset
    from lamina.keras import keras
    from lamina.training import EpochStarted
    from lamina.training.determinism import seeded_run

    class EpochStarts(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.starts = []

        def on_epoch_begin(self, epoch, logs=None):
            self.starts.append(time.perf_counter())

    def middle(starts: list[float]) -> list[float]:
        return list(np.diff(starts)[1:])

    cases = [
        ("course MLP on digits", course_spec(epochs), lamina.load_data("digits"), 0.75),
        ("LeNet on 64x64 galaxies", lenet_spec(epochs), lamina.load_data("galaxies"), 0.9),
    ]
    for title, spec, ds, target in cases:
        parts = split_dataset(ds, validation=0.2, test=0.1, seed=0, stratify=True)

        def bare(spec=spec, parts=parts) -> list[float]:
            keras.backend.clear_session()
            gc.collect()
            with seeded_run(0):
                model = lamina.build_model(spec)
                timer = EpochStarts()
                model.fit(
                    parts.train.x,
                    parts.train.y,
                    validation_data=(parts.validation.x, parts.validation.y),
                    batch_size=32,
                    epochs=epochs,
                    verbose=0,
                    callbacks=[timer],
                )
            return middle(timer.starts)

        def via_lamina(spec=spec, ds=ds) -> list[float]:
            starts: list[float] = []

            def on_event(event) -> None:
                if isinstance(event, EpochStarted):
                    starts.append(time.perf_counter())

            result = lamina.train(spec, data=ds, on_event=on_event)
            assert result.status == "finished", result.reason
            return middle(starts)

        print(f"\n{title}: {repeats} repeats x {epochs - 2} epochs per way (ms per epoch)")
        got = interleave({"lamina": via_lamina, "bare fit": bare}, repeats)
        ratio = statistics.median(got["lamina"]) / statistics.median(got["bare fit"])
        verdict = "met" if ratio <= target else "NOT met"
        print(
            f"{title}: median epoch lamina {statistics.median(got['lamina']) * 1000:.1f} ms, "
            f"bare fit {statistics.median(got['bare fit']) * 1000:.1f} ms; "
            f"ratio {ratio:.3f} (target <= {target}: {verdict})"
        )


def job_bench(repeats: int) -> None:
    import lamina
    from lamina.keras import keras

    spec = course_spec(20)

    def via_lamina() -> float:
        t0 = time.perf_counter()
        result = lamina.train(spec, data="digits")
        assert result.status == "finished" and "accuracy" in result.metrics
        return time.perf_counter() - t0

    def bare() -> float:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        t0 = time.perf_counter()
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        digits = load_digits()
        x = (digits.images / 16.0).astype("float32")[..., None]
        y = digits.target
        x_rest, x_test, y_rest, y_test = train_test_split(
            x, y, test_size=0.1, random_state=0, stratify=y
        )
        x_train, x_val, y_train, y_val = train_test_split(
            x_rest, y_rest, test_size=0.2 / 0.9, random_state=0, stratify=y_rest
        )
        model = keras.Sequential(
            [
                keras.layers.Input((8, 8, 1)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(
            x_train, y_train, validation_data=(x_val, y_val), epochs=20, batch_size=32, verbose=0
        )
        model.evaluate(x_test, y_test, verbose=0)
        return time.perf_counter() - t0

    print(f"\nwhole job (course MLP, digits, 20 epochs, test evaluation): {repeats} repeats")
    got = interleave({"lamina": via_lamina, "bare script": bare}, repeats)
    ratio = statistics.median(got["lamina"]) / statistics.median(got["bare script"])
    verdict = "met" if ratio <= 1.0 else "NOT met"
    print(
        f"whole job: median lamina {statistics.median(got['lamina']):.2f} s, bare script "
        f"{statistics.median(got['bare script']):.2f} s; ratio {ratio:.3f} "
        f"(target <= 1.0: {verdict})"
    )


def cli_bench(repeats: int) -> None:
    cpu: dict[str, list[float]] = {}

    def timed(cmd: list[str]) -> Callable[[], float]:
        name = " ".join(cmd[2:])

        def run() -> float:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            cpu.setdefault(name, []).append(used)
            return wall

        return run

    py = sys.executable
    ways = {
        "lamina catalog": timed([py, "-m", "lamina", "catalog"]),
        "lamina plugins": timed([py, "-m", "lamina", "plugins"]),
        "lamina catalog Conv2D": timed([py, "-m", "lamina", "catalog", "Conv2D"]),
        "python -c pass": timed([py, "-c", "pass"]),
        "import tensorflow": timed([py, "-c", "import tensorflow"]),
    }
    print(f"\nCLI with a warm catalogue cache: {repeats} repeats (wall seconds)")
    for name in ("lamina catalog", "lamina plugins"):  # the cache, then the drawn tables
        ways[name]()
    got = interleave(ways, repeats)  # its warm-up run is from the warm caches
    for (name, values), used in zip(got.items(), cpu.values(), strict=True):
        target = " (target <= 0.5 s)" if name.startswith("lamina") else ""
        print(
            f"  {name:22s} median {statistics.median(values):.3f} s wall, "
            f"{statistics.median(used[-repeats:]):.3f} s CPU (user + system){target}"
        )


def gpu_note() -> None:
    from lamina.keras import tf

    if not tf.config.list_physical_devices("GPU"):
        print("\nGPU figures (XLA, mixed precision): skipped, no GPU on this machine")
        return
    print("\nGPU present: compare `jit_compile` and `mixed_precision` by hand with this bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["epochs", "job", "cli", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    if args.part in ("cli", "all"):
        cli_bench(args.repeats)
    if args.part in ("epochs", "all"):
        epoch_bench(args.repeats, args.epochs)
    if args.part in ("job", "all"):
        job_bench(args.repeats)
    if args.part in ("epochs", "job", "all"):
        gpu_note()
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
