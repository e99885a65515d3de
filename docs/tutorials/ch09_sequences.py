"""Chapter 9: sequences, with an LSTM and a small Transformer.

Classifies noisy sine waves of three frequencies (the `sequences` data set) with the
`lstm_classifier` and `transformer_classifier` templates, and shows the attention
weights of the Transformer's encoder block (`TransformerEncoder.attention_scores`).

Run from the repository root (writes docs/tutorials/img/ch09_*.png)::

    .venv/bin/python docs/tutorials/ch09_sequences.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"


def attention(model, x: np.ndarray) -> np.ndarray:
    """Attention weights of the first TransformerEncoder block for inputs `x`:
    shape (batch, heads, steps, steps)."""
    from lamina.keras import keras

    block = next(layer for layer in model.layers if type(layer).__name__ == "TransformerEncoder")
    upstream = keras.Model(model.inputs, block.input)  # the block's input: embedded steps
    return np.asarray(block.attention_scores(upstream(x, training=False)))


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the test accuracies and checks of the attention weights."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    length = 32 if quick else 50
    data = lamina.load_data(
        "sequences",
        params={
            "n": 300 if quick else 1000,
            "length": length,
            "task": "classification",
            "noise": 0.1,
        },
    )
    epochs = 8 if quick else 30
    common = {"input_shape": [length, 1], "n_classes": 3, "epochs": epochs, "learning_rate": 0.005}
    specs = {
        "LSTM": lamina.architecture("lstm_classifier", units=16 if quick else 32, **common),
        "Transformer": lamina.architecture(
            "transformer_classifier",
            d_model=16 if quick else 32,
            ff_dim=32 if quick else 64,
            key_dim=8 if quick else 16,
            dropout=0.0,
            **common,
        ),
    }
    runs, accuracy = {}, {}
    for name, spec in specs.items():
        runs[name] = lamina.train(spec, data=data, seed=0)
        accuracy[name] = float(runs[name].metrics["accuracy"])
        n_params = runs[name].model.count_params()
        print(f"{name:11s} {n_params:6d} weights, test accuracy {accuracy[name]:.3f}")

    x_test = runs["Transformer"].splits.test.x[:3]
    scores = attention(runs["Transformer"].model, x_test)
    row_sums = scores.sum(axis=-1)
    print(
        f"attention weights: shape {scores.shape}, rows sum to 1 within"
        f" {float(np.max(np.abs(row_sums - 1))):.1e}"
    )

    fig = Figure(figsize=(11, 3.4), layout="constrained")
    ax, bx, cx, dx = fig.subplots(1, 4, width_ratios=[1.6, 1.6, 1, 1])
    for c in range(3):
        i = int(np.flatnonzero(data.y == c)[0])
        ax.plot(data.x[i, :, 0] + 2.5 * c, label=data.class_names[c])
    ax.set_title("one sequence per class")
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="upper right")
    for name, run in runs.items():
        bx.plot(run.history["val_accuracy"], label=f"{name} ({accuracy[name]:.2f} test)")
    bx.set_xlabel("epoch")
    bx.set_title("validation accuracy")
    bx.legend(fontsize=8)
    for k, axis in enumerate((cx, dx)):
        axis.imshow(scores[0, min(k, scores.shape[1] - 1)], cmap="magma")
        axis.set_title(f"attention, head {k + 1}", fontsize=9)
        axis.set_xlabel("attended step")
    cx.set_ylabel("query step")
    fig.savefig(out_dir / "ch09_sequences.png", dpi=110)
    return {
        "accuracy": accuracy,
        "attention_shape": list(scores.shape),
        "row_sum_error": float(np.max(np.abs(row_sums - 1))),
    }


if __name__ == "__main__":
    main()
