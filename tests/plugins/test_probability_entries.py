"""The probability plug-in's catalogue entries, target checks and uncertainty helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

try:  # until the entry point is installed, import the plug-in from the source tree
    import lamina_probability  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))

from lamina.build import build_model
from lamina.keras import keras, tf
from lamina.spec import SpecError
from lamina.testing import check_entry

# isort: split
import lamina_probability.plugin as probability_plugin
import tensorflow_probability as tfp
from lamina_probability.bayesian import DenseVariational, bayesian_layers, set_kl_weight
from lamina_probability.calibration import calibration_report
from lamina_probability.heads import HEADS, check_targets
from lamina_probability.predict import has_bayesian_layers, predict_distribution

PLUGIN = "plugin"


@pytest.fixture
def registry(lamina_registry_factory):
    return lamina_registry_factory(probability_plugin)


def _spec(head, params=None, hidden=8, input_shape=(1,), extra=()):
    layers = [{"type": "Dense", "params": {"units": hidden, "activation": "tanh"}}, *extra]
    layers.append({"type": head, "params": dict(params or {})})
    return {
        "input": list(input_shape),
        "layers": layers,
        "compile": {"optimizer": {"type": "Adam", "params": {"learning_rate": 0.01}}},
    }


def test_registers_every_entry_without_problems(registry):
    assert not registry.plugins[PLUGIN].problems
    assert set(registry.names("head")) >= set(HEADS)
    assert {
        "DenseVariational",
        "DenseFlipout",
        "DenseReparameterization",
        "Convolution2DFlipout",
    } <= set(registry.names("layer"))
    assert "negative_log_likelihood" in registry.names("loss")
    normal = registry.get("head", "Normal")
    assert normal.loss == "negative_log_likelihood"
    event = normal.param("event_size")
    assert event.type == "int" and event.default == 1 and "target values" in event.help
    mix = registry.get("head", "MixtureNormal")
    assert mix.param("components").default == 3
    prior = registry.get("layer", "DenseVariational").param("prior")
    assert prior.choices == ("standard_normal", "trainable")


@pytest.mark.parametrize("name", sorted(HEADS))
def test_head_entries_pass_check_entry(registry, name):
    entry = registry.get("head", name)
    check_entry(entry, registry)
    model = build_model(_spec(name, entry.example["params"]), registry=registry)
    dist = model(np.zeros((3, 1), "float32"))
    assert isinstance(dist, tfp.distributions.Distribution)
    assert list(dist.batch_shape) == [3]


@pytest.mark.parametrize(
    "name", ["DenseVariational", "DenseFlipout", "DenseReparameterization", "Convolution2DFlipout"]
)
def test_bayesian_layer_entries_pass_check_entry(registry, name, monkeypatch, tmp_path):
    # Bayesian layers draw new weights on every call: compare outputs under a fixed seed
    # (as lamina.testing.check_layer does for entries registered with stochastic=True).
    original = keras.Model.predict

    def seeded_predict(self, *args, **kwargs):
        tf.random.set_seed(0)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "predict", seeded_predict)
    entry = registry.get("layer", name)
    assert entry.stochastic is True
    check_entry(entry, registry, tmp_dir=tmp_path)


def test_negative_log_likelihood_on_a_distribution_and_a_clear_error_otherwise(registry):
    loss = registry.get("loss", "negative_log_likelihood").obj
    dist = tfp.distributions.Normal(loc=np.zeros(3, "float32"), scale=1.0)
    value = np.asarray(loss(np.zeros(3, "float32"), dist))
    np.testing.assert_allclose(value, 0.5 * np.log(2 * np.pi), rtol=1e-6)
    with pytest.raises(TypeError, match="end the stack with a probabilistic head"):
        loss(np.zeros(3), np.zeros(3))


def test_fixed_scale_normal_is_mse(registry):
    """Unit-scale Normal NLL = 0.5 * squared error + 0.5 log(2 pi): same minimiser,
    gradient = half the MSE gradient."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    spec = _spec("NormalFixedScale", input_shape=(3,))
    prob = build_model(spec, registry=registry)
    plain_spec = {
        "input": [3],
        "layers": [spec["layers"][0], {"type": "Dense", "params": {"units": 1}}],
        "compile": {"loss": "mean_squared_error"},
    }
    plain = build_model(plain_spec, registry=registry)
    plain.set_weights(prob.get_weights())
    with tf.GradientTape() as tape:
        nll = tf.reduce_mean(prob.loss(y, prob(x)))
    g_nll = tape.gradient(nll, prob.trainable_weights)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean(tf.square(y - plain(x)))
    g_mse = tape.gradient(mse, plain.trainable_weights)
    np.testing.assert_allclose(float(nll), 0.5 * float(mse) + 0.5 * np.log(2 * np.pi), rtol=1e-5)
    for a, b in zip(g_nll, g_mse, strict=True):
        np.testing.assert_allclose(np.asarray(a), 0.5 * np.asarray(b), rtol=1e-4, atol=1e-6)
    # model.predict gives the mean, as a plain regression model would
    np.testing.assert_allclose(prob.predict(x, verbose=0), plain.predict(x, verbose=0), atol=1e-6)


