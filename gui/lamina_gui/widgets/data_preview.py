"""The Data view's preview of a dataset: an image grid, a table, a scatter or line plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QStackedWidget, QTableWidget, QTableWidgetItem, QWidget

from lamina_gui.widgets.curve_plot import CurvePanels, signal_panels
from lamina_gui.widgets.image_grid import ImageGrid, decode_image_array


class DataPreview(QStackedWidget):
    """Shows a few samples of a dataset the way that suits them.

    Args:
        parent: The parent widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = "none"
        self.image_grid = ImageGrid(columns=4, cell=80)
        self.table = QTableWidget()
        for w in (self.image_grid, self.table):
            self.addWidget(w)
        # the plots are made when first needed: building one takes 0.1-0.3 s, which
        # blocked the window when the Data tab first opened (images need none)
        self._plot: pg.PlotWidget | None = None
        self._curves: CurvePanels | None = None

    @property
    def plot(self) -> pg.PlotWidget:
        """The scatter or line plot (made on first use)."""
        if self._plot is None:
            self._plot = pg.PlotWidget(background="w")
            self._plot.showGrid(x=True, y=True, alpha=0.3)
            self._plot.addLegend(offset=(5, 5))
            self.addWidget(self._plot)
        return self._plot

    @property
    def curves(self) -> CurvePanels:
        """The curve panels of a data set that declares its axis (made on first use)."""
        if self._curves is None:
            self._curves = CurvePanels()
            self.addWidget(self._curves)
        return self._curves

    def kind(self) -> str:
        """``"images"``, ``"table"``, ``"scatter"``, ``"spectrum"`` or ``"none"``."""
        return self._kind

    def clear(self) -> None:
        """Clears the image grid (the other previews are redrawn on the next samples)."""
        self.image_grid.clear()

    def show_samples(
        self, summary: dict[str, Any], kind: str, x: np.ndarray | None, y: np.ndarray | None
    ) -> None:
        """Shows samples `x` (targets `y`) of a dataset summary as `kind` (the engine's
        ``"images"``, ``"points"`` or ``"series"``; guessed from the shape if empty)."""
        if self._plot is not None:
            self._plot.clear()
        names = summary.get("class_names") or []
        if x is None or x.size == 0:
            self._kind = "none"
            self.image_grid.clear()
            return
        labels = [sample_label(y, i, names) for i in range(len(x))]
        if kind == "images" or (not kind and x.ndim == 4):
            self._kind = "images"
            self.image_grid.set_images(list(x), labels)
            self.setCurrentWidget(self.image_grid)
        elif kind == "points" or (not kind and x.ndim == 2 and x.shape[1] == 2):
            self._kind = "scatter"
            self._scatter(x, y, names, summary.get("feature_names") or ["x1", "x2"])
            self.setCurrentWidget(self.plot)
        elif (kind == "series" or (not kind and x.ndim == 3)) and summary.get("axis"):
            self._kind = "spectrum"
            self.curves.set_panels(signal_panels(x, labels, summary["axis"], max_panels=4))
            self.setCurrentWidget(self.curves)
        elif kind == "series" or (not kind and x.ndim == 3):
            self._kind = "spectrum"
            for i in range(min(len(x), 8)):
                pen = pg.mkPen(pg.intColor(i, hues=8), width=1.5)
                self.plot.plot(x[i].reshape(len(x[i]), -1)[:, 0], pen=pen, name=labels[i] or None)
            self.plot.setLabel("bottom", "position")
            self.plot.setLabel("left", "value")
            self.setCurrentWidget(self.plot)
        else:
            self._kind = "table"
            self._fill_table(x.reshape(len(x), -1), y, summary, labels)
            self.setCurrentWidget(self.table)

    def _scatter(
        self, x: np.ndarray, y: np.ndarray | None, names: list[str], axes: list[str]
    ) -> None:
        if y is None or y.dtype.kind == "f":
            brush = pg.mkBrush(60, 110, 200, 160)
            self.plot.plot(x[:, 0], x[:, 1], pen=None, symbol="o", symbolSize=6, symbolBrush=brush)
        else:
            from lamina_gui.widgets.plots import class_colours, plain_axes

            plain_axes(self.plot)
            colours = class_colours(max(len(names), int(y.max()) + 1, 2))
            for c in np.unique(y):
                pts = x[y == c]
                name = names[int(c)] if int(c) < len(names) else str(int(c))
                self.plot.plot(
                    pts[:, 0],
                    pts[:, 1],
                    pen=None,
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=pg.mkBrush(*colours[int(c)]),
                    name=name,
                )
        self.plot.setLabel("bottom", axes[0])
        self.plot.setLabel("left", axes[1] if len(axes) > 1 else "")

    def _fill_table(
        self, x: np.ndarray, y: np.ndarray | None, summary: dict[str, Any], labels: list[str]
    ) -> None:
        features = summary.get("feature_names") or [f"x{i}" for i in range(x.shape[1])]
        cols = min(x.shape[1], 30)
        headers = list(features[:cols]) + (["target"] if y is not None else [])
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(x))
        self.table.setHorizontalHeaderLabels(headers)
        for r in range(len(x)):
            for c in range(cols):
                self.table.setItem(r, c, QTableWidgetItem(f"{x[r, c]:.4g}"))
            if y is not None:
                self.table.setItem(r, cols, QTableWidgetItem(labels[r]))


