"""Hyperparameter search: what pruning saves, memory over many trials, lamina's cost per trial.

Run: ``.venv/bin/python bench/bench_search.py [pruning|memory|overhead|all]``.

- ``pruning``: a 12-trial random search of the course MLP on digits (learning rate over
  five decades, units), 8 epochs a trial, with Hyperband and without pruning, same seed;
  prints each search's wall time, epochs trained, pruned trials and the ratio
  Hyperband / none (target: < 1).
- ``memory``: 30 trials in one worker (this process); prints its resident memory after
  the first trial and after the last, and the growth (target: <= 150 MB).
- ``overhead``: per-trial wall time of `lamina.hpsearch.run_search` against a bare Optuna
  loop on the same budget, ``--repeats`` times, the order of the two sides alternating
  from one repeat to the next; prints the median ratio lamina / bare (target: <= 1.05).
  Both sides use the same sampler and seed (so the same trials), the same data (all
  1797 digits, same validation part), epochs and batch size, and both are warmed up
  once before timing (TensorFlow's first graph for the bare loop; lamina's catalogue
  and plug-ins, loaded once per process, for lamina).
  The bare loop per trial: suggest the two values, ``clear_session``, build the tf_keras
  model, compile, ``model.fit`` on NumPy arrays with ``validation_data``, return the
  best ``val_loss``. Nothing is saved.
  lamina per trial: a full run of the project, as every search trial is: the trial's
  spec checked, the model built and checked against the data, the data split and
  standardised (the data set itself is loaded once per search), ``fit`` with lamina's
  callbacks (early stopping, best weights, learning-rate plateaus, NaN stop, events
  feeding the pruner), the test part evaluated, and the run folder written (spec,
  weights, history, metrics, run.json, TensorBoard records), the trial told to the
  study's journal file in the project. Between trials lamina frees the model (Keras
  session, garbage collection), with the process's long-lived objects hidden from the
  collector (`lamina.hpsearch.run.long_lived_objects_frozen`); the bare loop only
  clears the Keras session.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

SPACE = {
    "units": {"low": 16, "high": 256, "log": True},
    "compile.optimizer.params.learning_rate": {"low": 1e-5, "high": 1e-0, "log": True},
}


def mlp(epochs: int):
    """The course MLP of the tutorial's chapter 13, with a dropout of 0.1."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "docs/tutorials/ch13_hyperparameter_search.py"
    module_spec = importlib.util.spec_from_file_location("ch13_hyperparameter_search", path)
    assert module_spec is not None and module_spec.loader is not None
    chapter = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(chapter)
    return chapter.mlp(epochs, dropout=0.1)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def search(name: str, trials: int, epochs: int, pruner: str, n: int, project: Path, **kw):
    from lamina.hpsearch import SearchSettings, run_search

    settings = SearchSettings(
        name=name, trials=trials, sampler="random", seed=0, pruner=pruner, **kw
    )
    t0 = time.perf_counter()
    result = run_search(
        mlp(epochs), SPACE, settings, project=project, data="digits", data_params={"n": n}
    )
    return result, time.perf_counter() - t0


def bench_pruning(tmp: Path) -> None:
    print("== pruning: 12 trials, 8 epochs each, digits n=900")
    seconds = {}
    for pruner in ("none", "hyperband"):
        result, seconds[pruner] = search(f"p-{pruner}", 12, 8, pruner, 900, tmp / pruner)
        rows = result.table()
        epochs = sum(r["epochs"] or 0 for r in rows)
        pruned = sum(r["state"] == "pruned" for r in rows)
        best = min(r["values"][0] for r in rows if r["state"] == "complete")
        print(
            f"{pruner:9s}: {seconds[pruner]:6.1f} s, {epochs:3d} epochs trained, "
            f"{pruned:2d} pruned, best val_loss {best:.4f}"
        )
    print(f"wall time hyperband / none: {seconds['hyperband'] / seconds['none']:.2f}")


def bench_memory(tmp: Path, trials: int = 30) -> None:
    from lamina.hpsearch import TrialFinished

    print(f"== memory: {trials} trials in one worker")
    marks: list[float] = []

    def on_event(event) -> None:
        if isinstance(event, TrialFinished):
            marks.append(rss_mb())

    from lamina.hpsearch import SearchSettings, run_search

    settings = SearchSettings(name="mem", trials=trials, sampler="random", seed=0)
    run_search(mlp(2), SPACE, settings, project=tmp / "mem", data="digits",
               data_params={"n": 400}, on_event=on_event)  # fmt: skip
    print("RSS after trials 1, 10, 20, 30:", [f"{marks[i]:.0f} MB" for i in (0, 9, 19, -1)])
    print(f"growth after the first trial: {marks[-1] - marks[0]:.1f} MB (target <= 150)")


def bare_loop(trials: int, epochs: int, n: int) -> float:
    """A bare Optuna loop: the same trials, a tf_keras model and ``model.fit`` each."""
    import numpy as np
    import optuna
    from sklearn.datasets import load_digits

    from lamina.keras import keras

    d = load_digits()
    x, y = (d.images[:n] / 16.0)[..., None].astype("float32"), d.target[:n]
    rng = np.random.default_rng(0)
    order = rng.permutation(n)
    n_val, n_test = int(n * 0.2), int(n * 0.1)
    val, train = order[:n_val], order[n_val + n_test :]

    def objective(trial):
        units = trial.suggest_int("layers[1].params.units", 16, 256, log=True)
        lr = trial.suggest_float("compile.optimizer.params.learning_rate", 1e-5, 1.0, log=True)
        keras.backend.clear_session()
        model = keras.Sequential(
            [
                keras.layers.Input((8, 8, 1)),
                keras.layers.Flatten(),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dropout(0.1),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile(keras.optimizers.Adam(lr), "sparse_categorical_crossentropy", ["accuracy"])
        h = model.fit(x[train], y[train], validation_data=(x[val], y[val]), epochs=epochs,
                      batch_size=32, verbose=0)  # fmt: skip
        return min(h.history["val_loss"])

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    return time.perf_counter() - t0


def bench_overhead(tmp: Path, repeats: int, trials: int = 6, epochs: int = 10) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    n = 1797
    print(f"== overhead: {trials} trials of {epochs} epochs on all {n} digits, {repeats} repeats")
    bare_loop(1, 1, 200)  # warm up TensorFlow
    search("warm-up", 1, 1, "none", 200, tmp / "warm-up")  # lamina's catalogue and plug-ins
    ratios = []
    for r in range(repeats):
        if r % 2 == 0:
            bare = bare_loop(trials, epochs, n)
            _, lam = search(f"o{r}", trials, epochs, "none", n, tmp / f"o{r}")
        else:
            _, lam = search(f"o{r}", trials, epochs, "none", n, tmp / f"o{r}")
            bare = bare_loop(trials, epochs, n)
        ratios.append(lam / bare)
        print(f"repeat {r}: bare {bare / trials:.2f} s/trial, lamina {lam / trials:.2f} s/trial, "
              f"ratio {lam / bare:.3f}")  # fmt: skip
    print(
        f"median ratio lamina / bare Optuna loop: {statistics.median(ratios):.3f} (target <= 1.05)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", default="all",
                        choices=["pruning", "memory", "overhead", "all"])  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        if args.which in ("pruning", "all"):
            bench_pruning(Path(tmp))
        if args.which in ("memory", "all"):
            bench_memory(Path(tmp))
        if args.which in ("overhead", "all"):
            bench_overhead(Path(tmp), args.repeats)


if __name__ == "__main__":
    main()
