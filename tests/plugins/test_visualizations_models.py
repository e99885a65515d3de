"""Every visualization runs on models with BatchNormalization, Dropout, residual blocks,
a probabilistic head, and on 1-D signals (tiny untrained models)."""

from __future__ import annotations

import numpy as np
import pytest
from lamina_builtin import visualizations as v

from lamina.visualize import Result, save_png


def _bn_residual_spec() -> dict:
    return {
        "name": "bn_res",
        "input": {"shape": [16, 16, 3]},
        "layers": [
            {
                "type": "Conv2D",
                "name": "conv",
                "params": {"filters": 4, "kernel_size": 3, "padding": "same"},
            },
            {"type": "BatchNormalization", "name": "bn", "params": {}},
            {"type": "Activation", "name": "relu", "params": {"activation": "relu"}},
            {"type": "MaxPooling2D", "name": "pool", "params": {"pool_size": 2}},
            {"type": "ResidualBlock", "name": "res", "params": {"filters": 4}},
            {"type": "Dropout", "name": "drop", "params": {"rate": 0.3}},
            {
                "type": "Conv2D",
                "name": "conv_b",
                "params": {"filters": 6, "kernel_size": 3, "activation": "relu"},
            },
            {"type": "Flatten", "name": "flat", "params": {}},
            {"type": "Dense", "name": "out", "params": {"units": 3, "activation": "softmax"}},
        ],
    }


@pytest.fixture(scope="module")
def bn_model():
    from lamina.build import build_model

    return build_model(_bn_residual_spec(), compile=False)


@pytest.fixture(scope="module")
def functional_residual_model():
    """A functional model with an explicit residual connection (Add) and BN."""
    from lamina.keras import keras, layers

    inp = keras.Input((12, 12, 1))
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="c1")(inp)
    y = layers.Conv2D(4, 3, padding="same", name="c2")(x)
    y = layers.BatchNormalization(name="bn2")(y)
    x = layers.Add(name="add")([x, y])
    x = layers.ReLU(name="relu")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Flatten(name="flat")(x)
    out = layers.Dense(2, activation="softmax", name="out")(x)
    return keras.Model(inp, out)


@pytest.fixture(scope="module")
def prob_model():
    """A regression CNN whose output is a tfp Normal distribution."""
    import tensorflow_probability as tfp

    from lamina.keras import keras, layers

    inp = keras.Input((10, 10, 1))
    x = layers.Conv2D(3, 3, activation="relu", name="c")(inp)
    x = layers.Flatten()(x)
    x = layers.Dense(2, name="params")(x)
    out = tfp.layers.DistributionLambda(
        lambda t: tfp.distributions.Normal(loc=t[..., :1], scale=1e-3 + tf_softplus(t[..., 1:])),
        name="normal",
    )(x)
    return keras.Model(inp, out)


def tf_softplus(t):
    from lamina.keras import tf

    return tf.nn.softplus(t)


@pytest.fixture(scope="module")
def signal_model():
    from lamina.build import build_model

    return build_model(
        {
            "name": "sig",
            "input": {"shape": [40, 2]},
            "layers": [
                {
                    "type": "Conv1D",
                    "name": "c1",
                    "params": {"filters": 4, "kernel_size": 5, "activation": "relu"},
                },
                {"type": "MaxPooling1D", "name": "p1", "params": {"pool_size": 2}},
                {"type": "Flatten", "name": "f", "params": {}},
                {"type": "Dense", "name": "o", "params": {"units": 2, "activation": "softmax"}},
            ],
        },
        compile=False,
    )


def _run_all(model, x, spatial_layer, tmp_path, class_index=0, synth=True):
    data = np.random.default_rng(0).uniform(size=(12, *x.shape)).astype("float32")
    results = [
        v.filters(model),
        v.weight_histograms(model),
        v.feature_maps(model, input=x),
        v.activation_histograms(model, input=data),
        v.top9(model, data=data, layer=spatial_layer, filter=0),
        v.deconvnet(model, input=x, layer=spatial_layer),
        v.deconvnet(model, input=x, layer=spatial_layer, unit="all", filter=1),
        v.guided_backprop(model, input=x, class_index=class_index),
        v.saliency(model, input=x, class_index=class_index, smooth_samples=3),
        v.gradcam(model, input=x, class_index=class_index),
        v.gradcam(model, input=x, class_index=class_index, plus_plus=True),
        v.occlusion(
            model, input=x, class_index=class_index, patch=4, stride=3, layer=spatial_layer
        ),
    ]
    if synth:
        results += [
            v.deep_dream(model, input=x, layer=spatial_layer, steps=3, octaves=2),
            v.class_model(model, class_index=class_index, steps=3, tv=0.01),
        ]
    for i, res in enumerate(results):
        assert isinstance(res, Result)
        for key in ("map", "image"):
            if key in res.meta:
                assert np.all(np.isfinite(res.meta[key])), (res.kind, key)
        save_png(res, tmp_path / f"{i}_{res.kind}.png")
    return results


def test_bn_dropout_residual_block(bn_model, tmp_path):
    x = np.random.default_rng(1).uniform(size=(16, 16, 3)).astype("float32")
    results = _run_all(bn_model, x, "conv_b", tmp_path)
    filt = results[0]
    assert filt.images.shape == (4, 3, 3, 3)  # first layer in colour
    deconv = results[5]
    assert deconv.meta["map"].shape == (16, 16, 3)
    assert deconv.meta["generic_layers"] == ["res"]  # the block is crossed by its VJP
    assert np.abs(deconv.meta["map"]).sum() > 0


def test_functional_residual_add(functional_residual_model, tmp_path):
    x = np.random.default_rng(2).uniform(size=(12, 12, 1)).astype("float32")
    results = _run_all(functional_residual_model, x, "relu", tmp_path)
    deconv = results[5]
    assert deconv.meta["generic_layers"] == []  # Add, BN, ReLU all have deconvnet rules
    assert np.abs(deconv.meta["map"]).sum() > 0


def test_deconvnet_rectifies_instead_of_masking(functional_residual_model):
    """The deconvnet differs from a gradient: it passes signal where the ReLU was off."""
    from lamina.keras import keras, tf

    model = functional_residual_model
    x = np.random.default_rng(3).normal(size=(1, 12, 12, 1)).astype("float32")
    res = v.deconvnet(model, input=x[0], layer="c1", filter=0, unit="all")
    kernel = np.asarray(model.get_layer("c1").kernel)[..., :1]
    act = np.asarray(keras.Model(model.inputs, model.get_layer("c1").output)(x))[..., :1]
    expected = tf.nn.conv2d_transpose(tf.nn.relu(act), kernel, x.shape, 1, "SAME")
    np.testing.assert_allclose(res.meta["map"], np.asarray(expected)[0], rtol=1e-4, atol=1e-6)


def test_probabilistic_head_uses_the_mean(prob_model, tmp_path):
    x = np.random.default_rng(4).uniform(size=(10, 10, 1)).astype("float32")
    _run_all(prob_model, x, "c", tmp_path, class_index=0)


def test_one_d_signals(signal_model, tmp_path):
    x = np.random.default_rng(5).normal(size=(40, 2)).astype("float32")
    results = _run_all(signal_model, x, "c1", tmp_path, synth=True)
    assert results[9].meta["map"].shape == (1, 40)  # Grad-CAM over time
    assert results[11].meta["map"].shape == (40,)  # occlusion over time
