"""Chapter 3: losses as maximum likelihood.

Checks numerically, with lamina's own losses, that binary cross-entropy is the negative
log-likelihood of a Bernoulli, categorical cross-entropy that of a categorical
distribution, and mean squared error that of a unit-variance Normal up to a factor 1/2
and a constant; then shows that minimising each loss finds the maximum-likelihood
estimate (the sample frequency, the sample mean).

Run from the repository root (writes docs/tutorials/img/ch03_*.png)::

    .venv/bin/python docs/tutorials/ch03_losses_likelihood.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"


def loss_fn(name: str):
    """A loss object from lamina's catalogue (the same one a spec's `compile.loss` builds)."""
    import lamina

    return lamina.get_registry().get("loss", name).obj()


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the largest differences between losses and NLLs."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    n = 200 if quick else 2000

    # Bernoulli: y in {0, 1}, p = predicted P(y = 1)
    y = rng.integers(0, 2, n).astype("float32")
    p = rng.uniform(0.02, 0.98, n).astype("float32")
    bce = float(loss_fn("binary_crossentropy")(y[:, None], p[:, None]))
    bernoulli_nll = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    # categorical: integer classes, softmax probabilities
    k = 5
    logits = rng.normal(size=(n, k))
    probs = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype("float32")
    classes = rng.integers(0, k, n)
    cce = float(loss_fn("sparse_categorical_crossentropy")(classes, probs))
    categorical_nll = float(-np.mean(np.log(probs[np.arange(n), classes])))

    # Normal with unit variance: -log N(y | mu, 1) = (y - mu)^2 / 2 + log(2 pi) / 2
    t = rng.normal(size=n).astype("float32")
    mu = rng.normal(size=n).astype("float32")
    mse = float(loss_fn("mean_squared_error")(t[:, None], mu[:, None]))
    normal_nll = float(np.mean(0.5 * (t - mu) ** 2 + 0.5 * np.log(2 * np.pi)))
    mse_as_nll = mse / 2 + 0.5 * np.log(2 * np.pi)

    # Laplace with unit scale: -log L(y | mu, 1) = |y - mu| + log 2
    mae = float(loss_fn("mean_absolute_error")(t[:, None], mu[:, None]))
    laplace_nll = float(np.mean(np.abs(t - mu) + np.log(2)))

    print(f"binary cross-entropy {bce:.6f}   Bernoulli NLL {bernoulli_nll:.6f}")
    print(f"categorical c.-e.    {cce:.6f}   categorical NLL {categorical_nll:.6f}")
    print(f"MSE/2 + log(2pi)/2   {mse_as_nll:.6f}   Normal NLL {normal_nll:.6f}")
    print(f"MAE + log 2          {mae + np.log(2):.6f}   Laplace NLL {laplace_nll:.6f}")

    # Minimising each loss over a constant prediction gives the maximum-likelihood estimate
    coins = rng.random(50 if quick else 500) < 0.3
    grid = np.linspace(0.01, 0.99, 50 if quick else 99).astype("float32")
    bce_curve = [
        float(
            loss_fn("binary_crossentropy")(
                coins[:, None].astype("float32"), np.full((len(coins), 1), q)
            )
        )
        for q in grid
    ]
    p_hat = float(grid[int(np.argmin(bce_curve))])
    values = rng.normal(1.5, 1.0, 50 if quick else 500).astype("float32")
    mus = np.linspace(0, 3, 61 if quick else 301).astype("float32")
    mse_curve = [
        float(loss_fn("mean_squared_error")(values[:, None], np.full((len(values), 1), m)))
        for m in mus
    ]
    mu_hat = float(mus[int(np.argmin(mse_curve))])
    print(
        f"argmin BCE = {p_hat:.2f} (frequency {coins.mean():.2f});"
        f" argmin MSE = {mu_hat:.2f} (mean {values.mean():.2f})"
    )

    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    ax.plot(grid, bce_curve, label="binary cross-entropy (lamina)")
    ax.plot(
        grid,
        [-np.mean(coins * np.log(q) + (~coins) * np.log(1 - q)) for q in grid],
        "k--",
        lw=1,
        label="Bernoulli NLL",
    )
    ax.axvline(coins.mean(), color="0.5", ls=":", label="frequency of 1s")
    ax.set_xlabel("predicted p")
    ax.legend(fontsize=8)
    ax.set_title(f"{len(coins)} coin flips")
    bx.plot(mus, np.array(mse_curve) / 2 + 0.5 * np.log(2 * np.pi), label="MSE/2 + log(2π)/2")
    bx.plot(
        mus,
        [np.mean(0.5 * (values - m) ** 2 + 0.5 * np.log(2 * np.pi)) for m in mus],
        "k--",
        lw=1,
        label="Normal NLL (σ = 1)",
    )
    bx.axvline(values.mean(), color="0.5", ls=":", label="sample mean")
    bx.set_xlabel("predicted μ")
    bx.legend(fontsize=8)
    bx.set_title(f"{len(values)} measurements")
    fig.savefig(out_dir / "ch03_likelihood.png", dpi=110)
    return {
        "bernoulli": abs(bce - bernoulli_nll),
        "categorical": abs(cce - categorical_nll),
        "normal": abs(mse_as_nll - normal_nll),
        "laplace": abs(mae + np.log(2) - laplace_nll),
        "p_hat": p_hat,
        "frequency": float(coins.mean()),
        "mu_hat": mu_hat,
        "mean": float(values.mean()),
    }


if __name__ == "__main__":
    main()