def preview_arrays(result: dict[str, Any]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Finds the preview samples in a ``dataset_summary`` result (encoded or plain): the
    images drawn with a stretch (``preview["stretched"]``) when there are some."""
    preview = result.get("preview") or result.get("samples") or {}
    if isinstance(preview, list):  # a list of {"x", "y"} samples
        xs = [decode_image_array(s["x"]) for s in preview if isinstance(s, dict) and "x" in s]
        ys = [s.get("y") for s in preview if isinstance(s, dict)]
        x = np.stack(xs) if xs else None
        y = np.asarray(ys) if ys and all(v is not None for v in ys) else None
        return x, y
    # images the engine drew with the chosen stretch (uint8 RGB) are shown as they are
    x = preview.get("stretched")
    x = preview.get("x", result.get("x")) if x is None else x
    y = preview.get("y", result.get("y"))
    x_arr = None if x is None else decode_image_array(x)
    y_arr = None if y is None else decode_image_array(y)
    return x_arr, y_arr


def sample_label(y: np.ndarray | None, i: int, names: list[str]) -> str:
    """The label of sample `i`: its class name, its value, or the shape of its target."""
    if y is None or i >= len(y):
        return ""
    value = y[i]
    if np.ndim(value) == 0 and np.asarray(value).dtype.kind in "iub":
        k = int(value)
        return names[k] if k < len(names) else str(k)
    if np.ndim(value) == 0:
        return f"{float(value):.3g}"
    return f"target {tuple(np.shape(value))}"


def describe_summary(summary: dict[str, Any]) -> str:
    """The facts of a dataset summary as HTML lines (name, task, samples, shapes, split)."""
    parts = [f"<b>{summary.get('name', '')}</b> — {summary.get('task', '')}"]
    if summary.get("description"):
        parts.append(str(summary["description"]))
    parts.append(
        f"{summary.get('n', '?')} samples; x {tuple(summary.get('x_shape') or [])}"
        + (f", y {tuple(summary['y_shape'])}" if summary.get("y_shape") else ", no targets")
    )
    if summary.get("x_range"):
        lo, hi = summary["x_range"]
        parts.append(f"x values {lo:.3g} … {hi:.3g}")
    given = summary.get("split_counts") or {}
    if given:
        parts.append(
            "split given by the data: "
            + ", ".join(f"{part} {given.get(part, 0)}" for part in ("train", "validation", "test"))
        )
    return "<br>".join(parts)