# -- located errors -------------------------------------------------------------------


def test_head_not_last_is_a_located_error(registry):
    spec = {"input": [4], "layers": [{"type": "Normal"}, {"type": "Dense", "params": {"units": 1}}]}
    with pytest.raises(
        SpecError, match=r"layers\[0\]\.type: Normal is an output head and must be the last"
    ):
        build_model(spec, registry=registry)


def test_event_size_mismatch_names_item_and_sizes(registry):
    spec = _spec("Normal", {"event_size": 1})
    y = np.zeros((10, 3), "float32")
    with pytest.raises(
        ValueError, match=r"layers\[1\] \(Normal\).*predicts 1 value.*have 3.*event_size=3"
    ):
        check_targets(spec, y, registry=registry)
    model = build_model(spec, registry=registry)  # from a built model too
    with pytest.raises(ValueError, match=r"layers\[1\] \(Normal\)"):
        check_targets(model, y, registry=registry)
    check_targets(spec, np.zeros(10), registry=registry)  # (n,) fits event_size 1
    check_targets(_spec("IndependentNormal", {"event_size": 3}), y, registry=registry)


def test_poisson_negative_counts_are_a_located_error(registry):
    spec = _spec("Poisson")
    y = np.array([0, 2, -1, 4], "float32")
    with pytest.raises(
        ValueError,
        match=r"layers\[1\] \(Poisson\): count targets must be non-negative.*y\[2\] = -1",
    ):
        check_targets(spec, y, registry=registry)
    with pytest.raises(ValueError, match="must be integers"):
        check_targets(spec, np.array([0.5, 1.0]), registry=registry)
    check_targets(spec, np.array([0, 3, 7]), registry=registry)


def test_other_target_checks(registry):
    with pytest.raises(ValueError, match=r"layers\[1\] \(Categorical\): class labels"):
        check_targets(
            _spec("Categorical", {"num_classes": 3}), np.array([0, 1, 3]), registry=registry
        )
    with pytest.raises(ValueError, match="one-hot"):
        check_targets(_spec("Categorical", {"num_classes": 3}), np.eye(3), registry=registry)
    with pytest.raises(ValueError, match="must be 0 or 1"):
        check_targets(_spec("Bernoulli"), np.array([0, 1, 2]), registry=registry)
    with pytest.raises(ValueError, match="must be > 0"):
        check_targets(_spec("LogNormal"), np.array([1.0, 0.0]), registry=registry)
    with pytest.raises(ValueError, match="NaN"):
        check_targets(_spec("Normal"), np.array([1.0, np.nan]), registry=registry)
    # a stack not ending in a head is left alone
    plain = {
        "input": [1],
        "layers": [{"type": "Dense", "params": {"units": 1}}],
        "compile": {"loss": "mse"},
    }
    check_targets(plain, np.zeros((3, 5)), registry=registry)


def test_categorical_head_trains_on_integer_labels(registry):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 1).astype("int64")
    model = build_model(
        _spec("Categorical", {"num_classes": 3}, input_shape=(2,)), registry=registry
    )
    history = model.fit(x, y, epochs=5, batch_size=50, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:4], verbose=0).shape == (4, 1)


