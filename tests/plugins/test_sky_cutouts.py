"""Sky images: cutouts of a synthetic two-band field with a WCS and a 200-row catalogue,
astropy stretches, NaN pixels, Grad-CAM on RA/Dec axes, and the optional FITS extra."""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np
import pytest
from lamina_builtin.datasets.sky_field import N_SOURCES, make_sky_field

from lamina.data.errors import DataError
from lamina.data.loaders.cutouts import CutoutWarning, load_cutouts
from lamina.visualize import Result, VisualizationError

BLANK_ROWS = [194, 195, 196]
OFF_ROWS = [197, 198, 199]


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    return make_sky_field(tmp_path_factory.mktemp("field"))


def _load(field, **kwargs):
    return load_cutouts([field["g"], field["r"]], field["catalogue"], size=24, **kwargs)


def test_field_has_a_wcs_two_bands_and_200_rows(field):
    from astropy.io import fits
    from astropy.wcs import WCS

    with fits.open(field["g"]) as hdul:
        wcs = WCS(hdul[0].header)
        data = hdul[0].data
    assert wcs.has_celestial and data.shape == (384, 384) and np.isnan(data).any()
    lines = field["catalogue"].read_text().splitlines()
    assert lines[0] == "ra,dec,x,y,label" and len(lines) - 1 == N_SOURCES == 200


def test_off_image_and_blank_rows_are_reported_by_row(field):
    with pytest.warns(CutoutWarning) as caught:
        ds = _load(field)
    messages = [str(w.message) for w in caught]
    for row in OFF_ROWS:
        assert any(f"row {row}: position RA" in m and "off the image" in m for m in messages)
    for row in BLANK_ROWS:
        assert any(f"row {row}: cutout at" in m and "100% blank" in m for m in messages)
    assert len(messages) == 6 and all(str(field["catalogue"]) in m for m in messages)
    assert [p["row"] for p in ds.extras["skipped"]] == BLANK_ROWS + OFF_ROWS
    assert ds.x.shape == (194, 24, 24, 2)  # g and r as channels
    assert ds.class_names == ["extended", "point"]
    assert ds.extras["row"].tolist() == list(range(194))
    with pytest.raises(DataError, match=r"row 194: cutout at .* 100% blank"):
        _load(field, on_problem="error")


def test_cutouts_are_at_the_catalogue_positions(field):
    """RA/Dec through the WCS and the pixel columns give the same stamps; the brightest
    pixel of each stamp is its centre; extended sources are wider than point-like ones."""
    from astropy.io.fits import Header
    from astropy.wcs import WCS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CutoutWarning)
        sky = _load(field)
        pix = _load(field, x="x", y="y")
    same = [np.allclose(a, b) for a, b in zip(sky.x, pix.x, strict=True)]
    # the catalogue's pixels have 2 decimals: a centre on a half pixel may round the other way
    assert np.mean(same) >= 0.98
    lines = field["catalogue"].read_text().splitlines()[1:]
    ra, dec = (float(v) for v in lines[5].split(",")[:2])
    wcs = WCS(Header.fromstring(sky.extras["wcs"][5]))
    cx, cy = wcs.world_to_pixel_values(ra, dec)
    assert abs(cx - 11.5) <= 0.5 and abs(cy - 11.5) <= 0.5  # the stamp's centre
    r = sky.x[..., 1] - np.median(sky.x[..., 1], axis=(1, 2), keepdims=True)
    yy, xx = np.mgrid[:24, :24]
    radius = np.hypot(yy - 11.5, xx - 11.5)
    concentration = r[:, radius < 2.5].sum(axis=1) / r[:, radius < 8].sum(axis=1)
    point = sky.y == sky.class_names.index("point")
    assert np.median(concentration[point]) > 1.5 * np.median(concentration[~point])


def test_blank_pixels_follow_the_nan_policy(field):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CutoutWarning)
        ds = _load(field, max_nan=1.0, nan_fill=-1.0, mask_channel=True)
    assert ds.x.shape == (197, 24, 24, 3)  # blank rows kept; off-image rows never
    blank = ds.x[list(ds.extras["row"]).index(194)]
    assert np.all(blank[..., :2] == -1.0) and np.all(blank[..., 2] == 1.0)
    assert np.all(ds.x[0, ..., 2] == 0.0) and np.isfinite(ds.x).all()
    assert ds.extras["nan_policy"] == {"fill": -1.0, "mask_channel": True}


def test_stretches_come_from_astropy_and_nan_is_drawn_as_bad():
    import matplotlib.pyplot as plt
    from astropy.visualization import AsinhStretch, ImageNormalize, ZScaleInterval

    from lamina.visualize.render import render_figure
    from lamina.visualize.sky import STRETCHES, norm_for

    img = np.random.default_rng(0).normal(size=(16, 16))
    img[3, 4] = np.nan
    norm = norm_for(img, "asinh")
    assert isinstance(norm, ImageNormalize) and isinstance(norm.stretch, AsinhStretch)
    assert isinstance(norm_for(img, "zscale").interval, ZScaleInterval)
    assert set(STRETCHES) == {"linear", "log", "asinh", "sqrt", "zscale", "percentile"}
    with pytest.raises(VisualizationError, match="valid stretches: linear, log"):
        norm_for(img, "cubic")
    res = Result("x", np.ones((1, 16, 16)), ["map"], {"background": img, "stretch": "sqrt"})
    fig = render_figure(res)
    try:
        shown = fig.axes[0].get_images()[0]
        assert isinstance(shown.norm, ImageNormalize)
        rgba = shown.cmap(shown.norm(shown.get_array()))  # what matplotlib paints
        bad = shown.cmap.get_bad()
        np.testing.assert_allclose(rgba[3, 4], bad)  # the NaN pixel: the "bad" colour
        assert not np.allclose(rgba[0, 0], bad) and not np.allclose(bad[:3], shown.cmap(0.0)[:3])
    finally:
        plt.close(fig)


