"""Sky images in the app with the real engine: the Data view's stretch choice (the preview
pixels follow the stretch formula) and maps of cutouts on RA/Dec axes in the Visualize view
(the ticks shown are astropy's world coordinates of their pixels).

Set ``LAMINA_APP_DOCS=docs/img/app`` to keep the screenshots for the docs.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pytest

SKY = {"type": "sky_cutouts", "params": {"size": 16}}


def _shot(widget: Any, name: str) -> None:
    out = os.environ.get("LAMINA_APP_DOCS")
    if out:
        assert widget.grab().save(os.path.join(out, name))


@pytest.fixture
def sky_state(make_state: Any, engine_catalog: dict, digits_cnn: Any, tmp_path: Any) -> Any:
    spec = digits_cnn()
    spec["input"] = {"shape": [16, 16, 2]}
    spec["data"] = SKY
    return make_state(engine_catalog, spec, project_path=tmp_path / "proj")


def _sky_samples() -> np.ndarray:
    from lamina_builtin.datasets.sky_field import sky_cutouts

    from lamina.engine.handlers.data import preview_indices

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = sky_cutouts(size=16)
    return np.asarray(ds.x[preview_indices(ds, 8)], dtype="float64")


def test_data_view_stretch_draws_the_preview_as_the_formula_says(
    qtbot: Any, engine: Any, sky_state: Any
) -> None:
    from astropy.visualization import PercentileInterval, ZScaleInterval
    from lamina_gui.views.data import DataView

    data = DataView(sky_state, engine)
    qtbot.addWidget(data)
    data.resize(1100, 700)
    data.show()
    with qtbot.waitSignal(data.preview_shown, timeout=120000):
        data.refresh_preview()
    assert data.preview.kind() == "images" and data.stretch.isVisible()
    grid = data.preview.image_grid
    x = _sky_samples()
    grey = x[0].mean(axis=-1)
    as_stored = np.round(255 * (grey - grey.min()) / np.ptp(grey))
    np.testing.assert_allclose(grid.image(0)[..., 0], as_stored, atol=1)  # min-max

    with qtbot.waitSignal(data.preview_shown, timeout=120000):
        data.stretch.set_value("asinh")  # the engine draws the preview again
    lo, hi = PercentileInterval(99.5).get_limits(grey)
    u = np.clip((grey - lo) / (hi - lo), 0, 1)
    asinh = np.round(255 * np.arcsinh(u / 0.1) / np.arcsinh(1 / 0.1))  # astropy's a = 0.1
    shown = grid.image(0)
    assert grid.count() == 8
    np.testing.assert_allclose(shown[..., 0], asinh, atol=1)
    assert np.abs(shown[..., 0] - as_stored).max() > 40  # faint pixels brought up
    _shot(data, "data-sky-stretch.png")

    with qtbot.waitSignal(data.preview_shown, timeout=120000):
        data.stretch.set_value("zscale")
    lo, hi = ZScaleInterval().get_limits(grey)
    zscale = np.round(255 * np.clip((grey - lo) / (hi - lo), 0, 1))
    np.testing.assert_allclose(grid.image(0)[..., 0], zscale, atol=1)


@pytest.fixture(scope="module")
def cutout_run(tmp_path_factory: Any) -> str:
    import lamina

    spec = lamina.make_spec(
        [16, 16, 2],
        [
            lamina.item("Conv2D", filters=8, kernel_size=3, activation="relu", name="conv"),
            lamina.item("GlobalAveragePooling2D"),
            lamina.item("Dense", units=2, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        epochs=10,  # a few seconds; a map worth a screenshot
        name="cutouts",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = lamina.train(spec, data=SKY, project=tmp_path_factory.mktemp("c"), seed=0)
    return str(run.path)


def test_visualize_view_draws_cutout_maps_on_radec_axes(
    qtbot: Any, engine: Any, sky_state: Any, cutout_run: str
) -> None:
    from astropy.coordinates import Angle
    from lamina_gui.views.visualize import VisualizeView

    from lamina.visualize.sky import wcs_of

    vis = VisualizeView(sky_state, engine)
    qtbot.addWidget(vis)
    vis.resize(1200, 600)
    vis.show()
    vis.set_run_dir(cutout_run)
    vis.set_kind("gradcam")
    vis.sample_box.setValue(3)
    vis.class_box.setValue(1)
    with qtbot.waitSignal(vis.shown, timeout=180000) as got:
        vis.run()
    meta = got.args[0]["meta"]
    assert vis.sky.isVisible() and not vis.grid.isVisible()
    assert len(vis.sky.plots) == vis.grid.count() >= 1
    plot = vis.sky.plots[-1]
    assert plot.getAxis("bottom").labelText == "RA" and plot.getAxis("left").labelText == "Dec"
    assert not plot.vb.yInverted()  # first row at the bottom, as in FITS
    wcs = wcs_of(meta["wcs"])
    qtbot.wait(200)  # layout and paint
    _shot(vis, "visualize-sky-radec.png")
    ticks = vis.sky.tick_labels(len(vis.sky.plots) - 1)
    assert len(ticks["bottom"]) >= 2 and len(ticks["left"]) >= 2
    for pixel, label in ticks["bottom"]:  # RA along the bottom edge
        ra = wcs.pixel_to_world(pixel, -0.5).ra
        assert abs((Angle(label, unit="hourangle") - ra).wrap_at("180d").arcsec) < 1e-3
    for pixel, label in ticks["left"]:  # Dec along the left edge
        dec = wcs.pixel_to_world(-0.5, pixel).dec
        dms = label.replace("°", "d").replace("'", "m").replace('"', "s")
        assert abs((Angle(dms) - dec).arcsec) < 1e-3
    # the overlay's opacity still applies to what is drawn on the sky axes
    before = vis.sky.plots[-1].items[0].image.copy()
    vis.opacity_slider.setValue(90)
    assert not np.array_equal(vis.sky.plots[-1].items[0].image, before)
    vis.opacity_slider.setValue(45)

    # a stretch for the maps' background: the map is asked for again and drawn over the
    # input as the engine stretched it (opacity 0 shows the background alone)
    from lamina_gui.widgets.image_grid import decode_image_array

    from lamina.visualize.sky import preview_image

    assert vis.stretch.isVisible() and "background_stretched" not in meta
    with qtbot.waitSignal(vis.shown, timeout=180000) as got:
        vis.stretch.set_value("asinh")
    meta = got.args[0]["meta"]
    background = np.asarray(decode_image_array(meta["background"]), dtype="float64")
    want = preview_image(background, "asinh")
    np.testing.assert_array_equal(decode_image_array(meta["background_stretched"]), want)
    vis.opacity_slider.setValue(0)
    np.testing.assert_array_equal(vis.grid.image(0)[..., :3], want)
    vis.opacity_slider.setValue(45)
    qtbot.wait(200)
    _shot(vis, "visualize-sky-stretch.png")
