"""Every catalogue loss, with other than its default parameters, and a third-party plug-in's
parameterised loss and activation, reload from a ``.keras`` file in a fresh process with equal
predictions and loss values (issue 16). All models reload in one subprocess."""

from __future__ import annotations

import importlib.util
import textwrap

import pytest

from lamina.function_loss import LaminaFunctionLoss
from lamina.plugins import get_registry
from lamina.testing import make_registry, non_default_params, reload_losses

THIRD_PARTY = textwrap.dedent(
    '''
    """A plug-in as a new author writes it, following the guide on register_keras_serializable."""
    from lamina.hookspecs import hookimpl
    from lamina.keras import keras, tf


    @keras.saving.register_keras_serializable(package="thirdparty")
    def scaled_tanh(x, scale=3.0):
        return scale * tf.tanh(x / scale)


    @keras.saving.register_keras_serializable(package="thirdparty")
    def power_error(y_true, y_pred, weight=1.0, power=2.0):
        return tf.reduce_mean(weight * tf.abs(y_true - y_pred) ** power, axis=-1)


    @hookimpl
    def register_losses(register):
        register(power_error, name="thirdparty.power_error",
                 params={"weight": {"min": 0.0}, "power": {"min": 1.0}})


    @hookimpl
    def register_activations(register):
        register(scaled_tanh, name="thirdparty.scaled_tanh")
    '''
)

_LOSSES = [e.name for e in get_registry().entries("loss")]
#: (id, loss, params or None for the non-default ones, activation)
_CASES = [(name, name, None, "softmax") for name in _LOSSES] + [
    ("example-scale-3", "example.log_cosh_relative", {"scale": 3.0}, "softmax"),
    ("thirdparty-params", "thirdparty.power_error", None, "thirdparty.scaled_tanh"),
    ("thirdparty-defaults", "thirdparty.power_error", {}, "thirdparty.scaled_tanh"),
]


@pytest.fixture(scope="module")
def reloaded(tmp_path_factory):
    """Saves every case's model and reloads them all in one new process."""
    folder = tmp_path_factory.mktemp("loss_reload")
    source = folder / "thirdparty_plugin.py"
    source.write_text(THIRD_PARTY)
    spec = importlib.util.spec_from_file_location("thirdparty_plugin", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    registry = make_registry(module, installed=True)
    assert registry.plugins["thirdparty_plugin"].ok, registry.plugins["thirdparty_plugin"].problems
    cases = []
    for _, loss, params, activation in _CASES:
        entry = registry.get("loss", loss)
        cases.append((entry, non_default_params(entry) if params is None else params, activation))
    results = reload_losses(cases, registry=registry, plugins=[str(source)], tmp_dir=folder)
    return {case[0]: result for case, result in zip(_CASES, results, strict=True)}


@pytest.mark.parametrize("case", [c[0] for c in _CASES])
def test_loss_reloads_with_equal_predictions_and_values(reloaded, case):
    reloaded[case].check()


def test_the_cases_use_other_than_default_parameters(reloaded):
    assert reloaded["huber"].params == {"delta": 2.0}
    assert reloaded["binary_crossentropy"].params == {"from_logits": True, "label_smoothing": 0.5}
    assert reloaded["example.log_cosh_relative"].params == {"scale": 2.0}
    assert reloaded["thirdparty-params"].params == {"weight": 2.0, "power": 4.0}


def test_a_function_loss_with_parameters_saves_as_data(tmp_path):
    """The file names the loss by its registered name, never by a module path."""
    registry = get_registry()
    loss = LaminaFunctionLoss("example.log_cosh_relative", {"scale": 2.0}, registry=registry)
    config = loss.get_config()
    assert config == {
        "name": "example.log_cosh_relative",
        "reduction": "auto",
        "loss": {"type": "example.log_cosh_relative", "params": {"scale": 2.0}},
    }
    again = LaminaFunctionLoss.from_config(config)
    assert again.fn is registry.get("loss", "example.log_cosh_relative").obj
    with pytest.raises(KeyError, match="not_a_loss"):
        LaminaFunctionLoss.from_config({**config, "loss": {"type": "not_a_loss", "params": {}}})


@pytest.mark.parametrize("form", ["savedmodel", "h5"])
def test_a_function_loss_with_parameters_reloads_from_keras_savedmodel_and_hdf5(tmp_path, form):
    import numpy as np

    import lamina

    spec = lamina.make_spec(
        [4],
        [lamina.item("Dense", units=3)],
        loss={"type": "example.log_cosh_relative", "params": {"scale": 2.0}},
    )
    model = lamina.build_model(spec)
    path = tmp_path / ("model" if form == "savedmodel" else "model.h5")
    model.save(str(path), save_format="tf" if form == "savedmodel" else "h5")
    again = lamina.load_model(path, compile=True)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    y = np.abs(x[:, :3])
    assert isinstance(again.loss, LaminaFunctionLoss) and again.loss.params == {"scale": 2.0}
    np.testing.assert_allclose(
        float(again.loss(y, again(x))), float(model.loss(y, model(x))), rtol=1e-6
    )
