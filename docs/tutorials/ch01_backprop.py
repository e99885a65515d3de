"""Chapter 1: the neuron and backpropagation by hand.

A 2-2-2 sigmoid network with the weights of Matt Mazur's classic worked example: the
forward pass, the squared-error loss, the gradient of every weight by the chain rule,
checked against finite differences and against one SGD step of the same network built
by lamina.

Run from the repository root (writes docs/tutorials/img/ch01_*.png)::

    .venv/bin/python docs/tutorials/ch01_backprop.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"

X = np.array([0.05, 0.10])  # inputs i1, i2
T = np.array([0.01, 0.99])  # targets of o1, o2
# Keras Dense kernels are (inputs, units): W1[i, j] is the weight from input i to hidden j
W1 = np.array([[0.15, 0.25], [0.20, 0.30]])  # w1 (i1->h1), w3 (i1->h2) / w2 (i2->h1), w4
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.40, 0.50], [0.45, 0.55]])  # w5 (h1->o1), w7 (h1->o2) / w6 (h2->o1), w8
B2 = np.array([0.60, 0.60])
LEARNING_RATE = 0.5
NAMES = {("W1", 0, 0): "w1", ("W1", 1, 0): "w2", ("W1", 0, 1): "w3", ("W1", 1, 1): "w4"}
NAMES |= {("W2", 0, 0): "w5", ("W2", 1, 0): "w6", ("W2", 0, 1): "w7", ("W2", 1, 1): "w8"}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def forward(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The forward pass; returns every intermediate value."""
    net_h = X @ params["W1"] + params["B1"]
    out_h = sigmoid(net_h)
    net_o = out_h @ params["W2"] + params["B2"]
    out_o = sigmoid(net_o)
    loss = 0.5 * np.sum((T - out_o) ** 2)  # E_total = sum of 1/2 (target - output)^2
    return {"net_h": net_h, "out_h": out_h, "net_o": net_o, "out_o": out_o, "loss": loss}


