"""Curves of 1-D signals (spectra, time series) and of 1-D visualizations, with pyqtgraph.

`CurvePanels` draws curve panels as the PNG renderer does: lines on the left axis,
attribution bands filled from zero on a right axis of their own (same x axis), named lines
(Hα...) as dotted vertical markers, shaded spans, and axis labels with units
(``wavelength [Å]``). Panels are the plain dicts of ``lamina.visualize.CurvePanel.to_dict``
as the engine sends them (the app does not import the visualization code). The Data view
uses it for samples of a data set that declares its axis (``summary["axis"]``), the
Visualize view for results that carry ``meta["panels"]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
BAND_COLOURS = ((214, 39, 40), (148, 103, 189), (44, 160, 44), (188, 189, 34))
MARKER_PEN = pg.mkPen((90, 90, 90), width=1, style=pg.QtCore.Qt.PenStyle.DotLine)


def axis_label(name: str, unit: str = "") -> str:
    """``"wavelength [Å]"`` (just the name without a unit)."""
    return f"{name} [{unit}]" if name and unit else name or (f"[{unit}]" if unit else "")


def signal_panels(
    x: np.ndarray, labels: Sequence[str], axis: dict[str, Any] | None = None, max_panels: int = 6
) -> list[dict[str, Any]]:
    """One panel (dict) per sample of a ``(N, T, C)`` preview, against the data set's axis.

    Args:
        x: The samples.
        labels: A title per sample (its class or value).
        axis: The engine's ``summary["axis"]`` (``SignalAxis.to_dict``: name, unit,
            values, signal, lines at rest, one redshift per sample of `x`).
        max_panels: At most this many samples are drawn.
    """
    axis = axis or {}
    values = axis.get("values")
    redshift = axis.get("redshift") or []
    panels = []
    for i in range(min(len(x), max_panels)):
        sig = np.asarray(x[i]).reshape(len(x[i]), -1)
        xs = np.asarray(values, dtype=float) if values and len(values) == len(sig) else None
        xs = np.arange(len(sig), dtype=float) if xs is None else xs
        z = float(redshift[min(i, len(redshift) - 1)]) if redshift else 0.0
        panels.append(
            {
                "curves": [
                    {"y": sig[:, c], "x": xs, "label": "", "kind": "line"}
                    for c in range(sig.shape[1])
                ],
                "title": labels[i] if i < len(labels) else "",
                "x_label": axis.get("name", "index"),
                "x_unit": axis.get("unit", ""),
                "y_label": axis.get("signal", ""),
                "markers": [
                    {"x": float(rest) * (1 + z), "label": name}
                    for name, rest in (axis.get("lines") or {}).items()
                ],
            }
        )
    return panels


def _xs(curve: dict[str, Any]) -> np.ndarray:
    y = np.asarray(curve.get("y", []), dtype=float)
    x = curve.get("x")
    return np.arange(y.size, dtype=float) if x is None else np.asarray(x, dtype=float)


def plot_area(owner: QWidget) -> pg.GraphicsLayoutWidget:
    """A white pyqtgraph layout filling `owner` (plots are added to it)."""
    view = pg.GraphicsLayoutWidget()
    view.setBackground("w")
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(view)
    return view


class CurvePanels(QWidget):
    """A column (or grid) of curve plots, one per panel.

    Args:
        parent: The parent widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = plot_area(self)
        self.plots: list[pg.PlotItem] = []
        self.bands: list[pg.ViewBox] = []
        self.markers: list[pg.InfiniteLine] = []
        self.panels: list[dict[str, Any]] = []

    def count(self) -> int:
        """The number of panels drawn."""
        return len(self.plots)

    def clear(self) -> None:
        """Removes every panel."""
        self.view.clear()
        self.plots, self.bands, self.markers, self.panels = [], [], [], []

    def set_panels(self, panels: Sequence[dict[str, Any]], columns: int | None = None) -> None:
        """Draws `panels` (``CurvePanel.to_dict`` dicts, e.g. a result's ``meta["panels"]``):
        one column up to 4, else a grid, or `columns` columns."""
        self.clear()
        n = len(panels)
        cols = int(columns) if columns else (1 if n <= 4 else math.ceil(math.sqrt(n)))
        cols = max(1, min(cols, max(n, 1)))
        for i, panel in enumerate(panels):
            plot = self.view.addPlot(row=i // cols, col=i % cols)
            self._draw(plot, panel, small=n > 4)
            self.plots.append(plot)
        self.panels = list(panels)

    def _draw(self, plot: pg.PlotItem, panel: dict[str, Any], small: bool) -> None:
        plot.showGrid(x=True, y=True, alpha=0.25)
        curves = list(panel.get("curves") or [])
        if panel.get("title"):
            plot.setTitle(panel["title"], size="8pt" if small else "9pt", color="#333")
        plot.setLabel("bottom", axis_label(panel.get("x_label", ""), panel.get("x_unit", "")))
        y_label = axis_label(panel.get("y_label", ""), panel.get("y_unit", ""))
        if y_label:
            plot.setLabel("left", y_label)
        if any(c.get("label") for c in curves) and not small:
            plot.addLegend(offset=(-5, 5))
        if panel.get("log_y"):
            plot.setLogMode(y=True)
        band_box = None
        lines = 0
        for curve in curves:
            xs, y, label = _xs(curve), np.asarray(curve["y"], dtype=float), curve.get("label")
            if curve.get("kind") == "band":
                if band_box is None:
                    band_box = self._band_box(plot, panel)
                colour = BAND_COLOURS[len(band_box.addedItems) % len(BAND_COLOURS)]
                item = pg.PlotDataItem(
                    xs,
                    y,
                    pen=pg.mkPen(colour, width=1),
                    fillLevel=0,
                    brush=pg.mkBrush(*colour, 90),
                )
                band_box.addItem(item)
                if plot.legend is not None and label:
                    plot.legend.addItem(item, label)
                continue
            pen = pg.mkPen(LINE_COLOURS[lines % len(LINE_COLOURS)], width=1.5)
            lines += 1
            if curve.get("kind") == "steps":
                edges = np.concatenate(
                    [xs[:1] - 0.5 * _step(xs), 0.5 * (xs[1:] + xs[:-1]), xs[-1:] + 0.5 * _step(xs)]
                )
                plot.plot(edges, y, stepMode="center", pen=pen, name=label or None)
            else:
                symbol = "o" if y.size <= 60 else None
                plot.plot(xs, y, pen=pen, symbol=symbol, symbolSize=4, name=label or None)
        for start, stop, _label in panel.get("spans") or []:
            region = pg.LinearRegionItem(
                values=(start, stop), movable=False, brush=pg.mkBrush(214, 39, 40, 35)
            )
            plot.addItem(region)
        all_x = [v for v in (_xs(c) for c in curves) if v.size]
        lo = min(float(np.nanmin(v)) for v in all_x) if all_x else -math.inf
        hi = max(float(np.nanmax(v)) for v in all_x) if all_x else math.inf
        for marker in panel.get("markers") or []:
            x = float(marker["x"])
            if lo <= x <= hi:
                # the name reads upwards from just under the top of the axes, left of the
                # line (right of it near the left edge): inside the plot, never cut off
                near_left = (x - lo) / (hi - lo) < 0.06 if hi > lo else False
                anchor = (1.0, 0.0) if near_left else (1.0, 1.0)
                line = pg.InfiniteLine(
                    pos=x,
                    angle=90,
                    pen=MARKER_PEN,
                    label=str(marker.get("label", "")),
                    labelOpts={
                        "position": 0.97,
                        "color": (60, 60, 60),
                        "rotateAxis": (1, 0),
                        "anchors": [anchor, anchor],
                    },
                )
                plot.addItem(line)
                self.markers.append(line)
        if math.isfinite(lo) and hi > lo:
            plot.setXRange(lo, hi, padding=0.01)

    def _band_box(self, plot: pg.PlotItem, panel: dict[str, Any]) -> pg.ViewBox:
        """A second view box on the right axis sharing the plot's x axis."""
        box = pg.ViewBox()
        plot.showAxis("right")
        plot.scene().addItem(box)
        plot.getAxis("right").linkToView(box)
        box.setXLink(plot)
        labels = [c.get("label", "") for c in panel.get("curves") or [] if c.get("kind") == "band"]
        plot.getAxis("right").setLabel(labels[0] if len(labels) == 1 else "attribution")

        def follow() -> None:
            box.setGeometry(plot.vb.sceneBoundingRect())
            box.linkedViewChanged(plot.vb, box.XAxis)

        plot.vb.sigResized.connect(follow)
        follow()
        box.setZValue(-10)
        self.bands.append(box)
        return box

    def save_png(self, path: str) -> bool:
        """Saves what is drawn as a PNG."""
        return bool(self.grab().save(path))


def _step(xs: np.ndarray) -> float:
    return float(xs[1] - xs[0]) if xs.size > 1 else 1.0
