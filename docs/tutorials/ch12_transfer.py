"""Chapter 12: transfer learning.

Trains a small CNN on synthetic galaxy images (elliptical / spiral / merger), saves it as
a lamina project, loads the run back, and reuses its convolutional layers for another
task with few labelled images: telling elliptical from spiral galaxies (two classes
instead of three) in noisier images with a broader point-spread function, as from
another survey. Three ways are compared on the same small training set: training from
scratch, transferred convolutions kept frozen (only the new head learns), and
transferred convolutions fine-tuned. No download: the "pre-training" is ours.

Run from the repository root (writes docs/tutorials/img/ch12_*.png)::

    .venv/bin/python docs/tutorials/ch12_transfer.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"
SIZE = 32


def features(trainable: bool = True) -> list[dict]:
    """The convolutional part, with fixed names so that weights can be matched by name."""
    import lamina

    return [
        lamina.item(
            "Conv2D",
            name="conv1",
            trainable=trainable,
            filters=16,
            kernel_size=3,
            padding="same",
            activation="relu",
        ),
        lamina.item("MaxPooling2D", pool_size=2),
        lamina.item(
            "Conv2D",
            name="conv2",
            trainable=trainable,
            filters=32,
            kernel_size=3,
            padding="same",
            activation="relu",
        ),
        lamina.item("MaxPooling2D", pool_size=2),
        lamina.item("GlobalMaxPooling2D"),
    ]


def head(n_classes: int) -> list[dict]:
    import lamina

    return [
        lamina.item("Dense", name="hidden", units=32, activation="relu"),
        lamina.item("Dense", name="out", units=n_classes, activation="softmax"),
    ]


def spec_for(n_classes: int, trainable: bool = True, epochs: int = 10, lr: float = 0.003):
    import lamina

    return lamina.make_spec(
        [SIZE, SIZE, 1],
        features(trainable) + head(n_classes),
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": lr}},
        metrics=["accuracy"],
        epochs=epochs,
        batch_size=32,
        validation_split=0.15,
        test_split=0.15,
        seed=0,
    )


def main(quick: bool = False, out_dir: Path = IMG, project: Path | None = None) -> dict:
    """Runs the chapter; returns the source accuracy and the target accuracies."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina
    from lamina.keras import keras

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = None
    if project is None:
        tmp = tempfile.TemporaryDirectory()
        project = Path(tmp.name) / "galaxies-project"

    # 1. pre-train on galaxies and save the run in a project
    galaxies = lamina.load_data("galaxies", params={"n": 300 if quick else 1500, "size": SIZE})
    source = lamina.train(spec_for(3, epochs=6 if quick else 25), data=galaxies, project=project)
    source_acc = float(source.metrics["accuracy"])
    print(f"source task (galaxies): test accuracy {source_acc:.3f}, saved in {source.path}")

    # 2. load it back, as a later session would
    run = lamina.load_run(source.path)
    pretrained = run.model()
    transferred = {name: pretrained.get_layer(name).get_weights() for name in ("conv1", "conv2")}

    # 3. the new task, with a small training set and a large test set
    n_train = 10
    survey = {"n": 3 * (n_train + 300) // 2, "size": SIZE, "seed": 7, "noise": 0.1, "psf_fwhm": 3.0}
    target = lamina.load_data("galaxies", params=survey)
    keep = target.y != target.class_names.index("merger")
    x, y = target.x[keep], target.y[keep].astype("int64")
    names = [target.class_names[0], target.class_names[1]]
    x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    epochs = 40 if quick else 60
    results, trainable = {}, {}
    for variant in ("from scratch", "frozen", "fine-tuned"):
        keras.utils.set_random_seed(1)
        spec = spec_for(2, trainable=variant != "frozen", lr=0.003)
        model = lamina.build_model(spec)
        if variant != "from scratch":
            for name, weights in transferred.items():
                model.get_layer(name).set_weights(weights)
        model.fit(x_train, y_train, epochs=epochs, batch_size=8, verbose=0)
        results[variant] = float(model.evaluate(x_test, y_test, verbose=0)[1])
        trainable[variant] = int(sum(np.prod(w.shape) for w in model.trainable_weights))
        print(
            f"{variant:12s}: {trainable[variant]:5d} trainable weights, test accuracy"
            f" {results[variant]:.3f} ({n_train} training images)"
        )

    fig = Figure(figsize=(11, 3.3), layout="constrained")
    axes = fig.subplots(1, 5, width_ratios=[1, 1, 1, 1, 3.5])
    for ax, (title, img) in zip(
        axes[:4],
        [
            (galaxies.class_names[int(galaxies.y[0])], galaxies.x[0]),
            (galaxies.class_names[int(galaxies.y[1])], galaxies.x[1]),
            (f"new survey: {names[0]}", x[np.flatnonzero(y == 0)[0]]),
            (f"new survey: {names[1]}", x[np.flatnonzero(y == 1)[0]]),
        ],
        strict=True,
    ):
        ax.imshow(img[:, :, 0], cmap="gray")
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
    labels = [f"{v}\n{trainable[v]} trained" for v in results]
    bars = axes[4].bar(labels, list(results.values()), color=["0.6", "tab:blue", "tab:orange"])
    axes[4].bar_label(bars, fmt="%.3f")
    axes[4].set_ylim(0.5, 1.0)
    axes[4].set_ylabel(f"test accuracy ({len(y_test)} images)")
    axes[4].set_title(f"elliptical or spiral, {n_train} training images")
    fig.savefig(out_dir / "ch12_transfer.png", dpi=110)
    if tmp is not None:
        tmp.cleanup()
    return {
        "source_accuracy": source_acc,
        "target_accuracy": results,
        "trainable": trainable,
        "n_train": n_train,
    }


if __name__ == "__main__":
    main()