# -- bayesian layers, predictions, calibration ------------------------------------------


def test_kl_weight_is_set_from_training_size(registry):
    spec = _spec(
        "Normal",
        extra=[
            {"type": "DenseVariational", "params": {"units": 4}},
            {"type": "DenseFlipout", "params": {"units": 4, "kl_weight": 0.5}},
        ],
    )
    model = build_model(spec, registry=registry)
    layers = bayesian_layers(model)
    assert [type(layer).__name__ for layer in layers] == ["DenseVariational", "DenseFlipout"]
    assert has_bayesian_layers(model)
    assert set_kl_weight(model, 200) == 1
    assert float(layers[0].kl_weight_var) == pytest.approx(1 / 200)
    assert float(layers[1].kl_weight_var) == pytest.approx(0.5)  # explicit: untouched
    model(np.zeros((2, 1), "float32"))
    assert len(model.losses) >= 2  # each Bayesian layer adds its KL term


def test_unset_kl_weight_warns_when_training(registry):
    layer = DenseVariational(2)
    with pytest.warns(UserWarning, match="set_kl_weight"):
        layer(np.zeros((2, 3), "float32"), training=True)
    assert DenseVariational.from_config(layer.get_config()).get_config() == layer.get_config()


def test_predict_distribution_summaries(registry):
    model = build_model(_spec("Normal"), registry=registry)
    x = np.linspace(-1, 1, 7, dtype="float32")[:, None]
    pred = predict_distribution(model, x, n_samples=4000, seed=1)
    dist = model(x)
    assert pred.passes == 1
    np.testing.assert_allclose(pred.mean, dist.mean().numpy(), rtol=1e-5)
    np.testing.assert_allclose(pred.stddev, dist.stddev().numpy(), rtol=1e-5)
    assert np.all(pred.epistemic_std == 0)
    lo, hi = pred.intervals[0.95]
    np.testing.assert_allclose(hi - lo, 2 * 1.96 * pred.stddev, rtol=0.1)
    assert set(pred.quantiles) == {0.025, 0.16, 0.5, 0.84, 0.975}
    assert pred.samples.shape == (4000, 7, 1)
    again = predict_distribution(model, x, n_samples=4000, seed=1)
    np.testing.assert_array_equal(again.samples, pred.samples)


def test_predict_distribution_separates_epistemic_spread(registry):
    spec = _spec(
        "Normal",
        extra=[
            {
                "type": "DenseVariational",
                "params": {"units": 4, "posterior_scale": 0.5, "kl_weight": 0.0},
            }
        ],
    )
    model = build_model(spec, registry=registry)
    pred = predict_distribution(model, np.zeros((3, 1), "float32"), passes=20, n_samples=10)
    assert pred.passes == 20 and pred.samples.shape == (200, 3, 1)
    assert np.all(pred.epistemic_std > 0)
    np.testing.assert_allclose(pred.stddev**2, pred.aleatoric_std**2 + pred.epistemic_std**2)


def test_calibration_report_on_a_known_distribution(registry, tmp_path):
    # NormalFixedScale with zero weights predicts N(0, 1); targets drawn from N(0, 1)
    model = build_model(_spec("NormalFixedScale"), registry=registry)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    rng = np.random.default_rng(0)
    x = np.zeros((2000, 1), "float32")
    y = rng.normal(size=2000).astype("float32")
    report = calibration_report(model, x, y, png=tmp_path / "cal.png", n_samples=1000)
    assert abs(report.coverage_68 - 0.68) < 0.04 and abs(report.coverage_95 - 0.95) < 0.02
    assert abs(report.nll - (0.5 * np.log(2 * np.pi) + 0.5)) < 0.05
    assert np.max(np.abs(report.observed - report.levels)) < 0.05
    assert (tmp_path / "cal.png").read_bytes()[:4] == b"\x89PNG"
    assert set(report.to_dict()) == {"coverage_68", "coverage_95", "nll", "levels", "observed"}
