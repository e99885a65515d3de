"""Spectra and 1-D results drawn as curves in the app (Data preview, Visualize view)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize import Curve, CurvePanel, LineMarker


def _panel() -> CurvePanel:
    wl = np.linspace(3600.0, 9200.0, 256)
    flux = 1 + np.exp(-0.5 * ((wl - 7000.0) / 20.0) ** 2)
    return CurvePanel(
        [Curve(flux, wl, "flux"), Curve(flux - 1, wl, "saliency", kind="band")],
        title="saliency class 1",
        x_label="wavelength",
        x_unit="Å",
        markers=[LineMarker(7000.0, "Hα"), LineMarker(12000.0, "off")],
    )


def test_curve_panels_draw_axis_band_and_markers(qtbot: Any, tmp_path: Any) -> None:
    from lamina_gui.widgets.curve_plot import CurvePanels

    widget = CurvePanels()
    qtbot.addWidget(widget)
    widget.set_panels([_panel().to_dict()])
    assert widget.count() == 1
    plot = widget.plots[0]
    assert plot.getAxis("bottom").labelText == "wavelength [Å]"
    assert plot.getAxis("right").labelText == "saliency"
    assert len(widget.bands) == 1 and len(widget.bands[0].addedItems) == 1
    assert [m.value() for m in widget.markers] == [7000.0]  # off-axis marker not drawn
    widget.resize(600, 300)
    assert widget.save_png(str(tmp_path / "c.png"))


def test_data_preview_draws_spectra_against_the_declared_axis(qtbot: Any) -> None:
    from lamina_gui.widgets.data_preview import DataPreview

    preview = DataPreview()
    qtbot.addWidget(preview)
    x = np.random.default_rng(0).normal(size=(3, 64, 1)).astype("float32")
    axis = {
        "name": "wavelength",
        "unit": "Å",
        "values": np.linspace(4000, 8000, 64).tolist(),
        "signal": "flux",
        "lines": {"Hα": 6563.0},
        "redshift": [0.0, 0.1, 0.5],
    }
    summary = {"class_names": ["a", "b"], "axis": axis}
    preview.show_samples(summary, "series", x, np.array([0, 1, 0]))
    assert preview.kind() == "spectrum" and preview.currentWidget() is preview.curves
    assert preview.curves.count() == 3
    assert preview.curves.plots[1].getAxis("bottom").labelText == "wavelength [Å]"
    # Hα of the second sample sits at its redshift; the third's (9845 Å) is off the axis
    assert [round(m.value()) for m in preview.curves.markers] == [6563, 7219]
    preview.show_samples({}, "series", x, None)  # no axis: the plain line plot as before
    assert preview.currentWidget() is preview.plot


def test_visualize_view_shows_curve_results(
    qtbot: Any, make_state: Any, make_bridge: Any, tmp_path: Any
) -> None:
    from lamina_gui.views.visualize import VisualizeView

    view = VisualizeView(make_state({"entries": [], "plugins": []}), make_bridge())
    qtbot.addWidget(view)
    view.show()
    view.show_result(
        {"kind": "saliency", "titles": ["x"], "meta": {"panels": [_panel().to_dict()]}}
    )
    assert view.curves.isVisible() and not view.grid.isVisible()
    assert view.curves.count() == 1
    assert "curve panel" in view.status_label.text()
    assert view.export_png(str(tmp_path / "v.png"))
    view.show_result({"kind": "filters", "images": np.zeros((2, 3, 3)), "titles": ["a", "b"]})
    assert view.grid.isVisible() and not view.curves.isVisible()


def test_marker_names_are_drawn_inside_small_plots(qtbot: Any) -> None:
    """The names of the lines (Hα...) sit inside each plot of a small four-panel preview,
    not cut off at its top; a line at the left edge has its name on its right."""
    from lamina_gui.widgets.curve_plot import CurvePanels
    from PySide6.QtCore import QPointF

    widget = CurvePanels()
    qtbot.addWidget(widget)
    wl = np.linspace(3600.0, 9200.0, 256)
    marks = [LineMarker(3620.0, "edge"), LineMarker(4861.0, "[O III]"), LineMarker(6563, "Hα")]
    panel = CurvePanel([Curve(np.ones(256), wl, "flux")], x_label="wavelength", markers=marks)
    widget.set_panels([panel.to_dict()] * 4)
    widget.resize(700, 440)  # about 80 pixels of plot each
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)
    assert len(widget.markers) == 12
    for i, line in enumerate(widget.markers):
        view = widget.plots[i // 3].vb.sceneBoundingRect()
        name = line.label.sceneBoundingRect()
        assert view.adjusted(-1, -1, 1, 1).contains(name), (line.label.toPlainText(), name, view)
    vb = widget.plots[0].vb
    edge, halpha = widget.markers[0], widget.markers[2]

    def line_x(value: float) -> float:  # the line's x on the screen
        return vb.mapViewToScene(QPointF(value, 1.0)).x()

    assert edge.label.sceneBoundingRect().left() >= line_x(3620.0) - 1  # right of its line
    assert halpha.label.sceneBoundingRect().right() <= line_x(6563.0) + 1  # left of it
