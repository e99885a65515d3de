"""Tests of the built-in visualizations on a small CNN trained to find a bright spot.

Set ``LAMINA_VIZ_DOCS=docs/img/viz`` to write the PNGs of the docs there.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from lamina.hookspecs import hookimpl
from lamina.visualize import Result, VisualizationError, save_png
from lamina.visualize import visualize as _visualize
from lamina.visualize.layers import prepare_input, resolve_layer


class _VizPlugin:
    """Registers the built-in visualizations (until the built-in plug-in does)."""

    @hookimpl
    def register_visualizations(self, register):
        from lamina_builtin.visualizations import register_builtin_visualizations

        register_builtin_visualizations(register)


_REGISTRY = None


def viz_registry():
    global _REGISTRY
    if _REGISTRY is None:
        from lamina.plugins import get_registry
        from lamina.testing import make_registry

        reg = get_registry()
        if "occlusion" not in reg.names("visualization"):
            reg = make_registry(("viz", _VizPlugin()))
        _REGISTRY = reg
    return _REGISTRY


def visualize(kind, model=None, **params):
    return _visualize(kind, model, registry=viz_registry(), **params)


SIZE = 32
SPOT = 3


def bright_spot_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noise images; class 1 has a bright 3x3 square at a random spot. Returns x, y, centres."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.4, size=(n, SIZE, SIZE, 1)).astype("float32")
    y = rng.integers(0, 2, size=n)
    centres = np.full((n, 2), -1)
    for i in range(n):
        if y[i] == 1:
            r, c = rng.integers(2, SIZE - SPOT - 2, size=2)
            x[i, r : r + SPOT, c : c + SPOT, 0] = 1.0
            centres[i] = (r + SPOT // 2, c + SPOT // 2)
    return x, y, centres


def cnn_spec() -> dict:
    return {
        "name": "spot_cnn",
        "input": {"shape": [SIZE, SIZE, 1]},
        "layers": [
            {
                "type": "Conv2D",
                "name": "conv1",
                "params": {"filters": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
            },
            {"type": "MaxPooling2D", "name": "pool1", "params": {"pool_size": 2}},
            {
                "type": "Conv2D",
                "name": "conv2",
                "params": {
                    "filters": 16,
                    "kernel_size": 3,
                    "padding": "same",
                    "activation": "relu",
                },
            },
            {"type": "MaxPooling2D", "name": "pool2", "params": {"pool_size": 2}},
            {"type": "Flatten", "name": "flatten", "params": {}},
            {"type": "Dense", "name": "dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "compile": {
            "loss": "sparse_categorical_crossentropy",
            "optimizer": {"type": "Adam", "params": {"learning_rate": 0.003}},
            "metrics": ["accuracy"],
        },
    }


@pytest.fixture(scope="session")
def trained():
    from lamina.build import build_model
    from lamina.keras import tf

    tf.random.set_seed(0)
    x, y, _ = bright_spot_data(1200, seed=1)
    model = build_model(cnn_spec())
    history = model.fit(x, y, epochs=6, batch_size=32, validation_split=0.2, verbose=0)
    xt, yt, centres = bright_spot_data(200, seed=2)
    acc = float(np.mean(model.predict(xt, verbose=0).argmax(-1) == yt))
    assert acc > 0.95, f"the test CNN did not learn the bright spot (accuracy {acc:.2f})"
    return {"model": model, "history": history.history, "x": xt, "y": yt, "centres": centres}


def _held_out_spots(trained, n=5):
    idx = np.where(trained["y"] == 1)[0][:n]
    return [(trained["x"][i], trained["centres"][i]) for i in idx]


def _near(peak, centre, tol=4):
    return max(abs(int(peak[0]) - int(centre[0])), abs(int(peak[1]) - int(centre[1]))) <= tol


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory) -> Path:
    target = os.environ.get("LAMINA_VIZ_DOCS")
    return Path(target) if target else tmp_path_factory.mktemp("viz")


# -- the maps find the feature ------------------------------------------------------


def test_occlusion_peaks_at_the_spot(trained):
    for img, centre in _held_out_spots(trained):
        res = visualize(
            "occlusion", trained["model"], input=img, class_index=1, patch=4, stride=2, fill=0.2
        )
        assert _near(res.meta["peak"], centre), (res.meta["peak"], centre)


@pytest.mark.parametrize("plus_plus", [False, True])
def test_gradcam_peaks_at_the_spot(trained, plus_plus):
    for img, centre in _held_out_spots(trained):
        res = visualize(
            "gradcam",
            trained["model"],
            input=img,
            class_index=1,
            layer="conv2",
            plus_plus=plus_plus,
        )
        assert res.meta["map"].shape == (SIZE, SIZE)
        assert _near(res.meta["peak"], centre), (res.meta["peak"], centre)


def test_deconvnet_top_unit_peaks_at_the_spot(trained):
    for img, centre in _held_out_spots(trained):
        res = visualize("deconvnet", trained["model"], input=img, layer="conv2")
        assert res.meta["generic_layers"] == []  # every layer crossed by a deconvnet rule
        assert _near(res.meta["peak"], centre), (res.meta["peak"], centre)


def test_deconvnet_uses_unpooling_switches(trained):
    """Only positions that won a max pooling receive signal below a pooling layer."""
    from lamina.keras import keras

    model = trained["model"]
    img = _held_out_spots(trained, 1)[0][0]
    res = visualize("deconvnet", model, input=img, layer="pool1", unit="all", filter=0)
    conv1 = keras.Model(model.inputs, model.get_layer("conv1").output)(img[None])[0, ..., 0]
    conv1 = np.asarray(conv1)
    wins = np.zeros_like(conv1, dtype=bool)
    for r in range(0, SIZE, 2):
        for c in range(0, SIZE, 2):
            block = conv1[r : r + 2, c : c + 2]
            rr, cc = np.unravel_index(np.argmax(block), block.shape)
            wins[r + rr, c + cc] = True
    assert res.meta["map"].shape == (SIZE, SIZE, 1)
    # the projected map is the conv transpose of the unpooled map: nonzero only near winners
    from lamina.keras import tf

    unpooled_support = tf.nn.conv2d(
        wins[None, ..., None].astype("float32"), tf.ones((3, 3, 1, 1)), 1, "SAME"
    )[0, ..., 0]
    outside = np.abs(res.meta["map"][..., 0])[np.asarray(unpooled_support) == 0]
    assert outside.size == 0 or outside.max() == 0


def test_saliency_and_guided_backprop_point_at_the_spot(trained):
    """Gradient maps are speckled: test that the spot's neighbourhood stands out."""
    img, (r, c) = _held_out_spots(trained, 1)[0]
    ratios = {}
    for kind, params, least in [
        ("saliency", {}, 1.2),
        ("saliency", {"smooth_samples": 16}, 1.2),
        ("guided_backprop", {}, 1.2),
    ]:
        res = visualize(kind, trained["model"], input=img, class_index=1, **params)
        m = np.abs(np.asarray(res.meta["map"]))
        m = m.sum(axis=-1) if m.ndim == 3 else m
        near = np.zeros(m.shape, dtype=bool)
        near[max(r - 3, 0) : r + 4, max(c - 3, 0) : c + 4] = True
        ratios[kind, len(params)] = m[near].mean() / m[~near].mean()
        assert ratios[kind, len(params)] > least, ratios


