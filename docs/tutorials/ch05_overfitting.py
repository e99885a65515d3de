"""Chapter 5: over-fitting and its remedies.

A network far too big for 120 noisy points of the `moons` data set learns the training
set by heart, noise included: its training loss goes to zero while its validation loss
climbs. Each remedy (dropout, L1 / L2 / elastic-net weight penalties, early stopping,
batch normalization, data augmentation by input noise) is one change to the spec; we
compare the gap between the validation and training cross-entropy of the trained model
with the baseline's.

Run from the repository root (writes docs/tutorials/img/ch05_*.png)::

    .venv/bin/python docs/tutorials/ch05_overfitting.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"
QUICK = ("baseline", "dropout", "L2", "early stopping")


def remedies() -> dict[str, dict]:
    """Name -> layers (and extra training settings) of each variant of the same network."""
    import lamina

    def dense(**extra):
        return lamina.item("Dense", units=256, activation="relu", **extra)

    out = lamina.item("Dense", units=1, activation="sigmoid")

    def penalised(reg):
        return [dense(kernel_regularizer=reg), dense(kernel_regularizer=reg), out]

    plain = [dense(), dense(), out]
    drop = lamina.item("Dropout", rate=0.5)
    return {
        "baseline": {"layers": plain},
        "dropout": {"layers": [dense(), drop, dense(), drop, out]},
        "L2": {"layers": penalised({"l1": 0.0, "l2": 0.002})},
        "L1": {"layers": penalised({"l1": 0.0005, "l2": 0.0})},
        "elastic net": {"layers": penalised({"l1": 0.0002, "l2": 0.001})},
        "early stopping": {
            "layers": plain,
            "training": {"early_stopping": {"monitor": "val_loss", "patience": 10}},
        },
        "batch norm": {
            "layers": [dense(), "BatchNormalization", dense(), "BatchNormalization", out]
        },
        # tabular data: augment by jittering the inputs (new noise at every step)
        "augmentation": {"layers": [lamina.item("GaussianNoise", stddev=0.15), *plain]},
    }


def cross_entropy(run, part) -> float:
    """The data term of the loss (no penalty, no dropout) of the trained model on a split."""
    p = np.clip(run.predict(part.x)[:, 0], 1e-7, 1 - 1e-7)
    y = part.y.astype(float).ravel()
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the generalisation gap of each variant."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    epochs = 150 if quick else 400
    data = lamina.load_data("moons", params={"n": 120, "noise": 0.3, "seed": 1})
    variants = remedies()
    if quick:
        variants = {k: v for k, v in variants.items() if k in QUICK}
    results = {}
    for name, variant in variants.items():
        spec = lamina.make_spec(
            [2],
            variant["layers"],
            loss="binary_crossentropy",
            optimizer={"type": "Adam", "params": {"learning_rate": 0.01}},
            epochs=epochs,
            batch_size=64,
            validation_split=0.4,
            test_split=0.0,
            seed=0,
            **variant.get("training", {}),
        )
        run = lamina.train(spec, data=data)
        train_ce = cross_entropy(run, run.splits.train)
        val_ce = cross_entropy(run, run.splits.validation)
        results[name] = {
            "history": run.history,
            "train": train_ce,
            "validation": val_ce,
            "gap": val_ce - train_ce,
            "epochs": len(run.history["loss"]),
        }
        print(
            f"{name:15s} epochs {results[name]['epochs']:3d}  training CE {train_ce:.3f}"
            f"  validation CE {val_ce:.3f}  gap {val_ce - train_ce:.3f}"
        )

    names = list(results)
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig = Figure(figsize=(3.2 * cols, 2.7 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True)).ravel()
    for ax, name in zip(axes, names, strict=False):
        h = results[name]["history"]
        ax.plot(h["loss"], label="training")
        ax.plot(h["val_loss"], label="validation")
        ax.set_title(f"{name}: gap {results[name]['gap']:.2f}", fontsize=10)
        ax.set_xlabel("epoch")
        ax.set_yscale("log")
    for ax in axes[len(names) :]:
        ax.set_axis_off()
    axes[0].set_ylabel("loss")
    axes[0].legend()
    fig.savefig(out_dir / "ch05_curves.png", dpi=110)
    return {name: {k: v for k, v in r.items() if k != "history"} for name, r in results.items()}


if __name__ == "__main__":
    main()
