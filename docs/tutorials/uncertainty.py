"""Makes the figures of docs/tutorials/uncertainty.md.

Run from the repository root::

    .venv/bin/python docs/tutorials/uncertainty.py

Trains four small models for a few seconds each and writes PNGs to docs/tutorials/img/.
``main(quick=True)`` runs the same code on less data with fewer epochs (what the test
suite runs, see tests/docs/test_tutorials.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
IMG = HERE / "img"
try:
    import lamina_probability  # noqa: F401
except ImportError:  # the plug-in is not installed: use the source tree
    sys.path.insert(0, str(HERE.parents[1] / "plugins"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
from lamina_probability.bayesian import set_kl_weight  # noqa: E402
from lamina_probability.calibration import calibration_report, mean_nll  # noqa: E402
from lamina_probability.predict import predict_distribution  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lamina.build import build_model  # noqa: E402
from lamina.keras import tf  # noqa: E402
from lamina.plugins import get_registry, set_registry  # noqa: E402


def _registry():
    registry = get_registry()
    if registry.find("head", "Normal") is None:  # plug-in not installed yet
        import lamina_probability.plugin as plugin

        from lamina.testing import make_registry

        registry = make_registry(plugin)
        set_registry(registry)
    return registry


def heteroscedastic(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    sigma = 0.05 + 0.25 * (x[:, 0] + 1)
    return x, (np.sin(2 * x[:, 0]) + sigma * rng.normal(size=n)).astype("float32"), sigma


def bimodal(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    sign = rng.choice([-1.0, 1.0], size=n)
    return x, (sign * (0.6 + 0.4 * x[:, 0]) + 0.08 * rng.normal(size=n)).astype("float32")


def spec(head, params=None, hidden=(32, 32), activation="tanh", lr=0.01, kind="Dense"):
    layers = [{"type": kind, "params": {"units": u, "activation": activation}} for u in hidden]
    layers.append({"type": head, "params": dict(params or {})})
    return {
        "input": [1],
        "layers": layers,
        "compile": {"optimizer": {"type": "Adam", "params": {"learning_rate": lr}}},
    }


def fit(s, x, y, epochs, n_train=None):
    tf.random.set_seed(0)
    model = build_model(s)
    set_kl_weight(model, n_train or len(x))
    model.fit(x, y, epochs=epochs, batch_size=100, verbose=0)
    return model


def band(ax, model, grid, x, y, title, passes=None, truth=None):
    pred = predict_distribution(model, grid, passes=passes, n_samples=300)
    g = grid[:, 0]
    ax.scatter(x[:, 0], y, s=4, alpha=0.35, color="grey", label="data")
    lo95, hi95 = pred.intervals[0.95]
    lo68, hi68 = pred.intervals[0.68]
    ax.fill_between(g, lo95[:, 0], hi95[:, 0], alpha=0.2, color="C0", label="95% interval")
    ax.fill_between(g, lo68[:, 0], hi68[:, 0], alpha=0.3, color="C0", label="68% interval")
    ax.plot(g, pred.mean[:, 0], color="C0", label="mean")
    if truth is not None:
        ax.plot(g, truth[0] + 1.96 * truth[1], "--", color="C3", lw=1, label="true 95%")
        ax.plot(g, truth[0] - 1.96 * truth[1], "--", color="C3", lw=1)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("x")
    return pred


def save(fig, out_dir, name):
    fig.tight_layout()
    fig.savefig(out_dir / name)
    print("wrote", out_dir / name)


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Makes the four figures; returns coverage, NLL and uncertainty numbers.

    Args:
        quick: Half the data, fewer Monte Carlo passes (seconds on a laptop); same code.
        out_dir: Where the PNGs are written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _registry()
    n, n_test = (400, 300) if quick else (800, 500)
    result: dict = {"coverage_95": {}, "nll": {}, "bimodal_nll": {}}
    x, y, _ = heteroscedastic(n, 0)
    x_test, y_test, _ = heteroscedastic(n_test, 1)
    grid = np.linspace(-1, 1, 200, dtype="float32")[:, None]
    truth = (np.sin(2 * grid[:, 0]), 0.05 + 0.25 * (grid[:, 0] + 1))

    fixed = fit(spec("NormalFixedScale"), x, y, 40)
    normal = fit(spec("Normal"), x, y, 40)
    fig = Figure(figsize=(9, 3.6), dpi=100)
    a, b = fig.subplots(1, 2, sharey=True)
    band(a, fixed, grid, x, y, "NormalFixedScale (= MSE)", truth=truth)
    band(b, normal, grid, x, y, "Normal (learned scale)", truth=truth)
    a.set_ylabel("y")
    b.legend(fontsize=7, loc="upper left")
    save(fig, out_dir, "uncertainty_scale.png")

    fig = Figure(figsize=(8, 3.8), dpi=100)
    a, b = fig.subplots(1, 2)
    for ax, model, name in ((a, fixed, "NormalFixedScale"), (b, normal, "Normal")):
        r = calibration_report(model, x_test, y_test)
        ax.plot([0, 1], [0, 1], "--", color="grey")
        ax.plot(r.levels, r.observed, "o-", ms=3)
        ax.set_title(f"{name}\n95% coverage {r.coverage_95:.2f}, NLL {r.nll:.2f}", fontsize=10)
        ax.set_xlabel("expected coverage")
        ax.set_ylabel("observed coverage")
        print(name, r.to_dict()["coverage_68"], r.coverage_95, r.nll)
        result["coverage_95"][name], result["nll"][name] = float(r.coverage_95), float(r.nll)
    save(fig, out_dir, "uncertainty_calibration.png")

    xb, yb = bimodal(n, 0)
    xb_test, yb_test = bimodal(n_test, 1)
    single = fit(spec("Normal"), xb, yb, 30)
    mixture = fit(spec("MixtureNormal", {"components": 2}), xb, yb, 30)
    fig = Figure(figsize=(9, 3.6), dpi=100)
    a, b = fig.subplots(1, 2, sharey=True)
    for ax, model, name in ((a, single, "Normal"), (b, mixture, "MixtureNormal(components=2)")):
        pred = predict_distribution(model, grid, n_samples=60)
        ax.scatter(xb[:, 0], yb, s=4, alpha=0.3, color="grey")
        for k in range(60):
            ax.scatter(grid[::4, 0], pred.samples[k, ::4, 0], s=1, color="C0", alpha=0.3)
        nll = mean_nll(model, xb_test, yb_test)
        ax.set_title(f"{name}: samples, test NLL {nll:.2f}", fontsize=10)
        ax.set_xlabel("x")
        print(name, "bimodal NLL", nll)
        result["bimodal_nll"][name.split("(")[0]] = float(nll)
    a.set_ylabel("y")
    save(fig, out_dir, "uncertainty_mixture.png")

    rng = np.random.default_rng(0)
    n_bayes = 200 if quick else 400
    xs = rng.uniform(-1, 1, size=(n_bayes, 1)).astype("float32")
    ys = (xs[:, 0] ** 3 + 0.1 * rng.normal(size=n_bayes)).astype("float32")
    bayes = fit(
        spec("Normal", hidden=(16,), activation="relu", lr=0.02, kind="DenseVariational"),
        xs,
        ys,
        20 if quick else 40,
    )
    wide = np.linspace(-3, 3, 200, dtype="float32")[:, None]
    fig = Figure(figsize=(9, 3.6), dpi=100)
    a, b = fig.subplots(1, 2)
    passes = 20 if quick else 50
    title = f"DenseVariational + Normal head ({passes} passes)"
    pred = band(a, bayes, wide, xs, ys, title, passes=passes)
    a.axvspan(-1, 1, color="yellow", alpha=0.1, label="training range")
    a.legend(fontsize=7, loc="upper left")
    a.set_ylim(-4, 4)
    b.plot(wide[:, 0], pred.aleatoric_std[:, 0], label="aleatoric (noise)")
    b.plot(wide[:, 0], pred.epistemic_std[:, 0], label="epistemic (weights)")
    b.axvspan(-1, 1, color="yellow", alpha=0.1)
    b.set_title("standard deviation, split", fontsize=10)
    b.set_xlabel("x")
    b.legend(fontsize=8)
    save(fig, out_dir, "uncertainty_bayesian.png")
    inside = np.abs(wide[:, 0]) <= 1
    result["epistemic_inside"] = float(pred.epistemic_std[inside, 0].mean())
    result["epistemic_outside"] = float(pred.epistemic_std[~inside, 0].mean())
    return result


if __name__ == "__main__":
    main()
