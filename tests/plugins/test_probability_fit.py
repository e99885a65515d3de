"""Behaviour of the probabilistic heads and Bayesian layers after (short) training."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

try:  # until the entry point is installed, import the plug-in from the source tree
    import lamina_probability  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from lamina.build import build_model
from lamina.keras import keras, tf

# isort: split
import lamina_probability.plugin as probability_plugin
from lamina_probability.bayesian import set_kl_weight
from lamina_probability.calibration import calibration_report, mean_nll
from lamina_probability.predict import predict_distribution


@pytest.fixture
def registry(lamina_registry_factory):
    return lamina_registry_factory(probability_plugin)


def heteroscedastic(n, seed):
    """1-D regression whose noise grows with x (like the builtin 'heteroscedastic')."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    sigma = 0.05 + 0.25 * (x[:, 0] + 1)
    y = (np.sin(2 * x[:, 0]) + sigma * rng.normal(size=n)).astype("float32")
    return x, y, sigma


def bimodal(n, seed):
    """y = +-f(x) + noise (like the builtin 'bimodal')."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    sign = rng.choice([-1.0, 1.0], size=n)
    y = (sign * (0.6 + 0.4 * x[:, 0]) + 0.08 * rng.normal(size=n)).astype("float32")
    return x, y


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(0)  # weight initialisation and sampling do not depend on test order


def _spec(head, params=None, hidden=(32, 32), activation="tanh", lr=0.01, bayesian=False):
    kind = "DenseVariational" if bayesian else "Dense"
    layers = [{"type": kind, "params": {"units": u, "activation": activation}} for u in hidden]
    layers.append({"type": head, "params": dict(params or {})})
    return {
        "input": [1],
        "layers": layers,
        "compile": {"optimizer": {"type": "Adam", "params": {"learning_rate": lr}}},
    }


def _fit(model, x, y, epochs, batch_size=100, seed=0):
    tf.random.set_seed(seed)
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    return model


def test_learned_scale_is_calibrated_and_fixed_scale_is_not(registry):
    x, y, _ = heteroscedastic(800, seed=0)
    x_test, y_test, sigma_test = heteroscedastic(500, seed=1)
    normal = _fit(build_model(_spec("Normal"), registry=registry), x, y, epochs=40)
    report = calibration_report(normal, x_test, y_test)
    pred = predict_distribution(normal, x_test)
    rho = spearmanr(pred.stddev[:, 0], sigma_test).statistic
    print(
        f"Normal: coverage68={report.coverage_68:.3f} coverage95={report.coverage_95:.3f} "
        f"nll={report.nll:.3f} spearman={rho:.3f}"
    )
    assert 0.90 <= report.coverage_95 <= 0.99
    assert rho > 0.8

    fixed = _fit(build_model(_spec("NormalFixedScale"), registry=registry), x, y, epochs=40)
    fixed_report = calibration_report(fixed, x_test, y_test)
    fixed_pred = predict_distribution(fixed, x_test)
    print(
        f"NormalFixedScale: coverage68={fixed_report.coverage_68:.3f} "
        f"coverage95={fixed_report.coverage_95:.3f} nll={fixed_report.nll:.3f}"
    )
    assert fixed_report.coverage_95 > 0.99  # unit scale: far too wide for this noise
    assert np.ptp(fixed_pred.stddev) < 1e-6  # and blind to where the noise is
    assert report.nll < fixed_report.nll - 0.5


def test_mixture_fits_a_bimodal_target_a_normal_cannot(registry):
    x, y = bimodal(800, seed=0)
    x_test, y_test = bimodal(500, seed=1)
    normal = _fit(build_model(_spec("Normal"), registry=registry), x, y, epochs=30)
    mixture = _fit(
        build_model(_spec("MixtureNormal", {"components": 2}), registry=registry), x, y, epochs=30
    )
    nll_normal = mean_nll(normal, x_test, y_test)
    nll_mixture = mean_nll(mixture, x_test, y_test)
    print(f"bimodal test NLL: Normal={nll_normal:.3f} MixtureNormal={nll_mixture:.3f}")
    assert nll_mixture < nll_normal - 0.5


def test_dense_variational_is_less_sure_far_from_the_data(registry):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(400, 1)).astype("float32")
    y = (x[:, 0] ** 3 + 0.1 * rng.normal(size=400)).astype("float32")
    model = build_model(
        _spec("Normal", hidden=(16,), activation="relu", lr=0.02, bayesian=True), registry=registry
    )
    set_kl_weight(model, len(x))
    _fit(model, x, y, epochs=40)
    inside = np.linspace(-0.8, 0.8, 50, dtype="float32")[:, None]
    far = np.concatenate([np.linspace(-4, -3, 25), np.linspace(3, 4, 25)]).astype("float32")[
        :, None
    ]
    p_in = predict_distribution(model, inside, passes=50, n_samples=40, seed=0)
    p_far = predict_distribution(model, far, passes=50, n_samples=40, seed=0)
    width_in = np.mean(p_in.intervals[0.95][1] - p_in.intervals[0.95][0])
    width_far = np.mean(p_far.intervals[0.95][1] - p_far.intervals[0.95][0])
    print(
        f"95% width inside={width_in:.3f} far={width_far:.3f}; epistemic std inside="
        f"{p_in.epistemic_std.mean():.3f} far={p_far.epistemic_std.mean():.3f}"
    )
    assert width_far > 1.5 * width_in
    assert p_far.epistemic_std.mean() > 2 * p_in.epistemic_std.mean()
