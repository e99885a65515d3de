"""Finding 1 of issue 14: loading a model file never runs code unless the user opts in."""

from __future__ import annotations

import pytest

import lamina
from lamina.errors import LaminaError


def _model_with_lambda(marker):
    """A model whose Lambda layer writes `marker` whenever it is called (also when rebuilt)."""
    from lamina.keras import keras

    path = str(marker)

    def payload(x):
        open(path, "w").close()  # noqa: SIM115 - the marker of code that ran
        return x

    inputs = keras.Input(shape=(2,))
    outputs = keras.layers.Lambda(payload, name="evil")(keras.layers.Dense(2)(inputs))
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("fmt", ["h5", "savedmodel"])
def test_load_model_refuses_lambda_without_opt_in(tmp_path, fmt):
    marker = tmp_path / "ran"
    model = _model_with_lambda(marker)
    target = tmp_path / ("model.h5" if fmt == "h5" else "saved")
    model.save(target, save_format="h5" if fmt == "h5" else "tf")
    marker.unlink(missing_ok=True)
    with pytest.raises(LaminaError) as info:
        lamina.load_model(target)
    text = str(info.value)
    assert str(target) in text and "Lambda" in text and "evil" in text
    assert "unsafe=True" in text
    assert not marker.exists(), "loading ran the Lambda's code"


def test_load_model_unsafe_opt_in_loads_lambda(tmp_path):
    marker = tmp_path / "ran"
    model = _model_with_lambda(marker)
    target = tmp_path / "model.h5"
    model.save(target, save_format="h5")
    loaded = lamina.load_model(target, unsafe=True)
    assert [layer.name for layer in loaded.layers][-1] == "evil"


def test_load_model_keras_format_keeps_safe_mode(tmp_path):
    marker = tmp_path / "ran"
    model = _model_with_lambda(marker)
    target = tmp_path / "model.keras"
    model.save(target)
    marker.unlink(missing_ok=True)
    with pytest.raises(LaminaError):
        lamina.load_model(target)
    assert not marker.exists()


def test_load_model_plain_h5_still_loads(tmp_path):
    from lamina.keras import keras

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.save(tmp_path / "m.h5", save_format="h5")
    model.save(tmp_path / "sm", save_format="tf")
    assert lamina.load_model(tmp_path / "m.h5").count_params() == 4
    assert lamina.load_model(tmp_path / "sm").count_params() == 4