# -- top-9 ---------------------------------------------------------------------------


def test_top9_matches_brute_force(trained):
    from lamina.keras import keras

    model, data = trained["model"], trained["x"][:150]
    res = visualize("top9", model, data=data, layer="conv2", filter=3, batch_size=32)
    sub = keras.Model(model.inputs, model.get_layer("conv2").output)
    acts = np.asarray(sub(data))[..., 3].reshape(len(data), -1).max(axis=1)
    brute = np.argsort(-acts, kind="stable")[:9]
    assert sorted(res.meta["indices"]) == sorted(brute.tolist())
    np.testing.assert_allclose(res.meta["values"], acts[brute], rtol=1e-5)
    assert res.images.shape[0] == 9
    # conv-pool-conv receptive field: 3 + 2 + 2*2 = 8 pixels
    assert res.meta["receptive_field"]["size"] == [8.0, 8.0]


def test_filters_modes(trained):
    model = trained["model"]
    first = visualize("filters", model, layer="conv1")
    assert first.images.shape == (8, 3, 3)
    deep = visualize("filters", model, layer="conv2", mode="channel", channel=7)
    np.testing.assert_array_equal(
        deep.images[2], np.asarray(model.get_layer("conv2").kernel)[..., 7, 2]
    )
    dense = visualize("filters", model, layer="dense")
    assert dense.images.shape == (2, 8, 8)  # positions of pool2, summed over its 16 channels
    assert "pool2" in dense.meta["mode"]
    with pytest.raises(VisualizationError, match=r"valid range is 0\.\.7"):
        visualize("filters", model, layer="conv2", mode="channel", channel=8)


