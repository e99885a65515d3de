"""Standardizer: fit on train only, per feature / per channel, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamina.data import DataError, Standardizer


def test_per_feature_fit_on_train_only():
    rng = np.random.default_rng(0)
    train = rng.normal([1.0, 10.0, -5.0], [2.0, 0.5, 3.0], size=(200, 3)).astype(np.float32)
    test = train[:10] + 100.0
    s = Standardizer().fit(train)
    out = s.transform(train)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-4)
    # The test part uses the training numbers: it is not re-centred.
    assert s.transform(test).mean() > 10
    np.testing.assert_allclose(s.inverse_transform(out), train, rtol=1e-4, atol=1e-4)
    assert s.fitted and s.fitted_mode == "feature"


def test_per_channel_for_images_and_constant_channels():
    x = np.zeros((4, 5, 5, 2), dtype=np.float32)
    x[..., 0] = np.arange(4)[:, None, None]
    x[..., 1] = 7.0  # constant: only centred
    s = Standardizer().fit(x)
    assert s.fitted_mode == "channel" and s.mean.shape == (2,)
    out = s.transform(x)
    np.testing.assert_allclose(out[..., 1], 0.0)
    np.testing.assert_allclose(out[..., 0].std(), 1.0, atol=1e-5)


def test_round_trip_to_dict():
    x = np.random.default_rng(1).normal(size=(20, 6, 1)).astype(np.float32)
    s = Standardizer(mode="feature").fit(x)
    data = json.loads(json.dumps(s.to_dict()))
    again = Standardizer.from_dict(data)
    np.testing.assert_allclose(again.transform(x), s.transform(x))
    assert again.fitted_mode == "feature"


def test_errors():
    with pytest.raises(ValueError, match="Received: mode='sideways'"):
        Standardizer(mode="sideways")
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.zeros((3, 4)))
    with pytest.raises(DataError, match=r"fitted on samples of shape \(4,\)"):
        s.transform(np.zeros((3, 5)))
    with pytest.raises(DataError, match="NaN"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))


def test_apply_standardizer_is_the_identity_without_a_fitted_one():
    from lamina.data.standardize import apply_standardizer

    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    assert apply_standardizer(x, None) is x
    assert apply_standardizer(x, Standardizer()) is x  # not fitted
    fitted = Standardizer().fit(x[:2])
    np.testing.assert_array_equal(apply_standardizer(x, fitted), fitted.transform(x))
    assert apply_standardizer(x, fitted).dtype == np.float32