def backward(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The chain rule, written out: dE/dw = dE/dout * dout/dnet * dnet/dw."""
    f = forward(params)
    # output layer: delta_o = dE/dnet_o = (out_o - t) * out_o * (1 - out_o)
    delta_o = (f["out_o"] - T) * f["out_o"] * (1 - f["out_o"])
    grad_w2 = np.outer(f["out_h"], delta_o)  # dnet_o/dw = out_h
    # hidden layer: dE/dout_h sums over both outputs, through the weights W2
    delta_h = (params["W2"] @ delta_o) * f["out_h"] * (1 - f["out_h"])
    grad_w1 = np.outer(X, delta_h)  # dnet_h/dw = input
    return {"W1": grad_w1, "B1": delta_h, "W2": grad_w2, "B2": delta_o}


def finite_differences(params: dict[str, np.ndarray], eps: float = 1e-6) -> dict:
    """Central differences (E(w + eps) - E(w - eps)) / 2 eps for every parameter."""
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (forward(plus)["loss"] - forward(minus)["loss"]) / (2 * eps)
        grads[key] = g
    return grads


def lamina_step(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One SGD step of the same network built by lamina; returns the updated weights.

    Keras's ``mean_squared_error`` is the *mean* over the two outputs of (t - o)^2,
    i.e. (1/2) * sum (t - o)^2: with two outputs it equals E_total exactly, so the
    same learning rate gives the same update.
    """
    import lamina

    spec = lamina.make_spec(
        [2],
        [
            lamina.item("Dense", name="hidden", units=2, activation="sigmoid"),
            lamina.item("Dense", name="output", units=2, activation="sigmoid"),
        ],
        loss="mean_squared_error",
        optimizer={"type": "SGD", "params": {"learning_rate": LEARNING_RATE}},
    )
    model = lamina.build_model(spec)
    model.get_layer("hidden").set_weights([params["W1"], params["B1"]])
    model.get_layer("output").set_weights([params["W2"], params["B2"]])
    loss = float(model.evaluate(X[None], T[None], verbose=0))
    model.train_on_batch(X[None].astype("float32"), T[None].astype("float32"))
    w1, b1 = model.get_layer("hidden").get_weights()
    w2, b2 = model.get_layer("output").get_weights()
    return {"W1": w1, "B1": b1, "W2": w2, "B2": b2, "loss": np.float64(loss)}


def _figure(params: dict, grads: dict, fd: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.2), layout="constrained")
    ax, bx = fig.subplots(1, 2, width_ratios=[1.4, 1])
    pos = {"i1": (0, 1), "i2": (0, 0), "h1": (1, 1), "h2": (1, 0), "o1": (2, 1), "o2": (2, 0)}
    for (mat, i, j), name in NAMES.items():
        a, b = (f"i{i + 1}", f"h{j + 1}") if mat == "W1" else (f"h{i + 1}", f"o{j + 1}")
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.plot([x0, x1], [y0, y1], color="0.6", zorder=1)
        t = 0.5 if (y0 == y1) else (0.27 if y0 > y1 else 0.73)
        xm, ym = x0 + t * (x1 - x0), y0 + t * (y1 - y0) + (0.12 if y0 == y1 else 0)
        ax.text(
            xm,
            ym,
            f"{name}={params[mat][i, j]:.2f}\n∂E/∂{name}={grads[mat][i, j]:+.4f}",
            fontsize=7.5,
            ha="center",
            va="center",
            bbox={"fc": "white", "ec": "none", "alpha": 0.85},
        )
    f = forward(params)
    labels = {
        "i1": f"i1\n{X[0]:.2f}",
        "i2": f"i2\n{X[1]:.2f}",
        "h1": f"h1\n{f['out_h'][0]:.4f}",
        "h2": f"h2\n{f['out_h'][1]:.4f}",
        "o1": f"o1\n{f['out_o'][0]:.4f}",
        "o2": f"o2\n{f['out_o'][1]:.4f}",
    }
    for key, (x, y) in pos.items():
        ax.scatter([x], [y], s=1500, color="tab:blue" if key[0] != "o" else "tab:orange", zorder=2)
        ax.text(x, y, labels[key], ha="center", va="center", color="white", fontsize=8, zorder=3)
    ax.set_xlim(-0.3, 2.3)
    ax.set_ylim(-0.35, 1.35)
    ax.set_axis_off()
    ax.set_title(f"forward pass and gradients (E = {f['loss']:.6f})")
    names = list(NAMES.values())
    order = sorted(NAMES, key=lambda k: NAMES[k])
    chain = [grads[m][i, j] for m, i, j in order]
    numeric = [fd[m][i, j] for m, i, j in order]
    xs = np.arange(len(names))
    bx.bar(xs - 0.2, chain, 0.4, label="chain rule")
    bx.bar(xs + 0.2, numeric, 0.4, label="finite differences")
    bx.set_xticks(xs, sorted(names))
    bx.axhline(0, color="k", lw=0.5)
    bx.set_ylabel("∂E/∂w")
    bx.legend()
    bx.set_title("backpropagation vs finite differences")
    fig.savefig(out, dpi=110)


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns its key numbers (``quick`` changes nothing here: it is fast)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = {"W1": W1, "B1": B1, "W2": W2, "B2": B2}
    f = forward(params)
    grads = backward(params)
    fd = finite_differences(params)
    hand = {k: params[k] - LEARNING_RATE * grads[k] for k in params}
    keras_step = lamina_step(params)
    fd_error = max(float(np.max(np.abs(grads[k] - fd[k]))) for k in params)
    step_error = max(float(np.max(np.abs(hand[k] - keras_step[k]))) for k in params)
    print(f"outputs o1, o2 = {f['out_o'][0]:.9f}, {f['out_o'][1]:.9f}")
    print(f"E_total = {f['loss']:.9f} (Keras MSE: {float(keras_step['loss']):.9f})")
    for mat, i, j in sorted(NAMES, key=lambda k: NAMES[k]):
        name = NAMES[(mat, i, j)]
        print(
            f"dE/d{name} = {grads[mat][i, j]:+.9f}  (finite diff. {fd[mat][i, j]:+.9f})"
            f"  new {name} = {hand[mat][i, j]:.9f} (lamina SGD step: {keras_step[mat][i, j]:.9f})"
        )
    print(f"largest |chain rule - finite differences| = {fd_error:.2e}")
    print(f"largest |hand update - lamina update|     = {step_error:.2e}")
    _figure(params, grads, fd, out_dir / "ch01_backprop.png")
    return {
        "loss": float(f["loss"]),
        "keras_loss": float(keras_step["loss"]),
        "outputs": f["out_o"].tolist(),
        "w5_new": float(hand["W2"][0, 0]),
        "w1_new": float(hand["W1"][0, 0]),
        "fd_error": fd_error,
        "step_error": step_error,
    }


if __name__ == "__main__":
    main()