def test_top9_dense_layer_whole_inputs(trained):
    res = visualize("top9", trained["model"], data=trained["x"][:40], layer="dense", filter=1)
    assert res.images.shape == (9, SIZE, SIZE)


# -- synthesis -----------------------------------------------------------------------


def _liveliest_filter(model, layer_name, x):
    """The filter of `layer_name` with the largest mean activation (never a dead unit)."""
    from lamina.keras import keras

    probe = keras.Model(model.inputs, model.get_layer(layer_name).output)
    return int(np.argmax(np.asarray(probe(x[:32])).mean(axis=(0, 1, 2))))


def test_deep_dream_is_repeatable_and_reports_steps(trained):
    steps = []
    live = _liveliest_filter(trained["model"], "conv2", trained["x"])
    a = visualize(
        "deep_dream",
        trained["model"],
        layer="conv2",
        filter=live,
        steps=6,
        octaves=2,
        seed=3,
        on_step=lambda i, img: steps.append((i, img.shape)),
    )
    b = visualize(
        "deep_dream", trained["model"], layer="conv2", filter=live, steps=6, octaves=2, seed=3
    )
    np.testing.assert_array_equal(a.meta["image"], b.meta["image"])
    assert [s[0] for s in steps] == list(range(12))
    assert a.meta["objective"][-1] > a.meta["objective"][0]
    c = visualize("deep_dream", trained["model"], layer="conv2", filter=live, steps=6, seed=4)
    assert not np.array_equal(a.meta["image"], c.meta["image"])


def test_class_model_raises_the_class_score(trained):
    res = visualize("class_model", trained["model"], class_index=1, steps=30, tv=0.001)
    assert res.meta["objective"][-1] > res.meta["objective"][0]
    again = visualize("class_model", trained["model"], class_index=1, steps=30, tv=0.001)
    np.testing.assert_array_equal(res.meta["image"], again.meta["image"])


# -- errors --------------------------------------------------------------------------


def test_error_unknown_layer_lists_names(trained):
    with pytest.raises(VisualizationError, match="valid layer names: 'conv1', 'pool1'"):
        visualize("feature_maps", trained["model"], input=trained["x"][0], layer="conv9")


def test_error_non_spatial_layer_names_spatial_ones(trained):
    with pytest.raises(VisualizationError, match="no spatial output.*'conv1', 'pool1', 'conv2'"):
        visualize("gradcam", trained["model"], input=trained["x"][0], layer="dense")


def test_error_filter_out_of_range(trained):
    with pytest.raises(VisualizationError, match=r"valid range is 0\.\.15"):
        visualize("top9", trained["model"], data=trained["x"][:5], layer="conv2", filter=16)


def test_error_input_shape(trained):
    with pytest.raises(VisualizationError, match=r"expected \(32, 32, 1\).*got \(28, 28\)"):
        visualize("occlusion", trained["model"], input=np.zeros((28, 28)))
    with pytest.raises(ValueError):  # VisualizationError is a ValueError
        visualize("deconvnet", trained["model"], input=np.zeros((5,)))


def test_error_layer_index_and_class(trained):
    with pytest.raises(VisualizationError, match="valid indices are -6..5"):
        resolve_layer(trained["model"], 6)
    with pytest.raises(VisualizationError, match=r"class_index 2 out of range.*0\.\.1"):
        visualize("gradcam", trained["model"], input=trained["x"][0], class_index=2)


def test_error_params_checked_against_the_schema(trained):
    with pytest.raises(VisualizationError, match="unknown parameter for gradcam"):
        visualize("gradcam", trained["model"], input=trained["x"][0], colour="red")
    with pytest.raises(VisualizationError, match="expected an int"):
        visualize("occlusion", trained["model"], input=trained["x"][0], patch="big")


def test_prepare_input_accepts_2d_image(trained):
    assert prepare_input(trained["model"], np.zeros((32, 32))).shape == (1, 32, 32, 1)


# -- every visualization writes a PNG -----------------------------------------------


