"""The engine's handlers for astronomers' data: spectra results carry their curve panels
(wavelength axis, units, Hα at the sample's redshift), sky previews come stretched as the
stretch formula says, and maps of sky cutouts carry astropy's RA/Dec ticks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lamina
from lamina.engine.handlers.context import Context
from lamina.engine.handlers.data import dataset_summary
from lamina.engine.handlers.visualize import visualize
from lamina.engine.protocol import DatasetSummaryRequest, VisualizeRequest
from lamina.visualize import CurvePanel, VisualizationError


@pytest.fixture(scope="module")
def spectra_run(tmp_path_factory):
    from lamina_builtin.datasets.spectra_model import spectra_classifier_spec

    data = {"type": "spectra", "params": {"n": 40}}
    spec = spectra_classifier_spec(epochs=1)
    return lamina.train(spec, data=data, project=tmp_path_factory.mktemp("p"), seed=0).path


def test_visualize_handler_puts_the_curve_panels_in_the_reply_meta(spectra_run):
    from lamina_builtin.datasets.spectra import spectra

    from lamina.visualize.runs import sample_inputs

    ds = spectra(n=40)
    sample = int(np.flatnonzero(ds.y == 1)[0])
    request = VisualizeRequest(
        "saliency", str(spectra_run), params={"class_index": 1}, sample=sample
    )
    reply = visualize(request, Context())
    panels = [CurvePanel.from_dict(d) for d in reply.meta["panels"]]  # plain dicts on the wire
    assert panels and isinstance(reply.meta["panels"][0], dict)
    panel = panels[-1]
    # the run standardises its inputs: the curve is the spectrum as the model saw it
    assert (panel.x_label, panel.x_unit) == ("wavelength", "Å")
    assert (panel.x_axis_label, panel.y_label) == ("wavelength [Å]", "flux (standardised)")
    flux, band = panel.curves[0], [c for c in panel.curves if c.kind == "band"][0]
    np.testing.assert_allclose(flux.x, ds.extras["wavelength"], rtol=1e-6)
    seen = sample_inputs(lamina.load_run(spectra_run), [sample])[0]
    np.testing.assert_allclose(flux.y, seen[:, 0], rtol=1e-5, atol=1e-6)
    assert band.y.shape == (256,) and np.ptp(band.y) > 0
    z = float(ds.extras["redshift"][sample])
    marks = {m.label: m.x for m in panel.markers}
    assert set(marks) == {"Hβ", "[O III]", "Hα"}
    assert marks["Hα"] == pytest.approx(6563.0 * (1 + z), rel=1e-6)
    assert marks["Hβ"] == pytest.approx(4861.0 * (1 + z), rel=1e-6)
    assert "sky_axes" not in reply.meta  # no WCS: no RA/Dec


def test_dataset_summary_stretches_image_previews_as_astropy_says():
    from astropy.visualization import PercentileInterval, ZScaleInterval

    from lamina.visualize.sky import BLANK_RGB

    ref = {"type": "sky_cutouts", "params": {"size": 16}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = dataset_summary(DatasetSummaryRequest(ref, n_preview=3), Context())
        asinh = dataset_summary(DatasetSummaryRequest(ref, n_preview=3, stretch="asinh"), Context())
        zscale = dataset_summary(
            DatasetSummaryRequest(ref, n_preview=3, stretch="zscale"), Context()
        )
    assert "stretched" not in plain.preview
    x = np.asarray(plain.preview["x"], dtype="float64")
    assert x.shape == (3, 16, 16, 2)
    np.testing.assert_array_equal(asinh.preview["x"], plain.preview["x"])  # data unchanged
    shown = asinh.preview["stretched"]
    assert shown.shape == (3, 16, 16, 3) and shown.dtype == np.uint8
    assert asinh.preview["stretch"] == "asinh"
    grey = x[0].mean(axis=-1)
    lo, hi = PercentileInterval(99.5).get_limits(grey)
    u = np.clip((grey - lo) / (hi - lo), 0, 1)
    want = np.round(255 * np.arcsinh(u / 0.1) / np.arcsinh(1 / 0.1))  # astropy's asinh, a=0.1
    np.testing.assert_allclose(shown[0, ..., 0], want, atol=1)
    assert np.array_equal(shown[0, ..., 0], shown[0, ..., 2])  # grey
    lo, hi = ZScaleInterval().get_limits(grey)
    want = np.round(255 * np.clip((grey - lo) / (hi - lo), 0, 1))
    np.testing.assert_allclose(zscale.preview["stretched"][0, ..., 0], want, atol=1)
    assert not np.array_equal(zscale.preview["stretched"], shown)
    with pytest.raises(VisualizationError, match="valid stretches"):
        dataset_summary(DatasetSummaryRequest(ref, stretch="cubic"), Context())
    # a blank (NaN) pixel is drawn in its own colour
    from lamina.visualize.sky import preview_image

    img = np.arange(16.0).reshape(4, 4)
    img[1, 2] = np.nan
    rgb = preview_image(img, "linear")
    assert tuple(rgb[1, 2]) == BLANK_RGB and rgb[0, 0, 0] == 0 and rgb[3, 3, 0] == 255
    assert rgb[0, 1, 0] == round(255 * 1 / 15)


@pytest.fixture(scope="module")
def cutout_run(tmp_path_factory):
    spec = lamina.make_spec(
        [16, 16, 2],
        [
            lamina.item("Conv2D", filters=4, kernel_size=3, activation="relu", name="conv"),
            lamina.item("GlobalAveragePooling2D"),
            lamina.item("Dense", units=2, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        epochs=1,
        name="cutouts",
    )
    data = {"type": "sky_cutouts", "params": {"size": 16}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lamina.train(spec, data=data, project=tmp_path_factory.mktemp("c"), seed=0).path


def test_visualize_handler_gives_maps_of_cutouts_astropys_radec_ticks(cutout_run):
    from astropy.coordinates import Angle

    from lamina.visualize.sky import wcs_of

    request = VisualizeRequest("gradcam", str(cutout_run), params={"class_index": 1}, sample=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reply = visualize(request, Context())
    axes = reply.meta["sky_axes"]
    assert (axes["x_label"], axes["y_label"]) == ("RA", "Dec")
    assert len(axes["x_ticks"]) >= 2 and len(axes["y_ticks"]) >= 2
    wcs = wcs_of(reply.meta["wcs"])
    for pixel, label in axes["x_ticks"]:
        assert -0.5 <= pixel <= 15.5
        ra = wcs.pixel_to_world(pixel, -0.5).ra  # on the bottom edge
        assert abs((Angle(label, unit="hourangle") - ra).wrap_at("180d").arcsec) < 1e-3
    for pixel, label in axes["y_ticks"]:
        assert -0.5 <= pixel <= 15.5
        dec = wcs.pixel_to_world(-0.5, pixel).dec  # on the left edge
        dms = label.replace("°", "d").replace("'", "m").replace('"', "s")
        assert abs((Angle(dms) - dec).arcsec) < 1e-3


def test_visualize_handler_draws_the_maps_background_with_the_asked_stretch(cutout_run):
    from lamina.visualize.sky import preview_image

    def ask(stretch):
        request = VisualizeRequest(
            "gradcam", str(cutout_run), params={"class_index": 1}, sample=3, stretch=stretch
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return visualize(request, Context())

    from lamina.engine.protocol.wire import decode_arrays

    plain, asinh = ask(None), ask("asinh")
    plain_meta, meta = decode_arrays(plain.meta), decode_arrays(asinh.meta)  # as on the wire
    assert "background_stretched" not in plain_meta and "stretch" not in plain_meta
    background = np.asarray(meta["background"], dtype="float64")
    np.testing.assert_array_equal(background, plain_meta["background"])  # the input as is
    shown = meta["background_stretched"]
    assert shown.shape == background.shape[:2] + (3,) and shown.dtype == np.uint8
    np.testing.assert_array_equal(shown, preview_image(background, "asinh"))
    assert meta["stretch"] == "asinh"
    np.testing.assert_array_equal(asinh.images, plain.images)  # the map itself is unchanged
    with pytest.raises(VisualizationError, match="valid stretches: linear, log"):
        ask("cubic")
