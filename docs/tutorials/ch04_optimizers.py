"""Chapter 4: optimizers side by side, and mini-batch vs full batch.

Trains the same small network on the `moons` data set from the same initial weights
with SGD, SGD with momentum, AdaGrad, RMSprop and Adam, and compares their loss
curves; then compares full-batch and mini-batch gradient descent for the same number of
epochs.

Run from the repository root (writes docs/tutorials/img/ch04_*.png)::

    .venv/bin/python docs/tutorials/ch04_optimizers.py
"""

from __future__ import annotations

from pathlib import Path

IMG = Path(__file__).resolve().parent / "img"
OPTIMIZERS = {
    "SGD": {"type": "SGD", "params": {"learning_rate": 0.05}},
    "momentum": {"type": "SGD", "params": {"learning_rate": 0.05, "momentum": 0.9}},
    "AdaGrad": {"type": "Adagrad", "params": {"learning_rate": 0.05}},
    "RMSprop": {"type": "RMSprop", "params": {"learning_rate": 0.005}},
    "Adam": {"type": "Adam", "params": {"learning_rate": 0.005}},
}


def make_spec(optimizer: dict):
    import lamina

    return lamina.make_spec(
        [2],
        [
            lamina.item("Dense", units=32, activation="tanh"),
            lamina.item("Dense", units=32, activation="tanh"),
            lamina.item("Dense", units=1, activation="sigmoid"),
        ],
        loss="binary_crossentropy",
        optimizer=optimizer,
    )


def train(optimizer: dict, x, y, epochs: int, batch_size: int, initial=None):
    """Trains from the given initial weights; returns (losses per epoch, weights)."""
    import lamina

    model = lamina.build_model(make_spec(optimizer))
    if initial is not None:
        model.set_weights(initial)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return history.history["loss"], model


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the final training loss of each optimizer and batch size."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina
    from lamina.keras import keras

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = lamina.load_data("moons", params={"n": 200 if quick else 1000, "noise": 0.1})
    x, y = ds.x.astype("float32"), ds.y.astype("float32")
    epochs = 12 if quick else 60
    keras.utils.set_random_seed(0)
    initial = lamina.build_model(make_spec(OPTIMIZERS["SGD"])).get_weights()
    curves = {}
    for name, opt in OPTIMIZERS.items():
        keras.utils.set_random_seed(1)
        curves[name], _ = train(opt, x, y, epochs, 32, initial)
        print(f"{name:9s} final training loss {curves[name][-1]:.4f}")

    # the same optimizer (plain SGD) with one update per epoch vs one per 16 samples
    batches = {}
    for batch_size in (len(x), 16):
        keras.utils.set_random_seed(1)
        batches[batch_size], _ = train(OPTIMIZERS["SGD"], x, y, epochs, batch_size, initial)
        print(f"batch size {batch_size:4d}: final training loss {batches[batch_size][-1]:.4f}")

    fig = Figure(figsize=(10, 3.8), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    for name, losses in curves.items():
        ax.plot(range(1, epochs + 1), losses, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (binary cross-entropy)")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("optimizers from the same initial weights")
    for batch_size, losses in batches.items():
        label = "full batch" if batch_size == len(x) else f"mini-batches of {batch_size}"
        bx.plot(range(1, epochs + 1), losses, label=label)
    bx.set_xlabel("epoch")
    bx.set_yscale("log")
    bx.legend()
    bx.set_title("SGD: full batch vs mini-batch")
    fig.savefig(out_dir / "ch04_optimizers.png", dpi=110)
    return {
        "final_loss": {k: float(v[-1]) for k, v in curves.items()},
        "full_batch": float(batches[len(x)][-1]),
        "mini_batch": float(batches[16][-1]),
    }


if __name__ == "__main__":
    main()
