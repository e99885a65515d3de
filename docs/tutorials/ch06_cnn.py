"""Chapter 6: convolutional networks.

Convolution and pooling arithmetic on tiny examples (output size, strides, dilation,
padding) checked three ways: the formula, `lamina.check` and numpy; then a small CNN
trained on the synthetic galaxy images and on the handwritten digits.

Run from the repository root (writes docs/tutorials/img/ch06_*.png)::

    .venv/bin/python docs/tutorials/ch06_cnn.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"

#: (input size, kernel, stride, dilation, padding)
CASES = [
    (7, 3, 1, 1, "valid"),
    (7, 3, 2, 1, "valid"),
    (8, 3, 2, 1, "valid"),
    (9, 3, 1, 2, "valid"),
    (7, 3, 1, 1, "same"),
    (7, 3, 2, 1, "same"),
    (28, 5, 1, 1, "valid"),
    (64, 5, 3, 1, "valid"),
]


def conv_output_size(n: int, k: int, s: int = 1, d: int = 1, padding: str = "valid") -> int:
    """Output length of a convolution: (n - d(k - 1) - 1) // s + 1, or ceil(n / s) if 'same'."""
    if padding == "same":
        return -(-n // s)
    return (n - d * (k - 1) - 1) // s + 1


def conv2d_numpy(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """'valid' 2-D cross-correlation (what deep-learning libraries call convolution)."""
    k = w.shape[0]
    n = x.shape[0] - k + 1
    return np.array([[np.sum(x[i : i + k, j : j + k] * w) for j in range(n)] for i in range(n)])


def pool_numpy(x: np.ndarray, size: int, how: str) -> np.ndarray:
    """Non-overlapping pooling of a square image."""
    n = x.shape[0] // size
    blocks = x[: n * size, : n * size].reshape(n, size, n, size)
    return blocks.max(axis=(1, 3)) if how == "max" else blocks.sum(axis=(1, 3))


def arithmetic() -> dict:
    """Compares output sizes from the formula and from `lamina.check`, and the values of a
    Keras convolution and pooling with numpy's; returns the largest differences."""
    import lamina

    rows = []
    for n, k, s, d, padding in CASES:
        spec = lamina.make_spec(
            [n, n, 1],
            [
                lamina.item(
                    "Conv2D", filters=1, kernel_size=k, strides=s, dilation_rate=d, padding=padding
                )
            ],
            loss="mean_squared_error",
        )
        checked = lamina.check(spec).to_dict()["items"][0]["output_shape"][0]
        rows.append((n, k, s, d, padding, conv_output_size(n, k, s, d, padding), checked))
    x = np.arange(25, dtype="float32").reshape(5, 5) % 7
    w = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype="float32")  # a Sobel filter
    spec = lamina.make_spec(
        [5, 5, 1],
        [lamina.item("Conv2D", filters=1, kernel_size=3, use_bias=False)],
        loss="mean_squared_error",
    )
    model = lamina.build_model(spec)
    model.layers[-1].set_weights([w[:, :, None, None]])
    keras_conv = model.predict(x[None, :, :, None], verbose=0)[0, :, :, 0]
    numpy_conv = conv2d_numpy(x, w)
    img = np.arange(16, dtype="float32").reshape(4, 4) % 5
    pools = {}
    for how, layer in (("max", "MaxPooling2D"), ("sum", "SumPooling2D")):
        model = lamina.build_model(
            lamina.make_spec(
                [4, 4, 1], [lamina.item(layer, pool_size=2)], loss="mean_squared_error"
            )
        )
        pools[how] = (
            model.predict(img[None, :, :, None], verbose=0)[0, :, :, 0],
            pool_numpy(img, 2, how),
        )
    return {
        "rows": rows,
        "x": x,
        "w": w,
        "conv": numpy_conv,
        "conv_error": float(np.max(np.abs(keras_conv - numpy_conv))),
        "pool_image": img,
        "pools": pools,
        "pool_error": float(max(np.max(np.abs(a - b)) for a, b in pools.values())),
        "size_mismatches": sum(r[5] != r[6] for r in rows),
    }


def cnn_spec(shape: list[int], n_classes: int, epochs: int, filters: tuple[int, int]):
    import lamina

    return lamina.make_spec(
        shape,
        [
            lamina.item(
                "Conv2D", filters=filters[0], kernel_size=3, padding="same", activation="relu"
            ),
            lamina.item("MaxPooling2D", pool_size=2),
            lamina.item(
                "Conv2D", filters=filters[1], kernel_size=3, padding="same", activation="relu"
            ),
            lamina.item("MaxPooling2D", pool_size=2),
            "Flatten",
            lamina.item("Dense", units=32, activation="relu"),
            lamina.item("Dense", units=n_classes, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": 0.003}},
        metrics=["accuracy"],
        epochs=epochs,
        batch_size=32,
        validation_split=0.15,
        test_split=0.2,
        seed=0,
    )


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the arithmetic checks and the test accuracies."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    a = arithmetic()
    print(" n  k  s  d  padding  formula  lamina.check")
    for n, k, s, d, padding, formula, checked in a["rows"]:
        print(f"{n:2d} {k:2d} {s:2d} {d:2d}  {padding:7s}  {formula:7d}  {checked:12d}")
    print(
        f"|Keras conv - numpy conv| max = {a['conv_error']:.2e};"
        f" |Keras pool - numpy pool| max = {a['pool_error']:.2e}"
    )

    fig = Figure(figsize=(11, 2.8), layout="constrained")
    axes = fig.subplots(1, 5)
    panels = [
        (a["x"], "input 5×5"),
        (a["w"], "kernel 3×3 (Sobel)"),
        (a["conv"], "output 3×3 = 5 − 3 + 1"),
        (a["pool_image"], "image 4×4"),
        (a["pools"]["max"][1], "2×2 max pooling"),
    ]
    for ax, (m, title) in zip(axes, panels, strict=True):
        ax.imshow(m, cmap="coolwarm" if m is a["w"] or m is a["conv"] else "viridis")
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=8, color="k")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.savefig(out_dir / "ch06_arithmetic.png", dpi=110)

    runs = {}
    galaxies = lamina.load_data("galaxies", params={"n": 300 if quick else 1200, "size": 32})
    runs["galaxies"] = lamina.train(
        cnn_spec([32, 32, 1], 3, 6 if quick else 20, (8, 16) if quick else (16, 32)), data=galaxies
    )
    digits = lamina.load_data("digits", params={"n": 600 if quick else 1797})
    runs["digits"] = lamina.train(
        cnn_spec([8, 8, 1], 10, 6 if quick else 30, (8, 16) if quick else (16, 32)), data=digits
    )
    accuracy = {k: float(r.metrics["accuracy"]) for k, r in runs.items()}
    for name, acc in accuracy.items():
        print(f"{name}: test accuracy {acc:.3f} after {runs[name].epochs_run} epochs")

    fig = Figure(figsize=(11, 3.2), layout="constrained")
    axes = fig.subplots(1, 5, width_ratios=[1, 1, 1, 2.2, 2.2])
    for ax, c in zip(axes[:3], range(3), strict=True):
        i = int(np.flatnonzero(galaxies.y == c)[0])
        ax.imshow(galaxies.x[i, :, :, 0], cmap="gray")
        ax.set_title(galaxies.class_names[c], fontsize=9)
        ax.set_axis_off()
    for ax, (name, run) in zip(axes[3:], runs.items(), strict=True):
        ax.plot(run.history["accuracy"], label="training")
        ax.plot(run.history["val_accuracy"], label="validation")
        ax.set_title(f"{name}: test accuracy {accuracy[name]:.2f}", fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylim(0, 1.02)
    axes[3].legend(fontsize=8)
    fig.savefig(out_dir / "ch06_training.png", dpi=110)
    return {
        "size_mismatches": a["size_mismatches"],
        "conv_error": a["conv_error"],
        "pool_error": a["pool_error"],
        "accuracy": accuracy,
    }


if __name__ == "__main__":
    main()
