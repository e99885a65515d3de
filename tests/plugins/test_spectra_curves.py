"""Spectra seen as astronomers see them: every visualization of a Conv1D model trained on the
``spectra`` data set is drawn as curves against wavelength in Å, with Hα marked at its
redshifted position, and the attributions peak on the line that carries the class.

The data set is the built-in ``spectra`` with its defaults: only Hα (and its [NII]
neighbour) separates the classes, so a correct attribution must point at it. The model is
the one of the docs and the screenshots (``lamina_builtin.datasets.spectra_model``).

Set ``LAMINA_VIZ_DOCS=docs/img/spectra`` to keep the PNGs for the docs.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from lamina_builtin.datasets.spectra_model import train_spectra_classifier

import lamina
from lamina.visualize import save_png
from lamina.visualize.render import render_figure
from lamina.visualize.runs import visualize_run

KINDS = {
    "filters": {},
    "feature_maps": {"layer": "conv1"},
    "top9": {"layer": "conv2", "filter": 0},
    "deconvnet": {},
    "guided_backprop": {"class_index": 1},
    "saliency": {"class_index": 1},
    "smoothgrad": {"class_index": 1, "smooth_samples": 8},
    "gradcam": {"class_index": 1},
    "occlusion": {"class_index": 1, "patch": 4, "stride": 1},
    "deep_dream": {"steps": 5},
    "class_model": {"class_index": 1, "steps": 10},
}
TOLERANCE = 4  # pixels (22 Å each)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    result = train_spectra_classifier(tmp_path_factory.mktemp("spectra_project"), seed=0)
    return result, lamina.load_run(result.path)


def _emission_sample(run):
    from lamina.data.sources import load_data

    ds = load_data(run.info["data_ref"])
    return ds, int(np.flatnonzero((ds.y == 1) & (ds.extras["halpha_ew"] > 30))[0])


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_is_drawn_against_wavelength(trained, name):
    import matplotlib.pyplot as plt

    _, run = trained
    ds, i = _emission_sample(run)
    kind = "saliency" if name == "smoothgrad" else name
    res = visualize_run(run, kind, dict(KINDS[name]), sample=i, n_samples=64)
    assert res.panels, f"{name}: a 1-D result must be drawn as curves"
    fig = render_figure(res)
    try:
        drawn = [ax for ax in fig.axes if ax.get_lines() or ax.collections]
        labelled = [ax for ax in drawn if ax.get_xlabel()]
        assert labelled
        for ax in labelled:
            assert "wavelength" in ax.get_xlabel() and "Å" in ax.get_xlabel(), ax.get_xlabel()
        if name != "filters":  # kernels are drawn against the offset from their centre
            lo, hi = labelled[0].get_xlim()
            assert lo >= 3600 and hi <= 9200 and hi - lo > 4000  # Å, not pixel indices
        if name in (
            "feature_maps",
            "deconvnet",
            "guided_backprop",
            "saliency",
            "smoothgrad",
            "gradcam",
            "occlusion",
            "deep_dream",
        ):
            halpha = 6563.0 * (1 + float(ds.extras["redshift"][i]))
            marks = [t for t in labelled[0].texts if t.get_text().strip() == "Hα"]
            assert marks and marks[0].get_position()[0] == pytest.approx(halpha)
        bands = [c for c in res.panels[-1].curves if c.kind == "band"]
        if name in (
            "deconvnet",
            "guided_backprop",
            "saliency",
            "smoothgrad",
            "gradcam",
            "occlusion",
        ):
            assert len(bands) == 1 and np.ptp(bands[0].y) > 0  # the map is there, not blank
            twin = next(ax for ax in fig.axes if ax.get_ylabel() == bands[0].label)
            top, bottom = twin.get_ylim()[1], twin.get_ylim()[0]
            assert bottom <= bands[0].y.min() and top >= bands[0].y.max()  # all of it shown
    finally:
        plt.close(fig)
    out = os.environ.get("LAMINA_VIZ_DOCS")
    if out:
        save_png(res, os.path.join(out, f"{name}.png"))


def test_attributions_peak_on_the_redshifted_halpha(trained):
    from lamina.data.standardize import apply_standardizer
    from lamina.inference import unwrap
    from lamina.visualize import visualize

    result, _ = trained
    test = result.splits.test
    x = apply_standardizer(test.x, unwrap(result).standardizer)
    predicted = result.model.predict(x, verbose=0).argmax(axis=-1)
    emission = [i for i in range(len(test)) if test.y[i] == 1 and predicted[i] == 1]
    assert len(emission) >= 12
    wl, z = test.extras["wavelength"], test.extras["redshift"]
    hits = {}
    for kind, params in (
        ("occlusion", {"patch": 4, "stride": 1}),
        ("saliency", {}),
        ("gradcam", {}),
    ):
        n = 0
        for i in emission:
            res = visualize(kind, result.model, input=x[i], class_index=1, **params)
            peak = int(np.argmax(np.asarray(res.meta["map"]).reshape(-1)))
            halpha = int(np.argmin(np.abs(wl - 6563.0 * (1 + z[i]))))
            n += abs(peak - halpha) <= TOLERANCE
        hits[kind] = n / len(emission)
    print(f"Hα hits of {len(emission)} emission spectra:", hits)
    assert all(v >= 0.75 for v in hits.values()), hits


def test_curves_against_the_index_place_short_maps_and_receptive_fields():
    """Without a wavelength, a map shorter than the signal (after pooling) spreads over it,
    and each top-9 sample shows its receptive field."""
    from lamina_builtin.visualizations.signals import as_curves

    from lamina.visualize import Result

    x = np.random.default_rng(0).normal(size=(1, 40, 2))  # 40 steps, 2 channels
    cam = as_curves(Result("gradcam", np.zeros((0,)), meta={"map": np.ones((1, 10))}), x)
    (band,) = [c for c in cam.panels[-1].curves if c.kind == "band"]
    np.testing.assert_allclose(band.x, (np.arange(10) + 0.5) * 4 - 0.5)  # pixel centres
    data = np.random.default_rng(1).normal(size=(3, 40, 2))
    meta = {"indices": [2, 0], "boxes": [[(5, 12)], []]}
    top = as_curves(Result("top9", np.zeros((0,)), meta=meta), data)
    assert [p.spans for p in top.panels] == [((5.0, 11.0, "receptive field"),), ()]
    assert [p.title for p in top.panels] == ["#2", "#0"]  # the samples, in the given order
    one = x[:, :, :1]  # one channel: the signal itself, unlabelled
    sal = as_curves(Result("saliency", np.zeros((0,)), meta={"map": np.ones((1, 40))}), one)
    (line,) = [c for c in sal.panels[-1].curves if c.kind != "band"]
    np.testing.assert_array_equal(line.y, one[0, :, 0])
    kernel = np.arange(5 * 2 * 3, dtype="float32").reshape(5, 2, 3)  # 5 taps, 2 in, 3 filters
    filt = as_curves(Result("filters", np.zeros((0,)), meta={"kernel": kernel}), None)
    assert len(filt.panels) == 3 and filt.panels[0].x_label == "offset"
    first = filt.panels[1].curves[0]  # filter 1, input channel 0
    np.testing.assert_array_equal(first.x, [-2, -1, 0, 1, 2])  # centred on the middle tap
    np.testing.assert_array_equal(first.y, kernel[:, 0, 1])