def test_cli_trains_a_cnn_on_cutouts_and_draws_gradcam_on_radec(tmp_path):
    import matplotlib.pyplot as plt
    from astropy.visualization.wcsaxes import WCSAxes

    import lamina
    from lamina.cli import main
    from lamina.visualize.render import render_figure
    from lamina.visualize.runs import visualize_run

    spec = lamina.make_spec(
        [24, 24, 2],
        [
            lamina.item("Conv2D", filters=8, kernel_size=3, activation="relu", padding="same"),
            lamina.item("MaxPooling2D", pool_size=2),
            lamina.item(
                "Conv2D", filters=16, kernel_size=3, activation="relu", padding="same", name="conv2"
            ),
            lamina.item("GlobalAveragePooling2D"),
            lamina.item("Dense", units=2, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=30,
        batch_size=16,
        standardize=True,
        name="cutouts",
    ).to_dict()
    spec["data"] = {"type": "sky_cutouts", "params": {"size": 24}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    project = tmp_path / "project"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CutoutWarning)
        assert main(["train", str(path), "--project", str(project), "--no-progress"]) == 0
        run = lamina.load_run(sorted((project / "runs").iterdir())[-1])
        assert run.history["loss"][-1] < run.history["loss"][0]
        assert run.metrics["accuracy"] >= 0.8  # test split: point-like vs extended, 2 bands
        out = tmp_path / "gradcam.png"
        argv = [
            "viz",
            "gradcam",
            "--run",
            str(project),
            "--input",
            "3",
            "--class",
            "1",
            "--param",
            "stretch=asinh",
            "--out",
            str(out),
        ]
        assert main(argv) == 0 and out.stat().st_size > 1000
        res = visualize_run(run, "gradcam", {"class_index": 1, "stretch": "asinh"}, sample=3)
    assert res.meta["wcs"] and res.meta["stretch"] == "asinh"
    fig = render_figure(res)
    try:
        drawn = [ax for ax in fig.axes if isinstance(ax, WCSAxes)]
        assert len(drawn) == 2  # the cutout and the map overlaid on it
        for ax in drawn:
            assert ax.coords[0].get_axislabel() == "RA" and ax.coords[1].get_axislabel() == "Dec"
        assert len(drawn[1].get_images()) == 2  # background + Grad-CAM
    finally:
        plt.close(fig)


def test_without_astropy_fits_features_give_one_clear_error(field, monkeypatch):
    from lamina_builtin.datasets.sky_field import sky_cutouts

    from lamina.visualize.sky import norm_for, wcs_of

    for name in [m for m in sys.modules if m == "astropy" or m.startswith("astropy.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "astropy", None)
    install = 'pip install "lamina[fits]"'
    with pytest.raises(DataError, match="need astropy") as info:
        _load(field)
    assert install in str(info.value)
    with pytest.raises(DataError) as info:
        sky_cutouts()
    assert install in str(info.value)
    with pytest.raises(VisualizationError) as vinfo:
        norm_for(np.zeros((4, 4)), "asinh")
    assert install in str(vinfo.value)
    with pytest.raises(VisualizationError) as vinfo:
        wcs_of("SIMPLE = T")
    assert install in str(vinfo.value)


def test_cutouts_file_source_takes_comma_separated_bands(field):
    from lamina.plugins import get_registry

    entry = get_registry().get("dataset", "cutouts")
    images = f"{field['g']}, {field['r']}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CutoutWarning)
        ds = entry.obj(images=images, catalog=str(field["catalogue"]), size=24)
        ref = _load(field)
    np.testing.assert_array_equal(ds.x, ref.x)
    np.testing.assert_array_equal(ds.y, ref.y)
    with pytest.raises(DataError, match="column 'kind' not found; columns: ra, dec, x, y"):
        entry.obj(images=images, catalog=str(field["catalogue"]), target="kind")


@pytest.mark.parametrize("ra_centre", [0.0, 359.9985, 0.0015])
def test_radec_ticks_across_ra_0h_read_the_sky_as_astropy_does(ra_centre):
    """A cutout that straddles RA 0h (or touches it): the RA ticks run on through
    23h59m59s -> 0h00m00s, each at the pixel astropy puts that RA."""
    from astropy.coordinates import Angle
    from astropy.io.fits import Header
    from astropy.wcs import WCS

    from lamina.visualize.sky import sky_ticks

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra_centre, 1.5]
    wcs.wcs.crpix = [16.5, 16.5]
    wcs.wcs.cdelt = [-1 / 3600, 1 / 3600]  # 1" pixels, RA growing to the left
    header = Header(wcs.to_header()).tostring()
    ticks = sky_ticks(header, (32, 32))
    x_ticks = ticks["x_ticks"]
    assert len(x_ticks) >= 3
    pixels = [p for p, _ in x_ticks]
    assert all(-0.5 <= p <= 31.5 for p in pixels)
    for pixel, label in x_ticks:
        ra = wcs.pixel_to_world(pixel, -0.5).ra
        assert abs((Angle(label, unit="hourangle") - ra).wrap_at("180d").arcsec) < 1e-3, label
    hours = {label.split("h")[0] for _, label in x_ticks}
    if ra_centre == 0.0:  # straddles 0h: labels from both sides, in order along the edge
        assert hours == {"23", "0"}, x_ticks
        ras = [Angle(label, unit="hourangle").wrap_at("180d").deg for _, label in x_ticks]
        order = np.argsort(pixels)
        assert np.all(np.diff(np.asarray(ras)[order]) < 0)  # RA falls to the right
