"""Chapter 2: activation functions and universal approximation.

Plots the activation functions of lamina's catalogue, then fits a 1-D function with one
hidden layer of growing width (1, 4, 16, 64 tanh units): the error falls with the width.

Run from the repository root (writes docs/tutorials/img/ch02_*.png)::

    .venv/bin/python docs/tutorials/ch02_universal_approximation.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"
WIDTHS = (1, 4, 16, 64)
ACTIVATIONS = ("sigmoid", "tanh", "relu", "elu", "softplus", "gelu", "swish", "selu")


def target(x: np.ndarray) -> np.ndarray:
    """The function to approximate: a wiggle on a slope."""
    return np.sin(3 * x) + 0.3 * x


def fit(width: int, x: np.ndarray, y: np.ndarray, steps: int, decay: float = 0.05, seed: int = 0):
    """Fits Dense(width, tanh) -> Dense(1) with full-batch Adam; returns the model."""
    import lamina
    from lamina.keras import keras

    keras.utils.set_random_seed(seed)
    spec = lamina.make_spec(
        [1],
        [
            lamina.item("Dense", units=width, activation="tanh"),
            lamina.item("Dense", units=1),
        ],
        loss="mean_squared_error",
        optimizer={
            "type": "Adam",
            "params": {
                # decays from 0.02 by a factor `decay` over the run: fast start, quiet finish
                "learning_rate": {
                    "type": "ExponentialDecay",
                    "params": {
                        "initial_learning_rate": 0.02,
                        "decay_steps": steps,
                        "decay_rate": decay,
                    },
                }
            },
        },
    )
    model = lamina.build_model(spec)
    # one epoch of `steps` full-batch updates: cheaper than `steps` epochs
    data = np.repeat(x[None], steps, axis=0).reshape(-1, 1)
    model.fit(data, np.tile(y, steps), batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    return model


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the test MSE per hidden-layer width."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    registry = lamina.get_registry()

    # the activation functions, straight from the catalogue
    z = np.linspace(-4, 4, 401).astype("float32")
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.subplots()
    for name in ACTIVATIONS:
        fn = registry.get("activation", name).obj
        ax.plot(z, np.asarray(fn(z[None]))[0], label=name)
    ax.set_ylim(-1.5, 4)
    ax.axhline(0, color="k", lw=0.5)
    ax.legend(ncol=2, fontsize=8)
    ax.set_xlabel("z")
    ax.set_title("activation functions of the catalogue")
    fig.savefig(out_dir / "ch02_activations.png", dpi=110)

    rng = np.random.default_rng(0)
    n = 64 if quick else 512
    steps = 250 if quick else 3000
    decay = 0.5 if quick else 0.05  # learning rate at the end / at the start
    x = rng.uniform(-2, 2, n).astype("float32")
    y = target(x).astype("float32")
    x_test = np.linspace(-2, 2, 400).astype("float32")
    y_test = target(x_test)
    errors, curves = {}, {}
    for width in WIDTHS:
        model = fit(width, x, y, steps, decay)
        pred = model.predict(x_test[:, None], verbose=0)[:, 0]
        errors[width] = float(np.mean((pred - y_test) ** 2))
        curves[width] = pred
        print(f"width {width:3d}: test MSE {errors[width]:.5f}")

    fig = Figure(figsize=(10, 3.8), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    ax.plot(x_test, y_test, "k", lw=3, alpha=0.3, label="sin(3x) + 0.3x")
    for width in WIDTHS:
        ax.plot(x_test, curves[width], label=f"{width} hidden units")
    ax.legend(fontsize=8)
    ax.set_xlabel("x")
    ax.set_title("one hidden layer of tanh units")
    bx.loglog(list(errors), list(errors.values()), "o-")
    bx.set_xlabel("hidden units")
    bx.set_ylabel("test MSE")
    bx.set_title("error vs width")
    fig.savefig(out_dir / "ch02_width.png", dpi=110)
    return {"errors": errors}


if __name__ == "__main__":
    main()
