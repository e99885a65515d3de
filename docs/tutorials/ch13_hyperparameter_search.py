"""Chapter 13: hyperparameter search (Keras Tuner's ``hp`` in lamina, grid vs random, pruning).

Three experiments on scikit-learn's 8x8 digits, each a `lamina.search` (Optuna underneath;
every trial is a run of the project):

1. the lecture's Keras Tuner example, written with ``hp.Int`` / ``hp.Choice``;
2. grid vs random search on the same budget of trials, where only one of the two
   parameters (the learning rate) matters and the other (a small dropout) hardly does:
   the grid tries only 2 learning rates, random search tries as many as it has trials;
3. pruning: the same random search with and without Hyperband; pruned trials stop after
   an epoch or two, and the search trains fewer epochs.

Run from the repository root (writes docs/tutorials/img/ch13_*.png)::

    .venv/bin/python docs/tutorials/ch13_hyperparameter_search.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

IMG = Path(__file__).resolve().parent / "img"


def build(hp):
    """The lecture's model: units and learning rate chosen by the tuner."""
    import lamina

    units = hp.Int("units", min_value=32, max_value=512, step=32)
    learning_rate = hp.Choice("learning_rate", values=[1e-2, 1e-3, 1e-4])
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=units, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": learning_rate}},
        metrics=["accuracy"],
    )


def mlp(epochs: int, dropout: float = 0.0):
    """The course MLP with a dropout layer (the parameter that hardly matters here).

    Also the model of ``bench/bench_search.py``.
    """
    import lamina

    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=64, activation="relu"),
            lamina.item("Dropout", rate=dropout),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=epochs,
        batch_size=32,
    )


#: Grid: 2 values of each parameter, the ends of each range.
GRID = {"compile.optimizer.params.learning_rate": [1e-3, 3.0], "rate": [0.0, 0.05]}
#: Random search: the same ranges, continuous.
RANDOM = {
    "compile.optimizer.params.learning_rate": {"low": 1e-3, "high": 3.0, "log": True},
    "rate": {"low": 0.0, "high": 0.05},
}


def value(row: dict) -> float:
    """A trial's validation loss (infinite for a failed trial: a diverged learning rate)."""
    return row["values"][0] if row["values"] else float("inf")


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the key numbers (checked by the tests in quick mode)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n, epochs = (400, 3) if quick else (1797, 10)
    data = lamina.load_data("digits", params={"n": n})
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "search-project"

        # 1. Keras Tuner's example with hp.*
        tuner = lamina.search(
            build, data=data, project=project, name="keras-tuner", trials=3 if quick else 12,
            sampler="random", seed=0, epochs=epochs, objective="val_accuracy",
        )  # fmt: skip
        best = tuner.best_trials()[0]
        out["tuner_best"] = {"params": best.params, "val_accuracy": best.value}
        print("Keras-Tuner-style search, best:", best.params, f"val_accuracy {best.value:.3f}")

        # 2. grid vs random on the same budget (4 trials)
        searches = {}
        for sampler, space in (("grid", GRID), ("random", RANDOM)):
            result = lamina.search(
                mlp(epochs), space, data=data, project=project, name=sampler, trials=4,
                sampler=sampler, seed=1,
            )  # fmt: skip
            searches[sampler] = result.table()
            best_row = min(searches[sampler], key=value)
            out[sampler] = {
                "best_val_loss": value(best_row),
                "learning_rates": sorted(
                    {
                        r["params"]["compile.optimizer.params.learning_rate"]
                        for r in searches[sampler]
                    }
                ),
            }
            print(f"{sampler:6s}: best val_loss {value(best_row):.3f} with",
                  best_row["params"])  # fmt: skip

        # 3. pruning
        prune_epochs = 4 if quick else 12
        trials = 6 if quick else 16
        pruning = {}
        for pruner in ("none", "hyperband"):
            t0 = time.perf_counter()
            result = lamina.search(
                mlp(prune_epochs), RANDOM, data=data, project=project, name=f"prune-{pruner}",
                trials=trials, sampler="random", seed=2, pruner=pruner,
            )  # fmt: skip
            rows = result.table()
            pruning[pruner] = {
                "seconds": time.perf_counter() - t0,
                "epochs": sum(r["epochs"] or 0 for r in rows),
                "pruned": sum(r["state"] == "pruned" for r in rows),
                "best": min(r["values"][0] for r in rows if r["state"] == "complete"),
                "curves": [
                    (r["state"], lamina.load_project(project).run(r["run_id"]).history["val_loss"])
                    for r in rows
                ],
            }
            print(f"pruner {pruner:9s}: {pruning[pruner]['epochs']} epochs, "
                  f"{pruning[pruner]['pruned']} pruned, {pruning[pruner]['seconds']:.0f} s, "
                  f"best val_loss {pruning[pruner]['best']:.3f}")  # fmt: skip
        out["pruning"] = {
            k: {kk: vv for kk, vv in v.items() if kk != "curves"} for k, v in pruning.items()
        }
        from lamina.hpsearch.results import save_plots

        save_plots(tuner.study, out_dir, which=("history",))
        (out_dir / "keras-tuner-history.png").replace(out_dir / "ch13_history.png")

    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for sampler, marker in (("grid", "s"), ("random", "o")):
        rows = searches[sampler]
        ax1.scatter(
            [r["params"]["compile.optimizer.params.learning_rate"] for r in rows],
            [min(value(r), 10.0) for r in rows],
            marker=marker, s=60, label=f"{sampler} (best {out[sampler]['best_val_loss']:.2f})",
        )  # fmt: skip
    ax1.set_xscale("log")
    ax1.set_xlabel("learning rate (the parameter that matters)")
    ax1.set_ylabel("validation loss (failed: 10)")
    ax1.set_title("4 trials each: grid tries 2 learning rates, random 4")
    ax1.legend()
    for state, curve in pruning["hyperband"]["curves"]:
        style = {"color": "tab:red", "alpha": 0.8} if state == "pruned" else {"color": "tab:blue"}
        ax2.plot(range(1, len(curve) + 1), curve, marker=".", **style)
    ax2.set_yscale("log")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("validation loss")
    hb, none = pruning["hyperband"], pruning["none"]
    ax2.set_title(
        f"Hyperband: {hb['pruned']} pruned (red), {hb['epochs']} vs {none['epochs']} epochs"
    )
    fig.savefig(out_dir / "ch13_grid_random_pruning.png", dpi=110)
    return out


if __name__ == "__main__":
    main()
