"""Typed curve panels: validation, the wire round trip and how they are drawn."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.visualize import Curve, CurvePanel, LineMarker, Result, VisualizationError, save_png
from lamina.visualize.render import render_figure


def _spectrum_panel():
    wl = np.linspace(6400.0, 6700.0, 128)
    flux = 1 + np.exp(-0.5 * ((wl - 6563.0) / 5.0) ** 2)
    return CurvePanel(
        [Curve(flux, wl, "flux"), Curve(flux - 1, wl, "saliency", kind="band")],
        title="sample 0",
        x_label="wavelength",
        x_unit="Å",
        y_label="flux",
        markers=[LineMarker(6563, "Hα"), LineMarker(9000, "off the axis")],
    )


def test_curve_checks_its_input():
    with pytest.raises(VisualizationError, match="kind 'bars'"):
        Curve([1, 2], kind="bars")
    with pytest.raises(VisualizationError, match="x has 3 values but y has 2"):
        Curve([1, 2], [0, 1, 2], "flux")
    with pytest.raises(VisualizationError, match="must be Curve"):
        CurvePanel([np.zeros(3)])
    assert Curve(np.ones((5, 1))).y.shape == (5,)  # a (T, 1) signal is a curve
    np.testing.assert_array_equal(Curve([3, 4, 5]).xs, [0, 1, 2])


def test_panel_round_trips_as_plain_data():
    import json

    panel = _spectrum_panel()
    back = CurvePanel.from_dict(json.loads(json.dumps(panel.to_dict())))
    assert back.x_axis_label == "wavelength [Å]"
    assert [c.kind for c in back.curves] == ["line", "band"]
    np.testing.assert_allclose(back.curves[0].x, panel.curves[0].x)
    assert back.markers == panel.markers


def test_spectrum_is_drawn_with_its_axis_band_and_markers(tmp_path):
    import matplotlib.pyplot as plt

    res = Result("saliency", np.zeros((0,)), panels=[_spectrum_panel()])
    fig = render_figure(res)
    try:
        ax, twin = fig.axes[0], fig.axes[1]
        assert ax.get_xlabel() == "wavelength [Å]"
        assert ax.get_ylabel() == "flux"
        assert twin.get_ylabel() == "saliency"  # the band's own scale, same x axis
        assert len(twin.collections) == 1  # the filled band
        lo, hi = ax.get_xlim()
        assert (lo, hi) == (6400.0, 6700.0)  # a marker off the data does not stretch it
        texts = [t.get_text().strip() for t in ax.texts]
        assert texts == ["Hα"]
        line = ax.get_lines()[0]
        assert line.get_xdata()[0] == 6400.0
    finally:
        plt.close(fig)
    assert save_png(res, tmp_path / "s.png").stat().st_size > 0


def test_training_curves_are_panels_against_whole_epochs():
    import matplotlib.pyplot as plt

    from lamina.plugins import get_registry

    history = {"loss": [1.0, 0.6, 0.5, 0.55], "val_loss": [1.1, 0.7, 0.6, 0.8], "acc": [0.5] * 4}
    res = get_registry().get("visualization", "training_curves").obj(history=history)
    assert [p.title for p in res.panels] == ["loss", "acc"]
    loss = res.panels[0]
    assert loss.x_label == "epoch"
    np.testing.assert_array_equal(loss.curves[1].x, [1, 2, 3, 4])
    assert loss.markers == (LineMarker(3, "best"),)
    assert loss.spans == ((3.0, 4.0, "over-fitting"),)
    fig = render_figure(res)
    try:
        assert len(fig.axes) == 2  # side by side, one per metric
        ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 4]
        assert ticks and all(float(t).is_integer() for t in ticks)
        assert fig.axes[0].get_xlabel() == "epoch"
    finally:
        plt.close(fig)


def test_engine_preview_of_spectra_carries_the_axis_and_redshifts():
    from lamina_builtin.datasets.spectra import spectra

    from lamina.engine.handlers.data import dataset_summary
    from lamina.engine.protocol import DatasetSummaryRequest

    reply = dataset_summary(
        DatasetSummaryRequest({"type": "spectra", "params": {"n": 20, "length": 64}}), None
    )
    axis = reply.to_dict()["summary"]["axis"]
    assert (axis["name"], axis["unit"], axis["signal"]) == ("wavelength", "Å", "flux")
    assert axis["lines"] == {"Hβ": 4861.0, "[O III]": 5007.0, "Hα": 6563.0}
    ds = spectra(n=20, length=64)
    shown = reply.preview["indices"]
    np.testing.assert_allclose(axis["redshift"], ds.extras["redshift"][shown], rtol=1e-6)
    np.testing.assert_allclose(axis["values"], ds.extras["wavelength"], rtol=1e-6)


def test_marker_names_stay_inside_small_panels():
    """Hα and the other names are written inside their axes, even in a 12-panel grid and
    for a line next to the left edge (the name then goes right of the line)."""
    import matplotlib.pyplot as plt

    from lamina.visualize.render import render_figure

    wl = np.linspace(3600.0, 9200.0, 256)
    marks = [LineMarker(3620.0, "edge"), LineMarker(4861.0, "Hβ"), LineMarker(6563.0, "Hα")]
    panel = CurvePanel([Curve(np.ones(256), wl, "flux")], x_label="wavelength", markers=marks)
    fig = render_figure(Result("x", np.zeros((0,)), panels=[panel] * 12))
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            box = ax.get_window_extent(renderer)
            names = {t.get_text(): t for t in ax.texts}
            assert set(names) == {"edge", "Hβ", "Hα"}
            for text in names.values():
                shown = text.get_window_extent(renderer)
                assert box.x0 - 1 <= shown.x0 and shown.x1 <= box.x1 + 1, text.get_text()
                assert box.y0 - 1 <= shown.y0 and shown.y1 <= box.y1 + 1, text.get_text()
                assert text.get_clip_on()
            assert names["edge"].get_ha() == "left" and names["Hα"].get_ha() == "right"
    finally:
        plt.close(fig)
