"""Tests of the example plug-in, written with lamina.testing as a plug-in author would."""

import numpy as np
import pytest
from lamina_example import plugin
from lamina_example.plugin import AsinhStretch, magnitude_response, weight_norms

from lamina.testing import check_entry, check_layer, check_loss_roundtrip
from lamina.visualize import Result

NAMES = {
    "example.AsinhStretch",
    "example.log_cosh_relative",
    "example.SignSGD",
    "example.PositiveHead",
    "example.photometry_mlp",
    "example.star_colours",
    "example.weight_norms",
    "example.magnitude_response",
}


def test_asinh_stretch_layer():
    out = check_layer(
        AsinhStretch, {"softening": 0.5}, input_shape=(8, 8, 1), expected_output_shape=(8, 8, 1)
    )
    assert out.shape == (3, 8, 8, 1)


def test_every_entry_of_the_plugin(lamina_registry_factory, tmp_path):
    registry = lamina_registry_factory(("example", plugin))
    assert registry.plugins["example"].ok, registry.plugins["example"].problems
    ours = [e for e in registry.entries() if e.plugin == "example"]
    assert {e.name for e in ours} == NAMES
    for entry in ours:
        check_entry(entry, registry, tmp_dir=tmp_path)


def test_weight_norms_on_a_tiny_model(lamina_registry_factory, tmp_path):
    import lamina

    lamina_registry_factory(("example", plugin))
    spec = lamina.make_spec(
        [5],
        [lamina.item("example.AsinhStretch", softening=0.5), lamina.item("Dense", units=3)],
        loss="mse",
    )
    model = lamina.build_model(spec)
    result = weight_norms(model, height=32, bar_width=4)
    assert isinstance(result, Result)
    assert result.meta["layers"] == [layer.name for layer in model.layers[1:]]
    assert result.images.shape == (32, 2 * (4 + 2))
    assert np.all(np.isin(result.images, [0.0, 1.0]))
    assert result.meta["norms"][0] == pytest.approx(np.log(2.0), rel=1e-5)  # |log softening|
    tallest = int(np.argmax(result.meta["norms"]))
    assert result.images[:, tallest * 6].sum() == 32  # the largest norm fills the height
    assert result.save_png(tmp_path / "norms.png").read_bytes()[:4] == b"\x89PNG"


def test_magnitude_response_is_the_prediction_against_the_magnitude_change(
    lamina_registry_factory,
):
    import lamina

    lamina_registry_factory(("example", plugin))
    model = lamina.build_model(lamina.architecture("example.photometry_mlp"))
    star = np.array([1.0, 2.0, 3.0, 2.5, 2.0], dtype="float32")
    result = magnitude_response(model, star, span=5.0, steps=11)
    (panel,) = result.panels
    (curve,) = panel.curves
    assert panel.x_axis_label == "magnitude change [mag]"
    assert curve.x.tolist() == pytest.approx(np.linspace(-5, 5, 11).tolist())
    fainter = star * 10.0 ** (-0.4 * 5.0)  # +5 mag: 100 times fainter
    expected = model.predict(np.stack([star, fainter]), verbose=0)[:, 0]
    assert curve.y[[5, 10]] == pytest.approx(expected, rel=1e-5)


def test_the_template_trains_on_the_dataset_with_the_head_loss(lamina_registry_factory):
    import lamina

    registry = lamina_registry_factory(("example", plugin))
    data = registry.get("dataset", "example.star_colours").obj(n=300)
    assert data.x.shape == (300, 5) and data.y.min() >= 3.0 and data.y.max() <= 30.0
    spec = registry.get("architecture", "example.photometry_mlp").obj(epochs=2)
    model = lamina.build_model(spec)
    assert model.loss.__name__ == "log_cosh_relative"  # the head's default loss
    history = model.fit(data.x, data.y, epochs=2, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert np.all(model.predict(data.x[:10], verbose=0) > 0)  # the head's outputs


def test_the_loss_with_parameters_reloads_from_a_keras_file(lamina_registry_factory, tmp_path):
    registry = lamina_registry_factory(("example", plugin))
    # a new process loads the file with lamina.load_model: it finds the installed plug-in
    check_loss_roundtrip(
        "example.log_cosh_relative", {"scale": 2.0}, registry=registry, tmp_dir=tmp_path
    )