def _all_results(trained):
    model, x = trained["model"], trained["x"]
    img = _held_out_spots(trained, 1)[0][0]
    pred = model.predict(x, verbose=0)
    return {
        "filters": visualize("filters", model, layer="conv1"),
        "filters_deep": visualize("filters", model, layer="conv2"),
        "filters_dense": visualize("filters", model, layer="dense"),
        "feature_maps": visualize("feature_maps", model, input=img, layer="conv1"),
        "top9": visualize(
            "top9",
            model,
            data=x,
            layer="conv2",
            filter=int(
                np.argmax(
                    np.asarray(model.get_layer("dense").kernel)
                    .reshape(8, 8, 16, 2)[..., 1]
                    .sum(axis=(0, 1))
                )
            ),
        ),
        "deconvnet": visualize("deconvnet", model, input=img, layer="conv2"),
        "guided_backprop": visualize("guided_backprop", model, input=img, class_index=1),
        "saliency": visualize("saliency", model, input=img, class_index=1, smooth_samples=16),
        "gradcam": visualize("gradcam", model, input=img, class_index=1, layer="conv2"),
        "occlusion": visualize(
            "occlusion", model, input=img, class_index=1, patch=4, stride=2, fill=0.2, layer="conv2"
        ),
        "deep_dream": visualize(
            "deep_dream", model, input=x[0], layer="conv2", steps=40, octaves=2, step_size=0.03
        ),
        "class_model": visualize("class_model", model, class_index=1, steps=200, tv=0.2, l2=0.05),
        "training_curves": visualize("training_curves", history=trained["history"]),
        "weight_histograms": visualize("weight_histograms", model),
        "activation_histograms": visualize("activation_histograms", model, input=x[:64]),
        "confusion_matrix": visualize(
            "confusion_matrix", y_true=trained["y"], y_pred=pred, labels=["noise", "spot"]
        ),
    }


def _overfit_history():
    """A wide MLP on 80 noise images with random labels: validation loss turns up."""
    from lamina.build import build_model

    rng = np.random.default_rng(5)
    x = rng.uniform(size=(80, SIZE, SIZE, 1)).astype("float32")
    y = rng.integers(0, 2, size=80)
    spec = {
        **cnn_spec(),
        "layers": [
            {"type": "Flatten", "params": {}},
            {"type": "Dense", "params": {"units": 64, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
    }
    model = build_model(spec)
    return model.fit(x, y, epochs=25, batch_size=16, validation_split=0.5, verbose=0).history


def test_training_curves_show_overfitting():
    res = visualize("training_curves", history=_overfit_history())
    assert res.meta["overfitting"] is True
    assert res.meta["series"]["loss"]["training"][-1] < res.meta["series"]["loss"]["training"][0]


def test_every_visualization_writes_a_png(trained, out_dir):
    results = _all_results(trained)
    results["training_curves_overfit"] = visualize("training_curves", history=_overfit_history())
    registered = set(viz_registry().names("visualization"))
    builtin = {
        "filters",
        "weight_histograms",
        "feature_maps",
        "activation_histograms",
        "top9",
        "deconvnet",
        "guided_backprop",
        "saliency",
        "gradcam",
        "occlusion",
        "deep_dream",
        "class_model",
        "training_curves",
        "confusion_matrix",
    }
    assert builtin <= registered
    assert builtin <= set(results)
    for name, res in results.items():
        assert isinstance(res, Result)
        path = save_png(res, out_dir / f"{name}.png")
        assert path.stat().st_size > 2000, name


def test_receptive_field_matches_gradient_support(trained):
    """The top-9 patch of a unit is exactly where its gradient is nonzero."""
    from lamina_builtin.visualizations.top9 import receptive_field

    from lamina.keras import keras, tf

    model = trained["model"]
    layer = model.get_layer("conv2")
    sub = keras.Model(model.inputs, layer.output)
    support = np.zeros((SIZE, SIZE))
    for seed in range(3):
        x = tf.constant(np.random.default_rng(seed).uniform(size=(1, SIZE, SIZE, 1)), tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)
            unit = tf.reduce_sum(sub(x)[0, 5, 6, :])
        support += np.abs(np.asarray(tape.gradient(unit, x))[0, ..., 0])
    rows, cols = np.nonzero(support)
    rf = receptive_field(model, layer)
    for axis, pos, found in ((0, 5, rows), (1, 6, cols)):
        centre = rf["start"][axis] + pos * rf["jump"][axis]
        lo = int(np.floor(centre - rf["size"][axis] / 2 + 0.5))
        assert (found.min(), found.max()) == (lo, lo + int(rf["size"][axis]) - 1)
