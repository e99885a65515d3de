"""The trainer runs the probabilistic plug-in's target checks and KL-weight set-up."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.data.dataset import Dataset
from lamina.data.errors import DataError


def _data(y: np.ndarray) -> Dataset:
    x = np.linspace(-1, 1, len(y), dtype="float32")[:, None]
    return Dataset(x=x, y=y.astype("float32"), name="counts", task="regression", source="counts")


def test_poisson_head_with_negative_targets_fails_before_training(tmp_path):
    spec = {
        "input": [1],
        "layers": [{"type": "Dense", "params": {"units": 4}}, {"type": "Poisson"}],
        "training": {"epochs": 1, "batch_size": 8},
    }
    y = np.arange(40, dtype="float32")[:, None] % 5
    y[7] = -2
    with pytest.raises(DataError) as info:
        lamina.train(spec, data=_data(y))
    message = str(info.value)
    assert message.startswith("counts") and "layers[1] (Poisson)" in message
    assert "non-negative" in message


def test_kl_weight_is_set_from_the_training_set_size():
    spec = {
        "input": [1],
        "layers": [{"type": "DenseVariational", "params": {"units": 4}}, {"type": "Normal"}],
        "training": {"epochs": 1, "batch_size": 16, "validation_split": 0.25, "test_split": 0.0},
    }
    y = np.sin(np.linspace(-1, 1, 80, dtype="float32"))[:, None]
    result = lamina.train(spec, data=_data(y))
    assert result.status == "finished"
    layer = next(lyr for lyr in result.model.layers if type(lyr).__name__ == "DenseVariational")
    n_train = len(result.splits.train)
    assert n_train == 60
    assert np.isclose(float(layer.kl_weight_var.numpy()), 1.0 / n_train)


def test_predict_uncertainty_from_python_and_cli(tmp_path, capsys):
    from lamina.cli import main

    spec = {
        "input": [1],
        "layers": [
            {"type": "Dense", "params": {"units": 8, "activation": "relu"}},
            {"type": "Normal"},
        ],
        "compile": {"optimizer": {"type": "Adam", "params": {"learning_rate": 0.02}}},
        "training": {"epochs": 40, "batch_size": 32, "test_split": 0.0, "seed": 1},
        "data": {"type": "heteroscedastic", "params": {"n": 400}},
    }
    result = lamina.train(spec, project=tmp_path / "p")
    x = np.array([[-0.9], [0.0], [0.9]], dtype="float32")
    pred = lamina.predict_uncertainty(result, x, n_samples=300, seed=0)
    low, high = pred.intervals[0.95]
    assert pred.mean.shape == (3, 1) and np.all(low < pred.mean) and np.all(pred.mean < high)
    # the set's noise grows with x: the learned scale follows it
    assert pred.stddev[2, 0] > pred.stddev[0, 0]
    again = lamina.predict_uncertainty(lamina.load_run(result.path), x, n_samples=300, seed=0)
    np.testing.assert_allclose(again.mean, pred.mean, rtol=1e-5)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "pred.npz"
    assert (
        main(
            [
                "predict",
                str(result.path),
                "--input",
                str(tmp_path / "x.npy"),
                "--uncertainty",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    saved = np.load(out)
    assert {"mean", "stddev", "lower_0.95", "upper_0.95", "samples"} <= set(saved.files)
    np.testing.assert_allclose(saved["mean"], pred.mean, rtol=1e-5)
    assert "95% interval" in capsys.readouterr().out


def test_predict_uncertainty_refuses_a_plain_model(tmp_path, capsys):
    from lamina.cli import main

    spec = {
        "input": [1],
        "layers": [{"type": "Dense", "params": {"units": 1}}],
        "compile": {"loss": "mse"},
        "training": {"epochs": 1, "test_split": 0.0},
    }
    result = lamina.train(spec, data=_data(np.zeros((20, 1), "float32")), project=tmp_path)
    with pytest.raises(ValueError, match="not a probabilistic head"):
        lamina.predict_uncertainty(result, np.zeros((2, 1), "float32"))
    np.save(tmp_path / "x.npy", np.zeros((2, 1), "float32"))
    assert (
        main(["predict", str(result.path), "--input", str(tmp_path / "x.npy"), "--uncertainty"])
        == 2
    )
    assert "layers[-1] (Dense) is not a probabilistic head" in capsys.readouterr().err
