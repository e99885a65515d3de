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
